// The failure detector core: an eventual leader (Omega) from heartbeats, driven by tick().
// leader() is the lowest member id heard from within the timeout (this node always trusts itself),
// which every node agrees on once failures and delays stop. Safety never depends on it. Pure.
#pragma once

#include <map>

#include "actors/effects.hpp"

namespace synod {

struct failure_detector_config {
  unsigned heartbeat_ticks = 2;  // send a heartbeat every this many ticks
  unsigned timeout_ticks = 12;   // suspect a member not heard from for this many ticks
};

class failure_detector {
 public:
  failure_detector(node_id self, group_view group, failure_detector_config config);

  void step(node_id from, const heartbeat& m);
  // `delivered_up_to` travels with the heartbeat so lagging learners notice.
  void tick(slot_t delivered_up_to);

  effects& outbox() { return outbox_; }

  node_id leader() const;
  bool trusts(node_id member) const;

 private:
  node_id self_;
  group_view group_;
  failure_detector_config config_;
  effects outbox_;
  unsigned ticks_to_heartbeat_ = 0;
  // Ticks since each peer was last heard from. Peers start trusted, so a group that boots
  // together agrees on the lowest id at once instead of each node electing itself first.
  std::map<node_id, unsigned> silence_;
};

}  // namespace synod
