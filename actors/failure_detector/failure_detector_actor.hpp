// The failure detector's actor shell: heartbeats in and out on its ticks; its core's notes tell
// the leader and the front when Omega's leader changes, and the learner how far peers have
// delivered. Each change of leader is logged and shown to the transport (for the status).
#pragma once

#include <chrono>

#include "actors/failure_detector/failure_detector.hpp"
#include "actors/shell/role_shell.hpp"

namespace synod {

struct failure_detector_state : role_state<failure_detector> {
  static inline const char* name = "synod.failure_detector";
};

caf::behavior failure_detector_actor(caf::stateful_actor<failure_detector_state>* self, node_id id,
                                     group_view group, failure_detector_config config,
                                     std::uint64_t incarnation, std::chrono::milliseconds tick);

}  // namespace synod
