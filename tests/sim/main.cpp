// synod-sim: runs many seeded executions of the simulator and reports what the checker found.
//   synod-sim --nodes 5 --seeds 1000 --loss 0.2 --dup 0.1 --crash 0.01 [--first-seed S] ...
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "tests/sim/simulator.hpp"

namespace {

using synod::sim::sim_config;

struct options {
  sim_config config;
  std::uint64_t seeds = 100;
  std::uint64_t first_seed = 1;
  bool verbose = false;
  bool expect_violation = false;
};

[[noreturn]] void usage_error(const std::string& what) {
  std::cerr << "synod-sim: " << what << " (see --help)\n";
  std::exit(2);
}

void print_help() {
  std::cout <<
      R"(usage: synod-sim [options]
  --nodes N           members in the group (default 3)
  --seeds K           executions to run (default 100)
  --first-seed S      seed of the first execution (default 1)
  --loss P            share of messages lost while faults last (default 0)
  --dup P             share of messages duplicated (default 0)
  --crash P           per member and tick, chance of a crash (default 0)
  --crash-leader P    per tick, extra chance that a member leading a round crashes
  --partition P       per tick, chance a partition starts (default 0)
  --one-way P         per tick, chance that one member stops hearing another for a while
  --pause P           per member and tick, chance it pauses (SIGSTOP) for a while
  --slow P            per tick, chance that one member hears everything late for a while
  --slow-delay T      ...by up to T more ticks (default 30; the failure timeout is 12)
  --timeout T         ticks without a heartbeat before a member is suspected (default 12)
  --crash-after-commit P  per commit, chance the member crashes before the sends it allows
  --amnesia P         per restart, chance the member comes back with an empty database
  --beat-loss P       share of heartbeats lost (data still gets through)
  --link-delay P      per tick, chance that one link (one direction) turns slow for a while
  --rogue P           per tick, chance a member is told it leads, whatever Omega says
  --burst P           per member and tick, chance of 40 broadcasts at once (backpressure)
  --local-delay T     notes between a member's roles take 1 to T time units (default 5)
  --commit-delay T    a commit takes 1 to T time units (default 8)
  --spare-leader      crashes (not --crash-leader) and pauses never hit a member that leads
  --delay T           maximum message delay in time units; a tick is 10 (default 30)
  --ticks T           ticks with faults and broadcasts (default 300)
  --settle T          ticks allowed to settle after the faults (default 3000)
  --rate P            per member and tick, chance of a broadcast (default 0.3)
  --window N          leader's slots in flight (default 8)
  --batch N           client messages per batch at most (default 1024)
  --max-pending N     client messages a leader holds at most (default 100000)
  --max-undelivered N own broadcasts a member keeps undelivered before refusing (default 100000)
  --max-leader-rounds N  fail an execution that starts more than N rounds after its first
                      decision (leader stability; default: no limit)
  --retain-slots N    delivered slots a member keeps on disk (default 16; 0: all)
  --checkpoint-every N  each member's application hands its member a checkpoint every N slots
                      and takes a checkpoint (its member's, or a peer's by state transfer) for
                      slots cut from the log; the checker compares the applications' states
                      (default 0: no checkpoints, gaps)
  --bug NAME          plant a bug: acceptor-forgets-promise, leader-reuses-round,
                      learner-skips-ahead, snapshot-loses-ids, snapshot-loses-digest,
                      read-answer-first-page, send-before-commit, no-admission,
                      stale-checkpoint
  --expect-violation  exit 0 only if some execution was found violating (for planted bugs)
  --verbose           print one line per execution
  --trace             print every event (use with --seeds 1)
)";
}

options parse(int argc, char** argv) {
  options o;
  auto& c = o.config;
  std::map<std::string, std::function<void(const std::string&)>> with_value = {
      {"--nodes", [&](auto v) { c.nodes = std::stoul(v); }},
      {"--seeds", [&](auto v) { o.seeds = std::stoull(v); }},
      {"--first-seed", [&](auto v) { o.first_seed = std::stoull(v); }},
      {"--loss", [&](auto v) { c.loss = std::stod(v); }},
      {"--dup", [&](auto v) { c.dup = std::stod(v); }},
      {"--crash", [&](auto v) { c.crash = std::stod(v); }},
      {"--crash-leader", [&](auto v) { c.crash_leader = std::stod(v); }},
      {"--partition", [&](auto v) { c.partition = std::stod(v); }},
      {"--one-way", [&](auto v) { c.one_way = std::stod(v); }},
      {"--pause", [&](auto v) { c.pause = std::stod(v); }},
      {"--slow", [&](auto v) { c.slow = std::stod(v); }},
      {"--crash-after-commit", [&](auto v) { c.crash_after_commit = std::stod(v); }},
      {"--amnesia", [&](auto v) { c.amnesia = std::stod(v); }},
      {"--beat-loss", [&](auto v) { c.beat_loss = std::stod(v); }},
      {"--link-delay", [&](auto v) { c.link_delay = std::stod(v); }},
      {"--burst", [&](auto v) { c.burst = std::stod(v); }},
      {"--rogue", [&](auto v) { c.rogue = std::stod(v); }},
      {"--local-delay", [&](auto v) { c.local_delay = std::stoull(v); }},
      {"--commit-delay", [&](auto v) { c.commit_delay = std::stoull(v); }},
      {"--slow-delay", [&](auto v) { c.slow_delay_ticks = std::stoull(v); }},
      {"--timeout", [&](auto v) { c.member.failure_detector.timeout_ticks = std::stoul(v); }},
      {"--delay", [&](auto v) { c.max_delay = std::stoull(v); }},
      {"--ticks", [&](auto v) { c.fault_ticks = std::stoull(v); }},
      {"--settle", [&](auto v) { c.settle_ticks = std::stoull(v); }},
      {"--rate", [&](auto v) { c.broadcast_rate = std::stod(v); }},
      {"--window", [&](auto v) { c.member.leader.window = std::stoul(v); }},
      {"--batch", [&](auto v) { c.member.leader.max_batch_messages = std::stoul(v); }},
      {"--max-pending", [&](auto v) { c.member.leader.max_pending = std::stoul(v); }},
      {"--max-undelivered", [&](auto v) { c.member.broadcast.max_undelivered = std::stoul(v); }},
      {"--max-leader-rounds", [&](auto v) { c.max_leader_rounds = std::stoull(v); }},
      {"--retain-slots", [&](auto v) { c.member.learner.retain_slots = std::stoull(v); }},
      {"--checkpoint-every", [&](auto v) { c.app_checkpoint_every = std::stoull(v); }},
      {"--bug",
       [&](auto v) {
         auto bug = synod::sim::parse_bug(v);
         if (!bug) usage_error("unknown bug '" + v + "'");
         c.bug = *bug;
       }},
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    if (arg == "--help" || arg == "-h") {
      print_help();
      std::exit(0);
    } else if (arg == "--verbose") {
      o.verbose = true;
    } else if (arg == "--spare-leader") {
      c.spare_leader = true;
    } else if (arg == "--trace") {
      c.trace = true;
    } else if (arg == "--expect-violation") {
      o.expect_violation = true;
    } else if (auto it = with_value.find(arg); it != with_value.end()) {
      if (!has_value) {
        if (i + 1 >= argc) usage_error(arg + " needs a value");
        value = argv[++i];
      }
      try {
        it->second(value);
      } catch (const std::logic_error&) {
        usage_error("bad value '" + value + "' for " + arg);
      }
    } else {
      usage_error("unknown option '" + arg + "'");
    }
  }
  if (c.nodes < 1 || c.nodes > 64) usage_error("--nodes must be between 1 and 64");
  for (double p :
       {c.loss, c.dup, c.crash, c.crash_leader, c.partition, c.one_way, c.pause, c.broadcast_rate})
    if (p < 0 || p > 1) usage_error("probabilities must be between 0 and 1");
  if (c.max_delay < 1) usage_error("--delay must be at least 1");
  // The cores say what they cannot work with; the flag behind each field is named.
  const std::map<std::string, std::string> flags = {
      {"leader.window", "--window"},
      {"leader.max_batch_messages", "--batch"},
      {"leader.max_pending", "--max-pending"},
      {"broadcast.max_undelivered", "--max-undelivered"},
      {"failure_detector.timeout_ticks", "--timeout"},
  };
  for (const auto& p : c.member.problems()) {
    auto flag = flags.find(p.field);
    usage_error((flag == flags.end() ? p.field : flag->second) + " " + p.what);
  }
  return o;
}

std::string replay_command(std::uint64_t seed, int argc, char** argv) {
  std::ostringstream cmd;
  cmd << "./run sim";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--seeds", 0) == 0 || arg.rfind("--first-seed", 0) == 0 ||
        arg == "--expect-violation") {
      if (arg.find('=') == std::string::npos && arg != "--expect-violation") ++i;
      continue;
    }
    cmd << " " << arg;
  }
  cmd << " --first-seed " << seed << " --seeds 1 --trace";
  return cmd.str();
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse(argc, argv);
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t failed = 0, broadcasts = 0, deliveries = 0, crashes = 0, sent = 0;
  std::uint64_t leader_crashes = 0, rounds = 0, gaps = 0, amnesiac = 0, refused = 0, busy = 0;
  std::uint64_t transfers = 0, checkpoints_taken = 0, app_gaps = 0, resumed = 0;
  std::size_t max_held = 0;
  std::uint64_t first_failed_seed = 0;
  for (std::uint64_t seed = o.first_seed; seed < o.first_seed + o.seeds; ++seed) {
    const auto r = synod::sim::run_simulation(o.config, seed);
    broadcasts += r.broadcasts;
    deliveries += r.deliveries;
    crashes += r.crashes;
    sent += r.messages_sent;
    leader_crashes += r.leader_crashes;
    rounds += r.rounds_after_first_decision;
    gaps += r.gaps;
    transfers += r.state_transfers;
    resumed += r.transfers_resumed;
    checkpoints_taken += r.app_checkpoints_taken;
    app_gaps += r.app_gaps;
    amnesiac += r.amnesiac_restarts;
    refused += r.refused_stops;
    busy += r.busy_refusals;
    max_held = std::max(max_held, r.max_held);
    if (o.verbose)
      std::cout << "seed " << seed << ": " << r.broadcasts << " broadcast, " << r.deliveries
                << " delivered, " << r.crashes << " crashes, " << r.partitions << " partitions, "
                << r.pauses << " pauses, " << r.gaps << " gaps, " << r.leader_crashes
                << " leader crashes, " << r.rounds_after_first_decision
                << " rounds after the first decision, largest held set " << r.max_held
                << ", settled in " << r.settle_ticks_used << " ticks, "
                << (r.ok() ? "ok" : "VIOLATION") << "\n";
    if (o.seeds == 1)
      for (const auto& [id, summary] : r.per_member)
        std::cout << "node " << id << ": delivered " << summary.first
                  << " messages, sequence digest " << std::hex << summary.second << std::dec
                  << "\n";
    if (!r.ok()) {
      if (failed++ == 0) {
        first_failed_seed = seed;
        std::cout << "seed " << seed << " violates:\n";
        for (std::size_t i = 0; i < r.violations.size() && i < 5; ++i)
          std::cout << "  " << r.violations[i] << "\n";
        if (r.violations.size() > 5)
          std::cout << "  ... and " << r.violations.size() - 5 << " more\n";
      }
      if (o.expect_violation) break;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::uint64_t executions =
      failed && o.expect_violation ? first_failed_seed - o.first_seed + 1 : o.seeds;
  std::cout << std::fixed << std::setprecision(1) << "executions: " << executions << " in "
            << seconds << " s (" << executions / std::max(seconds, 1e-9) << "/s), "
            << "broadcasts: " << broadcasts << ", deliveries: " << deliveries
            << ", crashes: " << crashes << " (of a leader: " << leader_crashes
            << "), gaps: " << gaps << ", rounds after the first decision: " << rounds
            << ", largest held set: " << max_held << ", messages sent: " << sent;
  if (amnesiac > 0)
    std::cout << ", restarts without a database: " << amnesiac << " (members refused: " << refused
              << ")";
  if (busy > 0) std::cout << ", broadcasts refused as busy and retried: " << busy;
  if (o.config.app_checkpoint_every > 0)
    std::cout << ", state transfers: " << transfers << " (resumed after a crash: " << resumed << ")"
              << ", cuts made up by a checkpoint: " << checkpoints_taken
              << " (by a gap: " << app_gaps << ")";
  std::cout << ", violating executions: " << failed << "\n";
  if (failed) std::cout << "replay: " << replay_command(first_failed_seed, argc, argv) << "\n";
  if (o.expect_violation) {
    if (!failed) std::cout << "expected a violation, found none\n";
    return failed ? 0 : 1;
  }
  return failed ? 1 : 0;
}
