// The deterministic simulator: N members (all roles each), virtual time, one seed decides
// everything. The network loses, duplicates, reorders and delays messages, and partitions and
// heals; members crash (losing all volatile state) and recover from their stable storage; every
// member broadcasts. After the faults stop the run settles and the checker judges it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/node/member.hpp"

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
  bool spare_leader = false;  // crashes and pauses never hit a member that leads
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
    m.memory_slots = 4;
    m.learner.retain_slots = 16;
    m.learner.truncate_chunk_slots = 3;
    m.read_ack_page_bytes = 64;  // a phase 1 answer in pages of a value or two
    return m;
  }();
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
  std::uint64_t gaps = 0;            // a member skipped truncated slots to a peer's snapshot
  std::uint64_t leader_crashes = 0;  // crashes of a member that was leading
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
