#include "actors/learner/learner.hpp"

#include <algorithm>

namespace synod {

learner::learner(node_id self, learner_config config, const recovered_state& recovered)
    : self_(self),
      config_(config),
      next_slot_(recovered.forgotten_up_to + 1),
      forgotten_up_to_(recovered.forgotten_up_to),
      delivered_(recovered.forgotten_ids) {
  // Recovery: Received <- TO_delivered; nextBatch follows the last delivered slot. Slots up to
  // forgotten_up_to are on disk only (the memory window), their ids in the filter.
  for (const auto& [slot, value] : recovered.delivered) {
    if (slot != next_slot_) break;  // deliveries are consecutive; anything else is not ours
    decided_.emplace(slot, unseen_part(value));
    ++next_slot_;
  }
}

void learner::on_local_accept(const accepted_value& a) {
  if (a.slot < next_slot_) return;
  auto [it, inserted] = accepted_here_.try_emplace(a.slot, a);
  if (!inserted && a.round > it->second.round) it->second = a;
}

void learner::step(node_id from, const decision& m) {
  decided_since_tick_ = true;
  if (m.slot < next_slot_) return;  // delivered already
  const batch* value = &m.value;
  if (m.value_omitted) {
    auto here = accepted_here_.find(m.slot);
    if (here == accepted_here_.end() || here->second.round < m.round) {
      // Decided, but the value is not here (the acceptor's word has not come, or this node
      // restarted): the sender has it; catching up asks for it.
      if (from != self_) {
        best_peer_ = from;
        best_peer_progress_ = std::max(best_peer_progress_, m.slot);
      }
      return;
    }
    value = &here->second.value;
  }
  if (m.slot > next_slot_) {
    // A gap: keep the batch until the ones before it arrive; ask its sender if they do not.
    waiting_.emplace(m.slot, *value);
    if (from != self_ && best_peer_progress_ <= delivered_up_to()) best_peer_ = from;
    return;
  }
  deliver(m.slot, *value);
  for (auto it = waiting_.begin(); it != waiting_.end() && it->first <= next_slot_;) {
    if (it->first == next_slot_) deliver(it->first, it->second);
    it = waiting_.erase(it);
  }
  accepted_here_.erase(accepted_here_.begin(), accepted_here_.lower_bound(next_slot_));
  ticks_since_request_ = 0;
}

void learner::deliver(slot_t slot, const batch& value) {
  // A message decided again in a later slot is delivered at its first slot only.
  batch seen = unseen_part(value);
  // Forced log at delivery: a restarted node neither repeats nor skips a batch.
  outbox_.durable.push_back(delivery_record{slot, seen});
  outbox_.deliveries.push_back(delivery{slot, seen, value});
  decided_.emplace(slot, std::move(seen));
  next_slot_ = slot + 1;
}

batch learner::unseen_part(const batch& value) {
  // Usually every message is new: then the batch itself is kept, not a copy.
  const auto entries = value.entries();
  std::size_t i = 0;
  while (i < entries.size() && delivered_.insert(entries[i].id)) ++i;
  if (i == entries.size()) return value;
  batch_builder unseen;
  for (std::size_t j = 0; j < i; ++j) unseen.add(entries[j].id, entries[j].payload);
  for (++i; i < entries.size(); ++i)
    if (delivered_.insert(entries[i].id)) unseen.add(entries[i].id, entries[i].payload);
  return unseen.finish();
}

void learner::forget_up_to(slot_t slot) {
  slot = std::min(slot, delivered_up_to());
  if (slot <= forgotten_up_to_) return;
  forgotten_up_to_ = slot;
  decided_.erase(decided_.begin(), decided_.upper_bound(slot));
}

void learner::step(node_id from, const catch_up_request& m) {
  if (from == self_ || m.from_slot <= forgotten_up_to_) return;
  auto it = decided_.lower_bound(m.from_slot);
  std::size_t bytes = 0;
  for (std::size_t sent = 0; it != decided_.end() && sent < config_.max_catch_up_slots &&
                             bytes < config_.max_catch_up_bytes;
       ++it, ++sent) {
    bytes += it->second.payload_bytes();
    outbox_.messages.push_back({from, decision{it->first, it->second}});
  }
}

void learner::on_peer_progress(node_id peer, slot_t delivered_up_to) {
  // Follow whichever peer last said it is ahead: a peer that stops answering stops saying so.
  if (peer == self_ || delivered_up_to <= this->delivered_up_to()) return;
  best_peer_ = peer;
  best_peer_progress_ = std::max(best_peer_progress_, delivered_up_to);
}

void learner::tick() {
  if (!lagging()) {
    ticks_since_request_ = 0;
    requested_ = false;
    return;
  }
  // Ask at once the first time; again as soon as an answer has been taken in (it made progress
  // and no decision came since the last tick) while still behind; and again after a few ticks
  // without an answer.
  const bool answer_taken_in =
      requested_ && next_slot_ > next_slot_at_request_ && !decided_since_tick_;
  decided_since_tick_ = false;
  if (requested_ && !answer_taken_in && ++ticks_since_request_ < config_.catch_up_retry_ticks)
    return;
  ask_for_catch_up();
}

void learner::ask_for_catch_up() {
  if (best_peer_ == 0) return;
  outbox_.messages.push_back({best_peer_, catch_up_request{next_slot_}});
  requested_ = true;
  next_slot_at_request_ = next_slot_;
  ticks_since_request_ = 0;
}

}  // namespace synod
