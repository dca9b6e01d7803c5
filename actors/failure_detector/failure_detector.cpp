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
  auto [p, first] = progress_.try_emplace(from, m.delivered_up_to);
  if (!first) {
    advance_[from] = m.delivered_up_to > p->second ? m.delivered_up_to - p->second : 0;
    p->second = m.delivered_up_to;
  }
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
  if (advertised_)
    advance_[self_] = delivered_up_to > *advertised_ ? delivered_up_to - *advertised_ : 0;
  advertised_ = delivered_up_to;
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
  node_id furthest_member = self_;
  for (node_id m : group_.members)
    if (trusts(m) && progress(m) > progress(furthest_member)) furthest_member = m;
  const slot_t furthest = progress(furthest_member);
  // Heartbeats are periodic: at a high decision rate a live leader's last report is behind by
  // what it decides in a heartbeat interval (measured: at 1 message per slot, ~30 slots per
  // 50 ms, which a fixed lag of 32 mistook for lagging and moved the lead every few beats).
  auto moved = advance_.find(furthest_member);
  const slot_t lag = config_.max_leader_lag + 2 * (moved == advance_.end() ? 0 : moved->second);
  node_id best = self_;  // self always trusts itself; at worst it is the one up to date
  for (node_id m : group_.members)
    if (trusts(m) && progress(m) + lag >= furthest && (m < best || progress(best) + lag < furthest))
      best = m;
  return best;
}

}  // namespace synod
