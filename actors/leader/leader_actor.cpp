#include "actors/leader/leader_actor.hpp"

#include <spdlog/spdlog.h>

namespace synod {

namespace {

using self_ptr = caf::stateful_actor<leader_state>*;

void log_leading_change(self_ptr self, node_id id) {
  auto& s = self->state;
  const bool leading = s.core->leading();
  if (leading != s.was_leading)
    spdlog::info("node {}: {} round {}", id, leading ? "leading" : "no longer leading",
                 to_string(s.core->current_round()));
  s.was_leading = leading;
}

// The status passes the leader on its way from the transport to the learner.
auto add_status(self_ptr self, status_query& q) {
  q.partial.held = self->state.core->held_count();
  return self->delegate(self->state.peers.learner, std::move(q));
}

}  // namespace

caf::behavior leader_actor(self_ptr self, node_id id, group_view group, leader_config config,
                           recovered_state recovered, std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, std::move(group), config, recovered);
  st.pipe.set_carry_out([self](effects& e) { send_messages_and_notes(self, e); });
  const auto after_input = [self, id] { log_leading_change(self, id); };
  return wait_for_wiring(self, caf::message_handler{[=](status_query& q) {
                                 return add_status(self, q);
                               }}.or_else(core_handlers(self, after_input))
                                   .or_else(tick_handler(self, tick, after_input)));
}

}  // namespace synod
