#include "actors/retransmission/peer_admission.hpp"

#include <gtest/gtest.h>

namespace synod {
namespace {

using verdict = peer_admission::verdict;

// What a frame says of its sender: its group, whether it took part, its database and its run.
sender_identity said(std::uint64_t group, bool history, std::uint64_t database = 0,
                     std::uint64_t incarnation = 0) {
  return {group, history, database, incarnation};
}

TEST(PeerAdmission, TakesItsOwnGroupAndRemembersWhoTookPart) {
  peer_admission a(3, 7, true, {});
  auto out = a.admit(2, said(7, true));
  EXPECT_EQ(out.what, verdict::take);
  ASSERT_EQ(out.store.size(), 1u);
  EXPECT_EQ(std::get<member_history_record>(out.store[0]).node, 2u);
  EXPECT_TRUE(a.admit(2, said(7, true)).store.empty());  // recorded once
  EXPECT_EQ(a.admit(3, said(7, false)).what, verdict::take);
}

TEST(PeerAdmission, AMemberWithoutHistoryJoinsTheRunningGroup) {
  peer_admission fresh(3, 99, false, {});
  auto out = fresh.admit(1, said(7, true));
  EXPECT_EQ(out.what, verdict::take);
  EXPECT_EQ(fresh.group_id(), 7u);
  ASSERT_EQ(out.store.size(), 2u);
  EXPECT_EQ(std::get<group_record>(out.store[0]).group_id, 7u);
  // ...and the running member drops the newcomer's frames until it has.
  peer_admission running(3, 7, true, {});
  EXPECT_EQ(running.admit(3, said(99, false)).what, verdict::drop);
}

TEST(PeerAdmission, MembersStartingTogetherAgreeOnTheSmallestId) {
  peer_admission a(3, 5, false, {}), b(3, 9, false, {});
  EXPECT_EQ(a.admit(2, said(9, false)).what, verdict::drop);  // 5 < 9: a keeps its own
  EXPECT_EQ(b.admit(1, said(5, false)).what, verdict::take);  // b takes 5
  EXPECT_EQ(a.group_id(), b.group_id());
}

TEST(PeerAdmission, AnotherGroupsDatabaseIsRefusedAndItsOwnerStopsWhenMostRefuseIt) {
  peer_admission b2(3, 7, true, {});
  const auto out = b2.admit(1, said(8, true));
  EXPECT_EQ(out.what, verdict::refuse);
  EXPECT_EQ(out.reason, refusal_reason::foreign_group);
  EXPECT_EQ(b2.group_id(), 7u);
  // The stranger stops once both others refuse it, not after one (that one may be the stranger).
  peer_admission stranger(3, 8, true, {});
  EXPECT_FALSE(stranger.refused_by(2, refusal_reason::foreign_group, 7));
  EXPECT_TRUE(stranger.refused_by(3, refusal_reason::foreign_group, 7));
  // What the stranger recorded of its own group's member 2 says nothing of ours: it refuses our
  // member as foreign (which stops nobody alone), never as a lost database (which would).
  peer_admission recorded(3, 8, true, {{2, {41, 3}}});
  const auto ours = recorded.admit(2, said(7, true, 55, 1));
  EXPECT_EQ(ours.what, verdict::refuse);
  EXPECT_EQ(ours.reason, refusal_reason::foreign_group);
  peer_admission five(5, 8, true, {});
  EXPECT_FALSE(five.refused_by(2, refusal_reason::foreign_group, 7));
  EXPECT_FALSE(five.refused_by(3, refusal_reason::foreign_group, 7));
  EXPECT_TRUE(five.refused_by(4, refusal_reason::foreign_group, 7));
}

TEST(PeerAdmission, AMemberThatLostItsDatabaseIsRefusedAndStops) {
  peer_admission a(3, 7, true, {{3, {}}});
  const auto out = a.admit(3, said(99, false));
  EXPECT_EQ(out.what, verdict::refuse);
  EXPECT_EQ(out.reason, refusal_reason::lost_database);
  peer_admission amnesiac(3, 99, false, {});
  const auto why = amnesiac.refused_by(1, refusal_reason::lost_database, 7);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("database is empty"), std::string::npos) << *why;
  EXPECT_TRUE(amnesiac.refused_by(1, refusal_reason::duplicate_id, 7));
}

// A wiped member accepts a value as soon as it hears a WRITE, and from then on its frames claim
// history: the history bit alone let it in again. Its database id gives it away at its first
// frame, whatever that frame claims.
TEST(PeerAdmission, AMemberWithAnotherDatabaseIsRefusedEvenIfItClaimsHistory) {
  peer_admission a(3, 7, true, {});
  EXPECT_EQ(a.admit(3, said(7, true, 41, 2)).what, verdict::take);  // recorded with database 41
  auto replaced = a.admit(3, said(7, true, 42, 3));
  EXPECT_EQ(replaced.what, verdict::refuse);
  EXPECT_EQ(replaced.reason, refusal_reason::lost_database);
  EXPECT_EQ(a.admit(3, said(7, false, 42, 3)).what, verdict::refuse);
  EXPECT_EQ(a.admit(3, said(7, true, 41, 3)).what, verdict::take);  // its own database, restarted
}

// Frames that wait may be overtaken (an injected delay reorders a link): one the member sent in
// the same run, from the same database, before it took part, is old news, dropped, not the sign
// of an amnesiac (which comes with another database id, or in a later run).
TEST(PeerAdmission, AFrameFromBeforeItTookPartInTheSameRunIsDroppedNotRefused) {
  peer_admission a(3, 7, true, {});
  EXPECT_EQ(a.admit(3, said(7, true, 41, 2)).what, verdict::take);
  const auto late = a.admit(3, said(5, false, 41, 2));  // even with its candidate group then
  EXPECT_EQ(late.what, verdict::drop);
  EXPECT_TRUE(late.store.empty());
  EXPECT_EQ(a.admit(3, said(7, true, 41, 2)).what, verdict::take);
  EXPECT_EQ(a.admit(3, said(7, false, 41, 3)).what, verdict::refuse);  // a later run: refused
  EXPECT_EQ(a.admit(3, said(7, false, 42, 2)).what, verdict::refuse);  // another database
}

// A copy of a database older than its last run (a backup restored) lost what the member promised
// since: refused. Every later run is recorded.
TEST(PeerAdmission, AMemberRunningAnOlderCopyOfItsDatabaseIsRefused) {
  peer_admission a(3, 7, true, {});
  a.admit(2, said(7, true, 41, 5));
  auto restart = a.admit(2, said(7, true, 41, 6));
  EXPECT_EQ(restart.what, verdict::take);
  ASSERT_EQ(restart.store.size(), 1u);  // the later run, durably
  EXPECT_EQ(std::get<member_history_record>(restart.store[0]).seen.incarnation, 6u);
  auto restored = a.admit(2, said(7, true, 41, 5));
  EXPECT_EQ(restored.what, verdict::refuse);
  EXPECT_EQ(restored.reason, refusal_reason::older_database);
  peer_admission old(3, 7, true, {});
  const auto why = old.refused_by(1, refusal_reason::older_database, 7);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("older than its last run"), std::string::npos) << *why;
}

// Databases of an older version recorded no database id: the history bit still decides, and the
// id is learned from the member's next frame.
TEST(PeerAdmission, ARecordWithoutADatabaseIdLearnsIt) {
  peer_admission a(3, 7, true, {{2, {}}});
  auto out = a.admit(2, said(7, true, 41, 1));
  EXPECT_EQ(out.what, verdict::take);
  ASSERT_EQ(out.store.size(), 1u);
  EXPECT_EQ(std::get<member_history_record>(out.store[0]).seen.database_id, 41u);
  EXPECT_EQ(a.admit(2, said(7, true, 43, 2)).what, verdict::refuse);
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
  peer_admission c(3, 5, false, {});
  c.on_sending(read_ack{});  // a durable promise
  EXPECT_TRUE(c.history());
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
