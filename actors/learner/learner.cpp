#include "actors/learner/learner.hpp"

#include <algorithm>

#include "messaging/ledger_digest.hpp"

namespace synod {

config_problems learner_config::problems() const {
  config_problems out;
  require_at_least(out, "max_catch_up_slots", max_catch_up_slots, std::size_t{1});
  require_at_least(out, "max_catch_up_bytes", max_catch_up_bytes, std::size_t{1});
  require_at_least(out, "catch_up_retry_ticks", catch_up_retry_ticks, 1u);
  require_at_least(out, "truncate_chunk_slots", truncate_chunk_slots, slot_t{1});
  require_at_least(out, "memory_slots", memory_slots, slot_t{1});
  require_at_least(out, "max_checkpoint_bytes", max_checkpoint_bytes, std::size_t{1});
  require_at_least(out, "transfer_chunk_bytes", transfer_chunk_bytes, std::size_t{1});
  return out;
}

learner::learner(node_id self, learner_config config, const recovered_state& recovered)
    : self_(self),
      config_(checked("learner", config)),
      next_slot_(recovered.forgotten_up_to + 1),
      forgotten_up_to_(recovered.forgotten_up_to),
      delivered_(recovered.forgotten_ids),
      messages_(recovered.forgotten_messages),
      bytes_(recovered.forgotten_bytes),
      digest_(recovered.forgotten_digest),
      snapshots_(recovered.snapshots.begin(), recovered.snapshots.end()),
      truncated_up_to_(recovered.truncated_up_to),
      // A cut that a crash interrupted is decided again, from the retention bounds, at the next
      // delivery: the oldest snapshot kept is not necessarily where it was heading.
      truncation_target_(recovered.truncated_up_to),
      checkpoint_(recovered.checkpoint),
      checkpoint_digest_(state_digest(checkpoint_.state)),
      transfer_(recovered.transfer) {
  // Recovery: Received <- TO_delivered; nextBatch follows the last delivered slot. Slots up to
  // forgotten_up_to are on disk only (the memory window), their ids in the filter.
  for (const auto& [slot, value] : recovered.delivered) {
    if (slot != next_slot_) break;  // deliveries are consecutive; anything else is not ours
    batch seen = unseen_part(value);
    messages_ += seen.size();
    bytes_ += seen.payload_bytes();
    digest_ = fold_delivery(digest_, slot, seen);
    decided_.emplace(slot, std::move(seen));
    ++next_slot_;
  }
  forget_announced_ = forgotten_up_to_;
  announce_progress();
  // A transfer cut off by a stop goes on from the parts kept (asked for at the next ticks); a
  // complete one damaged on disk starts over.
  if (transfer_.slot <= checkpoint_.slot) transfer_ = transfer_progress{};
  if (transfer_.slot != 0 && transfer_.received.size() == transfer_.size &&
      state_digest(transfer_.received) != transfer_.digest)
    transfer_.received.clear();
  take_transferred();
  // A cut the application's checkpoint does not cover (this member skipped to a peer's
  // snapshot and stopped before a checkpoint came, or retention overtook the checkpoint): a
  // peer may have one that does.
  if (truncated_up_to_ > checkpoint_.slot) look_for_checkpoint(truncated_up_to_);
}

void learner::announce_progress() {
  const local_progress now{delivered_up_to(), retained_from()};
  if (now.delivered_up_to != announced_.delivered_up_to ||
      now.retained_from != announced_.retained_from) {
    announced_ = now;
    outbox_.notes.push_back(now);
  }
  const slot_t floor = memory_floor(delivered_up_to(), config_.memory_slots);
  if (floor > forget_announced_) {
    forget_announced_ = floor;
    outbox_.notes.push_back(forget_prefix{floor});
  }
}

void learner::on_local_accept(const accepted_value& a) {
  if (a.slot < next_slot_) return;
  auto [it, inserted] = accepted_here_.try_emplace(a.slot, a);
  if (!inserted && a.round > it->second.round) it->second = a;
}

learner::checkpoint_verdict learner::offer_checkpoint(slot_t slot, std::string state) {
  checkpoint_verdict v;
  if (slot == 0 || slot > delivered_up_to()) {
    v.kept = checkpoint_.slot;
    v.error = "slot " + std::to_string(slot) + " is not delivered here (delivered up to slot " +
              std::to_string(delivered_up_to()) + ")";
    return v;
  }
  if (state.size() > config_.max_checkpoint_bytes) {
    v.kept = checkpoint_.slot;
    v.error = "too large: a checkpoint of " + std::to_string(state.size()) +
              " bytes is above the member's limit of " +
              std::to_string(config_.max_checkpoint_bytes);
    return v;
  }
  if (slot > checkpoint_.slot) {
    checkpoint_ = checkpoint_record{slot, std::move(state)};
    checkpoint_digest_ = state_digest(checkpoint_.state);
    outbox_.durable.push_back(checkpoint_);
    v.recorded = true;
    // The application's own is as new: a transfer of an older one is no use any more (the
    // record ends it on disk too).
    if (transfer_.slot <= slot) transfer_ = transfer_progress{};
    if (query_floor_ <= slot) query_floor_ = 0;
  }
  v.kept = checkpoint_.slot;
  return v;
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
  deliver_waiting();
}

void learner::deliver_waiting() {
  for (auto it = waiting_.begin(); it != waiting_.end() && it->first <= next_slot_;) {
    if (it->first == next_slot_) deliver(it->first, it->second);
    it = waiting_.erase(it);
  }
  accepted_here_.erase(accepted_here_.begin(), accepted_here_.lower_bound(next_slot_));
  ticks_since_request_ = 0;
  take_transferred();
  retain();
  announce_progress();
}

void learner::step(node_id from, const ledger_snapshot& m) {
  // A snapshot covering only what was delivered here adds nothing; a malformed one is not used.
  if (from == self_ || m.slot < next_slot_ || !m.delivered.well_formed()) return;
  decided_since_tick_ = true;
  const slot_t first_missed = next_slot_;
  delivered_ = m.delivered;
  messages_ = m.messages;
  bytes_ = m.bytes;
  digest_ = m.digest;
  next_slot_ = m.slot + 1;
  decided_.clear();
  forgotten_up_to_ = m.slot;
  snapshots_.assign(1, m);
  truncated_up_to_ = truncation_target_ = m.slot;
  // Durable before the gap is reported: a restart goes on from the snapshot, and the log kept
  // from before it (older than the gap) goes.
  outbox_.durable.push_back(snapshot_record{m});
  outbox_.durable.push_back(truncate_record{m.slot});
  outbox_.deliveries.push_back(delivery::gap(first_missed, m));
  outbox_.notes.push_back(delivered_here{outbox_.deliveries.back()});
  forget_announced_ = std::max(forget_announced_, m.slot);
  // The peer sends its checkpoint along if it covers the snapshot; until a part of one comes,
  // or every peer said it has none, one may be coming.
  if (checkpoint_.slot < m.slot) look_for_checkpoint(m.slot);
  deliver_waiting();
}

learner::cut_answer learner::answer_cut(slot_t cut, slot_t carried, slot_t& asked) {
  if (checkpoint_.slot >= cut && checkpoint_.slot <= carried) return cut_answer::checkpoint;
  if (checkpoint_expected() >= cut) return cut_answer::wait;
  if (asked >= cut) return cut_answer::gap;
  asked = cut;
  look_for_checkpoint(cut);
  return cut_answer::wait;
}

void learner::look_for_checkpoint(slot_t floor) {
  if (transfer_.slot >= floor || query_floor_ >= floor) return;
  query_floor_ = floor;
  transfer_lacking_.clear();
  transfer_idle_ticks_ = 0;
}

void learner::deliver(slot_t slot, const batch& value) {
  // A message decided again in a later slot is delivered at its first slot only.
  batch seen = unseen_part(value);
  // Forced log at delivery: a restarted node neither repeats nor skips a batch.
  messages_ += seen.size();
  bytes_ += seen.payload_bytes();
  digest_ = fold_delivery(digest_, slot, seen);
  outbox_.durable.push_back(delivery_record{slot, seen});
  outbox_.deliveries.push_back(delivery{slot, seen, value});
  outbox_.deliveries.back().digest = digest_;
  outbox_.notes.push_back(delivered_here{outbox_.deliveries.back()});
  decided_.emplace(slot, std::move(seen));
  next_slot_ = slot + 1;
}

bool learner::fits_retention(const ledger_snapshot& from, unsigned halves) const {
  const slot_t slots = delivered_up_to() - from.slot;
  const std::uint64_t stored =
      ledger_bytes(messages_, bytes_) - ledger_bytes(from.messages, from.bytes);
  return (config_.retain_slots == 0 || 2 * slots <= halves * config_.retain_slots) &&
         (config_.retain_bytes == 0 || 2 * stored <= halves * config_.retain_bytes);
}

bool learner::may_cut_at(const ledger_snapshot& at, const ledger_snapshot& kept_from) const {
  return checkpoint_.slot == 0 || at.slot <= checkpoint_.slot ||
         !fits_retention(kept_from, checkpoint_hold_halves);
}

void learner::retain() {
  const slot_t last = snapshots_.empty() ? 0 : snapshots_.back().slot;
  const std::uint64_t last_bytes =
      snapshots_.empty() ? 0 : ledger_bytes(snapshots_.back().messages, snapshots_.back().bytes);
  const slot_t every_slots =
      config_.retain_slots > 0 ? std::max<slot_t>(1, config_.retain_slots / 16) : 4096;
  const std::uint64_t every_bytes =
      config_.retain_bytes > 0 ? std::max<std::uint64_t>(1, config_.retain_bytes / 16) : 4 << 20;
  if (delivered_up_to() > last && (delivered_up_to() - last >= every_slots ||
                                   ledger_bytes(messages_, bytes_) - last_bytes >= every_bytes)) {
    snapshots_.push_back(
        ledger_snapshot{delivered_up_to(), delivered_, messages_, bytes_, digest_});
    outbox_.durable.push_back(snapshot_record{snapshots_.back()});
  }
  if (config_.retain_slots == 0 && config_.retain_bytes == 0) {
    // Nothing is truncated: only the newest snapshot matters (recovery starts from it).
    while (snapshots_.size() > 1) snapshots_.pop_front();
    return;
  }
  // Cut at the oldest snapshot after which the log fits both bounds (at the newest if none
  // does); the snapshots before it are nobody's answer any more. The cut stops at the
  // application's newest checkpoint, if it keeps one (see may_cut_at).
  bool cut = false;
  while (snapshots_.size() > 1 && !fits_retention(snapshots_.front()) &&
         may_cut_at(snapshots_[1], snapshots_.front())) {
    snapshots_.pop_front();
    cut = true;
  }
  if (!snapshots_.empty() && (cut || (!fits_retention(snapshots_.front()) &&
                                      may_cut_at(snapshots_.front(), snapshots_.front()))))
    truncation_target_ = std::max(truncation_target_, snapshots_.front().slot);
  if (truncated_up_to_ < truncation_target_) {
    truncated_up_to_ =
        std::min(truncation_target_, truncated_up_to_ + config_.truncate_chunk_slots);
    outbox_.durable.push_back(truncate_record{truncated_up_to_});
  }
}

void learner::tick_retention() {
  if (truncated_up_to_ < truncation_target_) retain();
  announce_progress();
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
  if (from == self_) return;
  if (m.from_slot <= truncated_up_to_) {
    // Gone from the disk: what they held is summed up by the oldest snapshot kept, which is at
    // or above the cut, so the slots after it are all still here.
    if (snapshots_.empty()) return;
    outbox_.messages.push_back({from, snapshots_.front()});
    // The application state at or after the snapshot: the asker need not skip what it covers.
    if (checkpoint_.slot >= snapshots_.front().slot)
      outbox_.messages.push_back({from, part_of_checkpoint(checkpoint_.slot, 0)});
    return;
  }
  if (m.from_slot <= forgotten_up_to_) {
    outbox_.notes.push_back(archive_read{from, m.from_slot, config_.max_catch_up_bytes});
    return;
  }
  auto it = decided_.lower_bound(m.from_slot);
  std::size_t bytes = 0;
  for (std::size_t sent = 0; it != decided_.end() && sent < config_.max_catch_up_slots &&
                             bytes < config_.max_catch_up_bytes;
       ++it, ++sent) {
    bytes += it->second.payload_bytes();
    outbox_.messages.push_back({from, decision{it->first, it->second}});
  }
}

void learner::on_archive_page(node_id peer, const std::vector<std::pair<slot_t, batch>>& page) {
  for (std::size_t i = 0; i < page.size() && i < config_.max_catch_up_slots; ++i)
    outbox_.messages.push_back({peer, decision{page[i].first, page[i].second}});
}

void learner::on_peer_progress(node_id peer, slot_t delivered_up_to, slot_t retained_from) {
  if (peer == self_) return;
  peers_[peer] = peer_log{delivered_up_to, retained_from, ticks_};
  // Follow whichever peer last said it is ahead: a peer that stops answering stops saying so.
  if (delivered_up_to <= this->delivered_up_to()) return;
  best_peer_ = peer;
  best_peer_progress_ = std::max(best_peer_progress_, delivered_up_to);
}

void learner::tick() {
  ++ticks_;
  tick_retention();
  tick_transfer();
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
  // Rather a peer that still has the next slot (the one furthest ahead of those) than a gap;
  // only one heard lately: a peer that stopped sending heartbeats (it crashed) answers nothing.
  node_id ask = best_peer_;
  const auto has_next = [&](const peer_log& p) {
    return p.retained_from <= next_slot_ && p.delivered_up_to >= next_slot_ && heard_lately(p);
  };
  if (auto best = peers_.find(best_peer_); best != peers_.end() && !has_next(best->second)) {
    slot_t furthest = 0;
    for (const auto& [peer, log] : peers_)
      if (has_next(log) && log.delivered_up_to > furthest) {
        furthest = log.delivered_up_to;
        ask = peer;
      }
  }
  outbox_.messages.push_back({ask, catch_up_request{next_slot_}});
  requested_ = true;
  next_slot_at_request_ = next_slot_;
  ticks_since_request_ = 0;
}

checkpoint_chunk learner::part_of_checkpoint(slot_t slot, std::uint64_t offset) const {
  checkpoint_chunk part{checkpoint_.slot, checkpoint_.state.size(), checkpoint_digest_, 0, {}};
  if (part.slot == 0) return part;
  // Another checkpoint than the one asked for (this member took a newer one): from its start.
  if (slot == checkpoint_.slot && offset <= part.size) part.offset = offset;
  part.bytes = checkpoint_.state.substr(part.offset, config_.transfer_chunk_bytes);
  return part;
}

void learner::step(node_id from, const checkpoint_chunk_request& m) {
  if (from == self_) return;
  outbox_.messages.push_back({from, part_of_checkpoint(m.slot, m.offset)});
}

void learner::step(node_id from, const checkpoint_chunk& m) {
  if (from == self_) return;
  if (m.slot == 0 || m.slot <= checkpoint_.slot || m.slot < transfer_.slot ||
      m.slot < query_floor_ || m.size > config_.max_checkpoint_bytes) {
    // None, or nothing newer than what is here and the cut (or too large to take): that peer
    // cannot help.
    if (checkpoint_coming()) transfer_lacking_.insert(from);
    if (from == transfer_source_) transfer_source_ = 0;
    return;
  }
  if (m.slot > transfer_.slot && m.offset != 0) {
    // A newer checkpoint than the one under way, met in the middle: from its start.
    outbox_.messages.push_back({from, checkpoint_chunk_request{m.slot, 0}});
    return;
  }
  transfer_chunk_record part{m};
  if (!transfer_.take(part)) return;  // a repeat, or not the next part
  if (m.offset == 0) {
    transfer_lacking_.clear();
    query_floor_ = 0;  // found
  }
  transfer_source_ = from;
  transfer_idle_ticks_ = 0;
  outbox_.durable.push_back(std::move(part));
  if (transfer_.received.size() < transfer_.size) {
    ask_for_part(from);
    return;
  }
  if (state_digest(transfer_.received) != transfer_.digest) {
    // Damaged at the peer or on the way: start over, from another peer if one has it.
    ++transfers_refused_;
    transfer_lacking_.insert(from);
    transfer_source_ = 0;
    transfer_.received.clear();
    outbox_.durable.push_back(
        transfer_chunk_record{{transfer_.slot, transfer_.size, transfer_.digest, 0, {}}});
    return;
  }
  take_transferred();
}

void learner::ask_for_part(node_id peer) {
  outbox_.messages.push_back(
      {peer, checkpoint_chunk_request{transfer_.slot, transfer_.received.size()}});
  transfer_idle_ticks_ = 0;
}

void learner::take_transferred() {
  // Complete parts are checked as the last one comes in (and at recovery).
  if (transfer_.slot == 0 || transfer_.received.size() < transfer_.size ||
      delivered_up_to() < transfer_.slot)
    return;
  checkpoint_ = checkpoint_record{transfer_.slot, std::move(transfer_.received)};
  checkpoint_digest_ = transfer_.digest;
  outbox_.durable.push_back(checkpoint_);
  transfer_ = transfer_progress{};
  transfer_lacking_.clear();
  query_floor_ = 0;
  ++transfers_done_;
}

void learner::drop_transfer() {
  if (transfer_.slot != 0) outbox_.durable.push_back(transfer_chunk_record{});
  transfer_ = transfer_progress{};
  transfer_lacking_.clear();
  transfer_source_ = 0;
  query_floor_ = 0;
}

node_id learner::next_transfer_source(bool& anyone_heard) const {
  std::vector<node_id> willing;  // heard lately and not said to lack it, in id order
  anyone_heard = false;
  for (const auto& [peer, log] : peers_) {
    if (!heard_lately(log)) continue;
    anyone_heard = true;
    if (!transfer_lacking_.count(peer)) willing.push_back(peer);
  }
  if (willing.empty()) return 0;
  if (std::find(willing.begin(), willing.end(), transfer_source_) != willing.end())
    return transfer_source_;
  const auto after = std::upper_bound(willing.begin(), willing.end(), transfer_source_);
  return after != willing.end() ? *after : willing.front();
}

void learner::tick_transfer() {
  // A complete one waits for its slot to be delivered here.
  if (!checkpoint_coming()) return;
  if (transfer_.slot != 0 && transfer_.received.size() == transfer_.size) return;
  if (++transfer_idle_ticks_ < config_.catch_up_retry_ticks) return;
  // No part for a while (the peer crashed, the connection was lost, or this member restarted):
  // ask the last source again if it is still heard, else the next peer heard lately that did
  // not say it lacks the checkpoint. When every peer heard said so, nobody can finish it.
  bool anyone_heard = false;
  const node_id ask = next_transfer_source(anyone_heard);
  transfer_idle_ticks_ = 0;
  if (ask == 0) {
    if (anyone_heard) drop_transfer();
    return;
  }
  transfer_source_ = ask;
  if (transfer_.slot != 0)
    ask_for_part(ask);
  else
    outbox_.messages.push_back({ask, checkpoint_chunk_request{0, 0}});  // whichever it keeps
}

}  // namespace synod
