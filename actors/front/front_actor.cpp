#include "actors/front/front_actor.hpp"

#include <algorithm>
#include <string>

namespace synod {

namespace {

using self_ptr = caf::stateful_actor<front_state>*;

// The client's one line for a refused broadcast (the core's verdict); nothing of it was taken.
std::string refusal_text(const broadcast_front& front, refusal why,
                         const std::vector<std::string>& payloads) {
  switch (why) {
    case refusal::none:
      break;
    case refusal::busy:
      return "busy: " + std::to_string(front.undelivered()) + " messages (" +
             std::to_string(front.undelivered_bytes()) +
             " bytes) are not delivered yet; retry later";
    case refusal::too_large: {
      std::size_t largest = 0;
      for (const auto& p : payloads) largest = std::max(largest, p.size());
      return "too large: a message of " + std::to_string(largest) +
             " bytes is above the group's max-message-bytes of " +
             std::to_string(front.config().max_message_bytes) + "; nothing was broadcast";
    }
    case refusal::request_too_large: {
      std::size_t bytes = 0;
      for (const auto& p : payloads) bytes += p.size();
      return "too large: a request of " + std::to_string(payloads.size()) + " messages and " +
             std::to_string(bytes) + " bytes is above the member's limit of " +
             std::to_string(front.config().max_undelivered) + " messages or " +
             std::to_string(front.config().request_bytes_limit()) +
             " bytes (max-undelivered, max-request-bytes); nothing was broadcast: send fewer "
             "messages per request";
    }
  }
  return {};
}

// Answers the requests whose last message was just delivered here.
void answer_delivered(self_ptr self) {
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
}

// A client's request: refused at once (nothing taken), or taken whole and answered once every
// message of it is delivered here.
void take_request(self_ptr self, broadcast_request& r) {
  auto& s = self->state;
  auto promise = self->make_response_promise();
  if (r.payloads.empty()) {
    promise.deliver(broadcast_reply{{}, {}, r.tag, false});
    return;
  }
  if (const refusal why = s.core->refuses(r.payloads); why != refusal::none) {
    promise.deliver(
        broadcast_reply{{}, refusal_text(*s.core, why, r.payloads), r.tag, why == refusal::busy});
    return;
  }
  auto ids = s.core->broadcast_all(std::move(r.payloads));
  const std::uint64_t number = s.next_request++;
  for (const auto& mid : *ids) s.request_of.emplace(mid, number);
  auto& req = s.requests[number];
  req.remaining = ids->size();
  req.reply = broadcast_reply{std::move(*ids), {}, r.tag, false};
  req.promise = std::move(promise);
  s.pipe.schedule(self);
}

// The status passes the front on its way from the transport to the leader.
auto add_status(self_ptr self, status_query& q) {
  auto& s = self->state;
  q.partial.undelivered = s.core->undelivered();
  q.partial.undelivered_bytes = s.core->undelivered_bytes();
  return self->delegate(s.peers.leader, std::move(q));
}

}  // namespace

caf::behavior front_actor(self_ptr self, node_id id, broadcast_config config,
                          recovered_state recovered, std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, config, recovered);
  st.pipe.set_carry_out([self](effects& e) { send_messages_and_notes(self, e); });
  return wait_for_wiring(self, caf::message_handler{
                                   [=](broadcast_request& r) { take_request(self, r); },
                                   [=](status_query& q) { return add_status(self, q); },
                               }
                                   .or_else(core_handlers(self, [self] { answer_delivered(self); }))
                                   .or_else(tick_handler(self, tick)));
}

}  // namespace synod
