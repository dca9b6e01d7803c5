// Identifiers shared by every role: node ids, slots, and Paxos rounds.
// A round is (counter, node): unique per node by construction and totally ordered.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <tuple>

namespace synod {

using node_id = std::uint32_t;
// A slot numbers one consensus instance, i.e. one batch of the total order. Slots start at 1.
using slot_t = std::uint64_t;

struct round_t {
  std::uint64_t counter = 0;
  node_id node = 0;

  // The zero round stands for "never": no promise, nothing accepted (the paper's 0 / ⊥).
  bool is_zero() const { return counter == 0 && node == 0; }

  friend bool operator<(const round_t& a, const round_t& b) {
    return std::tie(a.counter, a.node) < std::tie(b.counter, b.node);
  }
  friend bool operator==(const round_t& a, const round_t& b) {
    return a.counter == b.counter && a.node == b.node;
  }
  friend bool operator!=(const round_t& a, const round_t& b) { return !(a == b); }
  friend bool operator>(const round_t& a, const round_t& b) { return b < a; }
  friend bool operator<=(const round_t& a, const round_t& b) { return !(b < a); }
  friend bool operator>=(const round_t& a, const round_t& b) { return !(a < b); }
};

std::string to_string(const round_t& r);

// A random non-zero 64-bit id (a group id, a client id): from the system's entropy, so two
// processes started at once do not collide.
inline std::uint64_t random_id() {
  std::random_device random;
  return (std::uint64_t{random()} << 32 | random()) | 1;
}

}  // namespace synod
