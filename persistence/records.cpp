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
          [&](const member_history_record& r) { state.members_with_history.insert(r.node); },
      },
      record);
}

void forget_delivered(recovered_state& state, const batch& value) {
  for (const auto& e : value.entries()) state.forgotten_ids.insert(e.id);
  state.forgotten_messages += value.size();
  state.forgotten_bytes += value.payload_bytes();
}

void keep_window(recovered_state& state, slot_t window) {
  const slot_t floor = recovery_floor(state.delivered_up_to(), window);
  if (floor <= state.forgotten_up_to) return;
  for (auto it = state.delivered.begin(); it != state.delivered.end() && it->first <= floor;) {
    forget_delivered(state, it->second);
    it = state.delivered.erase(it);
  }
  state.accepted.erase(state.accepted.begin(), state.accepted.upper_bound(floor));
  state.forgotten_up_to = floor;
}

}  // namespace synod
