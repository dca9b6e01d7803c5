#include "actors/failure_detector/failure_detector_actor.hpp"

#include <spdlog/spdlog.h>

namespace synod {

caf::behavior failure_detector_actor(caf::stateful_actor<failure_detector_state>* self, node_id id,
                                     group_view group, failure_detector_config config,
                                     std::uint64_t incarnation, std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, std::move(group), config, incarnation);
  st.pipe.set_carry_out([self, id](effects& e) {
    // Omega's verdicts are worth a line, and the transport shows the latest in the status.
    for (const auto& n : e.notes)
      if (const auto* elected = std::get_if<leader_elected>(&n)) {
        spdlog::info("node {}: leader is now node {}", id, elected->leader);
        self->send(self->state.peers.transport, *elected);
      }
    send_messages_and_notes(self, e);
  });
  return wait_for_wiring(self, core_handlers(self).or_else(tick_handler(self, tick)));
}

}  // namespace synod
