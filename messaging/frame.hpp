// What travels on a link between two members: a sequence-numbered frame of encoded wire
// messages, with the cumulative acknowledgement of the other direction piggy-backed.
#pragma once

#include <cstdint>
#include <string>

#include "messaging/ids.hpp"

namespace synod {

struct frame {
  node_id from = 0;
  std::uint64_t session = 0;      // the sender's incarnation of this link; new on every start
  std::uint64_t seq = 0;          // 0: unsequenced: an acknowledgement, or a datagram in bytes
  std::uint64_t ack_session = 0;  // the receiver's session that `ack` refers to
  std::uint64_t ack = 0;          // every frame up to this seq arrived
  std::uint64_t highest = 0;      // the highest seq that arrived: above `ack` there are gaps
  std::string bytes;              // encode(std::vector<wire_message>)
};

}  // namespace synod
