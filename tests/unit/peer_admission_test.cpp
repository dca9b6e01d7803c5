#include "actors/retransmission/peer_admission.hpp"

#include <gtest/gtest.h>

namespace synod {
namespace {

using verdict = peer_admission::verdict;

TEST(PeerAdmission, TakesItsOwnGroupAndRemembersWhoTookPart) {
  peer_admission a(3, 7, true, {});
  auto out = a.admit(2, 7, true);
  EXPECT_EQ(out.what, verdict::take);
  ASSERT_EQ(out.store.size(), 1u);
  EXPECT_EQ(std::get<member_history_record>(out.store[0]).node, 2u);
  EXPECT_TRUE(a.admit(2, 7, true).store.empty());  // recorded once
  EXPECT_EQ(a.admit(3, 7, false).what, verdict::take);
}

TEST(PeerAdmission, AMemberWithoutHistoryJoinsTheRunningGroup) {
  peer_admission fresh(3, 99, false, {});
  auto out = fresh.admit(1, 7, true);
  EXPECT_EQ(out.what, verdict::take);
  EXPECT_EQ(fresh.group_id(), 7u);
  ASSERT_EQ(out.store.size(), 2u);
  EXPECT_EQ(std::get<group_record>(out.store[0]).group_id, 7u);
  // ...and the running member drops the newcomer's frames until it has.
  peer_admission running(3, 7, true, {});
  EXPECT_EQ(running.admit(3, 99, false).what, verdict::drop);
}

TEST(PeerAdmission, MembersStartingTogetherAgreeOnTheSmallestId) {
  peer_admission a(3, 5, false, {}), b(3, 9, false, {});
  EXPECT_EQ(a.admit(2, 9, false).what, verdict::drop);  // 5 < 9: a keeps its own
  EXPECT_EQ(b.admit(1, 5, false).what, verdict::take);  // b takes 5
  EXPECT_EQ(a.group_id(), b.group_id());
}

TEST(PeerAdmission, AnotherGroupsDatabaseIsRefusedAndItsOwnerStopsWhenMostRefuseIt) {
  peer_admission b2(3, 7, true, {});
  const auto out = b2.admit(1, 8, true);
  EXPECT_EQ(out.what, verdict::refuse);
  EXPECT_EQ(out.reason, refusal_reason::foreign_group);
  EXPECT_EQ(b2.group_id(), 7u);
  // The stranger stops once both others refuse it, not after one (that one may be the stranger).
  peer_admission stranger(3, 8, true, {});
  EXPECT_FALSE(stranger.refused_by(2, refusal_reason::foreign_group, 7));
  EXPECT_TRUE(stranger.refused_by(3, refusal_reason::foreign_group, 7));
  peer_admission five(5, 8, true, {});
  EXPECT_FALSE(five.refused_by(2, refusal_reason::foreign_group, 7));
  EXPECT_FALSE(five.refused_by(3, refusal_reason::foreign_group, 7));
  EXPECT_TRUE(five.refused_by(4, refusal_reason::foreign_group, 7));
}

TEST(PeerAdmission, AMemberThatLostItsDatabaseIsRefusedAndStops) {
  peer_admission a(3, 7, true, {3});
  const auto out = a.admit(3, 99, false);
  EXPECT_EQ(out.what, verdict::refuse);
  EXPECT_EQ(out.reason, refusal_reason::lost_database);
  peer_admission amnesiac(3, 99, false, {});
  const auto why = amnesiac.refused_by(1, refusal_reason::lost_database, 7);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("database is empty"), std::string::npos) << *why;
  EXPECT_TRUE(amnesiac.refused_by(1, refusal_reason::duplicate_id, 7));
}

TEST(PeerAdmission, HistoryBeginsWithWhatTheMemberSendsAfterDurableWork) {
  peer_admission a(3, 5, false, {});
  a.on_sending(heartbeat(0));  // nothing delivered yet
  EXPECT_FALSE(a.history());
  a.on_sending(heartbeat(4));  // delivered up to slot 4
  EXPECT_TRUE(a.history());
  peer_admission b(3, 5, false, {});
  b.on_sending(write_ack{});  // a durable accept
  EXPECT_TRUE(b.history());
}

TEST(PeerAdmission, AMemberWithoutForcedLogsNeverClaimsHistory) {
  peer_admission memory(3, 5, false, {});
  memory.set_volatile();
  memory.history_began();
  EXPECT_FALSE(memory.history());  // so its peers never take its restarts for a lost database
  peer_admission durable(3, 5, false, {});
  durable.history_began();
  EXPECT_TRUE(durable.history());
}

}  // namespace
}  // namespace synod
