// synod demo: a group of members as separate processes on loopback, every member broadcasting,
// live progress per member, the leader killed (kill -9) partway and restarted later; at the end
// each member's delivered count and the digest of its delivery sequence, which must be equal.
// Exit code 0 only if every member delivered the same sequence.
#include <csignal>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "apps/synod/cli.hpp"
#include "apps/synod/delivery_digest.hpp"
#include "apps/synod/local_group.hpp"
#include "apps/synod/progress_display.hpp"
#include "apps/synod/pump.hpp"

namespace synod::cli {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::atomic<bool> interrupted{false};

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

std::string seconds_text(clock_type::duration d) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << std::chrono::duration<double>(d).count() << " s";
  return out.str();
}

// The demo's script: when to crash the leader, when to bring it back, and what it observed.
class demo {
 public:
  demo(caf::actor_system& system, local_group& group, pump_options load, double duration)
      : system_(system), group_(group), load_(std::move(load)), duration_(duration) {}

  int run() {
    const unsigned n = static_cast<unsigned>(group_.config().members.size());
    say("starting " + std::to_string(n) + " members on 127.0.0.1 (data in " + group_.directory() +
        ")");
    group_.start_all();
    say("every member broadcasts " + std::to_string(load_.size) + "-byte messages for " +
        seconds_text(std::chrono::duration_cast<clock_type::duration>(
            std::chrono::duration<double>(duration_))));
    start_ = clock_type::now();
    for (node_id id = 1; id <= n; ++id) start_pump(id);
    bool killed = false, restarted = false;
    while (!interrupted) {
      const double t = elapsed();
      if (t >= duration_) break;
      poll();
      if (!killed && t >= 0.4 * duration_) killed = kill_leader();
      if (killed && !restarted && t >= 0.7 * duration_) restarted = restart_victim();
      std::this_thread::sleep_for(milliseconds(50));
    }
    display_.finish();
    if (interrupted) {
      std::cout << "interrupted\n";
      return 130;
    }
    return finish();
  }

 private:
  void say(const std::string& line) {
    std::ostringstream out;
    if (start_ != clock_type::time_point{})
      out << "[" << std::fixed << std::setprecision(1) << std::setw(5) << elapsed() << " s] ";
    display_.event(out.str() + line);
  }

  double elapsed() const {
    return std::chrono::duration<double>(clock_type::now() - start_).count();
  }

  void start_pump(node_id id) {
    auto counters = std::make_shared<pump_counters>();
    pump_options o = load_;
    o.prefix = "m" + std::to_string(id) + "." + std::to_string(++pump_generation_);
    pumps_[id] = {spawn_pump(system_, *group_.handle(id), o, counters), counters};
  }

  // One status round: the live lines, and the failover's milestones.
  void poll() {
    std::vector<std::string> lines;
    for (const auto& m : group_.config().members) {
      std::ostringstream line;
      line << "  node " << m.id << "  ";
      const auto s = group_.alive(m.id) ? group_.status(m.id, milliseconds(200)) : std::nullopt;
      if (!s) {
        line << (group_.alive(m.id) ? "not answering" : "down (killed)");
        lines.push_back(line.str());
        continue;
      }
      statuses_[m.id] = *s;
      line << std::left << std::setw(24) << ("delivered " + with_commas(s->delivered_messages))
           << std::setw(18)
           << (with_commas(static_cast<std::uint64_t>(s->messages_per_second)) + " msgs/s")
           << "leader " << (s->leader ? std::to_string(s->leader) : "?") << "  slot "
           << s->delivered_up_to;
      if (m.id == victim_ && restarted_at_) line << "  (restarted)";
      lines.push_back(line.str());
      watch_failover(m.id, *s);
    }
    display_.update(std::move(lines));
  }

  void watch_failover(node_id id, const status_reply& s) {
    if (!victim_ || id == victim_ || resumed_) return;
    if (!new_leader_ && s.leader != 0 && s.leader != victim_) {
      new_leader_ = clock_type::now();
      slot_at_new_leader_ = s.delivered_up_to;
      say("node " + std::to_string(id) + " now trusts node " + std::to_string(s.leader) +
          " as leader, " + seconds_text(*new_leader_ - killed_at_) + " after the crash");
    } else if (new_leader_ && s.delivered_up_to > slot_at_new_leader_) {
      resumed_ = clock_type::now();
      say("deliveries resumed under the new leader, " + seconds_text(*resumed_ - killed_at_) +
          " after the crash (seen by polling every 50 ms)");
    }
  }

  bool kill_leader() {
    std::map<node_id, int> votes;
    for (const auto& [id, s] : statuses_)
      if (s.leader) ++votes[s.leader];
    if (votes.empty()) return false;
    victim_ = std::max_element(votes.begin(), votes.end(), [](auto& a, auto& b) {
                return a.second < b.second;
              })->first;
    group_.kill(victim_);
    killed_at_ = clock_type::now();
    say("kill -9 of the leader, node " + std::to_string(victim_));
    return true;
  }

  bool restart_victim() {
    say("restarting node " + std::to_string(victim_) +
        ": it recovers from its log and catches up from its peers");
    group_.start(victim_);
    restarted_at_ = clock_type::now();
    start_pump(victim_);
    return true;
  }

  // Stops the load, waits until every member delivered the same slots, compares digests.
  int finish() {
    say("stopping the broadcasts; waiting for every member to deliver the same slots");
    for (auto& [id, p] : pumps_) caf::anon_send(p.first, stop_atom::value);
    const auto deadline = clock_type::now() + std::chrono::seconds(90);
    for (auto& [id, p] : pumps_)
      while (!p.second->done && clock_type::now() < deadline)
        std::this_thread::sleep_for(milliseconds(20));
    if (!converged(deadline)) {
      std::cout << "the members did not reach the same slot within 90 s\n";
      return 1;
    }
    std::cout << "what each member delivered, in order:\n";
    std::vector<delivery_digest> digests;
    for (const auto& m : group_.config().members) {
      digests.push_back(digest_of(system_, *group_.handle(m.id), milliseconds(10000)));
      std::cout << "  node " << m.id << ": " << with_commas(digests.back().messages())
                << " messages, sequence digest " << digests.back().hex() << "\n";
    }
    const bool agree = digests.front().messages() > 0 &&
                       std::all_of(digests.begin(), digests.end(),
                                   [&](const delivery_digest& d) { return d == digests.front(); });
    if (!agree) {
      std::cout << "the members DISAGREE\n";
      return 1;
    }
    std::cout << "all " << digests.size() << " members delivered the same "
              << with_commas(digests.front().messages()) << " messages in the same order";
    if (resumed_) std::cout << "; failover took " << seconds_text(*resumed_ - killed_at_);
    std::cout << "\n";
    return 0;
  }

  bool converged(clock_type::time_point deadline) {
    auto last_report = clock_type::now();
    while (clock_type::now() < deadline) {
      std::map<node_id, slot_t> slots;
      for (const auto& m : group_.config().members)
        if (const auto s = group_.status(m.id, milliseconds(500))) slots[m.id] = s->delivered_up_to;
      const auto [low, high] = std::minmax_element(
          slots.begin(), slots.end(), [](auto& a, auto& b) { return a.second < b.second; });
      if (slots.size() == group_.config().members.size() && low->second == high->second)
        return true;
      if (!slots.empty() && clock_type::now() - last_report > std::chrono::seconds(2)) {
        say("node " + std::to_string(low->first) + " is catching up: slot " +
            std::to_string(low->second) + " of " + std::to_string(high->second));
        last_report = clock_type::now();
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }

  caf::actor_system& system_;
  local_group& group_;
  pump_options load_;
  double duration_;
  progress_display display_;
  clock_type::time_point start_{};
  std::map<node_id, std::pair<caf::actor, std::shared_ptr<pump_counters>>> pumps_;
  unsigned pump_generation_ = 0;
  std::map<node_id, status_reply> statuses_;
  node_id victim_ = 0;
  clock_type::time_point killed_at_{};
  std::optional<clock_type::time_point> new_leader_, resumed_, restarted_at_;
  slot_t slot_at_new_leader_ = 0;
};

}  // namespace

command_spec demo_spec() {
  return {"synod demo [options]",
          "Starts a local group, loads it from every member, kills the leader mid-run,\n"
          "restarts it, and checks that every member delivered the same sequence.",
          {number("nodes", "N", "members (default 3)", 3, 9),
           number("duration", "S", "seconds of load (default 20)", 4, 86400),
           number("size", "B", "bytes per message (default 64)", 1, 1u << 20),
           number("port", "P", "first member's port (default 7601)", 1024, 65000),
           choice("storage", {"sqlite", "memory"}, "the members' storage (default sqlite)"),
           flag("keep", "keep the data directory"), verbose_option()}};
}

int run_demo(const arguments& args) {
  set_up_logging(args.has("verbose"));
  local_group_options options;
  options.nodes = static_cast<unsigned>(args.number("nodes", 3));
  if (options.nodes < 3 || options.nodes > 9)
    throw usage_error("--nodes: from 3 to 9 (a crash needs a majority left)");
  const auto port = args.number("port", 7601);
  if (port < 1024 || port + options.nodes > 65535) throw usage_error("--port: from 1024 on");
  options.base_port = static_cast<std::uint16_t>(port);
  options.storage = args.get("storage").value_or("sqlite");
  options.keep = args.has("keep");
  pump_options load;
  load.size = args.number("size", 64);
  if (load.size == 0 || load.size > (1 << 20)) throw usage_error("--size: from 1 to 1048576 bytes");
  load.batch = std::max<std::size_t>(1, (64 << 10) / load.size);  // about 64 KB a request
  load.batch = std::min<std::size_t>(load.batch, 256);
  const double duration = static_cast<double>(args.number("duration", 20));
  if (duration < 4) throw usage_error("--duration: at least 4 seconds");
  std::signal(SIGINT, [](int) { interrupted = true; });
  system_config cfg;
  caf::actor_system system{cfg};
  local_group group(system, options);
  return demo(system, group, load, duration).run();
}

}  // namespace synod::cli
