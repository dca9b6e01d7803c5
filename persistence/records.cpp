#include "persistence/records.hpp"

#include <algorithm>

#include "messaging/overloaded.hpp"

namespace synod {

void apply(recovered_state& state, const durable_record& record) {
  std::visit(
      overloaded{
          [&](const promise_record& r) { state.promised = std::max(state.promised, r.round); },
          [&](const accept_record& r) {
            state.accepted[r.slot] = accepted_value{r.slot, r.round, r.value};
          },
          [&](const round_counter_record& r) {
            state.round_counter = std::max(state.round_counter, r.counter);
          },
          [&](const delivery_record& r) { state.delivered[r.slot] = r.value; },
          [&](const incarnation_record& r) {
            state.incarnation = std::max(state.incarnation, r.incarnation);
          },
          [&](const group_record& r) { state.group_id = r.group_id; },
          [&](const member_history_record& r) { state.members_with_history[r.node] = r.seen; },
          [&](const database_record& r) { state.database_id = r.database_id; },
          [&](const checkpoint_record& r) {
            if (r.slot > state.checkpoint.slot) state.checkpoint = r;
            if (r.slot >= state.transfer.slot) state.transfer = transfer_progress{};
          },
          [&](const transfer_chunk_record& r) { state.transfer.take(r); },
          [&](const snapshot_record& r) {
            auto& kept = state.snapshots;
            auto at = std::lower_bound(
                kept.begin(), kept.end(), r.snapshot.slot,
                [](const ledger_snapshot& s, slot_t slot) { return s.slot < slot; });
            if (at == kept.end() || at->slot != r.snapshot.slot) kept.insert(at, r.snapshot);
          },
          [&](const truncate_record& r) {
            if (r.up_to <= state.truncated_up_to) return;
            state.truncated_up_to = r.up_to;
            state.delivered.erase(state.delivered.begin(), state.delivered.upper_bound(r.up_to));
            state.accepted.erase(state.accepted.begin(), state.accepted.upper_bound(r.up_to));
            auto& kept = state.snapshots;
            kept.erase(kept.begin(),
                       std::find_if(kept.begin(), kept.end(),
                                    [&](const ledger_snapshot& s) { return s.slot >= r.up_to; }));
          },
      },
      record);
}

bool transfer_progress::take(const transfer_chunk_record& record) {
  const checkpoint_chunk& part = record.part;
  if (part.slot == 0 && part.offset == 0 && part.bytes.empty()) {
    *this = transfer_progress{};  // dropped: nobody could finish it
    return true;
  }
  if (part.slot == 0 || part.offset > part.size || part.bytes.size() > part.size - part.offset)
    return false;
  const bool same = part.slot == slot && part.size == size && part.digest == digest;
  if (part.offset == 0) {
    // The first part again (a repeated answer, a duplicate) does not start this transfer over;
    // an empty first part of a non-empty checkpoint does (the whole failed its digest).
    if (same && !received.empty() && !part.bytes.empty()) return false;
    *this = transfer_progress{part.slot, part.size, part.digest, part.bytes};
    return true;
  }
  if (!same || part.offset != received.size()) return false;
  received += part.bytes;
  return true;
}

void forget_delivered(recovered_state& state, slot_t slot, const batch& value) {
  for (const auto& e : value.entries()) state.forgotten_ids.insert(e.id);
  state.forgotten_digest = fold_delivery(state.forgotten_digest, slot, value);
  state.forgotten_messages += value.size();
  state.forgotten_bytes += value.payload_bytes();
}

void start_from_snapshot(recovered_state& state, const ledger_snapshot& base) {
  if (base.slot <= state.forgotten_up_to) return;
  state.forgotten_ids = base.delivered;
  state.forgotten_messages = base.messages;
  state.forgotten_bytes = base.bytes;
  state.forgotten_digest = base.digest;
  state.delivered.erase(state.delivered.begin(), state.delivered.upper_bound(base.slot));
  state.forgotten_up_to = base.slot;
}

void keep_window(recovered_state& state, slot_t window) {
  if (!state.snapshots.empty()) start_from_snapshot(state, state.snapshots.back());
  const slot_t floor = recovery_floor(state.delivered_up_to(), window);
  for (auto it = state.delivered.begin(); it != state.delivered.end() && it->first <= floor;) {
    forget_delivered(state, it->first, it->second);
    it = state.delivered.erase(it);
  }
  state.forgotten_up_to = std::max(state.forgotten_up_to, floor);
  state.accepted.erase(state.accepted.begin(), state.accepted.upper_bound(state.forgotten_up_to));
}

}  // namespace synod
