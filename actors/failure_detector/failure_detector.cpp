#include "actors/failure_detector/failure_detector.hpp"

#include <algorithm>

namespace synod {

failure_detector::failure_detector(node_id self, group_view group, failure_detector_config config)
    : self_(self), group_(std::move(group)), config_(config) {
  for (node_id member : group_.members)
    if (member != self_) silence_[member] = 0;
}

void failure_detector::step(node_id from, const heartbeat& m) {
  auto it = silence_.find(from);
  if (it == silence_.end()) return;
  it->second = 0;
  progress_[from] = m.delivered_up_to;
}

void failure_detector::tick(slot_t delivered_up_to) {
  progress_[self_] = delivered_up_to;
  for (auto& [member, ticks] : silence_)
    if (ticks <= config_.timeout_ticks) ++ticks;
  if (ticks_to_heartbeat_ > 0) {
    --ticks_to_heartbeat_;
    return;
  }
  ticks_to_heartbeat_ = config_.heartbeat_ticks - 1;
  for (const auto& [member, ticks] : silence_)
    outbox_.messages.push_back({member, heartbeat{delivered_up_to}});
}

bool failure_detector::trusts(node_id member) const {
  if (member == self_) return true;
  auto it = silence_.find(member);
  return it != silence_.end() && it->second <= config_.timeout_ticks;
}

node_id failure_detector::leader() const {
  const auto progress = [&](node_id m) {
    auto it = progress_.find(m);
    return it == progress_.end() ? slot_t{0} : it->second;
  };
  slot_t furthest = progress(self_);
  for (node_id m : group_.members)
    if (trusts(m)) furthest = std::max(furthest, progress(m));
  node_id best = self_;  // self always trusts itself; at worst it is the one up to date
  for (node_id m : group_.members)
    if (trusts(m) && progress(m) + config_.max_leader_lag >= furthest &&
        (m < best || progress(best) + config_.max_leader_lag < furthest))
      best = m;
  return best;
}

}  // namespace synod
