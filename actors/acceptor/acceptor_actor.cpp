#include "actors/acceptor/acceptor_actor.hpp"

namespace synod {

caf::behavior acceptor_actor(caf::stateful_actor<acceptor_state>* self, recovered_state recovered) {
  auto& st = self->state;
  st.core.emplace(recovered);
  st.pipe.set_carry_out([self](effects& e) { self->state.send_messages(self, e); });
  return wait_for_wiring(
      self, caf::message_handler{
                [=](incoming& m) {
                  const round_t promised = self->state.core->promised();
                  std::visit(
                      overloaded{[&](const read_request& x) { self->state.core->step(m.from, x); },
                                 [&](const write_request& x) {
                                   auto& s = self->state;
                                   s.core->step(m.from, x);
                                   // For the learner at once, before it is durable: a round's
                                   // value is the same either way.
                                   if (const auto* a = s.core->accepted_in(x.slot, x.round))
                                     self->send(s.peers.learner, accepted_here{*a});
                                 },
                                 [](const auto&) {}},
                      m.body);
                  if (self->state.core->promised() != promised)
                    self->send(self->state.peers.leader, round_seen{self->state.core->promised()});
                  self->state.pipe.schedule(self);
                },
                [=](const forget_up_to& f) { self->state.core->forget_up_to(f.slot); },
            }
                .or_else(standard_handlers(self)));
}

}  // namespace synod
