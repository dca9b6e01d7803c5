#include "apps/synod/message_ranges.hpp"

#include <algorithm>
#include <iterator>

namespace synod::cli {

void message_ranges::add(std::uint64_t first, std::uint64_t end) {
  if (first >= end) return;
  // Merge with every range that overlaps or touches [first, end).
  auto it = ranges_.upper_bound(first);
  if (it != ranges_.begin() && std::prev(it)->second >= first) --it;
  while (it != ranges_.end() && it->first <= end) {
    first = std::min(first, it->first);
    end = std::max(end, it->second);
    count_ -= it->second - it->first;
    it = ranges_.erase(it);
  }
  ranges_.emplace(first, end);
  count_ += end - first;
}

std::string message_ranges::describe() const {
  if (ranges_.empty()) return "none";
  std::string out;
  for (const auto& [first, end] : ranges_) {
    if (!out.empty()) out += ", ";
    out += std::to_string(first);
    if (end - first > 1) out += "-" + std::to_string(end - 1);
  }
  return out;
}

}  // namespace synod::cli
