#include "actors/acceptor/acceptor_actor.hpp"

namespace synod {

namespace {

// Hands what was just accepted to this node's learner, which a decision may then name without
// the value. Before it is durable: the value of a round is the same whether or not it is.
void share_accepted(caf::stateful_actor<acceptor_state>* self, const write_request& w) {
  const auto& accepted = self->state.core->accepted();
  auto it = accepted.find(w.slot);
  if (it != accepted.end() && it->second.round == w.round)
    self->send(self->state.peers.learner, accepted_here{it->second});
}

}  // namespace

caf::behavior acceptor_actor(caf::stateful_actor<acceptor_state>* self, recovered_state recovered) {
  auto& st = self->state;
  st.core.emplace(recovered);
  st.pipe.set_carry_out([self](effects& e) { self->state.send_messages(self, e); });
  return wait_for_wiring(
      self, caf::message_handler{
                [=](incoming& m) {
                  std::visit(
                      overloaded{[&](const read_request& x) { self->state.core->step(m.from, x); },
                                 [&](const write_request& x) {
                                   self->state.core->step(m.from, x);
                                   share_accepted(self, x);
                                 },
                                 [](const auto&) {}},
                      m.body);
                  self->state.pipe.schedule(self);
                },
                [=](const forget_up_to& f) { self->state.core->forget_up_to(f.slot); },
            }
                .or_else(standard_handlers(self)));
}

}  // namespace synod
