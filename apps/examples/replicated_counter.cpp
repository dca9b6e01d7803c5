// A replicated counter on synod, the example of docs/api.md: three members in one process
// (each could as well be its own process), every member adds to the counter through
// TO-Broadcast, and every replica applies the same additions in the same order.
#include <atomic>
#include <boost/serialization/string.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <chrono>
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

// What a replica's state is, and what it hands its member as a checkpoint.
struct tally {
  long counter = 0;
  std::size_t applied = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& counter& applied;
  }
};

struct replica_state {
  tally state;
  std::atomic<long>* shown = nullptr;  // for main() to read
  std::atomic<std::size_t>* applied = nullptr;
  bool wrong = false;  // it missed additions
};

// A replica: starts from its member's latest checkpoint (if any) and the slots after it,
// applies each delivered command, and hands the member a checkpoint after every batch, so a
// restart never needs more of the log than the member keeps (docs/api.md, "Checkpoints").
caf::behavior replica(caf::stateful_actor<replica_state>* self, synod::group_member member,
                      std::atomic<long>* shown, std::atomic<std::size_t>* applied,
                      bool from_start) {
  self->state.shown = shown;
  self->state.applied = applied;
  if (from_start)
    self->send(self, synod::checkpoint_reply{});  // as if the member kept none
  else
    member.latest_checkpoint(self);
  const auto publish = [self] {
    *self->state.shown = self->state.wrong ? -1 : self->state.state.counter;
    *self->state.applied = self->state.state.applied;
  };
  return {
      [=](const synod::checkpoint_reply& c) {
        if (c.slot > 0) self->state.state = synod::decode_payload<tally>(c.state);
        publish();
        // Slots cut from the log come as the member's checkpoint (from_start: as a gap).
        member.subscribe(caf::actor_cast<caf::actor>(self), c.slot + 1,
                         from_start ? synod::group_member::cut_slots::as_gap
                                    : synod::group_member::cut_slots::as_checkpoint);
      },
      // The member's checkpoint, maybe a peer's: the tally as of t.slot replaces this one.
      [=](const synod::checkpoint_transfer& t) {
        self->state.state = synod::decode_payload<tally>(t.state);
        publish();
      },
      [=](const synod::delivered_batch& batch) {
        auto& t = self->state.state;
        for (const auto& m : batch.messages) {
          t.counter += synod::decode_payload<add>(m.payload).amount;
          ++t.applied;
        }
        publish();
        member.checkpoint(self, batch.slot, synod::encode_payload(t));
      },
      [](const synod::subscribe_reply&) {},
      [](const synod::checkpoint_offer_reply& r) {
        if (!r.error.empty()) std::cerr << "checkpoint not kept: " << r.error << "\n";
      },
      // Additions this replica never saw: its counter would be wrong, and the run says so.
      [=](const synod::delivery_gap& g) {
        self->state.wrong = true;
        *self->state.shown = -1;
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
      "synod-example-counter [--port P] [--data DIR] [--additions N] [--retain-slots N] "
      "[--expect TOTAL]",
      "Three members in this process add to a replicated counter through TO-Broadcast; every\n"
      "replica applies the same additions in the same order, and starts from its member's\n"
      "latest checkpoint when --data holds earlier runs. Exits 0 if they all agree.",
      {cli::number("port", "P", "first member's port (default 7471; the others follow)", 1024,
                   65000),
       cli::text("data", "DIR", "the members' data (default: a new directory, removed after)"),
       cli::number("additions", "N", "additions per member, one at a time (default 10)", 1, 100000),
       cli::number("retain-slots", "N", "slots each member keeps (default 100000)", 0, 100000000),
       cli::number("expect", "TOTAL", "exit 1 unless every counter ends at TOTAL", 0, 1000000000),
       cli::flag("from-start",
                 "rebuild from slot 1, not from the checkpoint (once the log was "
                 "cut, a replica misses additions: why checkpoints matter)")}};
  std::uint16_t base = 7471;
  std::string data;
  long additions = 10;
  long retain_slots = 100000;
  long expect = -1;
  bool from_start = false;
  try {
    const cli::arguments args(spec, argc, argv, 1);
    base = static_cast<std::uint16_t>(args.number("port", base));
    data = args.get("data").value_or("");
    additions = static_cast<long>(args.number("additions", additions));
    retain_slots = static_cast<long>(args.number("retain-slots", retain_slots));
    from_start = args.has("from-start");
    if (args.get("expect")) expect = static_cast<long>(args.number("expect", 0));
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
      c.protocol.learner.retain_slots = static_cast<synod::slot_t>(retain_slots);
      members.push_back(synod::group_member::join(system, c));
    }
  } catch (const std::exception& e) {
    std::cerr << "synod-example-counter: " << e.what() << "\n";
    for (auto& m : members) m.leave();
    return 1;
  }
  std::vector<std::atomic<long>> counters(3);
  std::vector<std::atomic<std::size_t>> applied(3);
  for (std::size_t i = 0; i < 3; ++i)
    system.spawn(replica, members[i], &counters[i], &applied[i], from_start);

  // Member i adds i + 1, `additions` times, one addition at a time: each its own slot or two, so
  // a small retention cuts the log under the replicas.
  caf::scoped_actor self{system};
  long delivered = 0;
  for (long k = 0; k < additions; ++k)
    for (std::size_t i = 0; i < 3; ++i) {
      members[i].broadcast(self.ptr(), {synod::encode_payload(add{"member " + std::to_string(i + 1),
                                                                  static_cast<long>(i + 1)})});
      self->receive([&](const synod::broadcast_reply& r) { delivered += r.error.empty(); },
                    caf::after(std::chrono::seconds(10)) >> [] {});
    }
  const long total_now = 6 * additions;  // this run's: (1 + 2 + 3) x additions
  // Every reply came once its addition was delivered at that member; the other replicas may
  // still be applying the last batches.
  const auto settled = [&] {
    const bool same = applied[0] == applied[1] && applied[1] == applied[2] &&
                      counters[0] == counters[1] && counters[1] == counters[2];
    return same && (expect >= 0 ? counters[0] == expect : counters[0] >= total_now);
  };
  for (int wait = 0; wait < 100 && !settled(); ++wait)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (std::size_t i = 0; i < 3; ++i)
    std::cout << "replica " << i + 1 << ": counter " << counters[i] << " after " << applied[i]
              << " additions\n";
  for (auto& m : members) m.leave();
  if (scratch) std::filesystem::remove_all(data);
  const bool agree = counters[0] == counters[1] && counters[1] == counters[2] &&
                     applied[0] == applied[1] && applied[1] == applied[2];
  // This run's additions on top of whatever earlier runs in --data added.
  const bool complete = expect >= 0 ? counters[0] == expect : counters[0] >= total_now;
  return agree && delivered == 3 * additions && complete ? 0 : 1;
}
