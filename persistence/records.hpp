// What the cores ask to be made durable (the paper's forced logs), and what recovery hands back.
// Every record is idempotent: applying it twice leaves the same state.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "messaging/batch.hpp"
#include "messaging/delivered_filter.hpp"
#include "messaging/ids.hpp"
#include "messaging/messages.hpp"

namespace synod {

// Acceptor: store{read_i}; the promise covers every slot.
struct promise_record {
  round_t round;
};

// Acceptor: store{write_i, v_i} for one slot.
struct accept_record {
  slot_t slot = 0;
  round_t round;
  batch value;
};

// Leader: the highest round counter ever used, so a recovered leader never reuses a round.
struct round_counter_record {
  std::uint64_t counter = 0;
};

// Learner: store{TO_delivered, nextBatch}: the decided batch of `slot`, now delivered.
// Deliveries are consecutive, so the highest such slot is the delivered position.
struct delivery_record {
  slot_t slot = 0;
  batch value;
};

// Broadcast front: the incarnation number that keeps (origin, seq) unique across restarts.
struct incarnation_record {
  std::uint64_t incarnation = 0;
};

// Transport: the group this member belongs to (random, made at its first start, or taken from
// the group it joined before it took part in anything). Written again only on joining.
struct group_record {
  std::uint64_t group_id = 0;
};

// Transport: this database's own random id, made when it was created. Frames carry it, so a
// member that comes back with another database (its disk replaced or wiped) is told apart.
struct database_record {
  std::uint64_t database_id = 0;
};

// Which database a peer ran with, and its latest run, as last seen in its frames.
struct peer_identity {
  std::uint64_t database_id = 0;  // 0: not known (recorded by an older version)
  std::uint64_t incarnation = 0;
};

// Transport: `node` has taken part in the group (promised, accepted or delivered something),
// with this database, in this run or a later one. If it comes back with another database or an
// empty one, it lost what it promised; with an older run's database, what it promised since:
// either way it is refused.
struct member_history_record {
  node_id node = 0;
  peer_identity seen;
};

// Learner: a snapshot of the delivered prefix up to its slot. Recovery starts from the newest one
// instead of reading the whole log; a peer asking for truncated slots is sent the oldest kept.
struct snapshot_record {
  ledger_snapshot snapshot;
};

// Learner: the member forgets the delivered batches and the accepted values up to `up_to`, and
// the snapshots older than it (one at or above it is always kept). Issued only for slots this
// member delivered: the acceptor refuses READs from below its forgotten prefix, so no phase 1
// misses a truncated value.
struct truncate_record {
  slot_t up_to = 0;
};

// Learner, for its application: the application's own state as of `slot` (a slot delivered to
// it), which it handed its member. Only the newest is kept; a replica that lost its state starts
// from it and the slots after it.
struct checkpoint_record {
  slot_t slot = 0;
  std::string state;
};

// Learner, state transfer: one part of a peer's application checkpoint, kept as it arrives so a
// transfer cut off by a crash goes on from here. Offset 0 starts a transfer afresh (whatever
// was kept of another goes; the same first part again is a repeat, and an empty one starts the
// same checkpoint over); the parts are consecutive. A checkpoint_record at or above `slot`
// ends it; a record of slot 0 drops it.
struct transfer_chunk_record {
  checkpoint_chunk part;
};

// How far a state transfer got: the checkpoint of `slot`, `size` bytes hashing to `digest`, of
// which `received` came (slot 0: none under way).
struct transfer_progress {
  slot_t slot = 0;
  std::uint64_t size = 0;
  std::uint64_t digest = 0;
  std::string received;
  // Takes in one part; false if it does not continue this transfer (or start a new one).
  bool take(const transfer_chunk_record& part);
};

using durable_record =
    std::variant<promise_record, accept_record, round_counter_record, delivery_record,
                 incarnation_record, group_record, member_history_record, snapshot_record,
                 truncate_record, database_record, checkpoint_record, transfer_chunk_record>;

// Everything a node finds on its stable storage when it starts.
struct recovered_state {
  round_t promised;
  std::map<slot_t, accepted_value> accepted;
  std::uint64_t round_counter = 0;
  // slot -> delivered batch, consecutive from forgotten_up_to + 1: recovery keeps only the last
  // slots (the member's memory window); what came before is on disk, and only its message ids
  // are kept, in forgotten_ids, so no message is delivered or proposed twice.
  std::map<slot_t, batch> delivered;
  slot_t forgotten_up_to = 0;
  delivered_filter forgotten_ids;
  std::uint64_t forgotten_messages = 0;  // how many messages and payload bytes those slots held
  std::uint64_t forgotten_bytes = 0;
  std::uint64_t forgotten_digest = ledger_digest_start;  // the ledger digest up to them
  std::uint64_t incarnation = 0;
  std::uint64_t group_id = 0;     // 0: none yet (a new database)
  std::uint64_t database_id = 0;  // 0: none yet
  std::map<node_id, peer_identity> members_with_history;
  // The snapshots kept, oldest first; the newest is where recovery started. Everything up to
  // truncated_up_to is gone from the disk too.
  std::vector<ledger_snapshot> snapshots;
  slot_t truncated_up_to = 0;
  checkpoint_record checkpoint;  // the application's newest (slot 0: none)
  transfer_progress transfer;    // a state transfer under way when the member stopped

  // This member has taken part: it accepted or delivered something.
  // Taken part: promised, accepted or delivered something. An empty database under a member id
  // that has taken part is an amnesiac acceptor (peer_admission refuses it).
  bool has_history() const {
    return promised != round_t{} || !accepted.empty() || !delivered.empty() || !snapshots.empty();
  }
  slot_t delivered_up_to() const {
    return delivered.empty() ? forgotten_up_to : delivered.rbegin()->first;
  }
};

// The first slot a recovery with a memory window of `window` slots keeps (0: keep everything):
// everything up to the returned floor is left on disk.
inline slot_t recovery_floor(slot_t delivered_up_to, slot_t window) {
  return window > 0 && delivered_up_to > window ? delivered_up_to - window : 0;
}

// Leaves in `state` only what a recovery with a memory window of `window` slots keeps: it starts
// from the newest snapshot, keeps the delivered batches and accepted values above the floor, and
// the ids of the delivered messages below it.
void keep_window(recovered_state& state, slot_t window);

// Makes `base` the start of `state` if it is newer than what `state` forgot already: its ids and
// counts replace the forgotten ones, and the delivered batches it covers are dropped.
void start_from_snapshot(recovered_state& state, const ledger_snapshot& base);

// Records a delivered batch below the window: its ids and counts only.
void forget_delivered(recovered_state& state, slot_t slot, const batch& value);

// Applies one record to a recovered-state image: the reference semantics every storage follows.
void apply(recovered_state& state, const durable_record& record);

}  // namespace synod
