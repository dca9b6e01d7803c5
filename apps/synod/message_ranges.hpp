// Which messages, by number, something happened to: merged ranges, printed as "1-256, 513-600"
// so a client that gives up can say exactly what was delivered and what is unconfirmed.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace synod::cli {

class message_ranges {
 public:
  // Adds the messages numbered [first, end).
  void add(std::uint64_t first, std::uint64_t end);
  bool empty() const { return ranges_.empty(); }
  std::uint64_t count() const { return count_; }
  // "none", or the ranges in order ("1-256, 300, 513-600").
  std::string describe() const;

 private:
  std::map<std::uint64_t, std::uint64_t> ranges_;  // first -> end, disjoint, not touching
  std::uint64_t count_ = 0;
};

}  // namespace synod::cli
