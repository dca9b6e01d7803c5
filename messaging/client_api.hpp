// What clients (the CLI, applications in other processes) exchange with a node: TO-Broadcast
// requests and their replies, and subscriptions to the delivered batches. Plain structs.
#pragma once

#include <string>
#include <vector>

#include "messaging/batch.hpp"

namespace synod {

// TO-Broadcast of each payload; the reply comes once all of them are delivered at this node.
struct broadcast_request {
  std::vector<std::string> payloads;
  std::uint64_t tag = 0;  // the client's own number, echoed in the reply
};

struct broadcast_reply {
  std::vector<message_id> ids;  // in the order of the payloads
  std::string error;            // empty on success; "busy: ..." under backpressure
  std::uint64_t tag = 0;
};

// One TO-Deliver upcall: a decided batch's messages new to this node, in delivery order.
struct delivered_batch {
  node_id node = 0;
  slot_t slot = 0;
  std::vector<client_message> messages;
};

// Replays the delivered batches from `from_slot` on (0: from now on), then follows live.
struct subscribe_request {
  slot_t from_slot = 0;
};

// First answer to a subscription: the slots up to `delivered_up_to` are in the replay.
struct subscribe_reply {
  slot_t delivered_up_to = 0;
};

}  // namespace synod
