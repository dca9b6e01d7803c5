// A fingerprint of a member's delivery sequence: every message delivered, with its slot, id and
// payload, folded in order. Members that delivered the same messages in the same slots have the
// same digest (up to a 64-bit collision). It travels in snapshots, so a member that skipped
// truncated slots to a peer's snapshot has the same digest as that peer from then on, and it
// answers "do the members agree?" without reading any log back.
#pragma once

#include <cstdint>

#include "messaging/batch.hpp"

namespace synod {

constexpr std::uint64_t ledger_digest_start = 0xcbf29ce484222325ULL;

// The digest after `delivered` (what the application was handed) was delivered in `slot`.
std::uint64_t fold_delivery(std::uint64_t digest, slot_t slot, const batch& delivered);

}  // namespace synod
