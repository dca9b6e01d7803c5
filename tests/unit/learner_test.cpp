#include "actors/learner/learner.hpp"

#include <gtest/gtest.h>

#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::records;
using test::sent;
using test::value_of;

std::vector<slot_t> delivered_slots(const effects& e) {
  std::vector<slot_t> out;
  for (const auto& d : e.deliveries) out.push_back(d.slot);
  return out;
}

TEST(Learner, DeliversInSlotOrderWhateverTheArrivalOrder) {
  learner l(1, {}, {});
  l.step(2, decision{3, value_of("c", 2, 3)});
  l.step(2, decision{2, value_of("b", 2, 2)});
  EXPECT_TRUE(l.outbox().take().deliveries.empty());  // slot 1 is still missing
  l.step(2, decision{1, value_of("a", 2, 1)});
  auto e = l.outbox().take();
  EXPECT_EQ(delivered_slots(e), (std::vector<slot_t>{1, 2, 3}));
  EXPECT_EQ(l.delivered_up_to(), 3u);
}

TEST(Learner, ADecisionWithoutItsValueTakesTheValueThisNodesAcceptorAccepted) {
  learner l(1, {}, {});
  l.on_local_accept({1, {3, 2}, value_of("a")});
  l.on_local_accept({1, {4, 2}, value_of("b")});  // a later round's value replaces it
  l.on_local_accept({1, {2, 2}, value_of("c")});  // an older round's does not
  l.step(2, decision{1, batch{}, {4, 2}, true});
  auto e = l.outbox().take();
  ASSERT_EQ(e.deliveries.size(), 1u);
  EXPECT_EQ(e.deliveries[0].value, value_of("b"));
}

TEST(Learner, ADecisionWithoutItsValueNeverTakesAValueOfAnOlderRound) {
  learner l(1, {}, {});
  l.on_local_accept({1, {3, 2}, value_of("old")});
  l.step(2, decision{1, batch{}, {5, 2}, true});
  EXPECT_TRUE(l.outbox().take().deliveries.empty());
  // It asks the sender, whose answer carries the value.
  EXPECT_TRUE(l.lagging());
  l.tick();
  const auto asked = sent<catch_up_request>(l.outbox().take());
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].first, 2u);
  EXPECT_EQ(asked[0].second.from_slot, 1u);
  l.step(2, decision{1, value_of("new")});
  EXPECT_EQ(l.outbox().take().deliveries.at(0).value, value_of("new"));
}

TEST(Learner, DeliveryIsLoggedWithItsBatch) {
  learner l(1, {}, {});
  l.step(2, decision{1, value_of("a")});
  auto e = l.outbox().take();
  ASSERT_EQ(records<delivery_record>(e).size(), 1u);
  EXPECT_EQ(records<delivery_record>(e)[0].slot, 1u);
  EXPECT_EQ(records<delivery_record>(e)[0].value, value_of("a"));
}

// An application's checkpoint is kept only for a slot delivered here, only if newer than the
// one kept, only within the size limit; a restart starts with the one kept.
TEST(Learner, KeepsTheApplicationsNewestCheckpoint) {
  learner_config config;
  config.max_checkpoint_bytes = 8;
  learner l(1, config, {});
  l.step(2, decision{1, value_of("a", 2, 1)});
  l.step(2, decision{2, value_of("b", 2, 2)});
  l.outbox().take();
  auto ahead = l.offer_checkpoint(3, "s3");
  EXPECT_FALSE(ahead.recorded);
  EXPECT_NE(ahead.error.find("not delivered here"), std::string::npos) << ahead.error;
  auto kept = l.offer_checkpoint(2, "s2");
  EXPECT_TRUE(kept.recorded);
  EXPECT_EQ(kept.kept, 2u);
  auto e = l.outbox().take();
  ASSERT_EQ(records<checkpoint_record>(e).size(), 1u);
  EXPECT_EQ(records<checkpoint_record>(e)[0].state, "s2");
  auto older = l.offer_checkpoint(1, "s1");
  EXPECT_FALSE(older.recorded);
  EXPECT_TRUE(older.error.empty());
  EXPECT_EQ(older.kept, 2u);
  EXPECT_TRUE(records<checkpoint_record>(l.outbox().take()).empty());
  l.step(2, decision{3, value_of("c", 2, 3)});
  auto large = l.offer_checkpoint(3, "123456789");
  EXPECT_FALSE(large.recorded);
  EXPECT_NE(large.error.find("too large"), std::string::npos) << large.error;

  recovered_state restarted;
  apply(restarted, checkpoint_record{2, "s2"});
  EXPECT_EQ(learner(1, config, restarted).checkpoint().state, "s2");
}

TEST(Learner, EachMessageIsDeliveredOnceEvenIfDecidedTwice) {
  learner l(1, {}, {});
  const auto once = value_of("x", 3, 5).messages()[0];
  const batch twice{once, once};  // duplicate inside one batch
  l.step(2, decision{1, twice});
  l.step(2, decision{2, value_of("x", 3, 5)});  // and again in a later slot
  l.step(2, decision{2, value_of("x", 3, 5)});  // a duplicated decision message
  auto e = l.outbox().take();
  ASSERT_EQ(e.deliveries.size(), 2u);
  EXPECT_EQ(e.deliveries[0].messages().size(), 1u);
  EXPECT_TRUE(e.deliveries[1].messages().empty());  // slot 2 is delivered, with nothing new
}

TEST(Learner, RecoveryNeitherRepeatsNorSkips) {
  recovered_state disk;
  disk.delivered[1] = value_of("a", 2, 1);
  disk.delivered[2] = value_of("b", 2, 2);
  learner l(1, {}, disk);
  EXPECT_EQ(l.delivered_up_to(), 2u);
  l.step(3, decision{2, value_of("b", 2, 2)});
  l.step(3, decision{3, value_of("a", 2, 1)});  // a message delivered before the crash
  auto e = l.outbox().take();
  ASSERT_EQ(delivered_slots(e), (std::vector<slot_t>{3}));
  EXPECT_TRUE(e.deliveries[0].messages().empty());
}

TEST(Learner, ReportsWhatWasDeliveredBeforeTheRestartWithoutDeliveringItAgain) {
  recovered_state disk;
  disk.delivered[1] = value_of("a", 2, 1);
  disk.delivered[2] = value_of("a", 2, 1);  // decided twice, delivered once
  learner l(1, {}, disk);
  const auto& before = l.delivered();
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before.at(1).messages().size(), 1u);
  EXPECT_TRUE(before.at(2).messages().empty());
  EXPECT_TRUE(l.outbox().take().deliveries.empty());
}

TEST(Learner, LogsTheBatchAsDeliveredWithoutDuplicatesOfEarlierSlots) {
  learner l(1, {}, {});
  l.step(2, decision{1, value_of("a", 2, 1)});
  l.step(2, decision{2, value_of("a", 2, 1)});  // proposed again after a leader change
  const auto e = l.outbox().take();
  ASSERT_EQ(e.durable.size(), 2u);
  EXPECT_TRUE(std::get<delivery_record>(e.durable[1]).value.messages().empty());
  EXPECT_EQ(l.delivered().at(1).messages().size(), 1u);
}

TEST(Learner, AsksAPeerThatIsAheadForTheMissingDecisions) {
  learner l(1, {}, {});
  l.on_peer_progress(3, 10);
  l.tick();
  auto requests = sent<catch_up_request>(l.outbox().take());
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].first, 3u);
  EXPECT_EQ(requests[0].second.from_slot, 1u);
}

TEST(Learner, AsksTheSenderOfADecisionBeyondAGap) {
  learner_config config;
  config.catch_up_retry_ticks = 3;
  learner l(1, config, {});
  l.step(2, decision{4, value_of("d")});
  l.tick();
  EXPECT_EQ(sent<catch_up_request>(l.outbox().take()).at(0).first, 2u);
  l.tick();
  l.tick();
  EXPECT_TRUE(sent<catch_up_request>(l.outbox().take()).empty());  // waits before asking again
  l.tick();
  EXPECT_EQ(sent<catch_up_request>(l.outbox().take()).size(), 1u);
}

TEST(Learner, AsksForTheNextChunkAsSoonAsAnAnswerIsTakenIn) {
  learner_config config;
  config.catch_up_retry_ticks = 50;  // the retry timer is not what drives a healthy catch-up
  learner l(1, config, {});
  l.on_peer_progress(2, 100);
  l.tick();
  ASSERT_EQ(sent<catch_up_request>(l.outbox().take()).size(), 1u);
  for (slot_t s = 1; s <= 10; ++s) l.step(2, decision{s, value_of("v", 2, s)});
  l.tick();  // decisions came during this tick: the answer may still be arriving
  EXPECT_TRUE(sent<catch_up_request>(l.outbox().take()).empty());
  l.tick();  // nothing more came: ask for the next chunk now
  const auto again = sent<catch_up_request>(l.outbox().take());
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].second.from_slot, 11u);
}

TEST(Learner, AnswersCatchUpFromItsDecidedBatchesBounded) {
  learner_config config;
  config.max_catch_up_slots = 2;
  learner l(1, config, {});
  for (slot_t s = 1; s <= 4; ++s) l.step(2, decision{s, value_of("v", 2, s)});
  l.outbox().take();
  l.step(3, catch_up_request{2});
  const auto answers = sent<decision>(l.outbox().take());
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].first, 3u);
  EXPECT_EQ(answers[0].second.slot, 2u);
  EXPECT_EQ(answers[1].second.slot, 3u);
}

TEST(Learner, CatchUpAnswersAreBoundedInBytesToo) {
  learner_config config;
  config.max_catch_up_bytes = 1;  // every batch exceeds it: one decision per answer
  learner l(1, config, {});
  for (slot_t s = 1; s <= 4; ++s) l.step(2, decision{s, value_of("v", 2, s)});
  l.outbox().take();
  l.step(3, catch_up_request{1});
  const auto answers = sent<decision>(l.outbox().take());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].second.slot, 1u);
}

TEST(Learner, ForgetsOnlyDeliveredSlotsAndLeavesOlderCatchUpToTheShell) {
  learner l(1, {}, {});
  for (slot_t s = 1; s <= 4; ++s) l.step(2, decision{s, value_of("v", 2, s)});
  l.outbox().take();
  l.forget_up_to(10);  // beyond what was delivered: only up to slot 4
  EXPECT_EQ(l.forgotten_up_to(), 4u);
  l.step(3, catch_up_request{2});
  auto e = l.outbox().take();
  EXPECT_TRUE(e.messages.empty());  // from storage: the learner asks for a page
  ASSERT_EQ(e.notes.size(), 1u);
  const auto& read = std::get<archive_read>(e.notes[0]);
  EXPECT_EQ(read.peer, 3u);
  EXPECT_EQ(read.from_slot, 2u);
  l.on_archive_page(3, {{2, value_of("a", 2, 2)}, {3, value_of("b", 2, 3)}});
  const auto answer = sent<decision>(l.outbox().take());
  ASSERT_EQ(answer.size(), 2u);
  EXPECT_EQ(answer[0].first, 3u);
  EXPECT_EQ(answer[1].second.slot, 3u);
  l.step(2, decision{5, value_of("v", 2, 5)});
  l.outbox().take();
  l.step(3, catch_up_request{5});
  EXPECT_EQ(sent<decision>(l.outbox().take()).size(), 1u);
}

TEST(Learner, QuietWhenUpToDate) {
  learner l(1, {}, {});
  l.on_peer_progress(2, 0);
  l.tick();
  EXPECT_TRUE(l.outbox().take().empty());
}

}  // namespace
}  // namespace synod
