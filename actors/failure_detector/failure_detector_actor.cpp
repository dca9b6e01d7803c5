#include "actors/failure_detector/failure_detector_actor.hpp"

#include <spdlog/spdlog.h>

namespace synod {

caf::behavior failure_detector_actor(caf::stateful_actor<failure_detector_state>* self, node_id id,
                                     group_view group, failure_detector_config config,
                                     std::uint64_t incarnation, std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, std::move(group), config, incarnation);
  st.pipe.set_carry_out([self](effects& e) { self->state.send_messages(self, e); });
  self->delayed_send(self, tick, tick_atom::value);
  auto after_step = [=] {
    auto& s = self->state;
    const node_id now = s.core->leader();
    if (now != s.leader) {
      spdlog::info("node {}: leader is now node {}", id, now);
      s.leader = now;
      self->send(s.peers.leader, leader_changed{now});
      self->send(s.peers.front, leader_changed{now});
      self->send(s.peers.transport, leader_changed{now});
    }
    s.pipe.schedule(self);
  };
  return wait_for_wiring(
      self,
      caf::message_handler{
          [=](incoming& m) {
            if (const auto* beat = std::get_if<heartbeat>(&m.body)) {
              self->state.core->step(m.from, *beat);
              self->send(self->state.peers.learner,
                         peer_progress{m.from, beat->delivered_up_to, beat->retained_from});
            } else if (const auto* probe = std::get_if<lead_probe>(&m.body)) {
              self->state.core->step(m.from, *probe);
            }
            after_step();
          },
          [=](local_progress& p) {
            self->state.delivered_up_to = p.delivered_up_to;
            self->state.retained_from = p.retained_from;
          },
          [=](tick_atom) {
            self->state.core->tick(self->state.delivered_up_to, self->state.retained_from);
            after_step();
            self->delayed_send(self, tick, tick_atom::value);
          },
      }
          .or_else(standard_handlers(self)),
      after_step);  // the first verdict
}

}  // namespace synod
