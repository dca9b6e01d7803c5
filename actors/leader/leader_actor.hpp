// The leader's actor shell: client messages forwarded by the fronts, the acceptors' answers,
// Omega's verdict and the local deliveries go to the leader core; ticks drive its resends.
#pragma once

#include <chrono>

#include "actors/leader/leader.hpp"
#include "actors/shell/role_shell.hpp"

namespace synod {

struct leader_state : role_state<leader> {
  bool was_leading =
      false;  // as of the last input: the moments leading starts and stops are logged
  static inline const char* name = "synod.leader";
};

caf::behavior leader_actor(caf::stateful_actor<leader_state>* self, node_id id, group_view group,
                           leader_config config, recovered_state recovered,
                           std::chrono::milliseconds tick);

}  // namespace synod
