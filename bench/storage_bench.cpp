// ./run bench storage: what a group commit to the SQLite forced log costs, next to the raw fsync
// rate of the same directory measured in the same run; and the latency of the learner's commits
// with truncation running against the same without it. Medians over several runs.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "actors/learner/learner.hpp"
#include "persistence/sqlite_storage.hpp"

namespace {

using namespace synod;
using clock_type = std::chrono::steady_clock;

struct workload {
  std::size_t messages;  // client messages in the batch of one commit
  std::size_t bytes;     // payload bytes per message
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Writes `block_size` bytes and fdatasyncs, cycling over a preallocated 4 MB region as a
// reused log file does (no size change to sync); returns syncs per second.
double fsync_rate(const std::filesystem::path& dir, std::size_t block_size, double duration) {
  const std::string path = (dir / "fsync-probe").string();
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  constexpr off_t region = 4 << 20;
  const std::string block(block_size, 'f');
  for (off_t at = 0; at < region; at += static_cast<off_t>(block_size))
    if (pwrite(fd, block.data(), block.size(), at) != static_cast<ssize_t>(block.size()))
      throw std::runtime_error("cannot preallocate " + path);
  fsync(fd);
  std::size_t syncs = 0;
  off_t at = 0;
  const auto start = clock_type::now();
  while (seconds_since(start) < duration) {
    if (pwrite(fd, block.data(), block.size(), at) != static_cast<ssize_t>(block.size()) ||
        fdatasync(fd) != 0)
      throw std::runtime_error("write/fdatasync failed on " + path);
    at = (at + static_cast<off_t>(block_size)) % region;
    ++syncs;
  }
  const double rate = static_cast<double>(syncs) / seconds_since(start);
  close(fd);
  std::filesystem::remove(path);
  return rate;
}

// Commits one accept_record of a batch per transaction; returns commits per second.
double commit_rate(const std::filesystem::path& dir, const workload& w, double duration) {
  const std::string path = (dir / "bench.db").string();
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  sqlite_storage storage(sqlite_options{path, "bench", 1, 0});
  std::vector<client_message> messages;
  for (std::size_t i = 0; i < w.messages; ++i)
    messages.push_back(client_message{{1, i}, std::string(w.bytes, 'p')});
  const batch b(std::move(messages));
  std::size_t commits = 0;
  const auto start = clock_type::now();
  while (seconds_since(start) < duration) {
    ++commits;
    storage.commit({promise_record{{commits, 1}}, accept_record{commits, {commits, 1}, b}});
  }
  return static_cast<double>(commits) / seconds_since(start);
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// A member's log at 64 B messages: each commit holds what the learner produced for one decided
// batch of 256 messages (the accepted value and the delivery, snapshots and cuts when due),
// `commits` times after `warm_up` commits filled the retention. Returns ms per commit.
std::vector<double> ledger_latencies(const std::filesystem::path& dir, std::uint64_t retain_bytes,
                                     std::size_t warm_up, std::size_t commits) {
  const std::string path = (dir / "ledger.db").string();
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  sqlite_storage storage(sqlite_options{path, "bench", 1, 0});
  learner_config config;
  config.retain_bytes = retain_bytes;
  learner core(1, config, {});
  std::vector<double> latencies;
  std::uint64_t seq = 0;
  for (slot_t slot = 1; slot <= warm_up + commits; ++slot) {
    batch_builder b;
    for (int i = 0; i < 256; ++i) b.add({2, seq++}, std::string(64, 'p'));
    const batch value = b.finish();
    core.step(2, decision{slot, value});
    std::vector<durable_record> records;
    records.emplace_back(std::in_place_type<accept_record>, accept_record{slot, {1, 1}, value});
    for (auto& r : core.outbox().take().durable) records.push_back(std::move(r));
    const auto start = clock_type::now();
    storage.commit(records);
    if (slot > warm_up) latencies.push_back(seconds_since(start) * 1000);
  }
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  return latencies;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = "synod-data/bench-storage";
  int runs = 3;
  double duration = 1.0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "synod-bench-storage: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--dir")
      dir = value();
    else if (arg == "--runs")
      runs = std::max(1, std::stoi(value()));
    else if (arg == "--seconds")
      duration = std::stod(value());
    else if (arg == "--help") {
      std::cout << "usage: synod-bench-storage [--dir DIR] [--runs N] [--seconds S]\n";
      return 0;
    } else {
      std::cerr << "synod-bench-storage: unknown option '" << arg << "'\n";
      return 2;
    }
  }
  std::filesystem::create_directories(dir);
  const std::vector<workload> workloads = {{1, 64},    {64, 64},   {1024, 64},
                                           {16, 1024}, {64, 1024}, {1, 65536}};
  try {
    std::vector<double> fsyncs, fsyncs_64k;
    std::vector<std::vector<double>> commits(workloads.size());
    for (int run = 0; run < runs; ++run) {
      std::cerr << "run " << run + 1 << "/" << runs << ": fsync probe";
      fsyncs.push_back(fsync_rate(dir, 4096, duration));
      fsyncs_64k.push_back(fsync_rate(dir, 65536, duration));
      for (std::size_t i = 0; i < workloads.size(); ++i) {
        std::cerr << ", " << workloads[i].messages << "x" << workloads[i].bytes << "B";
        commits[i].push_back(commit_rate(dir, workloads[i], duration));
      }
      std::cerr << "\n";
    }
    const double fsync = median(fsyncs);
    const double fsync_64k = median(fsyncs_64k);
    std::printf("raw fsync in %s (medians of %d runs):\n", std::filesystem::absolute(dir).c_str(),
                runs);
    std::printf("  4 KB write + fdatasync: %.0f/s, %.3f ms each\n", fsync, 1000.0 / fsync);
    std::printf("  64 KB write + fdatasync: %.0f/s, %.3f ms each\n\n", fsync_64k,
                1000.0 / fsync_64k);
    std::printf(
        "| batch per commit | commits/s | messages/s | MB/s | ms/commit | x 4 KB fsync | x 64 KB "
        "fsync |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (std::size_t i = 0; i < workloads.size(); ++i) {
      const auto& w = workloads[i];
      const double rate = median(commits[i]);
      std::printf("| %zu x %zu B | %.0f | %.0f | %.1f | %.3f | %.2f | %.2f |\n", w.messages,
                  w.bytes, rate, rate * static_cast<double>(w.messages),
                  rate * static_cast<double>(w.messages * w.bytes) / 1e6, 1000.0 / rate,
                  fsync / rate, fsync_64k / rate);
    }
    for (const char* suffix : {"", "-wal", "-shm", ".lock"})
      std::filesystem::remove((dir / "bench.db").string() + suffix);

    // Truncation must not stall commits: the same commits with a 4 MiB retention (a cut of up
    // to 64 slots rides along every ~11 commits) and with none, interleaved run by run.
    const std::size_t warm_up = 2000, measured = 3000;
    std::vector<double> p50[2], p99[2], worst[2];
    for (int run = 0; run < runs; ++run) {
      std::cerr << "run " << run + 1 << "/" << runs << ": ledger commits without and with cuts\n";
      for (int cut = 0; cut < 2; ++cut) {
        const auto l = ledger_latencies(dir, cut ? std::uint64_t{4} << 20 : 0, warm_up, measured);
        p50[cut].push_back(percentile(l, 0.5));
        p99[cut].push_back(percentile(l, 0.99));
        worst[cut].push_back(percentile(l, 1.0));
      }
    }
    std::printf("\nlearner commits of 256 x 64 B (medians of %d runs of %zu commits):\n", runs,
                measured);
    std::printf("| truncation | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|\n");
    for (int cut = 0; cut < 2; ++cut)
      std::printf("| %s | %.3f | %.3f | %.3f |\n", cut ? "4 MiB retention" : "none",
                  median(p50[cut]), median(p99[cut]), median(worst[cut]));
    std::printf("p99 with truncation / without: %.2f\n", median(p99[1]) / median(p99[0]));
  } catch (const std::exception& e) {
    std::cerr << "synod-bench-storage: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
