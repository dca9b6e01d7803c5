// What the transport needs to know of its member: who it is, where its peers listen, how its
// links behave, and the faults it injects into its own links. The node's configuration fills it
// (node_config::transport()).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "actors/retransmission/link.hpp"

namespace synod {

struct member_address {
  node_id id = 0;
  std::string host;
  std::uint16_t port = 0;
};

// Faults a node injects into its own links, so real processes meet the simulator's faults.
struct fault_config {
  std::vector<std::pair<node_id, node_id>> links;  // loss, dup, delay only here; empty: everywhere
  double loss = 0;                                 // share of frames dropped on send
  double dup = 0;                                  // share of frames sent twice
  std::chrono::milliseconds delay{0};              // frames held up to this long (uniformly)
  std::vector<node_id> isolate;                    // these members cut all their links...
  std::chrono::milliseconds isolate_after{0};      // ...this long after they start...
  std::chrono::milliseconds isolate_for{0};        // ...for this long (a partition that heals)

  // Whether loss, duplication and delay apply to the link between a and b.
  bool on_link(node_id a, node_id b) const {
    if (links.empty()) return true;
    for (const auto& [x, y] : links)
      if ((x == a && y == b) || (x == b && y == a)) return true;
    return false;
  }
};

struct transport_config {
  node_id id = 0;
  std::string group;
  std::string storage;  // shown in the status
  std::vector<member_address> members;
  std::chrono::milliseconds tick{10};
  // A second process speaking for a peer heard from within this long is an impostor.
  std::chrono::milliseconds failure_timeout{300};
  link_config link;
  fault_config faults;
  // The member must stop (refused by its group). Empty: the member's actors stop.
  std::function<void(const std::string& why)> on_fatal;
};

}  // namespace synod
