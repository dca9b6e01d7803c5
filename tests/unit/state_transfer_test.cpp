// State transfer between learners: a member that skipped to a peer's snapshot is sent the peer's
// application checkpoint in parts, keeps each part durable, checks the digest, and keeps the
// checkpoint as its own once it has delivered its slot; a transfer cut off goes on after a
// restart, a damaged one starts over, one nobody can finish is dropped.
#include <gtest/gtest.h>

#include "actors/composition/routing.hpp"
#include "actors/learner/learner.hpp"
#include "persistence/memory_storage.hpp"
#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::records;
using test::sent;
using test::value_of;

constexpr node_id behind_id = 1;
constexpr node_id ahead_id = 2;
const std::string state_at_30 = "the application's state as of slot 30";  // 37 bytes

learner_config small_parts() {
  learner_config c;
  c.retain_slots = 32;  // snapshots every 2 slots
  c.truncate_chunk_slots = 64;
  c.transfer_chunk_bytes = 8;
  return c;
}

void deliver(learner& l, slot_t from, slot_t to) {
  for (slot_t s = from; s <= to; ++s) l.step(ahead_id, decision{s, value_of("m", 9, s)});
}

// A member that delivered 1..60, kept a checkpoint at 30, and cut its log at 28 (32 slots kept;
// the checkpoint is after the cut).
learner member_ahead() {
  learner l(ahead_id, small_parts(), {});
  deliver(l, 1, 30);
  EXPECT_TRUE(l.offer_checkpoint(30, state_at_30).recorded);
  deliver(l, 31, 60);
  l.outbox().take();
  EXPECT_EQ(l.truncated_up_to(), 28u);
  return l;
}

// Hands `to` what `from` sent it; returns the rest of `from`'s effects.
effects pass(learner& from, node_id from_id, learner& to, node_id to_id) {
  effects e = from.outbox().take();
  for (const auto& m : e.messages)
    if (m.to == to_id) feed(to, from_id, m.body);
  return e;
}

// Messages between the two, the one behind ticking, until neither has had anything for the
// other for a while; `disk` gets what the learner behind makes durable.
void settle(learner& ahead, learner& behind, memory_storage* disk = nullptr) {
  int quiet = 0;
  for (int round = 0; round < 1000 && quiet < 10; ++round) {
    behind.on_peer_progress(ahead_id, ahead.delivered_up_to(), ahead.retained_from());
    behind.tick();
    const effects from_ahead = pass(ahead, ahead_id, behind, behind_id);
    const effects from_behind = pass(behind, behind_id, ahead, ahead_id);
    if (disk) disk->commit(from_behind.durable);
    quiet = from_ahead.messages.empty() && from_behind.messages.empty() ? quiet + 1 : 0;
  }
  EXPECT_EQ(quiet, 10) << "the learners never settled";
}

TEST(StateTransfer, TheAnswerBelowTheCutCarriesTheCheckpointThatCoversTheSnapshot) {
  learner ahead = member_ahead();
  ahead.step(behind_id, catch_up_request{1});
  const auto e = ahead.outbox().take();
  ASSERT_EQ(sent<ledger_snapshot>(e).size(), 1u);
  const auto parts = sent<checkpoint_chunk>(e);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].second.slot, 30u);
  EXPECT_EQ(parts[0].second.size, state_at_30.size());
  EXPECT_EQ(parts[0].second.offset, 0u);
  EXPECT_EQ(parts[0].second.bytes, state_at_30.substr(0, 8));  // a part at most
  EXPECT_EQ(parts[0].second.digest, state_digest(state_at_30));
}

TEST(StateTransfer, ACheckpointOlderThanTheSnapshotIsNotSent) {
  learner l(ahead_id, small_parts(), {});
  deliver(l, 1, 4);
  ASSERT_TRUE(l.offer_checkpoint(4, "old").recorded);
  deliver(l, 5, 100);  // past the ceiling: the cut overtook the checkpoint
  l.outbox().take();
  ASSERT_GT(l.truncated_up_to(), 4u);
  l.step(behind_id, catch_up_request{1});
  const auto e = l.outbox().take();
  EXPECT_EQ(sent<ledger_snapshot>(e).size(), 1u);
  EXPECT_TRUE(sent<checkpoint_chunk>(e).empty());
}

TEST(StateTransfer, ALaggingMemberTakesThePeersCheckpointOnceItDeliveredItsSlot) {
  learner ahead = member_ahead();
  learner behind(behind_id, small_parts(), {});
  memory_storage disk;
  behind.on_peer_progress(ahead_id, 60, ahead.retained_from());
  behind.tick();  // asks ahead for slot 1: gone there
  settle(ahead, behind, &disk);
  // Skipped to the snapshot, learned the slots after it, took the checkpoint at 30.
  EXPECT_EQ(behind.delivered_up_to(), 60u);
  EXPECT_EQ(behind.checkpoint().slot, 30u);
  EXPECT_EQ(behind.checkpoint().state, state_at_30);
  EXPECT_FALSE(behind.checkpoint_coming());
  EXPECT_EQ(behind.transfers_done(), 1u);
  EXPECT_EQ(behind.digest(), ahead.digest());
  // Durable: a restart finds the checkpoint and no transfer under way.
  const auto recovered = disk.recover();
  EXPECT_EQ(recovered.checkpoint.slot, 30u);
  EXPECT_EQ(recovered.checkpoint.state, state_at_30);
  EXPECT_EQ(recovered.transfer.slot, 0u);
}

TEST(StateTransfer, ACompleteTransferWaitsUntilItsSlotIsDeliveredHere) {
  learner ahead = member_ahead();
  learner behind(behind_id, small_parts(), {});
  ahead.step(behind_id, catch_up_request{1});
  // Only the parts are passed on, no decision: the slots after the snapshot are not learned.
  for (int round = 0; round < 20; ++round) {
    effects e = ahead.outbox().take();
    for (const auto& m : e.messages)
      if (!std::holds_alternative<decision>(m.body)) feed(behind, ahead_id, m.body);
    e = behind.outbox().take();
    for (const auto& m : e.messages)
      if (std::holds_alternative<checkpoint_chunk_request>(m.body)) feed(ahead, behind_id, m.body);
  }
  EXPECT_EQ(behind.delivered_up_to(), 28u);  // the snapshot's slot
  EXPECT_TRUE(behind.checkpoint_coming());
  EXPECT_EQ(behind.transfer().received, state_at_30);
  EXPECT_EQ(behind.checkpoint().slot, 0u);
  behind.step(ahead_id, decision{29, value_of("m", 9, 29)});
  EXPECT_EQ(behind.checkpoint().slot, 0u);
  behind.step(ahead_id, decision{30, value_of("m", 9, 30)});
  EXPECT_EQ(behind.checkpoint().slot, 30u);
  EXPECT_EQ(records<checkpoint_record>(behind.outbox().take()).size(), 1u);
}

TEST(StateTransfer, ATransferCutOffByACrashGoesOnFromThePartsKept) {
  learner ahead = member_ahead();
  memory_storage disk;
  {
    learner behind(behind_id, small_parts(), {});
    ahead.step(behind_id, catch_up_request{1});
    pass(ahead, ahead_id, behind, behind_id);  // the snapshot and the first part
    disk.commit(pass(behind, behind_id, ahead, ahead_id).durable);  // asks for the second
    pass(ahead, ahead_id, behind, behind_id);  // ...which comes; then the member crashes
    disk.commit(behind.outbox().take().durable);
    ASSERT_EQ(behind.transfer().received.size(), 16u);
  }
  auto recovered = disk.recover();
  EXPECT_EQ(recovered.transfer.slot, 30u);
  EXPECT_EQ(recovered.transfer.received, state_at_30.substr(0, 16));
  learner behind(behind_id, small_parts(), recovered);
  EXPECT_TRUE(behind.checkpoint_coming());
  behind.on_peer_progress(ahead_id, 60, ahead.retained_from());
  for (int i = 0; i < 4; ++i) behind.tick();
  const auto asked = sent<checkpoint_chunk_request>(behind.outbox().take());
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.back().second.slot, 30u);
  EXPECT_EQ(asked.back().second.offset, 16u);  // not from the start
  feed(ahead, behind_id, checkpoint_chunk_request{30, 16});
  settle(ahead, behind);
  EXPECT_EQ(behind.checkpoint().state, state_at_30);
}

TEST(StateTransfer, ADamagedCheckpointIsRefusedAndAskedForAgain) {
  learner ahead = member_ahead();
  learner behind(behind_id, small_parts(), {});
  ahead.step(behind_id, catch_up_request{1});
  for (int round = 0; round < 20; ++round) {
    effects e = ahead.outbox().take();
    for (auto& m : e.messages) {
      if (auto* part = std::get_if<checkpoint_chunk>(&m.body); part && part->offset == 8)
        part->bytes[0] ^= 1;  // one bit flipped at the peer
      feed(behind, ahead_id, m.body);
    }
    pass(behind, behind_id, ahead, ahead_id);
  }
  EXPECT_EQ(behind.transfers_refused(), 1u);
  EXPECT_EQ(behind.checkpoint().slot, 0u);
  EXPECT_TRUE(behind.checkpoint_coming());  // starts over
  EXPECT_TRUE(behind.transfer().received.empty());
}

TEST(StateTransfer, ATransferNoPeerCanFinishIsDropped) {
  learner behind(behind_id, small_parts(), {});
  behind.step(ahead_id, checkpoint_chunk{30, 20, 1234, 0, "01234567"});
  ASSERT_TRUE(behind.checkpoint_coming());
  behind.on_peer_progress(ahead_id, 60, 29);
  behind.on_peer_progress(3, 60, 29);
  // Both peers answer that they keep no checkpoint (any more).
  behind.step(ahead_id, checkpoint_chunk{});
  behind.step(3, checkpoint_chunk{});
  for (int i = 0; i < 4; ++i) behind.tick();
  EXPECT_FALSE(behind.checkpoint_coming());
  const auto dropped = records<transfer_chunk_record>(behind.outbox().take());
  ASSERT_FALSE(dropped.empty());
  EXPECT_EQ(dropped.back().part.slot, 0u);  // drops it on disk too
}

TEST(StateTransfer, AMemberThatSkippedAsksWhetherAPeerHasACheckpointWhenNoneCame) {
  learner ahead = member_ahead();
  learner behind(behind_id, small_parts(), {});
  ahead.step(behind_id, catch_up_request{1});
  // The snapshot arrives, the first part of the checkpoint is lost on the way.
  for (const auto& m : ahead.outbox().take().messages)
    if (std::holds_alternative<ledger_snapshot>(m.body)) feed(behind, ahead_id, m.body);
  EXPECT_TRUE(behind.checkpoint_coming());
  EXPECT_EQ(behind.checkpoint_expected(), 28u);  // one that covers the snapshot
  behind.on_peer_progress(ahead_id, 60, ahead.retained_from());
  for (int i = 0; i < 4; ++i) behind.tick();
  const auto asked = sent<checkpoint_chunk_request>(behind.outbox().take());
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].second.slot, 0u);  // whichever it keeps
  feed(ahead, behind_id, asked[0].second);
  settle(ahead, behind);
  EXPECT_EQ(behind.checkpoint().state, state_at_30);
}

TEST(StateTransfer, WhenNoPeerKeepsACheckpointNoneIsExpected) {
  learner ahead(ahead_id, small_parts(), {});
  deliver(ahead, 1, 60);  // no application checkpoint
  ahead.outbox().take();
  learner behind(behind_id, small_parts(), {});
  for (int round = 0; round < 30; ++round) {
    behind.on_peer_progress(ahead_id, 60, ahead.retained_from());  // its heartbeats
    behind.tick();
    pass(behind, behind_id, ahead, ahead_id);
    pass(ahead, ahead_id, behind, behind_id);
  }
  EXPECT_EQ(behind.delivered_up_to(), 60u);
  EXPECT_FALSE(behind.checkpoint_coming());  // the peer said it keeps none
}

TEST(StateTransfer, ARestartWithACutItsCheckpointDoesNotCoverLooksForOne) {
  memory_storage disk;
  learner before(behind_id, small_parts(), {});
  deliver(before, 1, 60);
  disk.commit(before.outbox().take().durable);
  ASSERT_GT(before.truncated_up_to(), 0u);
  learner after(behind_id, small_parts(), disk.recover());
  EXPECT_EQ(after.checkpoint_expected(), before.truncated_up_to());
}

// A catch-up asked again before the snapshot came is answered again, with the first part again:
// that must not throw away the parts that came since.
TEST(StateTransfer, TheFirstPartAgainDoesNotStartTheTransferOver) {
  learner ahead = member_ahead();
  learner behind(behind_id, small_parts(), {});
  ahead.step(behind_id, catch_up_request{1});
  ahead.step(behind_id, catch_up_request{1});  // asked twice
  effects answers = ahead.outbox().take();
  const auto first = sent<checkpoint_chunk>(answers).at(1).second;  // the second answer's
  for (const auto& m : answers.messages)
    if (&m != &answers.messages.back()) feed(behind, ahead_id, m.body);
  pass(behind, behind_id, ahead, ahead_id);  // asks for the second part
  pass(ahead, ahead_id, behind, behind_id);
  ASSERT_EQ(behind.transfer().received.size(), 16u);
  feed(behind, ahead_id, first);  // the repeat arrives late
  EXPECT_EQ(behind.transfer().received.size(), 16u);
  memory_storage disk;
  disk.commit(behind.outbox().take().durable);
  settle(ahead, behind, &disk);
  EXPECT_EQ(behind.checkpoint().state, state_at_30);
}

TEST(StateTransfer, APartOfAnotherCheckpointIsNotMixedIn) {
  learner behind(behind_id, small_parts(), {});
  behind.step(ahead_id, checkpoint_chunk{30, 16, state_digest("0123456789abcdef"), 0, "01234567"});
  // The peer took a newer checkpoint meanwhile and answers from the middle of it.
  behind.step(ahead_id, checkpoint_chunk{40, 16, 99, 8, "XXXXXXXX"});
  EXPECT_EQ(behind.transfer().slot, 30u);
  EXPECT_EQ(behind.transfer().received, "01234567");
  const auto asked = sent<checkpoint_chunk_request>(behind.outbox().take());
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.back().second.slot, 40u);  // the newer one, from its start
  EXPECT_EQ(asked.back().second.offset, 0u);
}

TEST(StateTransfer, TheApplicationsOwnNewerCheckpointEndsATransfer) {
  learner behind(behind_id, small_parts(), {});
  deliver(behind, 1, 40);
  behind.step(ahead_id, checkpoint_chunk{30, 16, 5, 0, "01234567"});
  ASSERT_TRUE(behind.checkpoint_coming());
  ASSERT_TRUE(behind.offer_checkpoint(40, "mine").recorded);
  EXPECT_FALSE(behind.checkpoint_coming());
  memory_storage disk;
  disk.commit(behind.outbox().take().durable);
  EXPECT_EQ(disk.recover().transfer.slot, 0u);
  EXPECT_EQ(disk.recover().checkpoint.state, "mine");
}

}  // namespace
}  // namespace synod
