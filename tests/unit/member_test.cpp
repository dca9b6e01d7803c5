#include "actors/node/member.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "persistence/memory_storage.hpp"
#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::group_of;

// Three members on a perfect, FIFO, in-process network: the plain story of a broadcast.
class Group : public ::testing::Test {
 protected:
  Group() {
    for (node_id id = 1; id <= 3; ++id)
      members.emplace_back(id, group_of(3), member_config{}, recovered_state{});
    delivered.resize(3);
    disks.resize(3);
    // The first heartbeats: each member hears a majority and all choose the lowest id.
    for (auto& m : members) m.tick();
  }

  void run() {
    bool progress = true;
    while (progress) {
      progress = false;
      for (auto& m : members) {
        auto e = m.take_effects();
        disks[m.self() - 1].commit(e.durable);
        for (auto& out : e.messages) wire.push_back({m.self(), out.to, std::move(out.body)});
        for (auto& d : e.deliveries)
          for (auto& msg : d.messages()) delivered[m.self() - 1].push_back(msg.payload);
      }
      while (!wire.empty()) {
        auto env = std::move(wire.front());
        wire.pop_front();
        members[env.to - 1].receive(env.from, env.body);
        progress = true;
      }
    }
  }

  std::vector<member> members;
  std::vector<memory_storage> disks;
  std::deque<envelope> wire;
  std::vector<std::vector<std::string>> delivered;
};

TEST_F(Group, EveryMemberDeliversEveryBroadcastInTheSameOrder) {
  run();
  EXPECT_EQ(members[2].leader(), 1u);
  members[1].broadcast("from 2");
  members[2].broadcast("from 3");
  members[0].broadcast("from 1");
  run();
  ASSERT_EQ(delivered[0].size(), 3u);
  EXPECT_EQ(delivered[0], delivered[1]);
  EXPECT_EQ(delivered[0], delivered[2]);
  EXPECT_EQ(members[1].take_own_delivered().size(), 1u);
}

TEST_F(Group, OnlyTheLeaderLeads) {
  run();
  EXPECT_TRUE(members[0].leader_core().leading());
  EXPECT_FALSE(members[1].leader_core().leading());
  EXPECT_FALSE(members[2].leader_core().leading());
}

TEST_F(Group, AcceptorStateReachesStableStorage) {
  run();
  members[1].broadcast("durable");
  run();
  for (const auto& disk : disks) {
    const auto state = disk.recover();
    EXPECT_FALSE(state.promised.is_zero());
    ASSERT_EQ(state.delivered_up_to(), 1u);
    EXPECT_EQ(state.delivered.at(1).messages().at(0).payload, "durable");
  }
}

}  // namespace
}  // namespace synod
