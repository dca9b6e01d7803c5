// The failure detector core: an eventual leader (Omega) from heartbeats, driven by tick().
// leader() is the lowest id among the members heard from within the timeout (this node always
// trusts itself) that are not far behind the furthest of them, which every node agrees on once
// failures and delays stop. A member that just recovered and is still catching up is passed
// over: leading from far behind would make its first round read back, and re-propose, the
// whole gap. Safety never depends on the verdict. Pure.
#pragma once

#include <map>
#include <optional>

#include "actors/effects.hpp"

namespace synod {

struct failure_detector_config {
  unsigned heartbeat_ticks = 2;  // send a heartbeat every this many ticks
  unsigned timeout_ticks = 12;   // suspect a member not heard from for this many ticks
  // A member further behind than this (in slots), plus twice what the furthest member advances
  // between two heartbeats, does not lead.
  slot_t max_leader_lag = 32;
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
  std::map<node_id, slot_t> progress_;  // delivered up to, as last heard (self included)
  // How far each member moved between its last two heartbeats (self: between its last two sent).
  // A peer's progress is as old as its last heartbeat; a member that moved `advance` slots per
  // heartbeat looks that far behind a member reading its own current progress.
  std::map<node_id, slot_t> advance_;
  std::optional<slot_t> advertised_;  // what this node's last heartbeat said
};

}  // namespace synod
