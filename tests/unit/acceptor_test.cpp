#include "actors/acceptor/acceptor.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::records;
using test::sent;
using test::value_of;

// The invoker side of the round-based register (Fig. 5) over three acceptor cores, synchronous:
// enough to replay the paper's scenarios against the real replica code.
class register_harness {
 public:
  register_harness() : replicas_(3, acceptor(recovered_state{})) {}

  // read(k) on slot 1: commit with the value of the highest write round, or abort (nullopt).
  std::optional<batch> read(round_t k) {
    std::optional<accepted_value> best;
    for (auto& r : replicas_) {
      r.step(client, read_request{k, 1});
      auto e = r.outbox().take();
      if (!sent<read_nack>(e).empty()) return std::nullopt;  // one nack aborts
      const auto acks = sent<read_ack>(e);
      for (const auto& a : acks.at(0).second.accepted)
        if (a.slot == 1 && (!best || a.round > best->round)) best = a;
    }
    return best ? best->value : batch{};
  }

  bool write(round_t k, const batch& v) {
    bool committed = true;
    for (auto& r : replicas_) {
      r.step(client, write_request{k, 1, v});
      if (!sent<write_nack>(r.outbox().take()).empty()) committed = false;
    }
    return committed;
  }

  // propose(k, v) of round-based consensus (Fig. 6): read, adopt what was read, write.
  std::optional<batch> propose(round_t k, const batch& v) {
    auto read_value = read(k);
    if (!read_value) return std::nullopt;
    batch chosen = read_value->is_noop() ? v : *read_value;
    if (!write(k, chosen)) return std::nullopt;
    return chosen;
  }

  static constexpr node_id client = 7;

 private:
  std::vector<acceptor> replicas_;
};

round_t r(std::uint64_t k, node_id p) {
  return round_t{k, p};
}

TEST(Acceptor, Figure1_ReadWriteAbortAndCommit) {
  register_harness reg;
  const batch X = value_of("X"), Y = value_of("Y");
  EXPECT_TRUE(reg.write(r(1, 1), X));   // p1: write(1, X) commits
  EXPECT_EQ(reg.read(r(2, 2)), X);      // p2: read(2) commits with X
  EXPECT_FALSE(reg.write(r(1, 3), Y));  // p3: write(1, Y) aborts: round 2 was read
  EXPECT_EQ(reg.read(r(2, 2)), X);      // the value stays X
  EXPECT_TRUE(reg.write(r(3, 3), Y));   // p3: write(3, Y) commits
  EXPECT_EQ(reg.read(r(4, 1)), Y);      // the value is now Y
}

TEST(Acceptor, Figure2_ConsensusAgreesOnTheFirstDecision) {
  register_harness reg;
  const batch X = value_of("X"), Y = value_of("Y"), Z = value_of("Z");
  EXPECT_EQ(reg.propose(r(2, 2), Y), Y);             // p2: propose(2, Y) commits Y
  EXPECT_EQ(reg.propose(r(1, 1), X), std::nullopt);  // p1: propose(1, X) aborts
  EXPECT_EQ(reg.propose(r(4, 1), X), Y);             // p1: propose(4, X) decides Y (agreement)
  EXPECT_EQ(reg.propose(r(3, 3), Z), std::nullopt);  // p3: propose(3, Z) aborts
}

TEST(Acceptor, NamesTheValueItAcceptedInExactlyTheRoundAsked) {
  acceptor a({});
  a.step(1, write_request{{3, 1}, 5, value_of("v")});
  ASSERT_NE(a.accepted_in(5, {3, 1}), nullptr);
  EXPECT_EQ(a.accepted_in(5, {3, 1})->value, value_of("v"));
  EXPECT_EQ(a.accepted_in(5, {4, 1}), nullptr);  // not accepted in that round
  EXPECT_EQ(a.accepted_in(6, {3, 1}), nullptr);
  a.step(2, read_request{{7, 2}, 1});
  a.step(1, write_request{{3, 1}, 6, value_of("late")});  // refused: a higher promise
  EXPECT_EQ(a.accepted_in(6, {3, 1}), nullptr);
}

TEST(Acceptor, PromiseIsLoggedBeforeTheAck) {
  acceptor a{recovered_state{}};
  a.step(1, read_request{r(5, 1), 1});
  auto e = a.outbox().take();
  ASSERT_EQ(records<promise_record>(e).size(), 1u);
  EXPECT_EQ(records<promise_record>(e)[0].round, r(5, 1));
  ASSERT_EQ(sent<read_ack>(e).size(), 1u);
  EXPECT_EQ(sent<read_ack>(e)[0].first, 1u);
}

// A READ's answer is cut into pages (a whole acceptor's memory in one message made a frame of
// hundreds of MiB): every accepted value once, in slot order, each page within the bound but
// for a single value larger than it.
TEST(Acceptor, AnswersAReadInPagesOfBoundedSize) {
  acceptor a{recovered_state{}, 10};
  for (slot_t s = 1; s <= 5; ++s)
    a.step(2, write_request{r(3, 2), s, value_of(std::string(s == 4 ? 25 : 4, 'x'), 7, s)});
  a.outbox().take();
  a.step(1, read_request{r(5, 1), 2});
  const auto pages = sent<read_ack>(a.outbox().take());
  ASSERT_EQ(pages.size(), 3u);  // slots 2-3 (8 bytes), 4 (25 bytes, alone), 5
  std::vector<slot_t> slots;
  for (std::uint32_t i = 0; i < pages.size(); ++i) {
    const read_ack& p = pages[i].second;
    EXPECT_EQ(p.page, i);
    EXPECT_EQ(p.pages, 3u);
    EXPECT_EQ(p.from_slot, 2u);
    for (const auto& v : p.accepted) slots.push_back(v.slot);
  }
  EXPECT_EQ(slots, (std::vector<slot_t>{2, 3, 4, 5}));
  a.step(1, read_request{r(6, 1), 9});  // nothing to report: still one (empty) page
  const auto empty = sent<read_ack>(a.outbox().take());
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].second.pages, 1u);
  EXPECT_TRUE(empty[0].second.accepted.empty());
}

TEST(Acceptor, AcceptedValueIsLoggedBeforeTheAck) {
  acceptor a{recovered_state{}};
  a.step(2, write_request{r(3, 2), 4, value_of("v")});
  auto e = a.outbox().take();
  ASSERT_EQ(records<accept_record>(e).size(), 1u);
  EXPECT_EQ(records<accept_record>(e)[0].slot, 4u);
  EXPECT_EQ(records<accept_record>(e)[0].value, value_of("v"));
  EXPECT_EQ(sent<write_ack>(e).size(), 1u);
}

TEST(Acceptor, RepeatedReadOfTheSameRoundIsAckedWithoutAnotherLog) {
  acceptor a{recovered_state{}};
  a.step(1, read_request{r(5, 1), 1});
  a.outbox().take();
  a.step(1, read_request{r(5, 1), 1});  // a retransmitted READ
  auto e = a.outbox().take();
  EXPECT_TRUE(e.durable.empty());
  EXPECT_EQ(sent<read_ack>(e).size(), 1u);
}

TEST(Acceptor, LowerRoundsAreNackedWithThePromise) {
  acceptor a{recovered_state{}};
  a.step(2, read_request{r(5, 2), 1});
  a.outbox().take();
  a.step(1, read_request{r(4, 1), 1});
  a.step(1, write_request{r(4, 1), 1, value_of("late")});
  auto e = a.outbox().take();
  ASSERT_EQ(sent<read_nack>(e).size(), 1u);
  EXPECT_EQ(sent<read_nack>(e)[0].second.promised, r(5, 2));
  ASSERT_EQ(sent<write_nack>(e).size(), 1u);
  EXPECT_TRUE(e.durable.empty());
  EXPECT_TRUE(a.accepted().empty());
}

TEST(Acceptor, AcceptingAWriteAlsoPromisesItsRound) {
  acceptor a{recovered_state{}};
  a.step(2, write_request{r(6, 2), 1, value_of("v")});
  a.outbox().take();
  a.step(1, read_request{r(5, 1), 1});
  EXPECT_EQ(sent<read_nack>(a.outbox().take()).size(), 1u);
}

TEST(Acceptor, ReadAckCarriesEverySlotFromTheGivenOne) {
  acceptor a{recovered_state{}};
  for (slot_t s = 1; s <= 5; ++s) a.step(1, write_request{r(1, 1), s, value_of("v", 1, s)});
  a.outbox().take();
  a.step(2, read_request{r(2, 2), 3});
  auto acks = sent<read_ack>(a.outbox().take());
  ASSERT_EQ(acks.size(), 1u);
  ASSERT_EQ(acks[0].second.accepted.size(), 3u);
  EXPECT_EQ(acks[0].second.accepted[0].slot, 3u);
  EXPECT_EQ(acks[0].second.accepted[2].slot, 5u);
}

TEST(Acceptor, AReadThatWouldNeedAForgottenSlotIsRefusedWithoutAPromise) {
  acceptor a{recovered_state{}};
  for (slot_t s = 1; s <= 5; ++s) a.step(1, write_request{r(1, 1), s, value_of("v", 1, s)});
  a.outbox().take();
  a.forget_up_to(3);
  EXPECT_EQ(a.accepted().size(), 2u);   // slots 4 and 5 are still in memory
  a.step(2, read_request{r(2, 2), 3});  // a leader that has not delivered slot 3
  auto e = a.outbox().take();
  EXPECT_TRUE(e.durable.empty());  // no promise: the leader must catch up, not win
  const auto nacks = sent<read_nack>(e);
  ASSERT_EQ(nacks.size(), 1u);
  EXPECT_EQ(nacks[0].second.promised, r(2, 2));
  EXPECT_EQ(a.promised(), r(1, 1));
  a.step(2, read_request{r(3, 2), 4});  // caught up: served, with what is left
  const auto acks = sent<read_ack>(a.outbox().take());
  ASSERT_EQ(acks.size(), 1u);
  ASSERT_EQ(acks[0].second.accepted.size(), 2u);
  EXPECT_EQ(acks[0].second.accepted[0].slot, 4u);
}

TEST(Acceptor, AWriteIntoTheForgottenPrefixIsNotAccepted) {
  acceptor a{recovered_state{}};
  a.step(1, write_request{r(1, 1), 1, value_of("v")});
  a.outbox().take();
  a.forget_up_to(1);
  a.step(1, write_request{r(2, 1), 1, value_of("other")});
  auto e = a.outbox().take();
  EXPECT_TRUE(e.durable.empty());
  EXPECT_EQ(sent<write_nack>(e).size(), 1u);
  EXPECT_TRUE(a.accepted().empty());
}

// A restart recovers only the memory window: the slots below it stay forgotten, so a leader that
// has not delivered them is refused exactly as before the restart (it cannot miss their values).
TEST(Acceptor, AfterARecoveryWithAWindowTheForgottenPrefixIsStillRefused) {
  recovered_state disk;
  for (slot_t s = 1; s <= 5; ++s) {
    disk.accepted[s] = accepted_value{s, r(1, 1), value_of("v", 1, s)};
    disk.delivered[s] = value_of("v", 1, s);
  }
  keep_window(disk, 2);
  EXPECT_EQ(disk.forgotten_up_to, 3u);
  acceptor a{disk};
  EXPECT_EQ(a.forgotten_up_to(), 3u);
  a.step(2, read_request{r(2, 2), 2});
  EXPECT_EQ(sent<read_nack>(a.outbox().take()).size(), 1u);
  EXPECT_EQ(a.promised(), r(0, 0));
  a.step(2, read_request{r(2, 2), 4});
  const auto acks = sent<read_ack>(a.outbox().take());
  ASSERT_EQ(acks.size(), 1u);
  ASSERT_EQ(acks[0].second.accepted.size(), 2u);
  EXPECT_EQ(acks[0].second.accepted[0].slot, 4u);
}

TEST(Acceptor, RecoveredPromiseStillNacksLowerRounds) {
  recovered_state disk;
  disk.promised = r(9, 3);
  disk.accepted[2] = accepted_value{2, r(8, 3), value_of("kept")};
  acceptor a{disk};
  a.step(1, read_request{r(8, 1), 1});
  EXPECT_EQ(sent<read_nack>(a.outbox().take()).size(), 1u);
  a.step(1, read_request{r(10, 1), 1});
  auto acks = sent<read_ack>(a.outbox().take());
  ASSERT_EQ(acks.size(), 1u);
  ASSERT_EQ(acks[0].second.accepted.size(), 1u);
  EXPECT_EQ(acks[0].second.accepted[0].value, value_of("kept"));
}

}  // namespace
}  // namespace synod
