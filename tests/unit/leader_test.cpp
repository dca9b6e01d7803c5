#include "actors/leader/leader.hpp"

#include <gtest/gtest.h>

#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::group_of;
using test::records;
using test::sent;
using test::value_of;

class LeaderTest : public ::testing::Test {
 protected:
  leader make(const recovered_state& disk = {}, leader_config config = {}) {
    return leader(1, group_of(3), config, disk);
  }

  // Failure detectors 1 and 2 consent to the probe the leader just sent.
  static void consent(leader& l) {
    const auto probes = sent<lead_probe>(l.outbox().take());
    const std::uint64_t attempt = probes.at(0).second.attempt;
    l.step(1, lead_ack{attempt});
    l.step(2, lead_ack{attempt});
  }

  // Its failure detector elects node 1, and a majority consents: it starts a round.
  static void elect(leader& l) {
    l.on_leader_change(1);
    consent(l);
  }

  // Elects the leader and answers its READ from acceptors 1 and 2 with the given reports.
  static effects win_phase_one(leader& l, std::vector<accepted_value> from1 = {},
                               std::vector<accepted_value> from2 = {}) {
    elect(l);
    auto reads = sent<read_request>(l.outbox().take());
    const round_t k = reads.at(0).second.round;
    const slot_t from = reads.at(0).second.from_slot;
    l.step(1, read_ack{k, from, std::move(from1)});
    l.step(2, read_ack{k, from, std::move(from2)});
    return l.outbox().take();
  }

  static forward forward_of(std::size_t count, node_id origin = 2) {
    batch_builder b;
    for (std::size_t i = 0; i < count; ++i) b.add({origin, i}, "p" + std::to_string(i));
    return forward{b.finish()};
  }
};

// The local learner skipped to a snapshot: what it covers is delivered, so the leader releases
// those messages, never proposes them, and proposes after the snapshot's slot.
TEST_F(LeaderTest, ASkippedSnapshotReleasesWhatItCoversAndMovesPastIt) {
  leader l = make();
  win_phase_one(l);
  l.step(2, forward_of(4));
  auto proposed = sent<write_request>(l.outbox().take());
  ASSERT_FALSE(proposed.empty());
  EXPECT_EQ(l.held_count(), 4u);
  delivered_filter ids;
  for (std::uint64_t seq = 0; seq < 4; ++seq) ids.insert({2, seq});
  l.on_delivery(delivery::gap(1, ledger_snapshot{50, ids, 4, 8, 0}));
  EXPECT_EQ(l.held_count(), 0u);
  EXPECT_EQ(l.in_flight(), 0u);
  l.step(2, forward_of(5));  // 0..3 again, and 4
  const auto next = sent<write_request>(l.outbox().take());
  ASSERT_EQ(next.size(), 3u);  // one new batch, to each acceptor
  EXPECT_EQ(next[0].second.slot, 51u);
  EXPECT_EQ(next[0].second.value.size(), 1u);
}

// Acceptors that forgot a delivered slot refuse every WRITE of it: a leader that proposed slots
// delivered while its phase 1 ran would resend them for ever.
TEST_F(LeaderTest, SlotsDeliveredDuringPhaseOneAreNotProposed) {
  leader l = make();
  elect(l);
  const auto read = sent<read_request>(l.outbox().take()).at(0).second;
  for (slot_t s = 1; s <= 3; ++s) l.on_delivery(delivery{s, value_of("d", 7, s)});
  l.step(1, read_ack{read.round, read.from_slot, {{2, {1, 3}, value_of("d", 7, 2)}}});
  l.step(2, read_ack{read.round, read.from_slot, {{4, {1, 3}, value_of("e", 7, 4)}}});
  const auto writes = sent<write_request>(l.outbox().take());
  ASSERT_FALSE(writes.empty());
  for (const auto& [to, w] : writes) EXPECT_EQ(w.slot, 4u);
}

// A member elected by its own failure detector asks first: no round (which would depose the
// leader at every acceptor it reaches) until a majority of failure detectors consents.
TEST_F(LeaderTest, NoRoundStartsBeforeAMajorityConsents) {
  leader_config config;
  config.resend_ticks = 2;
  auto l = make({}, config);
  l.on_leader_change(1);
  auto e = l.outbox().take();
  EXPECT_TRUE(records<round_counter_record>(e).empty());
  EXPECT_TRUE(sent<read_request>(e).empty());
  const auto probes = sent<lead_probe>(e);
  ASSERT_EQ(probes.size(), 3u);  // every failure detector, its own included
  EXPECT_TRUE(l.probing());
  const std::uint64_t attempt = probes[0].second.attempt;
  l.step(1, lead_ack{attempt});
  l.step(2, lead_ack{attempt - 1});  // a late answer to an earlier probe does not count
  EXPECT_TRUE(l.outbox().take().messages.empty());
  l.tick();
  l.tick();
  const auto again = sent<lead_probe>(l.outbox().take());  // to those that did not consent
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].first, 2u);
  EXPECT_EQ(again[1].first, 3u);
  l.step(3, lead_ack{attempt});
  e = l.outbox().take();
  EXPECT_EQ(records<round_counter_record>(e).size(), 1u);
  EXPECT_EQ(sent<read_request>(e).size(), 3u);
}

// An answer counts once all of its pages arrived, in whatever order; until a majority of whole
// answers is in, nothing is proposed, and what every page reported is adopted.
TEST_F(LeaderTest, AReadAnswerCountsOnlyOnceEveryPageArrived) {
  auto l = make();
  elect(l);
  const auto read = sent<read_request>(l.outbox().take()).at(0).second;
  const round_t old{1, 2};
  l.step(1, read_ack{read.round, read.from_slot, {{2, old, value_of("b", 7, 2)}}, 1, 2});
  l.step(2, read_ack{read.round, read.from_slot, {}, 0, 1});
  EXPECT_FALSE(l.leading());  // acceptor 1 has sent half its answer
  l.step(1, read_ack{read.round, read.from_slot, {{2, old, value_of("b", 7, 2)}}, 1, 2});
  EXPECT_FALSE(l.leading());  // a page twice is still one page
  l.step(1, read_ack{read.round, read.from_slot, {{1, old, value_of("a", 7, 1)}}, 0, 2});
  ASSERT_TRUE(l.leading());
  const auto writes = sent<write_request>(l.outbox().take());
  std::map<slot_t, batch> proposed;
  for (const auto& [to, w] : writes) proposed[w.slot] = w.value;
  ASSERT_EQ(proposed.size(), 2u);
  EXPECT_EQ(proposed[1], value_of("a", 7, 1));  // both pages' values are adopted
  EXPECT_EQ(proposed[2], value_of("b", 7, 2));
}

TEST_F(LeaderTest, RoundCounterIsDurableBeforeTheFirstRead) {
  auto l = make();
  elect(l);
  auto e = l.outbox().take();
  ASSERT_EQ(records<round_counter_record>(e).size(), 1u);
  const auto reads = sent<read_request>(e);
  ASSERT_EQ(reads.size(), 3u);  // to every acceptor, itself included
  EXPECT_EQ(reads[0].second.round, (round_t{records<round_counter_record>(e)[0].counter, 1}));
  EXPECT_EQ(reads[0].second.from_slot, 1u);
}

TEST_F(LeaderTest, NeverReusesARoundAfterRecovery) {
  recovered_state disk;
  disk.round_counter = 41;  // the last counter used before the crash
  auto l = make(disk);
  elect(l);
  const auto reads = sent<read_request>(l.outbox().take());
  EXPECT_EQ(reads.at(0).second.round, (round_t{42, 1}));
}

TEST_F(LeaderTest, FollowerProposesNothing) {
  auto l = make();
  l.on_leader_change(2);
  l.step(3, forward_of(5));
  EXPECT_TRUE(l.outbox().take().messages.empty());
  EXPECT_FALSE(l.leading());
}

TEST_F(LeaderTest, ReadFromTheFirstUndeliveredSlot) {
  recovered_state disk;
  disk.delivered[1] = value_of("a");
  disk.delivered[2] = value_of("b");
  auto l = make(disk);
  elect(l);
  EXPECT_EQ(sent<read_request>(l.outbox().take()).at(0).second.from_slot, 3u);
}

TEST_F(LeaderTest, TakeoverReproposesTheHighestReportedValueAndFillsGapsWithNoops) {
  auto l = make();
  // Slot 1: two values, the one from the higher round wins. Slot 2: nobody reported: a gap.
  // Slot 3: reported by one acceptor only.
  auto e = win_phase_one(l,
                         {accepted_value{1, round_t{1, 2}, value_of("old")},
                          accepted_value{3, round_t{1, 2}, value_of("three")}},
                         {accepted_value{1, round_t{2, 3}, value_of("new")}});
  ASSERT_TRUE(l.leading());
  std::map<slot_t, batch> proposed;
  for (const auto& [to, w] : sent<write_request>(e)) proposed[w.slot] = w.value;
  ASSERT_EQ(proposed.size(), 3u);
  EXPECT_EQ(proposed[1], value_of("new"));
  EXPECT_TRUE(proposed[2].is_noop());
  EXPECT_EQ(proposed[3], value_of("three"));
}

TEST_F(LeaderTest, BatchesPendingMessagesIntoOneSlotPerBatch) {
  leader_config config;
  config.max_batch_messages = 4;
  config.window = 2;
  auto l = make({}, config);
  win_phase_one(l);
  l.step(2, forward_of(10));
  auto writes = sent<write_request>(l.outbox().take());
  // Two slots in the window, four messages each, to three acceptors.
  ASSERT_EQ(writes.size(), 6u);
  EXPECT_EQ(writes[0].second.slot, 1u);
  EXPECT_EQ(writes[0].second.value.messages().size(), 4u);
  EXPECT_EQ(writes[3].second.slot, 2u);
  EXPECT_EQ(l.in_flight(), 2u);
}

TEST_F(LeaderTest, MajorityOfAcksDecidesAndRefillsTheWindow) {
  leader_config config;
  config.max_batch_messages = 1;
  config.window = 1;
  auto l = make({}, config);
  win_phase_one(l);
  l.step(2, forward_of(2));
  const round_t k = l.current_round();
  l.outbox().take();
  l.step(1, write_ack{k, 1});
  EXPECT_TRUE(sent<decision>(l.outbox().take()).empty());  // one ack is no majority
  l.step(1, write_ack{k, 1});                              // a duplicate counts once
  EXPECT_TRUE(sent<decision>(l.outbox().take()).empty());
  l.step(3, write_ack{k, 1});
  auto e = l.outbox().take();
  const auto decisions = sent<decision>(e);
  ASSERT_EQ(decisions.size(), 3u);
  EXPECT_EQ(decisions[0].second.slot, 1u);
  EXPECT_EQ(sent<write_request>(e).at(0).second.slot, 2u);  // the window moved on
}

TEST_F(LeaderTest, DecisionsLeaveTheValueOutOnlyForPeersWhoseAcceptorAcceptedIt) {
  auto l = make();  // node 1
  win_phase_one(l);
  l.step(2, forward_of(1));
  const round_t k = l.current_round();
  const batch proposed = sent<write_request>(l.outbox().take()).at(0).second.value;
  l.step(1, write_ack{k, 1});
  l.step(3, write_ack{k, 1});
  std::map<node_id, decision> to;
  for (auto& [member, d] : sent<decision>(l.outbox().take())) to[member] = d;
  ASSERT_EQ(to.size(), 3u);
  EXPECT_FALSE(to[1].value_omitted);  // itself: shared in memory
  EXPECT_EQ(to[1].value, proposed);
  EXPECT_FALSE(to[2].value_omitted);  // its acceptor did not answer: it may not have the value
  EXPECT_EQ(to[2].value, proposed);
  EXPECT_TRUE(to[3].value_omitted);
  EXPECT_TRUE(to[3].value.is_noop());
  for (auto& [member, d] : to) EXPECT_EQ(d.round, k);
}

TEST_F(LeaderTest, NackMakesItStepDownAndTryAHigherRound) {
  leader_config config;
  config.retry_ticks = 2;
  auto l = make({}, config);
  elect(l);
  const round_t k = sent<read_request>(l.outbox().take()).at(0).second.round;
  l.step(2, read_nack{k, round_t{17, 3}});
  EXPECT_FALSE(l.leading());
  l.tick();
  EXPECT_TRUE(l.outbox().take().messages.empty());  // backing off
  l.tick();
  consent(l);
  const auto reads = sent<read_request>(l.outbox().take());
  ASSERT_FALSE(reads.empty());
  EXPECT_GT(reads[0].second.round, (round_t{17, 3}));
}

TEST_F(LeaderTest, UnansweredWritesAreResentToTheSilentAcceptorsOnly) {
  leader_config config;
  config.resend_ticks = 2;
  auto l = make({}, config);
  win_phase_one(l);
  l.step(2, forward_of(1));
  l.outbox().take();
  l.step(1, write_ack{l.current_round(), 1});
  l.tick();
  EXPECT_TRUE(l.outbox().take().messages.empty());
  l.tick();
  const auto resent = sent<write_request>(l.outbox().take());
  ASSERT_EQ(resent.size(), 2u);
  EXPECT_EQ(resent[0].first, 2u);
  EXPECT_EQ(resent[1].first, 3u);
}

TEST_F(LeaderTest, DeliveredMessagesAreNotProposedAgain) {
  leader_config config;
  config.window = 1;
  config.max_batch_messages = 1;
  auto l = make({}, config);
  win_phase_one(l);
  l.step(2, forward_of(3));  // message 0 is proposed in slot 1; 1 and 2 wait
  l.outbox().take();
  // Slot 1 is decided with messages 0 and 1 (another leader's batch): slot 1 is not proposed
  // any more, and of the waiting messages only 2 is left to propose.
  batch_builder decided;
  decided.add({2, 0}, "p0");
  decided.add({2, 1}, "p1");
  l.on_delivery(delivery{1, decided.finish()});
  const auto writes = sent<write_request>(l.outbox().take());
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_EQ(writes[0].second.slot, 2u);
  EXPECT_EQ(writes[0].second.value.messages().at(0).id.seq, 2u);
  EXPECT_EQ(l.in_flight(), 1u);
}

// The held set must not leak: ids a front forwarded again after their delivery (every resend
// interval, after every leader change) stayed held for ever, and at max_pending the leader
// dropped every new forward while it still looked alive: ordering stopped for good.
TEST_F(LeaderTest, AMessageForwardedAgainAfterItsDeliveryIsNotTakenUp) {
  auto l = make();
  win_phase_one(l);
  l.step(2, forward_of(2));
  l.outbox().take();
  l.on_delivery(delivery{1, forward_of(2).value});
  EXPECT_EQ(l.held_count(), 0u);
  l.step(2, forward_of(2));  // resent by a front that has not delivered them yet
  EXPECT_EQ(l.held_count(), 0u);
  EXPECT_TRUE(sent<write_request>(l.outbox().take()).empty());
}

TEST_F(LeaderTest, ADecidedBatchReleasesEveryMessageInItDuplicatesIncluded) {
  auto l = make();
  win_phase_one(l);
  l.step(2, forward_of(2));  // proposed in slot 1
  l.outbox().take();
  // Slot 1 decides another leader's batch holding message 0, which was delivered before: the
  // application is handed message 1 only, but the whole batch is decided.
  batch_builder whole;
  whole.add({2, 0}, "p0");
  whole.add({2, 1}, "p1");
  l.on_delivery(delivery{1, value_of("p1", 2, 1), whole.finish()});
  EXPECT_EQ(l.held_count(), 0u);
}

TEST_F(LeaderTest, AFollowerDropsWhatWasForwardedToItAfterAWhile) {
  leader_config config;
  config.resend_ticks = 2;
  auto l = make({}, config);
  l.on_leader_change(2);
  l.step(3, forward_of(5));  // its origin believes this member leads; it does not
  EXPECT_EQ(l.held_count(), 5u);
  for (int i = 0; i < 4; ++i) l.tick();
  EXPECT_EQ(l.held_count(), 0u);  // the origin forwards to whom it trusts, again and again
}

TEST_F(LeaderTest, ARefusalWithoutAHigherRoundKeepsTheRound) {
  auto l = make();
  win_phase_one(l);
  const round_t k = l.current_round();
  l.outbox().take();
  // An acceptor that forgot slot 1 (delivered long ago) refuses a WRITE of it in this round.
  l.step(3, write_nack{k, 1, k});
  EXPECT_TRUE(l.leading());
  EXPECT_EQ(l.current_round(), k);
}

TEST_F(LeaderTest, ARoundPromisedLocallyIsExceededByTheNextOne) {
  auto l = make();
  l.on_round_seen(round_t{30, 3});
  elect(l);
  const auto reads = sent<read_request>(l.outbox().take());
  EXPECT_EQ(reads.at(0).second.round, (round_t{31, 1}));
}

TEST_F(LeaderTest, SteppingDownLeavesUndecidedMessagesToTheirOrigins) {
  leader_config config;
  config.window = 1;
  auto l = make({}, config);
  win_phase_one(l);
  l.step(2, forward_of(3));
  l.outbox().take();
  l.on_leader_change(2);  // the fronts forward what they hold to node 2
  EXPECT_FALSE(l.leading());
  EXPECT_EQ(l.pending(), 0u);
  EXPECT_EQ(l.held_count(), 0u);
}

}  // namespace
}  // namespace synod
