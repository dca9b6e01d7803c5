// Three members composed as production composes them (member_roles, the one routing, effect
// queues), on a perfect FIFO network: the plain story of a broadcast.
#include "tests/sim/sync_group.hpp"

#include <gtest/gtest.h>

namespace synod::sim {
namespace {

std::vector<std::string> payloads(const std::vector<std::pair<slot_t, std::string>>& log) {
  std::vector<std::string> out;
  for (const auto& [slot, p] : log) out.push_back(p);
  return out;
}

class Group : public ::testing::Test {
 protected:
  Group() : group(3) {
    // The first heartbeats: each member hears the others and all choose the lowest id.
    group.tick();
    group.stabilize();
  }

  sync_group group;
};

TEST_F(Group, EveryMemberDeliversEveryBroadcastInTheSameOrder) {
  EXPECT_EQ(group.member(3).detector().leader(), 1u);
  ASSERT_TRUE(group.broadcast(2, "from 2"));
  ASSERT_TRUE(group.broadcast(3, "from 3"));
  ASSERT_TRUE(group.broadcast(1, "from 1"));
  group.stabilize();
  ASSERT_EQ(group.delivered(1).size(), 3u);
  EXPECT_EQ(payloads(group.delivered(1)), payloads(group.delivered(2)));
  EXPECT_EQ(payloads(group.delivered(1)), payloads(group.delivered(3)));
  EXPECT_EQ(group.member(2).front().undelivered(), 0u);
}

TEST_F(Group, OnlyTheLeaderLeads) {
  EXPECT_TRUE(group.member(1).leader().leading());
  EXPECT_FALSE(group.member(2).leader().leading());
  EXPECT_FALSE(group.member(3).leader().leading());
}

// Notes between roles are routed: the leader learns what its learner delivered (it holds
// nothing), the failure detectors learn the learners' progress (their heartbeats carry it).
TEST_F(Group, WhatOneRoleKnowsReachesTheOthersOfItsMember) {
  ASSERT_TRUE(group.broadcast(2, "x"));
  group.stabilize();
  EXPECT_EQ(group.member(1).leader().held_count(), 0u);
  for (int beat = 0; beat < 2; ++beat) {  // heartbeats go every other tick
    group.tick();
    group.stabilize();
  }
  for (node_id peer : {2u, 3u}) EXPECT_EQ(group.member(1).learner().peer_delivered_up_to(peer), 1u);
}

TEST_F(Group, ACrashedMemberRecoversWhatItDeliveredAndCatchesUp) {
  ASSERT_TRUE(group.broadcast(2, "before"));
  group.stabilize();
  group.crash(3);
  ASSERT_TRUE(group.broadcast(2, "while down"));
  group.stabilize();
  group.recover(3);
  EXPECT_EQ(group.member(3).learner().delivered_up_to(), 1u);  // from its own disk
  for (int beat = 0; beat < 4; ++beat) {  // it hears that the others are further, and asks
    group.tick();
    group.stabilize();
  }
  EXPECT_EQ(payloads(group.delivered(3)), (std::vector<std::string>{"before", "while down"}));
}

}  // namespace
}  // namespace synod::sim
