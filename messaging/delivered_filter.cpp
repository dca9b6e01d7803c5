#include "messaging/delivered_filter.hpp"

namespace synod {

bool delivered_filter::contains(const message_id& id) const {
  auto origin = seen_.find(id.origin);
  if (origin == seen_.end()) return false;
  const auto& intervals = origin->second;
  auto it = intervals.upper_bound(id.seq);
  if (it == intervals.begin()) return false;
  --it;
  return id.seq < it->second;
}

bool delivered_filter::insert(const message_id& id) {
  auto& intervals = seen_[id.origin];
  // The common case: an origin's messages are delivered in the order it numbered them, so seq
  // extends its last interval.
  if (!intervals.empty() && intervals.rbegin()->second == id.seq) {
    ++intervals.rbegin()->second;
    return true;
  }
  if (contains(id)) return false;
  std::uint64_t start = id.seq;
  std::uint64_t end = id.seq + 1;
  // Merge with the interval that ends right at seq, and with the one that starts right after it.
  auto next = intervals.find(end);
  if (next != intervals.end()) {
    end = next->second;
    intervals.erase(next);
  }
  auto prev = intervals.upper_bound(id.seq);
  if (prev != intervals.begin()) {
    --prev;
    if (prev->second == start) {
      prev->second = end;
      return true;
    }
  }
  intervals.emplace(start, end);
  return true;
}

std::size_t delivered_filter::intervals() const {
  std::size_t n = 0;
  for (const auto& [origin, set] : seen_) n += set.size();
  return n;
}

bool delivered_filter::well_formed() const {
  for (const auto& [origin, set] : seen_) {
    std::uint64_t previous_end = 0;
    bool first = true;
    for (const auto& [start, end] : set) {
      if (start >= end || (!first && start <= previous_end)) return false;
      previous_end = end;
      first = false;
    }
  }
  return true;
}

}  // namespace synod
