// The TO-Broadcast front's actor shell and the node's broadcast API: a broadcast_request is
// answered once all its messages are delivered at this node, or at once with an error when the
// node holds too many undelivered messages (backpressure, not unbounded memory).
#pragma once

#include <chrono>
#include <map>

#include "actors/front/front.hpp"
#include "actors/shell/role_shell.hpp"

namespace synod {

struct front_state : role_state<broadcast_front> {
  struct pending_request {
    caf::response_promise promise;
    broadcast_reply reply;
    std::size_t remaining = 0;
  };
  std::uint64_t next_request = 0;
  std::map<std::uint64_t, pending_request> requests;
  std::map<message_id, std::uint64_t> request_of;
  static inline const char* name = "synod.front";
};

caf::behavior front_actor(caf::stateful_actor<front_state>* self, node_id id,
                          broadcast_config config, recovered_state recovered,
                          std::chrono::milliseconds tick);

}  // namespace synod
