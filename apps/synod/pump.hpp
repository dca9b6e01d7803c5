// Keeps one member busy: broadcast requests of `batch` synthetic messages, `window` of them in
// flight, a refused (busy) request offered again shortly, until told to stop or the member dies.
// Tools (the demo, the benchmark) run one pump per member they load.
#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace synod::cli {

struct pump_options {
  std::string prefix;  // makes every payload unique: PREFIX-N, padded to `size`
  std::size_t size = 64;
  std::size_t batch = 256;
  std::size_t window = 16;
};

// What a pump reports while it runs, read from other threads.
struct pump_counters {
  std::atomic<std::uint64_t> delivered{0};  // messages confirmed delivered at the member
  std::atomic<std::uint64_t> refused{0};    // requests refused as busy
  std::atomic<bool> done{false};            // stopped, or lost its member

  // Latencies from request to reply (delivery at the member), in microseconds, while recording.
  std::atomic<bool> recording{false};
  std::mutex latency_mutex;
  std::vector<float> latencies_us;
};

using stop_atom = caf::atom_constant<caf::atom("stop")>;

// Stop it with anon_send(pump, stop_atom::value): it waits for the requests in flight.
caf::actor spawn_pump(caf::actor_system& system, const caf::actor& member, pump_options options,
                      std::shared_ptr<pump_counters> counters);

}  // namespace synod::cli
