#include "actors/leader/leader.hpp"

#include <algorithm>

#include "actors/core/invariant.hpp"

namespace synod {

config_problems leader_config::problems() const {
  config_problems out;
  require_at_least(out, "window", window, std::size_t{1});
  require_at_least(out, "max_batch_messages", max_batch_messages, std::size_t{1});
  require_at_least(out, "max_batch_bytes", max_batch_bytes, std::size_t{1});
  require_at_least(out, "max_pending", max_pending, std::size_t{1});
  require_at_least(out, "resend_ticks", resend_ticks, 1u);
  require_at_least(out, "retry_ticks", retry_ticks, 1u);
  return out;
}

leader::leader(node_id self, group_view group, leader_config config,
               const recovered_state& recovered)
    : self_(self),
      group_(std::move(group)),
      config_(checked("leader", config)),
      counter_(recovered.round_counter),
      delivered_up_to_(recovered.delivered_up_to()),
      delivered_(recovered.forgotten_ids) {
  held_.reserve(config_.max_pending);  // never rehashed under load
  for (const auto& [slot, value] : recovered.delivered)
    for (const auto& e : value.entries()) delivered_.insert(e.id);
}

void leader::on_leader_change(node_id elected) {
  elected_ = elected;
  if (elected_ != self_) {
    step_down();
    // The fronts forward what they hold to the new leader: what is queued here would only be
    // held until it is delivered, or for ever if its origin crashed before anyone proposed it.
    drop_queued();
  } else if (phase_ == phase::follower && retry_wait_ == 0) {
    start_probe();
  }
}

void leader::on_delivery(const delivery& d) {
  if (d.is_gap()) {
    on_gap(*d.skipped);
    return;
  }
  delivered_up_to_ = std::max(delivered_up_to_, d.slot);
  // The whole decided batch: a message proposed again after its first delivery (forwarded twice,
  // or adopted in phase 1) is stripped from what the application sees, and must be released too.
  for (const auto& m : d.decided.entries()) {
    held_.erase(m.id);
    delivered_.insert(m.id);
  }
  // A slot this leader still proposes was decided (maybe with another leader's value): stop
  // proposing it, and queue again what it held there that was not decided.
  for (auto it = proposals_.begin(); it != proposals_.end() && it->first <= delivered_up_to_;) {
    requeue(it->second.value);
    it = proposals_.erase(it);
  }
  if (phase_ == phase::leading) fill_window();
}

void leader::on_gap(const ledger_snapshot& s) {
  delivered_up_to_ = std::max(delivered_up_to_, s.slot);
  next_slot_ = std::max(next_slot_, s.slot + 1);
  // The snapshot's ids cover every slot up to it, which the local filter (fed by deliveries up
  // to the gap) does not.
  delivered_ = s.delivered;
  for (auto it = held_.begin(); it != held_.end();)
    it = delivered_.contains(it->first) ? held_.erase(it) : std::next(it);
  for (auto it = proposals_.begin(); it != proposals_.end() && it->first <= delivered_up_to_;) {
    requeue(it->second.value);
    it = proposals_.erase(it);
  }
  if (phase_ == phase::leading) fill_window();
}

void leader::requeue(const batch& value) {
  queued q{value, {}, 0, ticks_};
  for (const auto& e : value.entries()) {
    auto held_it = held_.find(e.id);
    if (held_it != held_.end() && held_it->second == held::proposed) {
      held_it->second = held::queued;
      q.entries.push_back(e);
    }
  }
  if (!q.entries.empty()) queue_.push_front(std::move(q));
}

void leader::step(node_id, const forward& m) {
  queued q{m.value, {}, 0, ticks_};
  for (const auto& e : m.value.entries()) {
    if (held_.size() >= config_.max_pending) break;  // the origin resends until delivered
    if (delivered_.contains(e.id)) continue;         // forwarded again after its delivery
    if (held_.emplace(e.id, held::queued).second) q.entries.push_back(e);
  }
  SYNOD_INVARIANT(held_.size() <= config_.max_pending, "the leader holds at most max_pending");
  if (!q.entries.empty()) queue_.push_back(std::move(q));
  if (phase_ == phase::leading) fill_window();
}

void leader::drop_queued() {
  for (auto it = held_.begin(); it != held_.end();)
    it = it->second == held::queued ? held_.erase(it) : std::next(it);
  queue_.clear();
}

void leader::drop_queued_before(std::uint64_t tick) {
  while (!queue_.empty() && queue_.front().arrived < tick) {
    const queued& q = queue_.front();
    for (std::size_t i = q.next; i < q.entries.size(); ++i) {
      auto it = held_.find(q.entries[i].id);
      if (it != held_.end() && it->second == held::queued) held_.erase(it);
    }
    queue_.pop_front();
  }
}

std::size_t leader::pending() const {
  std::size_t n = 0;
  for (const auto& q : queue_) n += q.entries.size() - q.next;
  return n;
}

void leader::start_probe() {
  ++attempt_;
  consents_.clear();
  probe_ticks_unanswered_ = 0;
  phase_ = phase::probing;
  send_to_all(lead_probe{attempt_});
}

void leader::step(node_id from, const lead_ack& m) {
  if (phase_ != phase::probing || m.attempt != attempt_) return;
  consents_.insert(from);
  if (consents_.size() >= group_.quorum()) start_round();
}

void leader::start_round() {
  // A round is never reused, not even across a crash: the counter is durable before any READ
  // of the new round leaves (the hazard the paper's Fig. 12/13 leaves open: docs/protocol.md,
  // Rounds).
  ++counter_;
  // Built in place: moving a temporary into the variant makes GCC 12 warn, wrongly, that it may
  // read an uninitialized member of another alternative.
  outbox_.durable.emplace_back(std::in_place_type<round_counter_record>,
                               round_counter_record{counter_});
  round_ = round_t{counter_, self_};
  phase_ = phase::preparing;
  read_from_ = delivered_up_to_ + 1;
  read_acks_.clear();
  complete_answers_ = 0;
  read_ticks_unanswered_ = 0;
  send_to_all(read_request{round_, read_from_});
}

void leader::step_down() {
  if (phase_ == phase::follower) return;
  // Messages of abandoned proposals go back to the queue: if this node leads again, they must be
  // proposed again (they may also be decided already; the learner removes duplicates).
  for (auto it = proposals_.rbegin(); it != proposals_.rend(); ++it) requeue(it->second.value);
  proposals_.clear();
  read_acks_.clear();
  complete_answers_ = 0;
  phase_ = phase::follower;
}

void leader::step(node_id from, const read_ack& m) {
  if (phase_ != phase::preparing || m.round != round_) return;
  if (m.pages == 0 || m.page >= m.pages) return;
  read_answer& answer = read_acks_[from];
  if (answer.page_count > 0 && answer.complete()) return;
  // Pages of another answer (to a READ sent again, from a later slot): start over with it.
  // Two answers of one acceptor to this round's READ from the same slot hold the same values,
  // so their pages may mix: after promising this round it accepts nothing in a lower one, this
  // leader writes nothing while it prepares, and forgetting a slot at or above from_slot makes
  // it refuse the READ instead of answering again.
  if (answer.from_slot != m.from_slot || answer.page_count != m.pages)
    answer = read_answer{m.from_slot, {}, m.pages, {}};
  if (!answer.pages.insert(m.page).second) return;
  answer.accepted.insert(answer.accepted.end(), m.accepted.begin(), m.accepted.end());
  if (answer.complete() && ++complete_answers_ >= group_.quorum()) finish_phase_one();
}

void leader::step(node_id, const read_nack& m) {
  abandon_round(m.round, m.promised);
}

// A nack of the current round: a higher round exists. Abandon ours, and make the next one higher
// than the promise that beat it, after a pause that lets the other leader finish.
void leader::abandon_round(round_t nacked, round_t promised) {
  if (nacked != round_ || (phase_ != phase::preparing && phase_ != phase::leading)) return;
  // No higher round: the acceptor forgot the slots asked about (it delivered them long ago).
  // A WRITE of such a slot was decided already; a READ is sent again, from where this member
  // has delivered by then, at the next resend. A new round would only depose nobody.
  if (promised <= round_) return;
  counter_ = std::max(counter_, promised.counter);
  step_down();
  retry_wait_ = config_.retry_ticks;
}

void leader::finish_phase_one() {
  // For each slot some acceptor reported, adopt the value written in the highest round
  // (round-based consensus, Fig. 6); slots nobody reported below the highest one are gaps that
  // get a no-op, so the learners can move past them.
  std::map<slot_t, accepted_value> highest;
  for (const auto& [acceptor_id, ack] : read_acks_) {
    if (!ack.complete()) continue;
    for (const auto& a : ack.accepted) {
      auto [it, inserted] = highest.emplace(a.slot, a);
      if (!inserted && a.round > it->second.round) it->second = a;
    }
  }
  read_acks_.clear();
  complete_answers_ = 0;
  phase_ = phase::leading;
  // Slots delivered here while phase 1 ran are decided: proposing them again would only be
  // refused for ever by acceptors that forgot them.
  const slot_t first = std::max(read_from_, delivered_up_to_ + 1);
  next_slot_ = first;
  const slot_t last_reported = highest.empty() ? 0 : highest.rbegin()->first;
  for (slot_t s = first; s <= last_reported; ++s) {
    auto it = highest.find(s);
    if (it == highest.end()) {
      propose(s, batch{});
      continue;
    }
    // What this leader holds of an adopted value is proposed now, not to be batched again.
    for (const auto& msg : it->second.value.entries()) {
      auto held_it = held_.find(msg.id);
      if (held_it != held_.end()) held_it->second = held::proposed;
    }
    propose(s, it->second.value);
  }
  fill_window();
}

void leader::propose(slot_t slot, batch value) {
  send_to_all(write_request{round_, slot, value});
  proposals_[slot] = proposal{std::move(value), {}, 0};
  next_slot_ = std::max(next_slot_, slot + 1);
}

void leader::fill_window() {
  while (proposals_.size() < config_.window) {
    batch b = next_batch();
    if (b.is_noop()) return;  // nothing to propose: no idle delay, no empty slots
    propose(next_slot_, std::move(b));
  }
}

batch leader::next_batch() {
  batch_builder b;
  while (!queue_.empty() && b.size() < config_.max_batch_messages) {
    queued& q = queue_.front();
    if (q.next == q.entries.size()) {
      queue_.pop_front();
      continue;
    }
    const batch_entry& e = q.entries[q.next];
    auto it = held_.find(e.id);
    // Skip what was delivered meanwhile, or queued twice and already proposed.
    if (it == held_.end() || it->second != held::queued) {
      ++q.next;
      continue;
    }
    if (b.size() > 0 && b.payload_bytes() + e.payload.size() > config_.max_batch_bytes) break;
    SYNOD_INVARIANT(!delivered_.contains(e.id), "a leader never proposes a delivered message");
    it->second = held::proposed;
    b.add(e.id, e.payload);
    ++q.next;
  }
  return b.finish();
}

void leader::step(node_id from, const write_ack& m) {
  if (phase_ != phase::leading || m.round != round_) return;
  auto it = proposals_.find(m.slot);
  if (it == proposals_.end()) return;
  proposal& p = it->second;
  p.acks.insert(from);
  if (p.acks.size() < group_.quorum()) return;
  for (node_id member : group_.members) {
    // A peer whose acceptor accepted the value in this round holds it: half the bytes on the
    // links. (This node's own learner shares the batch in memory anyway.)
    if (member != self_ && p.acks.count(member))
      outbox_.messages.push_back({member, decision{m.slot, batch{}, round_, true}});
    else
      outbox_.messages.push_back({member, decision{m.slot, p.value, round_}});
  }
  proposals_.erase(it);
  fill_window();
}

void leader::step(node_id, const write_nack& m) {
  abandon_round(m.round, m.promised);
}

void leader::tick() {
  ++ticks_;
  if (retry_wait_ > 0) --retry_wait_;
  // Forwards that reach a follower (its origin's failure detector saw it elected first, or still
  // does) wait a while in case this member is about to lead; after that their origins, which
  // forward again to whoever they trust, hold them. A follower's queue never grows old.
  if (phase_ == phase::follower && ticks_ > config_.resend_ticks)
    drop_queued_before(ticks_ - config_.resend_ticks);
  if (elected_ == self_ && phase_ == phase::follower && retry_wait_ == 0) {
    start_probe();
    return;
  }
  // Probes wait at failure detectors that do not consent yet; resent in case links lost them.
  if (phase_ == phase::probing && ++probe_ticks_unanswered_ >= config_.resend_ticks) {
    probe_ticks_unanswered_ = 0;
    for (node_id member : group_.members)
      if (!consents_.count(member)) outbox_.messages.push_back({member, lead_probe{attempt_}});
  }
  // Resend what a majority has not answered yet, to those that did not answer: links lose
  // messages, and acceptors answer a repeated request the same way.
  if (phase_ == phase::preparing && ++read_ticks_unanswered_ >= config_.resend_ticks) {
    read_ticks_unanswered_ = 0;
    // Acks of an earlier READ report every slot from an earlier one on: they still count.
    read_from_ = std::max(read_from_, delivered_up_to_ + 1);
    for (node_id member : group_.members)
      if (auto it = read_acks_.find(member); it == read_acks_.end() || !it->second.complete())
        outbox_.messages.push_back({member, read_request{round_, read_from_}});
  }
  if (phase_ == phase::leading) {
    for (auto& [slot, p] : proposals_) {
      if (++p.ticks_unanswered < config_.resend_ticks) continue;
      p.ticks_unanswered = 0;
      for (node_id member : group_.members)
        if (!p.acks.count(member))
          outbox_.messages.push_back({member, write_request{round_, slot, p.value}});
    }
  }
}

void leader::send_to_all(const wire_message& m) {
  for (node_id member : group_.members) outbox_.messages.push_back({member, m});
}

}  // namespace synod
