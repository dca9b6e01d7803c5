#include "actors/node/front_actor.hpp"

namespace synod {

caf::behavior front_actor(caf::stateful_actor<front_state>* self, node_id id,
                          broadcast_config config, recovered_state recovered,
                          std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, config, recovered);
  st.pipe.set_carry_out([self](effects& e) { self->state.send_messages(self, e); });
  self->delayed_send(self, tick, tick_atom::value);
  // Answers the requests whose last message was just delivered here.
  auto settle = [self] {
    auto& s = self->state;
    for (const auto& done : s.core->take_delivered()) {
      auto it = s.request_of.find(done);
      if (it == s.request_of.end()) continue;
      auto req = s.requests.find(it->second);
      s.request_of.erase(it);
      if (req == s.requests.end() || --req->second.remaining > 0) continue;
      req->second.promise.deliver(std::move(req->second.reply));
      s.requests.erase(req);
    }
  };
  return wait_for_wiring(self, caf::message_handler{
                                   [=](broadcast_request& r) {
                                     auto& s = self->state;
                                     auto promise = self->make_response_promise();
                                     if (r.payloads.empty()) {
                                       promise.deliver(broadcast_reply{{}, {}, r.tag});
                                       return;
                                     }
                                     auto ids = s.core->broadcast_all(std::move(r.payloads));
                                     if (!ids) {
                                       promise.deliver(broadcast_reply{
                                           {},
                                           "busy: " + std::to_string(s.core->undelivered()) +
                                               " messages are not delivered yet; retry later",
                                           r.tag});
                                       return;
                                     }
                                     const std::uint64_t number = s.next_request++;
                                     for (const auto& mid : *ids) s.request_of.emplace(mid, number);
                                     auto& req = s.requests[number];
                                     req.remaining = ids->size();
                                     req.reply = broadcast_reply{std::move(*ids), {}, r.tag};
                                     req.promise = std::move(promise);
                                     s.pipe.schedule(self);
                                   },
                                   [=](leader_changed& m) {
                                     self->state.core->on_leader_change(m.leader);
                                     self->state.pipe.schedule(self);
                                   },
                                   [=](delivered& d) {
                                     self->state.core->on_delivery(d.batch);
                                     settle();
                                   },
                                   [=](tick_atom) {
                                     self->state.core->tick();
                                     self->state.pipe.schedule(self);
                                     self->delayed_send(self, tick, tick_atom::value);
                                   },
                               }
                                   .or_else(standard_handlers(self)));
}

}  // namespace synod
