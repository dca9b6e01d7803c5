// synod bench: measures a group under load and the machine's own limits, as one JSON object on
// stdout (a summary goes to stderr). What it measures:
//   (default)        a self-started local group (or a running one: --config FILE): throughput
//                    delivered at every member, latency from broadcast to local delivery, memory
//                    per member, and with --kill-leader-at the deliveries over time around a
//                    leader crash
//   --what fsync     appends of 4 KiB, each followed by fdatasync, in --dir: the disk's limit
//   --what rtt       request/response round trips to an echo actor in another process
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <caf/io/all.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "apps/synod/cli.hpp"
#include "apps/synod/local_group.hpp"
#include "apps/synod/pump.hpp"

namespace synod::cli {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

nlohmann::json percentiles(std::vector<float> samples) {
  if (samples.empty()) return {{"samples", 0}};
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))];
  };
  nlohmann::json cdf = nlohmann::json::array();  // for plots: [quantile, microseconds]
  for (double q : {0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99,
                   0.995, 0.999})
    cdf.push_back({q, at(q)});
  return {{"samples", samples.size()},
          {"p50_us", at(0.5)},
          {"p90_us", at(0.9)},
          {"p99_us", at(0.99)},
          {"p999_us", at(0.999)},
          {"max_us", samples.back()},
          {"cdf", cdf}};
}

nlohmann::json fsync_baseline(const arguments& args) {
  const std::string dir = args.get("dir").value_or(".");
  const std::string path = dir + "/synod-bench-fsync.tmp";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  const std::string block(4096, 'x');
  std::vector<float> latencies;
  const auto start = clock_type::now();
  while (seconds_since(start) < static_cast<double>(args.number("duration", 3))) {
    const auto t = clock_type::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0)
      throw std::runtime_error("write or fdatasync failed in " + dir);
    latencies.push_back(std::chrono::duration<float, std::micro>(clock_type::now() - t).count());
  }
  const double elapsed = seconds_since(start);
  ::close(fd);
  ::unlink(path.c_str());
  return {{"what", "fsync"},
          {"dir", dir},
          {"fsyncs_per_s", latencies.size() / elapsed},
          {"latency", percentiles(latencies)}};
}

using echo_atom = caf::atom_constant<caf::atom("echo")>;

nlohmann::json rtt_baseline(const arguments& args) {
  const auto port = static_cast<std::uint16_t>(args.number("port", 7690));
  child_process echo({"bench-echo", "--port", std::to_string(port)}, "/dev/null");
  system_config cfg;
  caf::actor_system system{cfg};
  std::optional<caf::actor> peer;
  for (int i = 0; i < 100 && !peer; ++i) {
    peer = try_connect(system, member_address{0, "127.0.0.1", port}, milliseconds(500));
    if (!peer) std::this_thread::sleep_for(milliseconds(50));
  }
  if (!peer) throw std::runtime_error("the echo process did not start");
  caf::scoped_actor self{system};
  const std::string payload(100, 'x');
  std::vector<float> latencies;
  const auto rounds = args.number("count", 3000);
  for (std::uint64_t i = 0; i < rounds + 200; ++i) {
    const auto t = clock_type::now();
    self->request(*peer, std::chrono::seconds(5), echo_atom::value, payload)
        .receive([](echo_atom, const std::string&) {},
                 [](const caf::error&) { throw std::runtime_error("echo request failed"); });
    if (i >= 200)  // the first ones warm up connections and threads
      latencies.push_back(std::chrono::duration<float, std::micro>(clock_type::now() - t).count());
  }
  return {
      {"what", "caf_rtt"}, {"payload_bytes", payload.size()}, {"latency", percentiles(latencies)}};
}

// One measured run of a group under load.
class group_bench {
 public:
  group_bench(caf::actor_system& system, local_group& group, const arguments& args)
      : system_(system), group_(group), args_(args) {}

  nlohmann::json run() {
    const unsigned n = static_cast<unsigned>(group_.config().members.size());
    const bool single = args_.get("load").value_or("saturation") == "single";
    const bool from_all = args_.get("from").value_or("all") == "all";
    pump_options o;
    o.size = args_.number("size", 64);
    o.window = single ? 1 : args_.number("window", 16);
    o.batch = single ? 1 : std::clamp<std::size_t>((64 << 10) / o.size, 1, 256);
    const double warmup = static_cast<double>(args_.number("warmup-ms", 1500)) / 1000;
    const double duration = static_cast<double>(args_.number("duration-ms", 5000)) / 1000;
    const double kill_at = static_cast<double>(args_.number("kill-leader-at-ms", 0)) / 1000;
    const auto sample = milliseconds(args_.number("sample-ms", 100));
    std::vector<std::shared_ptr<pump_counters>> counters;
    std::vector<caf::actor> pumps;
    for (node_id id = 1; id <= (from_all ? n : 1); ++id) {
      counters.push_back(std::make_shared<pump_counters>());
      o.prefix = "b" + std::to_string(id);
      pumps.push_back(spawn_pump(system_, *group_.handle(id), o, counters.back()));
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
    const auto before = statuses();
    for (auto& c : counters) c->recording = true;
    std::map<node_id, std::uint64_t> rss_start, rss_max;
    for (node_id id = 1; id <= n; ++id) rss_start[id] = rss_max[id] = group_.resident_kib(id);
    const auto start = clock_type::now();
    nlohmann::json timeline = nlohmann::json::array();
    node_id victim = 0;
    std::optional<double> killed_at, failover;
    slot_t slot_at_kill = 0;
    while (seconds_since(start) < duration) {
      const double t = seconds_since(start);
      const auto now = statuses();
      std::uint64_t low = UINT64_MAX;
      for (const auto& [id, s] : now) low = std::min(low, s.delivered_messages);
      std::uint64_t rss = 0;
      for (node_id id = 1; id <= n; ++id) {
        const auto kib = group_.resident_kib(id);
        rss = std::max(rss, kib);
        rss_max[id] = std::max(rss_max[id], kib);
      }
      timeline.push_back({{"t", t}, {"delivered", now.empty() ? 0 : low}, {"rss_kib", rss}});
      if (kill_at > 0 && !killed_at && t >= kill_at && now.count(1)) {
        victim = now.at(1).leader ? now.at(1).leader : 1;
        slot_at_kill = now.at(victim == 1 ? 2 : 1).delivered_up_to;
        group_.kill(victim);
        killed_at = seconds_since(start);
      }
      if (killed_at && !failover) {
        // Deliveries resumed: a survivor trusts another leader and delivered past the slot it
        // held when the leader died (batches decided before the crash are not the new leader's).
        for (const auto& [id, s] : now)
          if (id != victim && s.leader != victim && s.leader != 0 &&
              s.delivered_up_to > slot_at_kill + 1)
            failover = seconds_since(start) - *killed_at;
      }
      std::this_thread::sleep_for(killed_at && !failover ? milliseconds(10) : sample);
    }
    const auto after = statuses();
    const double elapsed = seconds_since(start);
    std::vector<float> latencies;
    for (auto& c : counters) {
      c->recording = false;
      std::lock_guard<std::mutex> lock(c->latency_mutex);
      latencies.insert(latencies.end(), c->latencies_us.begin(), c->latencies_us.end());
    }
    for (auto& p : pumps) caf::anon_send(p, stop_atom::value);
    nlohmann::json per_node = nlohmann::json::array();
    double slowest = -1, bytes_at_slowest = 0;
    for (const auto& [id, s] : after) {
      if (!before.count(id)) continue;
      const double rate = (s.delivered_messages - before.at(id).delivered_messages) / elapsed;
      const double bytes = (s.delivered_bytes - before.at(id).delivered_bytes) / elapsed;
      per_node.push_back({{"node", id},
                          {"msgs_per_s", rate},
                          {"mb_per_s", bytes / 1e6},
                          {"rss_kib_start", rss_start[id]},
                          {"rss_kib_max", rss_max[id]}});
      if (slowest < 0 || rate < slowest) {
        slowest = rate;
        bytes_at_slowest = bytes;
      }
    }
    nlohmann::json out = {{"what", "group"},
                          {"nodes", n},
                          {"storage", group_.config().storage},
                          {"size", o.size},
                          {"load", single ? "single" : "saturation"},
                          {"from", from_all ? "all" : "one"},
                          {"seconds", elapsed},
                          {"msgs_per_s", std::max(slowest, 0.0)},
                          {"mb_per_s", bytes_at_slowest / 1e6},
                          {"latency", percentiles(std::move(latencies))},
                          {"per_node", per_node},
                          {"timeline", timeline}};
    if (kill_at > 0) {
      out["killed"] = victim;
      out["killed_at_s"] = killed_at.value_or(-1);
      out["failover_s"] = failover.value_or(-1);
    }
    return out;
  }

 private:
  std::map<node_id, status_reply> statuses() {
    std::map<node_id, status_reply> out;
    for (const auto& m : group_.config().members)
      if (group_.alive(m.id))
        if (auto s = group_.status(m.id, milliseconds(1000))) out[m.id] = *s;
    return out;
  }

  caf::actor_system& system_;
  local_group& group_;
  const arguments& args_;
};

}  // namespace

command_spec bench_echo_spec() {
  return {"synod bench-echo --port P",
          "The far end of synod bench --what rtt.",
          {number("port", "P", "port to answer on (default 7690)", 1, 65535)}};
}

command_spec bench_spec() {
  return {"synod bench [options]",
          "Measures a group it starts (or a running one, --config) and prints JSON: throughput,\n"
          "latency percentiles, memory; or the machine's baselines (--what fsync|rtt).",
          {choice("what", {"group", "fsync", "rtt"}, "what to measure (default group)"),
           text("config", "FILE", "measure this running group instead of starting one"),
           number("nodes", "N", "members to start (default 3)", 1, 9),
           number("port", "P", "first member's port (default 7661)", 1024, 65000),
           choice("storage", {"sqlite", "memory"}, "the members' storage (default sqlite)"),
           number("size", "B", "bytes per message (default 64)", 1, 1u << 26),
           choice("load", {"saturation", "single"}, "as fast as possible, or one at a time"),
           choice("from", {"all", "one"}, "broadcast through every member or one"),
           number("duration-ms", "T", "measured time (default 5000)", 100, 86400000),
           number("kill-leader-at-ms", "T", "kill the leader this far into the run", 1, 86400000),
           text("settings", "K=V;...", "more [synod] settings for the members"),
           text("dir", "DIR", "where --what fsync writes (default .)"),
           number("duration", "S", "seconds --what fsync runs (default 3)", 1, 3600),
           number("count", "K", "round trips --what rtt makes (default 3000)", 1, 10000000),
           verbose_option()}};
}

int run_bench_echo(const arguments& args) {
  system_config cfg;
  caf::actor_system system{cfg};
  auto echo = system.spawn([]() -> caf::behavior {
    return {[](echo_atom a, const std::string& s) { return caf::make_message(a, s); }};
  });
  const auto port = static_cast<std::uint16_t>(args.number("port", 7690));
  if (!system.middleman().publish(echo, port, "127.0.0.1", true))
    throw std::runtime_error("cannot listen on port " + std::to_string(port));
  std::this_thread::sleep_for(std::chrono::hours(1));  // the parent kills it
  return 0;
}

int run_bench(const arguments& args) {
  set_up_logging(args.has("verbose"));
  const std::string what = args.get("what").value_or("group");
  nlohmann::json result;
  if (what == "fsync") {
    result = fsync_baseline(args);
  } else if (what == "rtt") {
    result = rtt_baseline(args);
  } else if (what == "group") {
    local_group_options options;
    options.nodes = static_cast<unsigned>(args.number("nodes", 3));
    if (options.nodes < 1 || options.nodes > 9) throw usage_error("--nodes: from 1 to 9");
    options.base_port = static_cast<std::uint16_t>(args.number("port", 7661));
    options.storage = args.get("storage").value_or("sqlite");
    // More [synod] settings for the members, e.g. --settings "window=16;batch-messages=2048".
    if (auto extra = args.get("settings")) {
      std::istringstream in(*extra);
      for (std::string line; std::getline(in, line, ';');)
        if (!line.empty()) options.extra_settings.push_back(line);
    }
    if (options.storage != "sqlite" && options.storage != "memory")
      throw usage_error("--storage: sqlite or memory");
    system_config cfg;
    caf::actor_system system{cfg};
    std::unique_ptr<local_group> group;
    if (auto path = args.get("config")) {  // a running group: measured, never killed
      if (args.has("kill-leader-at-ms"))
        throw usage_error("--kill-leader-at-ms: only for a group this command starts");
      group = std::make_unique<local_group>(system, *path);
    } else {
      group = std::make_unique<local_group>(system, options);
    }
    group->start_all();
    result = group_bench(system, *group, args).run();
  } else {
    throw usage_error("--what: group, fsync or rtt");
  }
  std::cout << result.dump() << std::endl;
  std::cout.flush();
  std::_Exit(0);  // the pumps and members are not worth an orderly shutdown
}

}  // namespace synod::cli
