#include "actors/node/member.hpp"

#include "messaging/overloaded.hpp"

namespace synod {

member::member(node_id self, group_view group, member_config config,
               const recovered_state& recovered)
    : self_(self),
      config_(config),
      acceptor_(recovered, config.read_ack_page_bytes),
      leader_(self, group, config.leader, recovered),
      learner_(self, config.learner, recovered),
      detector_(self, group, config.failure_detector, recovered.incarnation + 1),
      front_(self, config.broadcast, recovered) {
  after_step();
}

void member::receive(node_id from, const wire_message& m) {
  std::visit(overloaded{
                 [&](const read_request& x) {
                   const round_t promised = acceptor_.promised();
                   acceptor_.step(from, x);
                   if (acceptor_.promised() != promised)
                     leader_.on_round_seen(acceptor_.promised());
                 },
                 [&](const write_request& x) {
                   const round_t promised = acceptor_.promised();
                   acceptor_.step(from, x);
                   if (acceptor_.promised() != promised)
                     leader_.on_round_seen(acceptor_.promised());
                   if (const auto* a = acceptor_.accepted_in(x.slot, x.round))
                     learner_.on_local_accept(*a);
                 },
                 [&](const read_ack& x) { leader_.step(from, x); },
                 [&](const read_nack& x) { leader_.step(from, x); },
                 [&](const write_ack& x) { leader_.step(from, x); },
                 [&](const write_nack& x) { leader_.step(from, x); },
                 [&](const forward& x) { leader_.step(from, x); },
                 [&](const lead_probe& x) { detector_.step(from, x); },
                 [&](const lead_ack& x) { leader_.step(from, x); },
                 [&](const decision& x) { learner_.step(from, x); },
                 [&](const catch_up_request& x) {
                   if (learner_.answers_from_storage(x.from_slot))
                     catch_up_from_archive(from, x);
                   else
                     learner_.step(from, x);
                 },
                 [&](const ledger_snapshot& x) { learner_.step(from, x); },
                 [&](const heartbeat& x) {
                   detector_.step(from, x);
                   learner_.on_peer_progress(from, x.delivered_up_to, x.retained_from);
                 },
             },
             m);
  after_step();
}

void member::tick() {
  detector_.tick(learner_.delivered_up_to(), learner_.retained_from());
  leader_.tick();
  learner_.tick();
  front_.tick();
  after_step();
}

std::optional<message_id> member::broadcast(std::string payload) {
  auto id = front_.broadcast(std::move(payload));
  after_step();
  return id;
}

void member::catch_up_from_archive(node_id from, const catch_up_request& m) {
  if (!archive_ || from == self_) return;
  const auto page = archive_->read_delivered(m.from_slot, config_.learner.max_catch_up_bytes);
  for (std::size_t i = 0; i < page.size() && i < config_.learner.max_catch_up_slots; ++i)
    pending_.messages.push_back({from, decision{page[i].first, page[i].second}});
}

void member::after_step() {
  // What the learner delivered, the leader need not propose and the front need not resend.
  for (const auto& d : learner_.outbox().deliveries) {
    leader_.on_delivery(d);
    front_.on_delivery(d);
  }
  if (archive_) {
    const slot_t floor = memory_floor(learner_.delivered_up_to(), config_.memory_slots);
    acceptor_.forget_up_to(floor);
    learner_.forget_up_to(floor);
  }
  const node_id elected = detector_.leader();
  if (elected != elected_) {
    elected_ = elected;
    leader_.on_leader_change(elected);
    front_.on_leader_change(elected);
  }
  pending_.append(acceptor_.outbox().take());
  pending_.append(learner_.outbox().take());
  pending_.append(leader_.outbox().take());
  pending_.append(detector_.outbox().take());
  pending_.append(front_.outbox().take());
}

effects member::take_effects() {
  return pending_.take();
}

}  // namespace synod
