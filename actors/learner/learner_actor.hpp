// The learner's actor shell: decisions and catch-up in, ordered deliveries out, after the
// delivery is durable. It is also where applications subscribe: a subscriber first gets the
// delivered batches from the slot it asks for, then every new one, in order, exactly once.
// Each batch goes as a request that the subscriber answers by handling it (CAF answers a
// handler that returns nothing with an empty message), and at most `subscriber_batches` or
// `subscriber_bytes` go unanswered: a subscriber that stops reading (a `synod tail` stopped with
// Ctrl-Z) falls behind, reading its slots back from storage when it goes on, instead of piling
// batches up in this process.
// Only the last `memory_slots` delivered batches stay in memory (in the core); older ones are
// read back from stable storage, for subscribers and history pages (peers catching up get theirs
// through the storage actor: the core's archive_read note).
#pragma once

#include <chrono>
#include <map>
#include <vector>

#include "actors/learner/learner.hpp"
#include "actors/shell/rate_meter.hpp"
#include "actors/shell/role_shell.hpp"

namespace synod {

// Batches a subscriber may have received and not yet handled.
constexpr std::size_t subscriber_batches = 64;
constexpr std::size_t subscriber_bytes = 8 << 20;

struct subscription {
  caf::actor who;
  slot_t next = 1;  // the next slot to send it
  std::size_t unanswered = 0;
  std::size_t unanswered_bytes = 0;
  bool reading = false;       // a page is being read back for it
  bool checkpoints = false;   // takes a checkpoint_transfer for slots cut (else a delivery_gap)
  slot_t asked_peers_at = 0;  // the cut for which the peers were asked for a checkpoint
};

struct learner_state : role_state<learner> {
  slot_t carried_up_to = 0;          // the last delivery carried out (durable, sent to subscribers)
  std::uint64_t carried_digest = 0;  // the ledger digest after it
  std::vector<subscription> subscribers;
  std::uint64_t transfers_logged = 0;  // of the core's transfers_done, said in the log
  slot_t transfer_announced = 0;       // the last transfer said to start
  rate_meter deliveries{std::chrono::steady_clock::now()};
  static inline const char* name = "synod.learner";
};

caf::behavior learner_actor(caf::stateful_actor<learner_state>* self, node_id id,
                            learner_config config, recovered_state recovered,
                            std::chrono::milliseconds tick);

}  // namespace synod
