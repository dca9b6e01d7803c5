// Reads what a member delivered, a page at a time (history_request), so a long log crosses the
// network at the pace the reader takes it in.
#pragma once

#include <caf/all.hpp>
#include <chrono>
#include <functional>

#include "messaging/client_api.hpp"

namespace synod::cli {

// Calls `each` for every batch from `from` on, in slot order, until `each` returns false or the
// log's end: its end when the first page came if `snapshot`, else wherever it is by then.
// Returns the slot after the last one read. Throws if the member stops answering for `timeout`,
// or if it no longer has slot `from` (naming the first slot it has).
slot_t read_history(caf::actor_system& system, const caf::actor& member, slot_t from, bool snapshot,
                    const std::function<bool(const delivered_batch&)>& each,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The member's newest application checkpoint (slot 0: none). Throws if it does not answer.
checkpoint_reply latest_checkpoint(caf::actor_system& system, const caf::actor& member,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace synod::cli
