// A replicated counter on synod, the example of docs/api.md: three members in one process
// (each could as well be its own process), every member adds to the counter through
// TO-Broadcast, and every replica applies the same additions in the same order.
#include <atomic>
#include <boost/serialization/string.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <iostream>
#include <thread>

#include "actors/node/group.hpp"

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
  const std::uint16_t base = argc > 1 ? static_cast<std::uint16_t>(std::stoi(argv[1])) : 7401;
  const std::string data = argc > 2 ? argv[2] : "synod-data/example";
  config cfg;
  caf::actor_system system{cfg};
  std::vector<synod::group_member> members;
  for (synod::node_id id = 1; id <= 3; ++id) {
    synod::node_config c;
    c.group = "counter-example";
    for (synod::node_id i = 1; i <= 3; ++i)
      c.members.push_back({i, "127.0.0.1", static_cast<std::uint16_t>(base + i - 1)});
    c.id = id;
    c.data_dir = data;
    members.push_back(synod::group_member::join(system, c));
  }
  std::vector<std::atomic<long>> counters(3);
  std::vector<std::atomic<std::size_t>> applied(3);
  for (std::size_t i = 0; i < 3; ++i)
    members[i].subscribe(system.spawn(replica, &counters[i], &applied[i]), 1);

  caf::scoped_actor self{system};
  for (std::size_t i = 0; i < 3; ++i)  // every member adds 10 x (i + 1)
    for (int k = 0; k < 10; ++k)
      members[i].broadcast(self.ptr(), {synod::encode_payload(add{"member " + std::to_string(i + 1),
                                                                  static_cast<long>(i + 1)})});
  for (int replies = 0; replies < 30;)
    self->receive([&](const synod::broadcast_reply& r) { replies += r.error.empty(); },
                  caf::after(std::chrono::seconds(10)) >> [&] { replies = 30; });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the last batches land
  for (std::size_t i = 0; i < 3; ++i)
    std::cout << "replica " << i + 1 << ": counter " << counters[i] << " after " << applied[i]
              << " additions\n";
  for (auto& m : members) m.leave();
  const bool agree = counters[0] == counters[1] && counters[1] == counters[2] && counters[0] == 60;
  return agree ? 0 : 1;
}
