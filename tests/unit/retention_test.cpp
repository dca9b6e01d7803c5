// The learner's long-ledger behaviour: snapshots of the delivered prefix, truncation within the
// retention bounds a chunk at a time, snapshots as answers below the cut, and skipping to one.
#include <gtest/gtest.h>

#include "actors/learner/learner.hpp"
#include "persistence/memory_storage.hpp"
#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::records;
using test::sent;
using test::value_of;

learner_config retaining(slot_t slots, slot_t chunk = 64) {
  learner_config c;
  c.retain_slots = slots;
  c.truncate_chunk_slots = chunk;
  return c;
}

// Delivers slots [from, to] with one message each (origin 9, seq = slot).
void deliver(learner& l, slot_t from, slot_t to) {
  for (slot_t s = from; s <= to; ++s) l.step(2, decision{s, value_of("m", 9, s)});
}

TEST(Retention, SnapshotsAreTakenEverySixteenthOfTheSlotBound) {
  learner l(1, retaining(160), {});
  deliver(l, 1, 25);
  const auto snaps = records<snapshot_record>(l.outbox().take());
  ASSERT_EQ(snaps.size(), 2u);
  EXPECT_EQ(snaps[0].snapshot.slot, 10u);
  EXPECT_EQ(snaps[1].snapshot.slot, 20u);
  // A snapshot covers exactly what was delivered up to its slot.
  EXPECT_EQ(snaps[0].snapshot.messages, 10u);
  EXPECT_TRUE(snaps[0].snapshot.delivered.contains({9, 10}));
  EXPECT_FALSE(snaps[0].snapshot.delivered.contains({9, 11}));
}

TEST(Retention, TheLogIsCutAtTheOldestSnapshotAfterWhichItFitsAChunkAtATime) {
  learner l(1, retaining(32, 4), {});  // snapshots every 2 slots
  deliver(l, 1, 40);
  auto cuts = records<truncate_record>(l.outbox().take());
  ASSERT_FALSE(cuts.empty());
  // Never more than a chunk per step, always increasing, never past what fits.
  for (std::size_t i = 1; i < cuts.size(); ++i) {
    EXPECT_GT(cuts[i].up_to, cuts[i - 1].up_to);
    EXPECT_LE(cuts[i].up_to - cuts[i - 1].up_to, 4u);
  }
  EXPECT_EQ(l.truncated_up_to(), 8u);  // 40 - 32: the slots after 8 are the 32 retained
  EXPECT_EQ(l.retained_from(), 9u);
  EXPECT_EQ(l.snapshots().front().slot, 8u);
}

// An application that keeps checkpoints restarts from the newest and the slots after it: the
// cut waits for it, up to one and a half times the bounds, then retention wins again.
TEST(Retention, TheCutWaitsForTheApplicationsCheckpointUpToACeiling) {
  learner l(1, retaining(32, 64), {});  // snapshots every 2 slots
  deliver(l, 1, 6);
  ASSERT_TRUE(l.offer_checkpoint(6, "state at 6").recorded);
  deliver(l, 7, 40);                   // retention alone would cut at 8 (see above)
  EXPECT_EQ(l.truncated_up_to(), 6u);  // the snapshot at the checkpoint, no further
  EXPECT_LE(l.snapshots().front().slot, 6u);
  deliver(l, 41, 54);  // 48 slots after the checkpoint: one and a half times the bound
  EXPECT_EQ(l.truncated_up_to(), 6u);
  deliver(l, 55, 60);  // beyond the ceiling: retention wins
  EXPECT_GT(l.truncated_up_to(), 6u);
  EXPECT_TRUE(l.offer_checkpoint(60, "state at 60").recorded);
  deliver(l, 61, 100);  // checkpointing again: the cut follows the bound up to it
  EXPECT_EQ(l.truncated_up_to(), 60u);
}

TEST(Retention, WithoutABoundNothingIsCutAndOneSnapshotIsKept) {
  learner_config c;
  learner l(1, c, {});
  deliver(l, 1, 5000);
  const auto e = l.outbox().take();
  EXPECT_TRUE(records<truncate_record>(e).empty());
  EXPECT_EQ(records<snapshot_record>(e).size(), 1u);  // every 4096 slots
  EXPECT_EQ(l.snapshots().size(), 1u);
}

TEST(Retention, TheByteBoundCutsTooAndCountsPerMessageOverhead) {
  learner_config c;
  c.retain_bytes = 16 * ledger_bytes(1, 1);  // sixteen one-byte messages
  learner l(1, c, {});
  deliver(l, 1, 100);
  l.outbox().take();
  EXPECT_GE(l.truncated_up_to(), 100u - 17);
  EXPECT_LE(l.truncated_up_to(), 100u - 15);
}

TEST(Retention, ACatchUpBelowTheCutIsAnsweredWithTheOldestSnapshotKept) {
  learner l(1, retaining(32, 64), {});
  deliver(l, 1, 40);
  l.outbox().take();
  l.step(3, catch_up_request{1});
  const auto answer = sent<ledger_snapshot>(l.outbox().take());
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0].first, 3u);
  EXPECT_EQ(answer[0].second.slot, l.truncated_up_to());
  // Between the cut and the memory window, storage answers.
  l.forget_up_to(36);
  EXPECT_FALSE(l.answers_from_storage(1));
  EXPECT_TRUE(l.answers_from_storage(l.retained_from()));
  EXPECT_FALSE(l.answers_from_storage(37));
}

TEST(Retention, ALearnerSkipsToASnapshotTellsTheApplicationAndGoesOn) {
  learner ahead(2, retaining(32, 64), {});
  deliver(ahead, 1, 40);
  ahead.outbox().take();
  ahead.step(1, catch_up_request{1});
  const ledger_snapshot snapshot = sent<ledger_snapshot>(ahead.outbox().take()).at(0).second;

  learner behind(1, retaining(32, 64), {});
  deliver(behind, 1, 3);
  behind.outbox().take();
  behind.step(2, decision{snapshot.slot + 2, value_of("later", 9, snapshot.slot + 2)});
  behind.step(2, snapshot);
  auto e = behind.outbox().take();
  // Durable first: the snapshot and the cut of everything before it.
  ASSERT_EQ(records<snapshot_record>(e).size(), 1u);
  ASSERT_EQ(records<truncate_record>(e).at(0).up_to, snapshot.slot);
  ASSERT_GE(e.deliveries.size(), 1u);
  EXPECT_TRUE(e.deliveries[0].is_gap());
  EXPECT_EQ(e.deliveries[0].gap_from, 4u);
  EXPECT_EQ(e.deliveries[0].slot, snapshot.slot);
  // It takes the snapshot's counts and digest: from now on it agrees with the member it came from.
  EXPECT_EQ(behind.delivered_messages(), snapshot.messages);
  EXPECT_EQ(behind.digest(), snapshot.digest);
  // A message the snapshot covers is never delivered again; the next slot is delivered.
  behind.step(2, decision{snapshot.slot + 1, value_of("m", 9, 5)});
  e = behind.outbox().take();
  ASSERT_EQ(e.deliveries.size(), 2u);
  EXPECT_TRUE(e.deliveries[0].messages().empty());
  EXPECT_EQ(e.deliveries[1].slot, snapshot.slot + 2);
}

TEST(Retention, ASnapshotOfWhatWasDeliveredHereAlreadyIsIgnored) {
  learner l(1, {}, {});
  deliver(l, 1, 10);
  l.outbox().take();
  ledger_snapshot old;
  old.slot = 9;
  l.step(2, old);
  EXPECT_TRUE(l.outbox().take().empty());
  EXPECT_EQ(l.delivered_up_to(), 10u);
}

TEST(Retention, AMalformedSnapshotIsNotUsed) {
  learner l(1, {}, {});
  ledger_snapshot bad;
  bad.slot = 50;
  bad.delivered = delivered_filter({{9, {{5, 3}}}});  // an interval that ends before it starts
  l.step(2, bad);
  EXPECT_TRUE(l.outbox().take().empty());
  EXPECT_EQ(l.delivered_up_to(), 0u);
}

TEST(Retention, ARestartedLearnerStartsFromItsNewestSnapshotWithTheSameDigest) {
  memory_storage disk;
  learner before(1, retaining(32, 64), {});
  deliver(before, 1, 45);
  disk.commit(before.outbox().take().durable);
  const auto state = disk.recover(4);
  EXPECT_EQ(state.snapshots.back().slot, 44u);
  EXPECT_EQ(state.forgotten_up_to, 44u);  // newer than the memory window's floor (41)
  EXPECT_EQ(state.delivered.size(), 1u);  // only slot 45 is read
  learner after(1, retaining(32, 64), state);
  EXPECT_EQ(after.delivered_up_to(), 45u);
  EXPECT_EQ(after.delivered_messages(), before.delivered_messages());
  EXPECT_EQ(after.digest(), before.digest());
  EXPECT_EQ(after.truncated_up_to(), before.truncated_up_to());
  // Messages covered by the snapshot are still known as delivered.
  after.step(2, decision{46, value_of("again", 9, 3)});
  EXPECT_TRUE(after.outbox().take().deliveries.at(0).messages().empty());
}

TEST(Retention, ARestartCutsNothingThatFitsTheBounds) {
  memory_storage disk;
  learner before(1, retaining(160), {});  // snapshots every 10 slots, nothing cut before 160
  deliver(before, 1, 45);
  disk.commit(before.outbox().take().durable);
  learner after(1, retaining(160), disk.recover(4));
  after.tick();
  after.step(2, decision{46, value_of("m", 9, 46)});
  EXPECT_TRUE(records<truncate_record>(after.outbox().take()).empty());
  EXPECT_EQ(after.truncated_up_to(), 0u);
}

TEST(Retention, PeersThatStillHaveTheNextSlotAreAskedFirst) {
  learner l(1, {}, {});
  l.on_peer_progress(2, 100, 50);  // furthest ahead, but truncated past slot 1
  l.on_peer_progress(3, 80, 1);
  l.tick();
  const auto asked = sent<catch_up_request>(l.outbox().take());
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].first, 3u);
}

TEST(Retention, APeerThatStoppedSendingHeartbeatsIsNotAsked) {
  learner l(1, {}, {});
  l.on_peer_progress(3, 80, 1);  // then it crashes: nothing more from it
  for (int i = 0; i < 20; ++i) l.tick();
  l.outbox().take();
  l.on_peer_progress(2, 100, 50);  // alive, but truncated past slot 1
  l.tick();
  const auto asked = sent<catch_up_request>(l.outbox().take());
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.back().first, 2u);
}

TEST(Retention, WithNoPeerThatHasTheNextSlotTheFurthestIsAskedForItsSnapshot) {
  learner l(1, {}, {});
  l.on_peer_progress(2, 100, 50);
  l.on_peer_progress(3, 80, 40);
  l.tick();
  const auto asked = sent<catch_up_request>(l.outbox().take());
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].first, 3u);  // the last to say it is ahead
}

}  // namespace
}  // namespace synod
