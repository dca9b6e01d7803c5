// Small helpers shared by the core tests: values, and picking messages out of an outbox.
#pragma once

#include <string>
#include <vector>

#include "actors/core/effects.hpp"

namespace synod::test {

inline batch value_of(const std::string& payload, node_id origin = 9, std::uint64_t seq = 1) {
  return batch{{client_message{{origin, seq}, payload}}};
}

// The messages of type T in an outbox, with their destinations.
template <class T>
std::vector<std::pair<node_id, T>> sent(const effects& e) {
  std::vector<std::pair<node_id, T>> out;
  for (const auto& m : e.messages)
    if (const auto* x = std::get_if<T>(&m.body)) out.emplace_back(m.to, *x);
  return out;
}

template <class T>
std::vector<T> records(const effects& e) {
  std::vector<T> out;
  for (const auto& r : e.durable)
    if (const auto* x = std::get_if<T>(&r)) out.push_back(*x);
  return out;
}

inline group_view group_of(std::size_t n) {
  group_view g;
  for (node_id i = 1; i <= n; ++i) g.members.push_back(i);
  return g;
}

}  // namespace synod::test
