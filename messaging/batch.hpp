// What the group orders: client messages identified by (origin, seq), grouped into batches.
// One decided batch fills one slot; an empty batch is the no-op a new leader fills gaps with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messaging/ids.hpp"

namespace synod {

// Identity of a TO-Broadcast message. The origin's front keeps seq unique across its restarts.
struct message_id {
  node_id origin = 0;
  std::uint64_t seq = 0;

  friend bool operator<(const message_id& a, const message_id& b) {
    return a.origin < b.origin || (a.origin == b.origin && a.seq < b.seq);
  }
  friend bool operator==(const message_id& a, const message_id& b) {
    return a.origin == b.origin && a.seq == b.seq;
  }
};

struct client_message {
  message_id id;
  std::string payload;  // opaque application bytes

  friend bool operator==(const client_message& a, const client_message& b) {
    return a.id == b.id && a.payload == b.payload;
  }
};

struct batch {
  std::vector<client_message> messages;

  bool is_noop() const { return messages.empty(); }
  std::size_t payload_bytes() const {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.payload.size();
    return n;
  }
  friend bool operator==(const batch& a, const batch& b) { return a.messages == b.messages; }
  friend bool operator!=(const batch& a, const batch& b) { return !(a == b); }
};

}  // namespace synod
