// A replicated counter on synod, the example of docs/api.md: three members in one process
// (each could as well be its own process), every member adds to the counter through
// TO-Broadcast, and every replica applies the same additions in the same order.
#include <atomic>
#include <boost/serialization/string.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include <synod/group.hpp>
#include "apps/common/options.hpp"

namespace {

// The command every replica applies, in delivery order.
struct add {
  std::string who;
  long amount = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& who& amount;
  }
};

// A replica: applies each delivered command to its own copy of the counter.
caf::behavior replica(caf::event_based_actor*, std::atomic<long>* counter,
                      std::atomic<std::size_t>* applied) {
  return {
      [counter, applied](const synod::delivered_batch& batch) {
        for (const auto& m : batch.messages) {
          *counter += synod::decode_payload<add>(m.payload).amount;
          ++*applied;
        }
      },
      [](const synod::subscribe_reply&) {},
      // Additions this replica never saw: its counter would be wrong, and the run says so.
      [](const synod::delivery_gap& g) {
        std::cerr << "slots " << g.first << " to " << g.last << " were truncated before replica "
                  << g.node << " applied them\n";
      },
  };
}

struct config : caf::actor_system_config {
  config() {
    synod::register_message_types(*this);
    load<caf::io::middleman>();
    set("logger.verbosity", caf::atom("quiet"));
  }
};

}  // namespace

int main(int argc, char** argv) {
  namespace cli = synod::cli;
  const cli::command_spec spec{
      "synod-example-counter [--port P] [--data DIR]",
      "Three members in this process add to a replicated counter through TO-Broadcast; every\n"
      "replica applies the same additions in the same order. Exits 0 if they all agree.",
      {cli::number("port", "P", "first member's port (default 7471; the others follow)", 1024,
                   65000),
       cli::text("data", "DIR", "the members' data (default: a new directory, removed after)")}};
  std::uint16_t base = 7471;
  std::string data;
  try {
    const cli::arguments args(spec, argc, argv, 1);
    base = static_cast<std::uint16_t>(args.number("port", base));
    data = args.get("data").value_or("");
  } catch (const cli::help_requested& h) {
    std::cout << h.what();
    return 0;
  } catch (const cli::usage_error& e) {
    std::cerr << "synod-example-counter: " << e.what() << " (see --help)\n";
    return 2;
  }
  const bool scratch = data.empty();
  if (scratch) {
    char dir[] = "/tmp/synod-counter-XXXXXX";
    if (!mkdtemp(dir)) {
      std::cerr << "synod-example-counter: cannot make a data directory in /tmp\n";
      return 1;
    }
    data = dir;
  }
  config cfg;
  caf::actor_system system{cfg};
  std::vector<synod::group_member> members;
  try {
    for (synod::node_id id = 1; id <= 3; ++id) {
      synod::node_config c;
      c.group = "counter-example";
      for (synod::node_id i = 1; i <= 3; ++i)
        c.members.push_back({i, "127.0.0.1", static_cast<std::uint16_t>(base + i - 1)});
      c.id = id;
      c.data_dir = data;
      members.push_back(synod::group_member::join(system, c));
    }
  } catch (const std::exception& e) {
    std::cerr << "synod-example-counter: " << e.what() << "\n";
    for (auto& m : members) m.leave();
    return 1;
  }
  std::vector<std::atomic<long>> counters(3);
  std::vector<std::atomic<std::size_t>> applied(3);
  // From slot 1: a replica rebuilds the counter from the whole history (earlier runs too).
  for (std::size_t i = 0; i < 3; ++i)
    members[i].subscribe(system.spawn(replica, &counters[i], &applied[i]), 1);

  caf::scoped_actor self{system};
  for (std::size_t i = 0; i < 3; ++i)  // every member adds 10 x (i + 1)
    for (int k = 0; k < 10; ++k)
      members[i].broadcast(self.ptr(), {synod::encode_payload(add{"member " + std::to_string(i + 1),
                                                                  static_cast<long>(i + 1)})});
  int delivered = 0;
  for (int replies = 0; replies < 30; ++replies)
    self->receive([&](const synod::broadcast_reply& r) { delivered += r.error.empty(); },
                  caf::after(std::chrono::seconds(10)) >> [&] { replies = 30; });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the last batches land
  for (std::size_t i = 0; i < 3; ++i)
    std::cout << "replica " << i + 1 << ": counter " << counters[i] << " after " << applied[i]
              << " additions\n";
  for (auto& m : members) m.leave();
  if (scratch) std::filesystem::remove_all(data);
  const bool agree = counters[0] == counters[1] && counters[1] == counters[2] &&
                     applied[0] == applied[1] && applied[1] == applied[2];
  // This run's 30 additions (60 in all) on top of whatever earlier runs in --data added.
  return agree && delivered == 30 && counters[0] >= 60 ? 0 : 1;
}
