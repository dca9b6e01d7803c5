// The deterministic simulator: N members, virtual time, one seed decides everything. It runs the
// composition production runs (actors/composition): each role of a member is its own step with
// its own queue, notes between roles travel with mailbox delays (in order per pair of roles),
// every role's effects wait for their records to be committed by the member's storage, which
// commits asynchronously and in groups across roles, and frames pass the member's identity
// checks (peer_admission) as in the transport. The network loses, duplicates, reorders and
// delays messages, and partitions and heals; members crash (losing all volatile state, also
// between a commit and the sends that follow it) and recover from their stable storage, or
// from none at all; every member broadcasts. After the faults stop the run settles and the
// checker judges it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/composition/member_config.hpp"

namespace synod::sim {

// Bugs the simulator can plant, to prove that it and the checker catch them.
enum class planted_bug {
  none,
  acceptor_forgets_promise,  // recovery drops the acceptor's promised round
  leader_reuses_round,       // recovery loses the last round counter the leader used
  learner_skips_ahead,       // a decision ahead of a gap is delivered at once
  snapshot_loses_ids,        // a learner skipping to a snapshot keeps none of its message ids
  snapshot_loses_digest,     // ...or starts its ledger digest afresh
  read_answer_first_page,    // a leader takes the first page of a READ's answer for all of it
  send_before_commit,        // a role's messages and notes leave before its records are durable
  no_admission,              // frames skip the identity checks (an amnesiac member is let in)
  stale_checkpoint,  // the application hands over its state before it applied the slot named
};
std::optional<planted_bug> parse_bug(const std::string& name);
std::string to_string(planted_bug bug);

struct sim_config {
  std::size_t nodes = 3;
  double loss = 0.0;          // share of messages lost
  double dup = 0.0;           // share of messages delivered twice
  double crash = 0.0;         // per member and tick, chance of a crash
  double crash_leader = 0.0;  // per tick, extra chance that a member leading a round crashes
  double partition = 0.0;     // per tick, chance a partition starts
  double one_way = 0.0;       // per tick, chance that one member stops hearing another
  double pause = 0.0;  // per member and tick, chance it pauses (SIGSTOP): no ticks, messages wait
  // Per tick, chance that one member starts to hear everything late for a while (10-100 ticks):
  // what it receives is delayed by up to `slow_delay_ticks` more, as TCP delays a stream that
  // loses packets (retransmission timeouts) instead of losing messages.
  double slow = 0.0;
  std::uint64_t slow_delay_ticks = 30;
  // Per commit while faults last, chance that the member crashes right after it, before it
  // sends what the commit made possible.
  double crash_after_commit = 0.0;
  // Per restart while faults last, chance that the member comes back with an empty database
  // (its disk was replaced; at most one member a run): its peers must refuse it, or it could
  // break total order.
  double amnesia = 0.0;
  double beat_loss = 0.0;   // share of heartbeats lost while data gets through
  double link_delay = 0.0;  // per tick, chance one link (one direction) turns slow for a while
  std::uint64_t link_delay_ticks = 20;  // ...by up to this many ticks more
  // Per member and tick, chance of a burst of `burst_size` broadcasts at once: the front refuses
  // what it has no room for (backpressure), and the client retries it at its next ticks.
  double burst = 0.0;
  std::size_t burst_size = 40;
  // Per tick, chance that one member's leader is told it leads and every failure detector seems
  // to consent, for 10-50 ticks: Omega is only eventually right, and safety must not depend on
  // it. Makes leaders duel.
  double rogue = 0.0;
  std::uint64_t local_delay = 5;   // notes between roles of a member: 1 to this many time units
  std::uint64_t commit_delay = 8;  // a commit takes 1 to this many time units
  bool spare_leader = false;       // crashes and pauses never hit a member that leads
  // An execution that starts more rounds than this after its first decision violates leader
  // stability (0: no limit).
  std::uint64_t max_leader_rounds = 0;
  std::uint64_t max_delay = 30;       // message delay, uniform in [1, max_delay] time units
  std::uint64_t tick = 10;            // time units between two ticks of a member
  std::uint64_t fault_ticks = 300;    // ticks with faults and broadcasts
  std::uint64_t settle_ticks = 3000;  // at most this many ticks for the run to settle afterwards
  double broadcast_rate = 0.3;        // per member and tick, chance of a TO-Broadcast
  planted_bug bug = planted_bug::none;
  // Few slots in memory and few on disk, so that forgetting, catching up from storage,
  // truncating and skipping to a snapshot happen in every run.
  member_config member = [] {
    member_config m;
    m.learner.memory_slots = 4;
    m.learner.retain_slots = 16;
    m.learner.truncate_chunk_slots = 3;
    m.read_ack_page_bytes = 64;           // a phase 1 answer in pages of a value or two
    m.learner.transfer_chunk_bytes = 48;  // a checkpoint moves in several parts
    return m;
  }();
  // The application at every member: its state is its deliveries folded in order. Every this
  // many slots it hands its member a checkpoint of it (0: never; it takes the gaps); slots cut
  // from the log are then made up by its member's checkpoint, its own or one a state transfer
  // brought from a peer, and the checker judges that every member's application state is equal
  // at the same slot.
  slot_t app_checkpoint_every = 0;
  bool trace = false;  // print every event
};

struct sim_result {
  std::uint64_t seed = 0;
  std::uint64_t broadcasts = 0;
  std::uint64_t deliveries = 0;  // summed over members
  std::uint64_t messages_sent = 0;
  std::uint64_t crashes = 0;
  std::uint64_t partitions = 0;
  std::uint64_t pauses = 0;
  std::uint64_t gaps = 0;                   // a member skipped truncated slots to a peer's snapshot
  std::uint64_t app_gaps = 0;               // ...and its application was handed a gap
  std::uint64_t app_checkpoints_taken = 0;  // ...or its member's checkpoint instead
  std::uint64_t state_transfers = 0;        // checkpoints a member took from a peer
  std::uint64_t transfers_resumed = 0;      // restarts that found a transfer's parts on disk
  std::uint64_t amnesiac_restarts = 0;      // restarts with an empty database
  std::uint64_t refused_stops = 0;          // members that stopped because their group refused them
  std::uint64_t busy_refusals = 0;          // broadcasts refused for backpressure (then retried)
  std::uint64_t leader_crashes = 0;         // crashes of a member that was leading
  // Rounds started after the first decision: each is a leader change (or an attempt at one).
  std::uint64_t rounds_after_first_decision = 0;
  std::size_t max_held = 0;  // the largest leader held set seen, over every member and step
  std::uint64_t settle_ticks_used = 0;
  std::vector<std::string> violations;
  // Per member at the end: messages delivered and a digest of the delivery sequence.
  std::map<node_id, std::pair<std::uint64_t, std::uint64_t>> per_member;

  bool ok() const { return violations.empty(); }
};

sim_result run_simulation(const sim_config& config, std::uint64_t seed);

}  // namespace synod::sim
