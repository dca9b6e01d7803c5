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
  // Who the sender is beyond its id (see peer_admission): its group, whether it has taken part
  // in it (promised, accepted or delivered something), its database and its incarnation.
  std::uint64_t group_id = 0;
  bool history = false;
  std::uint64_t database_id = 0;
  std::uint64_t incarnation = 0;
};

// The answer to frames a member will not take (see peer_admission), sent to the sender.
struct link_refusal {
  node_id from = 0;            // who refuses
  std::uint8_t reason = 0;     // a refusal_reason
  std::uint64_t group_id = 0;  // the refuser's group
};

}  // namespace synod
