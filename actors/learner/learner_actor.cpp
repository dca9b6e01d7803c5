#include "actors/learner/learner_actor.hpp"

#include <spdlog/spdlog.h>

namespace synod {

namespace {

using self_ptr = caf::stateful_actor<learner_state>*;

// Batches read back from storage hold at most this much payload per page.
constexpr std::size_t page_bytes = 4 << 20;

void count_delivery(rate_meter& meter, const batch& b) {
  meter.add(b.size(), b.payload_bytes());
}

// The delivered batches from `from` to the last carried-out slot, about `max_bytes` of payload
// (at least one batch), from memory when it still holds them, else from storage; `done` gets
// them (possibly none: the end).
void read_delivered(self_ptr self, slot_t from, std::size_t max_bytes,
                    std::function<void(std::vector<std::pair<slot_t, batch>>)> done) {
  auto& s = self->state;
  if (from > s.core->forgotten_up_to()) {
    std::vector<std::pair<slot_t, batch>> page;
    std::size_t bytes = 0;
    const auto& kept = s.core->delivered();
    for (auto it = kept.lower_bound(from);
         it != kept.end() && it->first <= s.carried_up_to && (page.empty() || bytes < max_bytes);
         ++it) {
      bytes += it->second.payload_bytes();
      page.emplace_back(it->first, it->second);
    }
    done(std::move(page));
    return;
  }
  self->request(s.peers.storage, caf::infinite, read_delivered_request{from, max_bytes})
      .then([self, done](read_delivered_reply& r) {
        // Committed but not carried out yet: not here, or a subscriber would get it twice.
        auto& page = r.page;
        while (!page.empty() && page.back().first > self->state.carried_up_to) page.pop_back();
        done(std::move(page));
      });
}

subscription* find_subscription(self_ptr self, const caf::actor_addr& who) {
  for (auto& sub : self->state.subscribers)
    if (sub.who.address() == who) return &sub;
  return nullptr;
}

void pump(self_ptr self, node_id id, const caf::actor_addr& who);

// One upcall, as a request: the subscriber's answer (its handler ran) frees the credit.
template <class Upcall>
void send_upcall(self_ptr self, node_id id, subscription& sub, std::size_t bytes, Upcall upcall) {
  ++sub.unanswered;
  sub.unanswered_bytes += bytes;
  const auto answered = [self, id, who = sub.who.address(), bytes] {
    if (auto* s = find_subscription(self, who)) {
      --s->unanswered;
      s->unanswered_bytes -= bytes;
      pump(self, id, who);
    }
  };
  self->request(sub.who, caf::infinite, std::move(upcall))
      .then([answered] { answered(); },
            // A handler that returns something, or none for the type: handled all the same.
            [answered](const caf::error&) { answered(); });
}

void send_batch(self_ptr self, node_id id, subscription& sub, slot_t slot, const batch& b) {
  send_upcall(self, id, sub, b.payload_bytes(), delivered_batch{id, slot, b.messages()});
}

// A subscriber that takes checkpoints, at a slot cut from the log: the member's checkpoint if
// it covers the cut and its slot is carried out here (the subscriber goes on from the slot
// after it), or a wait while one is coming from a peer (the peers are asked, once per cut, if
// none is). False: no peer has one, the subscriber gets the gap.
bool offer_checkpoint(self_ptr self, node_id id, subscription& sub, slot_t cut) {
  auto& s = self->state;
  const slot_t asked_before = sub.asked_peers_at;
  switch (s.core->answer_cut(cut, s.carried_up_to, sub.asked_peers_at)) {
    case learner::cut_answer::checkpoint: {
      const auto& kept = s.core->checkpoint();
      send_upcall(self, id, sub, kept.state.size(),
                  checkpoint_transfer{id, sub.next, kept.slot, kept.state});
      sub.next = kept.slot + 1;
      return true;
    }
    case learner::cut_answer::wait:  // the next tick looks again
      if (sub.asked_peers_at != asked_before)
        spdlog::info(
            "node {}: a subscriber is behind the log's cut at slot {}: asking the peers for a "
            "checkpoint that covers it",
            id, cut);
      return true;
    case learner::cut_answer::gap:
      break;
  }
  return false;
}

// A page read back from storage for a subscriber that had fallen behind.
void send_page(self_ptr self, node_id id, const caf::actor_addr& who, slot_t from,
               std::vector<std::pair<slot_t, batch>> page) {
  auto* sub = find_subscription(self, who);
  if (!sub) return;
  sub->reading = false;
  // Truncated while the page was read: the subscriber is told what it lost, or given the
  // checkpoint that covers it (pump does either, from the cut).
  if (!page.empty() && page.front().first > from && sub->checkpoints &&
      from <= std::min(self->state.core->truncated_up_to(), self->state.carried_up_to)) {
    pump(self, id, who);
    return;
  }
  if (!page.empty() && page.front().first > from) {
    self->send(sub->who, delivery_gap{id, from, page.front().first - 1});
    sub->next = page.front().first;
  }
  for (auto& [slot, b] : page) {
    send_batch(self, id, *sub, slot, b);
    sub->next = slot + 1;
  }
  if (page.empty()) {
    // Storage ends here: the rest is in memory, or cut.
    const slot_t floor = self->state.core->forgotten_up_to();
    if (sub->next > floor) return;
    sub->next = floor + 1;
  }
  pump(self, id, who);
}

// Sends a subscriber what it may have now: carried-out slots from its next one on, while it has
// credit, from memory or read back from storage a page at a time. Slots cut from the log meanwhile
// are announced with one delivery_gap.
void pump(self_ptr self, node_id id, const caf::actor_addr& who) {
  auto& s = self->state;
  auto* sub = find_subscription(self, who);
  if (!sub || sub->reading) return;
  while (sub->next <= s.carried_up_to && sub->unanswered < subscriber_batches &&
         sub->unanswered_bytes < subscriber_bytes) {
    const slot_t cut = std::min(s.core->truncated_up_to(), s.carried_up_to);
    if (sub->next <= cut) {
      if (sub->checkpoints && offer_checkpoint(self, id, *sub, cut)) return;
      self->send(sub->who, delivery_gap{id, sub->next, cut});
      sub->next = cut + 1;
      continue;
    }
    if (auto it = s.core->delivered().find(sub->next);
        sub->next > s.core->forgotten_up_to() && it != s.core->delivered().end()) {
      send_batch(self, id, *sub, it->first, it->second);
      ++sub->next;
      continue;
    }
    sub->reading = true;
    const slot_t from = sub->next;
    read_delivered(self, from, subscriber_bytes - sub->unanswered_bytes,
                   [self, id, who, from](std::vector<std::pair<slot_t, batch>> page) {
                     send_page(self, id, who, from, std::move(page));
                   });
    return;
  }
}

void pump_all(self_ptr self, node_id id) {
  std::vector<caf::actor_addr> all;
  for (const auto& sub : self->state.subscribers) all.push_back(sub.who.address());
  for (const auto& who : all) pump(self, id, who);
}

// The learner skipped to a peer's snapshot: said in the log and counted (the snapshot's counts
// are the group's since it began); subscribers learn of it from the cut when they get there.
void carry_out_gap(self_ptr self, node_id id, const delivery& d) {
  auto& s = self->state;
  spdlog::warn(
      "node {}: skipped slots {} to {}: no peer asked still had them (retention); going on from "
      "slot {}",
      id, d.gap_from, d.slot, d.slot + 1);
  const auto& counts = *d.skipped;
  if (counts.messages > s.deliveries.messages())
    s.deliveries.add(counts.messages - s.deliveries.messages(),
                     counts.bytes > s.deliveries.bytes() ? counts.bytes - s.deliveries.bytes() : 0);
}

// The transport and the leader filled in their parts; the learner adds the log's.
status_reply complete_status(self_ptr self, status_query& q) {
  auto& s = self->state;
  auto& r = q.partial;
  r.decided_up_to = s.core->decided_up_to();
  r.waiting_slots = s.core->waiting_slots();
  r.delivered_up_to = s.carried_up_to;
  r.delivered_messages = s.deliveries.messages();
  r.delivered_bytes = s.deliveries.bytes();
  r.delivered_digest = s.carried_digest;
  r.truncated_up_to = s.core->truncated_up_to();
  r.checkpoint_slot = s.core->checkpoint().slot;
  r.transfer_slot = s.core->transfer().slot;
  r.transfer_received = s.core->transfer().received.size();
  r.transfer_size = s.core->transfer().size;
  r.transfers_done = s.core->transfers_done();
  r.subscribers = s.subscribers.size();
  for (const auto& sub : s.subscribers)
    if (sub.next <= s.carried_up_to)
      r.subscriber_lag = std::max<std::uint64_t>(r.subscriber_lag, s.carried_up_to + 1 - sub.next);
  r.messages_per_second = s.deliveries.messages_per_second();
  r.bytes_per_second = s.deliveries.bytes_per_second();
  for (auto& l : r.links) l.peer_delivered_up_to = s.core->peer_delivered_up_to(l.peer);
  return std::move(r);
}

// One page of the delivered log for a client (synod tail's replay, the group API's history).
auto answer_history(self_ptr self, node_id id, const history_request& r) {
  auto promise = self->make_response_promise<history_reply>();
  read_delivered(self, std::max<slot_t>(r.from_slot, 1), r.max_bytes,
                 [=](std::vector<std::pair<slot_t, batch>> page) mutable {
                   history_reply h;
                   for (auto& [slot, b] : page)
                     h.batches.push_back(delivered_batch{id, slot, b.messages()});
                   h.delivered_up_to = self->state.carried_up_to;
                   h.truncated_up_to = self->state.core->truncated_up_to();
                   promise.deliver(std::move(h));
                 });
  return promise;
}

// The subscriber is the sender; it gets the reply first, then the replay from the slot it asked
// for, then every later batch as it comes.
auto add_subscriber(self_ptr self, node_id id, const subscribe_request& r) {
  auto subscriber = caf::actor_cast<caf::actor>(self->current_sender());
  auto& s = self->state;
  const slot_t up_to = s.carried_up_to;
  auto reply = self->make_response_promise<subscribe_reply>();
  reply.deliver(subscribe_reply{up_to});
  if (subscriber) {
    self->monitor(subscriber);
    subscription sub;
    sub.who = subscriber;
    sub.next = std::max<slot_t>(r.from_slot > 0 ? r.from_slot : up_to + 1, 1);
    sub.checkpoints = r.checkpoints;
    s.subscribers.push_back(std::move(sub));
    pump(self, id, subscriber.address());
  }
  spdlog::debug("node {}: subscriber from slot {}", id, r.from_slot);
  return reply;
}

// An application's checkpoint: answered once it is durable, or at once if nothing was kept.
auto keep_checkpoint(self_ptr self, checkpoint_offer& offer) {
  auto promise = self->make_response_promise<checkpoint_offer_reply>();
  auto verdict = self->state.core->offer_checkpoint(offer.slot, std::move(offer.state));
  checkpoint_offer_reply reply{verdict.kept, std::move(verdict.error)};
  if (verdict.recorded)
    self->state.pipe.after_next_flush(self, [promise, reply]() mutable { promise.deliver(reply); });
  else
    promise.deliver(std::move(reply));
  return promise;
}

checkpoint_reply latest_checkpoint(self_ptr self) {
  const auto& c = self->state.core->checkpoint();
  return checkpoint_reply{c.slot, c.state};
}

void drop_subscriber(self_ptr self, const caf::actor_addr& who) {
  auto& subs = self->state.subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(),
                            [&](const subscription& s) { return s.who.address() == who; }),
             subs.end());
}

// Deliveries are carried out once durable: counted, logged if a gap, and sent to subscribers.
void carry_out(self_ptr self, node_id id, effects& e) {
  auto& s = self->state;
  for (const auto& d : e.deliveries) {
    s.carried_up_to = d.slot;
    s.carried_digest = d.digest;
    if (d.is_gap())
      carry_out_gap(self, id, d);
    else
      count_delivery(s.deliveries, d.value);
  }
  if (!e.deliveries.empty()) pump_all(self, id);
  send_messages_and_notes(self, e);
}

// Said once per checkpoint taken from a peer; and subscribers waiting for one look again (it
// came, or nobody could finish it).
void tick_transfers(self_ptr self, node_id id) {
  auto& s = self->state;
  const auto& coming = s.core->transfer();
  if (coming.slot != 0 && coming.slot != s.transfer_announced) {
    s.transfer_announced = coming.slot;
    spdlog::info(
        "node {}: state transfer: fetching a peer's checkpoint of slot {} ({} bytes, {} "
        "here already)",
        id, coming.slot, coming.size, coming.received.size());
  }
  if (s.core->transfers_done() != s.transfers_logged) {
    s.transfers_logged = s.core->transfers_done();
    spdlog::info("node {}: state transfer: took a peer's checkpoint of slot {} ({} bytes)", id,
                 s.core->checkpoint().slot, s.core->checkpoint().state.size());
  }
  if (!s.subscribers.empty()) pump_all(self, id);
}

}  // namespace

caf::behavior learner_actor(self_ptr self, node_id id, learner_config config,
                            recovered_state recovered, std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, config, recovered);
  st.carried_up_to = st.core->delivered_up_to();
  st.carried_digest = st.core->digest();
  st.deliveries.add(recovered.forgotten_messages, recovered.forgotten_bytes);
  for (const auto& [slot, b] : st.core->delivered()) count_delivery(st.deliveries, b);
  st.pipe.set_carry_out([self, id](effects& e) { carry_out(self, id, e); });
  self->set_down_handler([self](const caf::down_msg& dm) { drop_subscriber(self, dm.source); });
  return wait_for_wiring(
      self, caf::message_handler{
                [=](status_query& q) { return complete_status(self, q); },
                [=](const history_request& r) { return answer_history(self, id, r); },
                [=](const subscribe_request& r) { return add_subscriber(self, id, r); },
                [=](checkpoint_offer& c) { return keep_checkpoint(self, c); },
                [=](const checkpoint_query&) { return latest_checkpoint(self); },
            }
                .or_else(core_handlers(self))
                .or_else(tick_handler(self, tick, [self, id] {
                  self->state.deliveries.sample(std::chrono::steady_clock::now());
                  tick_transfers(self, id);
                })));
}

}  // namespace synod
