// The learner's actor shell: decisions and catch-up in, ordered deliveries out, after the
// delivery is durable. It is also where applications subscribe: a subscriber first gets the
// delivered batches from the slot it asks for, then every new one, in order, exactly once.
// Only the last `memory_slots` delivered batches stay in memory (in the core); older ones are
// read back from stable storage, for subscribers, history pages and peers catching up. After
// each delivery it tells the acceptor what it may forget.
#pragma once

#include <chrono>
#include <map>
#include <vector>

#include "actors/learner/learner.hpp"
#include "actors/node/rate_meter.hpp"
#include "actors/node/role_shell.hpp"

namespace synod {

struct learner_state : role_state<learner> {
  slot_t memory_slots = 256;
  slot_t carried_up_to = 0;          // the last delivery carried out (durable, sent to subscribers)
  std::uint64_t carried_digest = 0;  // the ledger digest after it
  std::vector<caf::actor> subscribers;
  std::map<node_id, slot_t> peer_progress;  // from heartbeats, for the status
  rate_meter deliveries{std::chrono::steady_clock::now()};
  static inline const char* name = "synod.learner";
};

caf::behavior learner_actor(caf::stateful_actor<learner_state>* self, node_id id,
                            learner_config config, slot_t memory_slots, recovered_state recovered,
                            std::chrono::milliseconds tick);

}  // namespace synod
