#include "actors/failure_detector/failure_detector.hpp"

#include <algorithm>

namespace synod {

config_problems failure_detector_config::problems() const {
  config_problems out;
  require_at_least(out, "heartbeat_ticks", heartbeat_ticks, 1u);
  // One lost heartbeat must not make a live member suspected.
  require_at_least(out, "timeout_ticks", timeout_ticks, 2 * heartbeat_ticks);
  return out;
}

failure_detector::failure_detector(node_id self, group_view group, failure_detector_config config,
                                   std::uint64_t incarnation)
    : self_(self),
      group_(std::move(group)),
      config_(checked("failure detector", config)),
      incarnation_(incarnation) {
  progress_[self_] = 0;
  if (incarnation_ > 1) restarted_at_[self_] = 0;  // as its peers see it: it just restarted
  decide();                                        // a group of one leads itself at once
}

void failure_detector::step(node_id from, const heartbeat& m) {
  if (from == self_ ||
      std::find(group_.members.begin(), group_.members.end(), from) == group_.members.end())
    return;
  silence_[from] = 0;
  learn_incarnation(from, m.incarnation);
  auto [p, first] = progress_.try_emplace(from, m.delivered_up_to);
  if (!first) {
    advance_[from] = m.delivered_up_to > p->second ? m.delivered_up_to - p->second : 0;
    p->second = m.delivered_up_to;
  }
  last_heard_[from] = ticks_;
  // What the sender heard itself keeps a member alive here too. It revives a member this node
  // already suspects only if heard after that verdict: members that heard a dead leader a tick
  // later than this node must not bring it back for that tick (the lead would flap).
  for (const auto& s : m.heard) {
    if (s.member == self_ || s.ticks_ago > config_.timeout_ticks || s.ticks_ago > ticks_) continue;
    learn_incarnation(s.member, s.incarnation);
    const std::uint64_t seen = ticks_ - s.ticks_ago;
    auto [last, new_member] = last_heard_.try_emplace(s.member, seen);
    if (new_member) continue;
    if (alive(s.member) || seen > last->second + config_.timeout_ticks)
      last->second = std::max(last->second, seen);
  }
  last_beat_[from] = m;
  outbox_.notes.push_back(peer_progress{from, m.delivered_up_to, m.retained_from});
  decide();
}

void failure_detector::on_local_progress(slot_t delivered_up_to, slot_t retained_from) {
  delivered_up_to_ = delivered_up_to;
  retained_from_ = retained_from;
}

void failure_detector::step(node_id from, const lead_probe& m) {
  if (from != self_ &&
      std::find(group_.members.begin(), group_.members.end(), from) == group_.members.end())
    return;
  waiting_probes_[from] = m.attempt;
  answer_probes();
}

void failure_detector::answer_probes() {
  for (auto it = waiting_probes_.begin(); it != waiting_probes_.end();) {
    if (leader_ != 0 && leader_ != it->first) {
      ++it;
      continue;
    }
    outbox_.messages.push_back({it->first, lead_ack{it->second}});
    it = waiting_probes_.erase(it);
  }
}

void failure_detector::tick() {
  const slot_t delivered_up_to = delivered_up_to_;
  ++ticks_;
  progress_[self_] = delivered_up_to;
  for (auto& [member, ticks] : silence_)
    if (ticks <= config_.timeout_ticks) ++ticks;
  unbacked_ticks_ = backed_ ? 0 : unbacked_ticks_ + 1;
  decide();
  if (ticks_to_heartbeat_ > 0) {
    --ticks_to_heartbeat_;
    return;
  }
  ticks_to_heartbeat_ = config_.heartbeat_ticks - 1;
  if (advertised_)
    advance_[self_] = delivered_up_to > *advertised_ ? delivered_up_to - *advertised_ : 0;
  advertised_ = delivered_up_to;
  std::vector<sighting> heard;
  for (const auto& [member, ticks] : silence_)
    heard.push_back({member, ticks, incarnation_of_[member]});
  heartbeat beat{delivered_up_to, leader_, heard, incarnation_, leader_incarnation_};
  beat.retained_from = retained_from_;
  for (node_id member : group_.members)
    if (member != self_) outbox_.messages.push_back({member, beat});
}

bool failure_detector::trusts(node_id member) const {
  if (member == self_) return true;
  auto it = silence_.find(member);
  return it != silence_.end() && it->second <= config_.timeout_ticks;
}

bool failure_detector::alive(node_id member) const {
  if (member == self_) return true;
  auto it = last_heard_.find(member);
  return it != last_heard_.end() && ticks_ - it->second <= config_.timeout_ticks;
}

void failure_detector::decide() {
  // Live members and how many follow each, as far as this node can tell (its own choice counts).
  std::map<node_id, std::size_t> followers;
  if (leader_ != 0 && alive(leader_)) ++followers[leader_];
  for (const auto& [peer, beat] : last_beat_)
    if (trusts(peer) && beat.leader != 0 && alive(beat.leader) &&
        current(beat.leader, beat.leader_incarnation))
      ++followers[beat.leader];
  if (followers.empty()) {
    follow(lowest_up_to_date().value_or(0));
    return;
  }
  // Heartbeats sent before this member (re)started may still name it: for a timeout it does not
  // take their word for itself, or it would depose the leader it is about to hear of.
  if (leader_ != self_ && ticks_ < config_.timeout_ticks) {
    followers.erase(self_);
    if (followers.empty()) {
      follow(0);
      return;
    }
  }
  // The most followed. On a tie the current choice stays (heartbeats that cross a change name
  // the old and the new leader for a moment); but a choice that no majority has followed for a
  // whole timeout gives way to the lowest id, so that camps a partition left behind merge.
  node_id best = 0;
  std::size_t most = 0;
  for (const auto& [candidate, count] : followers)
    if (count > most) best = candidate, most = count;
  auto current = followers.find(leader_);
  backed_ = current != followers.end() && current->second >= group_.quorum();
  if (current != followers.end() && current->second == most &&
      unbacked_ticks_ < config_.timeout_ticks)
    return;
  follow(best);
}

void failure_detector::learn_incarnation(node_id member, std::uint64_t incarnation) {
  auto [known, first] = incarnation_of_.try_emplace(member, incarnation);
  if (first || incarnation <= known->second) return;
  known->second = incarnation;
  restarted_at_[member] = ticks_;
  if (leader_ == member) follow(0);  // the leader restarted: its leadership ended with it
}

void failure_detector::follow(node_id member) {
  if (member == leader_) return;
  leader_ = member;
  outbox_.notes.push_back(leader_elected{member});
  answer_probes();
  if (member == self_) {
    leader_incarnation_ = incarnation_;
    return;
  }
  auto it = incarnation_of_.find(member);
  leader_incarnation_ = it == incarnation_of_.end() ? 0 : it->second;
  for (const auto& [peer, beat] : last_beat_)  // not heard from it itself: as its followers say
    if (beat.leader == member)
      leader_incarnation_ = std::max(leader_incarnation_, beat.leader_incarnation);
}

bool failure_detector::current(node_id member, std::uint64_t incarnation) const {
  if (member == self_) return incarnation == incarnation_;
  auto it = incarnation_of_.find(member);
  // Not heard from it yet: the follower's word is all there is.
  return it == incarnation_of_.end() || incarnation >= it->second;
}

// The lowest id among the members this node hears that is not far behind the furthest of them,
// once it hears a majority for a whole timeout; earlier only when it hears every member and none
// follows anyone (a group booting together: all wait for the full picture and choose alike).
// A member that just restarted into a running group waits to hear whom it follows.
std::optional<node_id> failure_detector::lowest_up_to_date() const {
  std::vector<node_id> heard;
  for (node_id m : group_.members)
    if (trusts(m)) heard.push_back(m);
  if (heard.size() < group_.quorum()) return std::nullopt;
  if (ticks_ < config_.timeout_ticks) {
    if (heard.size() < group_.members.size()) return std::nullopt;
    for (const auto& [peer, beat] : last_beat_)
      if (beat.leader != 0) return std::nullopt;
  }
  std::sort(heard.begin(), heard.end());
  node_id furthest_member = self_;
  for (node_id m : heard)
    if (progress(m) > progress(furthest_member)) furthest_member = m;
  const slot_t furthest = progress(furthest_member);
  // Heartbeats are periodic: at a high decision rate a live member's last report is behind by
  // what it decides in a heartbeat interval (at 1 message per slot, ~30 slots per 50 ms).
  auto moved = advance_.find(furthest_member);
  const slot_t lag = config_.max_leader_lag + 2 * (moved == advance_.end() ? 0 : moved->second);
  // A member seen restarting lately is chosen last: whoever did not hear it yet chooses another,
  // and a choice made before one's peers heard of the restart would not be theirs.
  const auto restarted_lately = [&](node_id m) {
    auto it = restarted_at_.find(m);
    return it != restarted_at_.end() && ticks_ - it->second <= 2 * config_.timeout_ticks;
  };
  for (bool lately : {false, true})
    for (node_id m : heard)
      if (restarted_lately(m) == lately && progress(m) + lag >= furthest) return m;
  return self_;
}

slot_t failure_detector::progress(node_id member) const {
  auto it = progress_.find(member);
  return it == progress_.end() ? slot_t{0} : it->second;
}

}  // namespace synod
