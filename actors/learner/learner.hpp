// The learner core: collects decisions, delivers batches strictly in slot order, each client
// message at most once per node (across restarts too), and catches up from peers when it lags.
// Its delivered position and the delivered batches (duplicates of earlier slots removed: what
// the application saw) are durable before a batch is handed on. Pure.
#pragma once

#include <map>

#include "actors/effects.hpp"
#include "messaging/delivered_filter.hpp"

namespace synod {

struct learner_config {
  std::size_t max_catch_up_slots = 256;      // decisions sent in answer to one catch-up request
  std::size_t max_catch_up_bytes = 4 << 20;  // ...and their payload bytes (at least one is sent)
  unsigned catch_up_retry_ticks = 4;  // a lagging learner asks again after this, if no answer
};

class learner {
 public:
  learner(node_id self, learner_config config, const recovered_state& recovered);

  void step(node_id from, const decision& m);
  void step(node_id from, const catch_up_request& m);
  // This node's acceptor accepted a value for a slot in a round: a decision of that slot in that
  // round or a lower one that leaves its value out (decision::value_omitted) means this value.
  void on_local_accept(const accepted_value& a);
  // A peer's heartbeat said how far it has delivered; if further than here, catch up from it.
  void on_peer_progress(node_id peer, slot_t delivered_up_to);
  void tick();

  effects& outbox() { return outbox_; }
  // The delivered batches still in memory (after forgotten_up_to()), as the application saw
  // them: duplicates of earlier slots removed. Also what catch-up answers carry.
  const std::map<slot_t, batch>& delivered() const { return decided_; }

  // Drops the decided batches up to `slot` from memory (they are on disk): catch-up requests
  // from below that are the shell's to answer from storage, and ignored here.
  void forget_up_to(slot_t slot);
  slot_t forgotten_up_to() const { return forgotten_up_to_; }

  slot_t delivered_up_to() const { return next_slot_ - 1; }
  slot_t decided_up_to() const {
    return waiting_.empty() ? delivered_up_to() : waiting_.rbegin()->first;
  }
  std::size_t waiting_slots() const { return waiting_.size(); }
  bool lagging() const { return !waiting_.empty() || best_peer_progress_ > delivered_up_to(); }

 private:
  void deliver(slot_t slot, const batch& value);
  // The messages of `value` not delivered before (recording them as delivered now).
  batch unseen_part(const batch& value);
  void ask_for_catch_up();

  node_id self_;
  learner_config config_;
  effects outbox_;

  slot_t next_slot_ = 1;  // nextBatch: the next slot to deliver
  std::map<slot_t, batch>
      decided_;                 // delivered slots' batches (deduplicated), for peers and replays
  slot_t forgotten_up_to_ = 0;  // decided_ starts after this
  std::map<slot_t, batch> waiting_;  // AwaitingToBeDelivered: decided, ahead of next_slot_
  std::map<slot_t, accepted_value> accepted_here_;  // this node's acceptor's values, undelivered
  delivered_filter delivered_;

  node_id best_peer_ = 0;  // the peer known to be furthest ahead
  slot_t best_peer_progress_ = 0;
  unsigned ticks_since_request_ = 0;
  bool requested_ = false;
  slot_t next_slot_at_request_ = 0;  // where the last catch-up request started
  bool decided_since_tick_ = false;  // decisions still arriving: an answer is being consumed
};

}  // namespace synod
