// A fingerprint of a member's delivery sequence: every message delivered, with its slot, id and
// payload, folded in order. Members that delivered the same messages in the same slots have the
// same digest (up to a 64-bit collision). It travels in snapshots, so a member that skipped
// truncated slots to a peer's snapshot has the same digest as that peer from then on, and it
// answers "do the members agree?" without reading any log back.
#pragma once

#include <cstdint>
#include <string_view>

#include "messaging/batch.hpp"

namespace synod {

constexpr std::uint64_t ledger_digest_start = 0xcbf29ce484222325ULL;

// The digest after `delivered` (what the application was handed) was delivered in `slot`.
std::uint64_t fold_delivery(std::uint64_t digest, slot_t slot, const batch& delivered);

// A fingerprint of an application checkpoint's bytes, which state transfer checks once every
// part has arrived (the frames' CRC-32 covers each part, not their assembly).
std::uint64_t state_digest(std::string_view bytes);

}  // namespace synod
