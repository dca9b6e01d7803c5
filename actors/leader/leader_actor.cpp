#include "actors/leader/leader_actor.hpp"

#include <spdlog/spdlog.h>

namespace synod {

caf::behavior leader_actor(caf::stateful_actor<leader_state>* self, node_id id, group_view group,
                           leader_config config, recovered_state recovered,
                           std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, std::move(group), config, recovered);
  st.pipe.set_carry_out([self](effects& e) { self->state.send_messages(self, e); });
  self->delayed_send(self, tick, tick_atom::value);
  auto was_leading = std::make_shared<bool>(false);
  // Logs the moments this node starts and stops leading a round.
  auto after_step = [=] {
    const bool leading = self->state.core->leading();
    if (leading != *was_leading)
      spdlog::info("node {}: {} round {}", id, leading ? "leading" : "no longer leading",
                   to_string(self->state.core->current_round()));
    *was_leading = leading;
    self->state.pipe.schedule(self);
  };
  return wait_for_wiring(
      self, caf::message_handler{
                [=](incoming& m) {
                  std::visit(
                      overloaded{[&](const forward& x) { self->state.core->step(m.from, x); },
                                 [&](const lead_ack& x) { self->state.core->step(m.from, x); },
                                 [&](const read_ack& x) { self->state.core->step(m.from, x); },
                                 [&](const read_nack& x) { self->state.core->step(m.from, x); },
                                 [&](const write_ack& x) { self->state.core->step(m.from, x); },
                                 [&](const write_nack& x) { self->state.core->step(m.from, x); },
                                 [](const auto&) {}},
                      m.body);
                  after_step();
                },
                [=](leader_changed& m) {
                  self->state.core->on_leader_change(m.leader);
                  after_step();
                },
                [=](const round_seen& r) { self->state.core->on_round_seen(r.round); },
                [=](status_query& q) {
                  q.partial.held = self->state.core->held_count();
                  return self->delegate(self->state.peers.learner, std::move(q));
                },
                [=](delivered& d) {
                  self->state.core->on_delivery(d.batch);
                  after_step();
                },
                [=](tick_atom) {
                  self->state.core->tick();
                  after_step();
                  self->delayed_send(self, tick, tick_atom::value);
                },
            }
                .or_else(standard_handlers(self)));
}

}  // namespace synod
