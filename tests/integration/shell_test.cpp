// The real actor shells of one member, stepped deterministically by CAF's test coordinator: no
// thread, no socket, no timeout. The storage, the transport, a client and a subscriber are
// fakes that record what reaches them; the storage answers a commit only when the test releases
// it. What is checked is the shells' part of the design: nothing is sent, told or delivered
// before the records it depends on are durable, and the wiring takes every message and note to
// the role that needs it (a group of one: every message goes through the transport and back).
#include <gtest/gtest.h>
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <memory>
#include <set>

#include "actors/acceptor/acceptor_actor.hpp"
#include "actors/composition/member_config.hpp"
#include "actors/composition/routing.hpp"
#include "actors/failure_detector/failure_detector_actor.hpp"
#include "actors/front/front_actor.hpp"
#include "actors/leader/leader_actor.hpp"
#include "actors/learner/learner_actor.hpp"
#include "messaging/caf_types.hpp"
#include "messaging/overloaded.hpp"

namespace synod {
namespace {

struct stepped_config : caf::actor_system_config {
  stepped_config() {
    register_message_types(*this);
    set("scheduler.policy", caf::atom("testing"));
    set("logger.verbosity", caf::atom("quiet"));
  }
};

// Everything the fakes saw, and what is durable so far.
struct observed {
  struct held_commit {
    caf::actor role;
    commit_request request;
  };
  std::vector<held_commit> held;  // not answered yet, oldest first
  std::vector<durable_record> disk;
  std::vector<wire_message> sent;                         // through the transport, in order
  std::vector<std::string> violations;                    // sent or delivered before its record
  std::vector<std::pair<slot_t, std::string>> delivered;  // what the subscriber got
  std::vector<broadcast_reply> replies;                   // what the client got
  std::vector<checkpoint_offer_reply> kept;               // the client's checkpoint answers
  std::vector<checkpoint_reply> latest;

  bool on_disk(const std::function<bool(const durable_record&)>& match) const {
    for (const auto& r : disk)
      if (match(r)) return true;
    return false;
  }
  bool promised(const round_t& round) const {
    return on_disk([&](const durable_record& r) {
      const auto* p = std::get_if<promise_record>(&r);
      return p && !(p->round < round);
    });
  }
  bool accepted(slot_t slot, const round_t& round) const {
    return on_disk([&](const durable_record& r) {
      const auto* a = std::get_if<accept_record>(&r);
      return a && a->slot == slot && a->round == round;
    });
  }
  bool delivered_durably(slot_t slot) const {
    return on_disk([&](const durable_record& r) {
      const auto* d = std::get_if<delivery_record>(&r);
      return d && d->slot == slot;
    });
  }
  bool incarnation_durable() const {
    return on_disk(
        [](const durable_record& r) { return std::holds_alternative<incarnation_record>(r); });
  }
};

caf::behavior fake_storage(caf::event_based_actor* self, std::shared_ptr<observed> seen) {
  return {
      [=](commit_request& r) {
        seen->held.push_back({caf::actor_cast<caf::actor>(self->current_sender()), std::move(r)});
      },
      [=](const read_delivered_request&) { return read_delivered_reply{}; },
      [=](const local_note&) {},  // archive reads: nothing is archived in these runs
  };
}

// The transport of a group of one: what a role sends to member 1 comes back to the role that
// takes it, as it would from a peer. Each acknowledgement and each forward is checked against
// the disk at the moment it leaves the member.
caf::behavior fake_transport(caf::stateful_actor<wiring>* self, std::shared_ptr<observed> seen) {
  auto check = [seen](const wire_message& m) {
    std::visit(overloaded{
                   [&](const read_ack& a) {
                     if (!seen->promised(a.round))
                       seen->violations.push_back("read_ack before its promise");
                   },
                   [&](const write_ack& a) {
                     if (!seen->accepted(a.slot, a.round))
                       seen->violations.push_back("write_ack before its accepted value");
                   },
                   [&](const forward&) {
                     if (!seen->incarnation_durable())
                       seen->violations.push_back("forward before the front's incarnation");
                   },
                   [](const auto&) {},
               },
               m);
  };
  return {
      [=](wiring& w) { self->state = std::move(w); },
      [=](outgoing_batch& b) {
        for (auto& out : b.messages) {
          check(out.body);
          seen->sent.push_back(out.body);
          const auto to = role_of(out.body);
          self->send(self->state.of(to), incoming{1, std::move(out.body)});
        }
      },
      [=](const leader_elected&) {},
  };
}

caf::behavior fake_subscriber(caf::event_based_actor*, std::shared_ptr<observed> seen) {
  return {
      [=](const subscribe_reply&) {},
      [=](const delivered_batch& b) {
        if (!seen->delivered_durably(b.slot))
          seen->violations.push_back("slot " + std::to_string(b.slot) +
                                     " handed out before its delivery record");
        for (const auto& m : b.messages) seen->delivered.emplace_back(b.slot, m.payload);
      },
  };
}

caf::behavior fake_client(caf::event_based_actor*, std::shared_ptr<observed> seen) {
  return {
      [=](broadcast_reply& r) { seen->replies.push_back(std::move(r)); },
      [=](checkpoint_offer_reply& r) { seen->kept.push_back(std::move(r)); },
      [=](checkpoint_reply& r) { seen->latest.push_back(std::move(r)); },
  };
}

class Shells : public ::testing::Test {
 protected:
  Shells()
      : system(cfg),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler())),
        seen(std::make_shared<observed>()) {
    const recovered_state nothing;
    const group_view one{{1}};
    const std::chrono::milliseconds tick(10);
    member_config cores;
    w.storage = system.spawn(fake_storage, seen);
    w.transport = system.spawn(fake_transport, seen);
    w.acceptor = system.spawn(acceptor_actor, nothing, cores.read_ack_page_bytes);
    w.leader = system.spawn(leader_actor, node_id{1}, one, cores.leader, nothing, tick);
    w.learner = system.spawn(learner_actor, node_id{1}, cores.learner, nothing, tick);
    w.detector = system.spawn(failure_detector_actor, node_id{1}, one, cores.failure_detector,
                              std::uint64_t{1}, tick);
    w.front = system.spawn(front_actor, node_id{1}, cores.broadcast, nothing, tick);
    for (const auto& role : {w.acceptor, w.leader, w.learner, w.detector, w.front, w.transport})
      caf::anon_send(role, w);
    subscriber = system.spawn(fake_subscriber, seen);
    client = system.spawn(fake_client, seen);
    sched.run();
    caf::send_as(subscriber, w.learner, subscribe_request{1});
    sched.run();
  }

  ~Shells() override {
    stop_node(w);
    caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // Makes the oldest held commit durable and answers it. A lying storage answers first and
  // writes only once the member has acted on the answer.
  void release_one(bool lying = false) {
    auto c = std::move(seen->held.front());
    seen->held.erase(seen->held.begin());
    if (!lying)
      for (const auto& r : c.request.records) seen->disk.push_back(r);
    caf::anon_send(c.role, committed_atom::value, c.request.ticket);
    sched.run();
    if (lying)
      for (const auto& r : c.request.records) seen->disk.push_back(r);
  }

  // Runs the member until nothing moves: commits released one at a time, ticks when idle.
  void settle(bool lying = false, int rounds = 200) {
    for (int i = 0; i < rounds; ++i) {
      sched.run();
      if (!seen->held.empty())
        release_one(lying);
      else if (!sched.trigger_timeouts())
        return;
    }
  }

  stepped_config cfg;
  caf::actor_system system;
  caf::scheduler::test_coordinator& sched;
  std::shared_ptr<observed> seen;
  wiring w;
  caf::actor subscriber, client;
};

// While the storage holds every commit, nothing the member's roles did can be seen outside: no
// acknowledgement, no forward, no delivery, no answer to the client.
TEST_F(Shells, NothingLeavesAMemberBeforeItsCommit) {
  caf::send_as(client, w.front, broadcast_request{{"x"}, 7});
  for (int i = 0; i < 20; ++i) {
    sched.run();
    sched.trigger_timeouts();
  }
  sched.run();
  ASSERT_FALSE(seen->held.empty());  // the front's incarnation at least
  for (const auto& m : seen->sent)
    EXPECT_FALSE(std::holds_alternative<read_ack>(m) || std::holds_alternative<write_ack>(m) ||
                 std::holds_alternative<forward>(m));
  EXPECT_TRUE(seen->delivered.empty());
  EXPECT_TRUE(seen->replies.empty());
  EXPECT_TRUE(seen->violations.empty()) << seen->violations.front();
}

// Released one commit at a time, the member orders the broadcast and the wiring carries every
// step: front -> leader (forward), leader -> acceptor (READ, WRITE) and back, the acceptor's
// accepted_here note -> learner, the learner's delivery -> subscriber and delivered_here -> front.
TEST_F(Shells, AGroupOfOneDeliversThroughEveryRole) {
  caf::send_as(client, w.front, broadcast_request{{"a", "b"}, 7});
  settle();
  EXPECT_TRUE(seen->violations.empty()) << seen->violations.front();
  ASSERT_EQ(seen->replies.size(), 1u);
  EXPECT_TRUE(seen->replies[0].error.empty()) << seen->replies[0].error;
  EXPECT_EQ(seen->replies[0].tag, 7u);
  ASSERT_EQ(seen->delivered.size(), 2u);
  EXPECT_EQ(seen->delivered[0].second, "a");
  EXPECT_EQ(seen->delivered[1].second, "b");
  auto count = [&](auto pred) { return std::count_if(seen->sent.begin(), seen->sent.end(), pred); };
  EXPECT_GE(count([](const wire_message& m) { return std::holds_alternative<write_ack>(m); }), 1);
  EXPECT_GE(count([](const wire_message& m) { return std::holds_alternative<decision>(m); }), 1);

  // A second broadcast after the first: the delivered_here note reached the front (the reply)
  // and the leader (it proposes only the new message).
  caf::send_as(client, w.front, broadcast_request{{"c"}, 8});
  settle();
  ASSERT_EQ(seen->replies.size(), 2u);
  ASSERT_EQ(seen->delivered.size(), 3u);
  EXPECT_EQ(seen->delivered[2].second, "c");
  EXPECT_TRUE(seen->violations.empty()) << seen->violations.front();
}

// An application's checkpoint is answered only once it is durable, and then handed back.
TEST_F(Shells, ACheckpointIsAnsweredOnlyOnceDurable) {
  caf::send_as(client, w.front, broadcast_request{{"a"}, 7});
  settle();
  ASSERT_EQ(seen->delivered.size(), 1u);
  const slot_t slot = seen->delivered[0].first;
  caf::send_as(client, w.learner, checkpoint_offer{slot, "count=1"});
  sched.run();
  ASSERT_EQ(seen->held.size(), 1u);
  EXPECT_TRUE(seen->kept.empty());  // held by the storage: not answered
  release_one();
  ASSERT_EQ(seen->kept.size(), 1u);
  EXPECT_EQ(seen->kept[0].kept, slot);
  EXPECT_TRUE(seen->kept[0].error.empty()) << seen->kept[0].error;
  ASSERT_TRUE(seen->on_disk([&](const durable_record& r) {
    const auto* c = std::get_if<checkpoint_record>(&r);
    return c && c->slot == slot && c->state == "count=1";
  }));
  caf::send_as(client, w.learner, checkpoint_offer{slot + 5, "ahead"});  // not delivered
  caf::send_as(client, w.learner, checkpoint_query{});
  sched.run();
  ASSERT_EQ(seen->kept.size(), 2u);
  EXPECT_FALSE(seen->kept[1].error.empty());
  EXPECT_EQ(seen->kept[1].kept, slot);
  ASSERT_EQ(seen->latest.size(), 1u);
  EXPECT_EQ(seen->latest[0].slot, slot);
  EXPECT_EQ(seen->latest[0].state, "count=1");
}

// The checks bite: with a storage that answers before it writes, what leaves the member is seen
// to leave before its record.
TEST_F(Shells, TheChecksCatchAStorageThatAnswersBeforeItWrites) {
  caf::send_as(client, w.front, broadcast_request{{"a"}, 7});
  settle(true);
  EXPECT_FALSE(seen->violations.empty());
}

}  // namespace
}  // namespace synod
