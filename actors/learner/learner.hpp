// The learner core: collects decisions, delivers batches strictly in slot order, each client
// message at most once per node (across restarts too), and catches up from peers when it lags.
// Its delivered position and the delivered batches (duplicates of earlier slots removed: what
// the application saw) are durable before a batch is handed on. It tells its member's leader and
// front what it delivered (delivered_here), its failure detector how far (local_progress), and
// its acceptor and itself what falls out of the memory window (forget_prefix); a peer's request
// for slots on disk only goes to storage (archive_read) and is answered when the page comes
// back (archive_page). Pure.
#pragma once

#include <deque>
#include <map>
#include <set>

#include "actors/core/config_check.hpp"
#include "actors/core/effects.hpp"
#include "messaging/delivered_filter.hpp"

namespace synod {

struct learner_config {
  std::size_t max_catch_up_slots = 256;      // decisions sent in answer to one catch-up request
  std::size_t max_catch_up_bytes = 4 << 20;  // ...and their payload bytes (at least one is sent)
  unsigned catch_up_retry_ticks = 4;  // a lagging learner asks again after this, if no answer
  // Retention: how much of the delivered log (and of the acceptor's values) stays on disk for
  // lagging peers and replays, in slots and in stored bytes (payload plus 24 bytes per message);
  // 0 is no bound. The log is cut at snapshots, taken every 1/16 of a bound (every 4096 slots or
  // 4 MiB without one), so it keeps at most about 1/16 more than a bound.
  slot_t retain_slots = 0;
  std::uint64_t retain_bytes = 0;
  slot_t truncate_chunk_slots = 4;  // deleted in one commit at most: no commit waits for a purge
  // Delivered slots whose batches stay in memory (the learner's and the acceptor's); older ones
  // are read back from stable storage when a peer needs them. Memory stays bounded.
  slot_t memory_slots = 256;
  // An application checkpoint larger than this is refused: it travels in one client frame.
  std::size_t max_checkpoint_bytes = std::size_t{8} << 20;
  // State transfer moves a checkpoint in parts of at most this many bytes.
  std::size_t transfer_chunk_bytes = std::size_t{1} << 20;

  config_problems problems() const;
};

// The slot up to which a member that delivered up to `delivered` keeps nothing in memory.
inline slot_t memory_floor(slot_t delivered, slot_t memory_slots) {
  return delivered > memory_slots ? delivered - memory_slots : 0;
}

// The bytes a delivered prefix takes on disk, as retention counts them.
inline std::uint64_t ledger_bytes(std::uint64_t messages, std::uint64_t payload_bytes) {
  return payload_bytes + 24 * messages;
}

class learner {
 public:
  learner(node_id self, learner_config config, const recovered_state& recovered);

  void step(node_id from, const decision& m);
  // Below the truncated prefix the answer is the oldest snapshot kept; between it and the memory
  // window, the shell answers from storage (see answers_from_storage).
  void step(node_id from, const catch_up_request& m);
  // A peer's answer for slots it no longer has: when it covers slots not delivered here, skip to
  // it (a gap the application is told about) and go on from the slot after it.
  void step(node_id from, const ledger_snapshot& m);
  // State transfer (see checkpoint_chunk): a peer asks for part of this member's checkpoint, or
  // answers with part of its own. A learner that skipped to a peer's snapshot is sent the
  // peer's checkpoint if it is at or after the snapshot; it asks for the rest a part at a time,
  // keeps each part durable, checks the digest, and keeps the checkpoint as its own once it has
  // delivered its slot (learning the slots up to it from the log the peer retains).
  void step(node_id from, const checkpoint_chunk_request& m);
  void step(node_id from, const checkpoint_chunk& m);
  // This node's acceptor accepted a value for a slot in a round: a decision of that slot in that
  // round or a lower one that leaves its value out (decision::value_omitted) means this value.
  void on_local_accept(const accepted_value& a);
  // A peer's heartbeat said how far it has delivered and from which slot it still has the log;
  // if further than here, catch up from it (from one that still has the next slot, if any).
  void on_peer_progress(node_id peer, slot_t delivered_up_to, slot_t retained_from = 1);
  void tick();

  // The application's state as of `slot`, handed in by a subscriber of this member. Kept (a
  // checkpoint_record in the outbox) when `slot` was delivered here and is newer than the
  // checkpoint kept; an older or equal one is not an error, the newer one stays. `error` says why
  // nothing can be kept.
  struct checkpoint_verdict {
    bool recorded = false;  // a record is in the outbox: answer once it is durable
    slot_t kept = 0;        // the slot of the checkpoint kept afterwards (0: none)
    std::string error;
  };
  checkpoint_verdict offer_checkpoint(slot_t slot, std::string state);
  // The newest checkpoint kept (slot 0: none).
  const checkpoint_record& checkpoint() const { return checkpoint_; }
  // A state transfer under way (slot 0: none): a newer checkpoint is coming from a peer.
  const transfer_progress& transfer() const { return transfer_; }
  // The slot of the checkpoint this member expects from a peer: the one under way, or, while it
  // asks its peers whether any has a checkpoint that covers its cut (after it skipped to a
  // snapshot, or restarted with a cut its own checkpoint does not cover), the cut. 0: none.
  slot_t checkpoint_expected() const { return transfer_.slot != 0 ? transfer_.slot : query_floor_; }
  bool checkpoint_coming() const { return checkpoint_expected() != 0; }
  // Asks the peers whether any keeps a checkpoint at or after `floor` (a slot cut here), unless
  // one is expected already: a subscriber that reads slowly (it replays a long log) may find
  // the log cut before it; a peer's newer checkpoint makes that up. The answers come at the
  // next ticks (checkpoint_expected() is `floor` until then).
  void look_for_checkpoint(slot_t floor);
  // What a subscriber that takes checkpoints gets for the slots cut up to `cut` before it read
  // them, its member having carried out deliveries up to `carried`: the checkpoint kept (it
  // covers the cut and its slot is carried out), a wait (one is expected; the peers are asked
  // once per cut, `asked` recording the cut they were asked for), or the gap (no peer has one).
  enum class cut_answer { checkpoint, wait, gap };
  cut_answer answer_cut(slot_t cut, slot_t carried, slot_t& asked);
  // Checkpoints taken from peers, and transfers started over because the digest was wrong.
  std::uint64_t transfers_done() const { return transfers_done_; }
  std::uint64_t transfers_refused() const { return transfers_refused_; }

  effects& outbox() { return outbox_; }
  // The delivered batches still in memory (after forgotten_up_to()), as the application saw
  // them: duplicates of earlier slots removed. Also what catch-up answers carry.
  const std::map<slot_t, batch>& delivered() const { return decided_; }

  // Drops the decided batches up to `slot` from memory (they are on disk): catch-up requests
  // from below that are the shell's to answer from storage, and ignored here.
  void forget_up_to(slot_t slot);
  slot_t forgotten_up_to() const { return forgotten_up_to_; }
  // Decisions for a peer that asked for slots on disk only, read back by storage.
  void on_archive_page(node_id peer, const std::vector<std::pair<slot_t, batch>>& page);
  // A catch-up request from `from_slot` is answered from storage.
  bool answers_from_storage(slot_t from_slot) const {
    return from_slot > truncated_up_to_ && from_slot <= forgotten_up_to_;
  }
  // The disk keeps nothing up to here; the first slot this member can still hand out follows.
  slot_t truncated_up_to() const { return truncated_up_to_; }
  slot_t retained_from() const { return truncated_up_to_ + 1; }
  const std::deque<ledger_snapshot>& snapshots() const { return snapshots_; }
  std::uint64_t delivered_messages() const { return messages_; }
  std::uint64_t delivered_bytes() const { return bytes_; }
  std::uint64_t digest() const { return digest_; }

  slot_t delivered_up_to() const { return next_slot_ - 1; }
  slot_t decided_up_to() const {
    return waiting_.empty() ? delivered_up_to() : waiting_.rbegin()->first;
  }
  std::size_t waiting_slots() const { return waiting_.size(); }
  // How far a peer had delivered when it last said so (0: never heard).
  slot_t peer_delivered_up_to(node_id peer) const {
    auto it = peers_.find(peer);
    return it == peers_.end() ? 0 : it->second.delivered_up_to;
  }
  bool lagging() const { return !waiting_.empty() || best_peer_progress_ > delivered_up_to(); }

 private:
  void deliver(slot_t slot, const batch& value);
  // The messages of `value` not delivered before (recording them as delivered now).
  batch unseen_part(const batch& value);
  void ask_for_catch_up();
  // Snapshots and truncation after deliveries: see learner_config's retention.
  void retain();
  void tick_retention();
  void deliver_waiting();
  // State transfer: the next part asked for (of a peer that may have it), a complete transfer
  // checked and kept once its slot is delivered here, a transfer no peer can finish dropped.
  void tick_transfer();
  void ask_for_part(node_id peer);
  void take_transferred();
  void drop_transfer();

  // The peer to ask for the next part (0: none); `anyone_heard` whether any peer is heard.
  node_id next_transfer_source(bool& anyone_heard) const;
  checkpoint_chunk part_of_checkpoint(slot_t slot, std::uint64_t offset) const;
  // Tells the other roles how far this learner delivered and what left the memory window.
  void announce_progress();
  // Whether the log after `from` fits the retention bounds, times halves / 2.
  bool fits_retention(const ledger_snapshot& from, unsigned halves = 2) const;
  // An application that keeps checkpoints restarts from its newest one and the slots after it:
  // the cut may move to `at` only if that keeps them, or if the log kept from `kept_from` has
  // grown past one and a half times the bounds (the data directory stays bounded; such an
  // application, far behind, gets a gap at its next start).
  bool may_cut_at(const ledger_snapshot& at, const ledger_snapshot& kept_from) const;
  static constexpr unsigned checkpoint_hold_halves = 3;

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

  std::uint64_t messages_ = 0;  // delivered here since the group began, and their payload bytes
  std::uint64_t bytes_ = 0;
  std::uint64_t digest_ = ledger_digest_start;  // see ledger_digest.hpp
  std::deque<ledger_snapshot> snapshots_;       // oldest first; the oldest is at or above the cut
  slot_t truncated_up_to_ = 0;                  // what the disk no longer has
  slot_t truncation_target_ = 0;                // where truncation is heading, a chunk at a time
  checkpoint_record checkpoint_;                // the application's newest
  std::uint64_t checkpoint_digest_ = 0;         // its state_digest, for the peers fetching it
  transfer_progress transfer_;                  // a newer checkpoint coming from a peer
  node_id transfer_source_ = 0;                 // the peer the last part came from
  unsigned transfer_idle_ticks_ = 0;            // since the last part came or was asked for
  std::set<node_id> transfer_lacking_;          // peers that said they do not have it
  slot_t query_floor_ = 0;  // asking peers for a checkpoint at or after this slot (0: not)
  std::uint64_t transfers_done_ = 0;
  std::uint64_t transfers_refused_ = 0;

  node_id best_peer_ = 0;  // the peer known to be furthest ahead
  slot_t best_peer_progress_ = 0;
  struct peer_log {
    slot_t delivered_up_to = 0;
    slot_t retained_from = 1;
    std::uint64_t heard_at = 0;  // ticks_ when its last heartbeat came
  };
  std::map<node_id, peer_log> peers_;  // from their heartbeats
  // A peer that stopped sending heartbeats (it crashed, or is cut off) answers nothing.
  bool heard_lately(const peer_log& p) const {
    return ticks_ - p.heard_at <= std::uint64_t{2} * config_.catch_up_retry_ticks;
  }
  std::uint64_t ticks_ = 0;
  unsigned ticks_since_request_ = 0;
  bool requested_ = false;
  slot_t next_slot_at_request_ = 0;  // where the last catch-up request started
  bool decided_since_tick_ = false;  // decisions still arriving: an answer is being consumed
  local_progress announced_{0, 1};   // the last local_progress told (the detector's start)
  slot_t forget_announced_ = 0;      // the last forget_prefix told
};

}  // namespace synod
