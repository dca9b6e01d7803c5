#include "actors/failure_detector/failure_detector.hpp"

#include <gtest/gtest.h>

#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::group_of;
using test::sent;

failure_detector_config fast() {
  return failure_detector_config{1, 3};
}

// A tick of a member whose learner delivered up to `delivered`.
void tick_at(failure_detector& fd, slot_t delivered) {
  fd.on_local_progress(delivered, 1);
  fd.tick();
}

heartbeat beat(slot_t delivered, node_id follows, std::vector<sighting> heard = {}) {
  return heartbeat{delivered, follows, std::move(heard)};
}

TEST(FailureDetector, KnowsNoLeaderBeforeItHearsAMajority) {
  failure_detector fd(3, group_of(3), fast());
  EXPECT_EQ(fd.leader(), 0u);
  for (int i = 0; i < 10; ++i) tick_at(fd, 0);  // alone for a long time: still no one to follow
  EXPECT_EQ(fd.leader(), 0u);
  EXPECT_FALSE(fd.trusts(1));  // never heard from: not trusted, progress unknown
}

TEST(FailureDetector, AGroupBootingTogetherWaitsForEveryoneThenAgreesOnTheLowestId) {
  failure_detector fd(3, group_of(3), fast());
  fd.step(2, beat(0, 0));
  EXPECT_EQ(fd.leader(), 0u);  // a majority, but node 1 may be about to speak
  fd.step(1, beat(0, 0));
  EXPECT_EQ(fd.leader(), 1u);  // everyone heard and no one follows anyone: the lowest id
}

TEST(FailureDetector, WithoutTheWholeGroupItChoosesAfterATimeout) {
  failure_detector fd(3, group_of(3), fast());
  for (int i = 0; i < 3; ++i) {
    fd.step(2, beat(0, 0));
    tick_at(fd, 0);
  }
  EXPECT_EQ(fd.leader(), 2u);
  fd.step(1, beat(0, 0));  // node 1 comes up late: the lead stays with node 2...
  EXPECT_EQ(fd.leader(), 2u);
  fd.step(1, beat(0, 1));
  fd.step(2, beat(0, 1));
  EXPECT_EQ(fd.leader(), 1u);  // ...unless a majority follows node 1
}

// PreVote: a member that consents to every candidate lets one that merely hears the group badly
// depose the leader everybody follows. It consents while it follows the candidate or no one,
// and a probe it cannot consent to yet is answered once it comes to.
TEST(FailureDetector, ConsentsToACandidateOnlyWhenItHasNoOtherLiveLeader) {
  failure_detector fd(2, group_of(3), fast());
  fd.step(1, beat(0, 1));
  fd.step(3, beat(0, 1));
  ASSERT_EQ(fd.leader(), 1u);
  fd.outbox().take();
  fd.step(3, lead_probe{7});  // node 3 chose itself while node 1 is alive and followed
  EXPECT_TRUE(sent<lead_ack>(fd.outbox().take()).empty());
  fd.step(1, lead_probe{4});  // the leader itself: at once
  auto acks = sent<lead_ack>(fd.outbox().take());
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].first, 1u);
  EXPECT_EQ(acks[0].second.attempt, 4u);
  fd.step(3, lead_probe{8});     // node 3 asks again: only its latest probe is kept
  for (int i = 0; i < 5; ++i) {  // node 1 dies; node 3 is heard, and follows itself
    fd.step(3, beat(0, 3));
    tick_at(fd, 0);
  }
  ASSERT_FALSE(fd.alive(1));
  acks = sent<lead_ack>(fd.outbox().take());
  ASSERT_EQ(acks.size(), 1u);  // answered as soon as node 1 stopped being a live leader
  EXPECT_EQ(acks[0].first, 3u);
  EXPECT_EQ(acks[0].second.attempt, 8u);
}

TEST(FailureDetector, SendsHeartbeatsWithProgressLeaderAndSightingsToEveryPeer) {
  failure_detector fd(2, group_of(3), fast());
  fd.step(1, beat(0, 1));
  tick_at(fd, 42);
  const auto beats = sent<heartbeat>(fd.outbox().take());
  ASSERT_EQ(beats.size(), 2u);
  EXPECT_EQ(beats[0].first, 1u);
  EXPECT_EQ(beats[1].first, 3u);
  EXPECT_EQ(beats[0].second.delivered_up_to, 42u);
  EXPECT_EQ(beats[0].second.leader, 1u);
  ASSERT_EQ(beats[0].second.heard.size(), 1u);  // only node 1 was ever heard
  EXPECT_EQ(beats[0].second.heard[0].member, 1u);
  EXPECT_EQ(beats[0].second.heard[0].ticks_ago, 1u);
}

TEST(FailureDetector, ASilentLeaderIsReplacedOnceAndTheLeadDoesNotMoveBack) {
  failure_detector fd(3, group_of(3), fast());
  fd.step(1, beat(0, 1));
  fd.step(2, beat(0, 1));
  ASSERT_EQ(fd.leader(), 1u);
  for (int i = 0; i < 4; ++i) {  // node 1 falls silent, and node 2 stops hearing it too
    fd.step(2, beat(0, 1, {{1, static_cast<std::uint32_t>(i + 1)}}));
    tick_at(fd, 0);
  }
  EXPECT_FALSE(fd.alive(1));
  EXPECT_EQ(fd.leader(), 2u);
  fd.step(2, beat(0, 2, {{1, 5}}));  // node 2 made the same choice
  fd.step(1, beat(0, 0));            // node 1 restarts: it is back, but node 2 stays the leader
  tick_at(fd, 0);
  EXPECT_EQ(fd.leader(), 2u);
  fd.step(1, beat(0, 2));  // and node 1 follows it
  EXPECT_EQ(fd.leader(), 2u);
}

TEST(FailureDetector, ARestartedMemberFollowsTheLeaderItFinds) {
  failure_detector fd(1, group_of(3), fast());  // the lowest id, just restarted
  fd.step(3, beat(100, 2, {{2, 0}}));
  EXPECT_EQ(fd.leader(), 2u);  // not itself, although its id is lowest
  for (int i = 0; i < 5; ++i) {
    fd.step(2, beat(100, 2, {{3, 0}}));
    tick_at(fd, 0);
  }
  EXPECT_EQ(fd.leader(), 2u);
}

TEST(FailureDetector, ALeaderHeardOnlyThroughAPeerIsNotDeposed) {
  // One-way partition: node 3 cannot hear node 1, but node 2 does, and says so.
  failure_detector fd(3, group_of(3), fast());
  fd.step(1, beat(0, 1));
  fd.step(2, beat(0, 1, {{1, 0}}));
  ASSERT_EQ(fd.leader(), 1u);
  for (int i = 0; i < 10; ++i) {
    fd.step(2, beat(0, 1, {{1, 0}, {3, 0}}));
    tick_at(fd, 0);
  }
  EXPECT_FALSE(fd.trusts(1));
  EXPECT_TRUE(fd.alive(1));
  EXPECT_EQ(fd.leader(), 1u);
}

TEST(FailureDetector, AResumedExLeaderYieldsToTheLeaderAMajorityFollows) {
  failure_detector fd(1, group_of(3), fast());
  fd.step(2, beat(0, 0));
  fd.step(3, beat(0, 0));
  ASSERT_EQ(fd.leader(), 1u);
  // Paused; meanwhile nodes 2 and 3 chose node 2. On resume their heartbeats say so.
  fd.step(2, beat(50, 2, {{3, 0}}));
  fd.step(3, beat(50, 2, {{2, 0}}));
  EXPECT_EQ(fd.leader(), 2u);
}

TEST(FailureDetector, ALeaderThatRestartedIsFollowedNoMore) {
  failure_detector fd(3, group_of(3), fast());
  fd.step(1, heartbeat{0, 0, {}, 7, 0});
  fd.step(2, heartbeat{0, 0, {}, 4, 0});
  ASSERT_EQ(fd.leader(), 1u);
  fd.step(1, heartbeat{0, 0, {}, 8, 0});  // node 1 crashed and came back within the timeout
  EXPECT_NE(fd.leader(), 1u);
  EXPECT_EQ(fd.leader(), 2u);             // chosen: node 1 restarted lately
  fd.step(2, heartbeat{0, 1, {}, 4, 7});  // node 2's word about node 1's old incarnation...
  EXPECT_EQ(fd.leader(), 2u);             // ...does not count
}

TEST(FailureDetector, AMemberCatchingUpIsNotChosenToLead) {
  failure_detector_config c = fast();
  c.max_leader_lag = 10;
  failure_detector fd(2, group_of(3), c);
  tick_at(fd, 500);
  fd.step(3, beat(500, 0));
  fd.step(1, beat(100, 0));  // node 1 restarted and is far behind
  EXPECT_TRUE(fd.trusts(1));
  EXPECT_EQ(fd.leader(), 2u);
}

TEST(FailureDetector, ALiveMemberIsNotPassedOverForTheAgeOfItsLastHeartbeat) {
  failure_detector_config c = fast();
  c.max_leader_lag = 10;
  failure_detector fd(3, group_of(3), c);
  // Decisions come fast: 50 slots between heartbeats. Node 1's last report is one heartbeat
  // old, so this node (reading its own progress) looks 50 ahead of it.
  for (slot_t at = 100; at <= 300; at += 50) {
    fd.step(1, beat(at - 50, 0));
    tick_at(fd, at);
  }
  EXPECT_EQ(fd.leader(), 1u);
}

TEST(FailureDetector, ASuspectedMemberIsNotTheYardstickForLag) {
  failure_detector_config c = fast();
  c.max_leader_lag = 10;
  failure_detector fd(3, group_of(3), c);
  fd.step(1, beat(900, 0));
  for (int i = 0; i < 4; ++i) {  // node 1, the furthest, falls silent
    fd.step(2, beat(100, 0));
    tick_at(fd, 100);
  }
  EXPECT_FALSE(fd.alive(1));
  EXPECT_EQ(fd.leader(), 2u);
}

TEST(FailureDetector, AGroupOfOneLeadsItself) {
  failure_detector fd(1, group_of(1), fast());
  EXPECT_EQ(fd.leader(), 1u);
}

}  // namespace
}  // namespace synod
