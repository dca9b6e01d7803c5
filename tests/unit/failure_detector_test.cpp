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

TEST(FailureDetector, TheLowestIdLeadsFromTheStart) {
  failure_detector fd(3, group_of(3), fast());
  EXPECT_EQ(fd.leader(), 1u);
}

TEST(FailureDetector, SendsHeartbeatsWithProgressToEveryPeer) {
  failure_detector fd(2, group_of(3), fast());
  fd.tick(42);
  const auto beats = sent<heartbeat>(fd.outbox().take());
  ASSERT_EQ(beats.size(), 2u);
  EXPECT_EQ(beats[0].first, 1u);
  EXPECT_EQ(beats[1].first, 3u);
  EXPECT_EQ(beats[0].second.delivered_up_to, 42u);
}

TEST(FailureDetector, SilentLeaderIsSuspectedAndTheNextTakesOver) {
  failure_detector fd(3, group_of(3), fast());
  for (int i = 0; i < 4; ++i) {
    fd.step(2, heartbeat{});
    fd.tick(0);
  }
  EXPECT_FALSE(fd.trusts(1));
  EXPECT_EQ(fd.leader(), 2u);
  fd.step(1, heartbeat{});  // node 1 is back
  EXPECT_EQ(fd.leader(), 1u);
}

TEST(FailureDetector, AMemberCatchingUpDoesNotLeadUntilItHasCaughtUp) {
  failure_detector_config c = fast();
  c.max_leader_lag = 10;
  failure_detector fd(3, group_of(3), c);
  fd.tick(500);
  fd.step(2, heartbeat{500});
  fd.step(1, heartbeat{100});  // node 1 restarted and is far behind
  EXPECT_TRUE(fd.trusts(1));
  EXPECT_EQ(fd.leader(), 2u);
  fd.step(1, heartbeat{490});  // within the allowed lag again
  EXPECT_EQ(fd.leader(), 1u);
}

TEST(FailureDetector, ALiveLeaderIsNotPassedOverForTheAgeOfItsLastHeartbeat) {
  failure_detector_config c = fast();
  c.max_leader_lag = 10;
  failure_detector fd(3, group_of(3), c);
  // Decisions come fast: 50 slots between heartbeats. The leader's last report is one
  // heartbeat old, so this node (reading its own progress) looks 50 ahead of it.
  for (slot_t at = 100; at <= 300; at += 50) {
    fd.step(1, heartbeat{at - 50});
    fd.step(2, heartbeat{at - 50});
    fd.tick(at);
  }
  EXPECT_EQ(fd.leader(), 1u);
  // A member that restarts far behind is still passed over.
  fd.step(1, heartbeat{10});
  EXPECT_EQ(fd.leader(), 2u);
}

TEST(FailureDetector, ASuspectedMemberIsNotTheYardstickForLag) {
  failure_detector_config c = fast();
  c.max_leader_lag = 10;
  failure_detector fd(3, group_of(3), c);
  fd.step(1, heartbeat{900});
  for (int i = 0; i < 4; ++i) {  // node 1, the furthest, falls silent
    fd.step(2, heartbeat{100});
    fd.tick(100);
  }
  EXPECT_FALSE(fd.trusts(1));
  EXPECT_EQ(fd.leader(), 2u);
}

TEST(FailureDetector, AloneItElectsItself) {
  failure_detector fd(2, group_of(3), fast());
  for (int i = 0; i < 5; ++i) fd.tick(0);
  EXPECT_EQ(fd.leader(), 2u);
}

}  // namespace
}  // namespace synod
