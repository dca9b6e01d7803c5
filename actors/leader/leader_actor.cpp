#include "actors/leader/leader_actor.hpp"

#include <spdlog/spdlog.h>

namespace synod {

caf::behavior leader_actor(caf::stateful_actor<leader_state>* self, node_id id, group_view group,
                           leader_config config, recovered_state recovered,
                           std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, std::move(group), config, recovered);
  st.pipe.set_carry_out([self](effects& e) { send_messages_and_notes(self, e); });
  auto was_leading = std::make_shared<bool>(false);
  // Logs the moments this node starts and stops leading a round.
  auto log_leading = [=] {
    const bool leading = self->state.core->leading();
    if (leading != *was_leading)
      spdlog::info("node {}: {} round {}", id, leading ? "leading" : "no longer leading",
                   to_string(self->state.core->current_round()));
    *was_leading = leading;
  };
  return wait_for_wiring(self,
                         caf::message_handler{
                             [=](status_query& q) {
                               q.partial.held = self->state.core->held_count();
                               return self->delegate(self->state.peers.learner, std::move(q));
                             },
                         }
                             .or_else(core_handlers(self, log_leading))
                             .or_else(tick_handler(self, tick, log_leading)));
}

}  // namespace synod
