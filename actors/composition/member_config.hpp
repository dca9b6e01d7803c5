// The configuration of all the cores of one member, as node_config fills it from the
// configuration file (durations already turned into tick counts) and as the simulator sets it.
#pragma once

#include <cstddef>

#include "actors/core/config_check.hpp"

#include "actors/acceptor/acceptor.hpp"
#include "actors/failure_detector/failure_detector.hpp"
#include "actors/front/front.hpp"
#include "actors/leader/leader.hpp"
#include "actors/learner/learner.hpp"

namespace synod {

struct member_config {
  leader_config leader;
  learner_config learner;  // its memory_slots bound the acceptor's memory too
  failure_detector_config failure_detector;
  broadcast_config broadcast;
  // A READ's answer goes in pages of about this many payload bytes.
  std::size_t read_ack_page_bytes = default_read_ack_page_bytes;

  // Every core's problems, each field named as `core.field` (e.g. "leader.window").
  config_problems problems() const {
    config_problems out;
    add_problems(out, "leader", leader.problems());
    add_problems(out, "learner", learner.problems());
    add_problems(out, "failure_detector", failure_detector.problems());
    add_problems(out, "broadcast", broadcast.problems());
    require_at_least(out, "read_ack_page_bytes", read_ack_page_bytes, std::size_t{1});
    return out;
  }
};

}  // namespace synod
