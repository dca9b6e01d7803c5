#include "actors/front/front.hpp"

#include <gtest/gtest.h>

#include <set>

#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::records;
using test::sent;
using test::value_of;

TEST(BroadcastFront, IdsStayUniqueAcrossRestarts) {
  recovered_state disk;
  std::set<message_id> ids;
  for (int incarnation = 0; incarnation < 3; ++incarnation) {
    broadcast_front f(4, {}, disk);
    for (const auto& r : records<incarnation_record>(f.outbox().take()))
      disk.incarnation = r.incarnation;
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(ids.insert(*f.broadcast("x")).second);
  }
  EXPECT_EQ(ids.size(), 15u);
  EXPECT_EQ(disk.incarnation, 3u);
}

TEST(BroadcastFront, OwnMessagesInSkippedSlotsCountAsDelivered) {
  broadcast_front f(4, {}, {});
  const auto a = *f.broadcast("a");
  const auto b = *f.broadcast("b");
  f.outbox().take();
  delivered_filter ids;
  ids.insert(a);
  f.on_delivery(delivery::gap(1, ledger_snapshot{9, ids, 1, 1, 0}));
  EXPECT_EQ(f.take_delivered(), std::vector<message_id>{a});
  EXPECT_EQ(f.undelivered(), 1u);
  (void)b;
}

TEST(BroadcastFront, ForwardsToTheLeaderAndAgainWhenItChanges) {
  broadcast_front f(4, {}, {});
  f.on_leader_change(1);
  f.broadcast("a");
  f.broadcast("b");
  auto first = sent<forward>(f.outbox().take());
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].first, 1u);
  f.on_leader_change(2);
  auto again = sent<forward>(f.outbox().take());
  ASSERT_EQ(again.size(), 1u);  // one forward carries everything undelivered
  EXPECT_EQ(again[0].first, 2u);
  EXPECT_EQ(again[0].second.value.size(), 2u);
}

TEST(BroadcastFront, ForwardsManyPayloadsInFewForwards) {
  broadcast_config config;
  config.max_forward_messages = 2;
  broadcast_front f(4, config, {});
  f.on_leader_change(1);
  const auto ids = f.broadcast_all({"a", "b", "c"});
  ASSERT_TRUE(ids.has_value());
  const auto sent_forwards = sent<forward>(f.outbox().take());
  ASSERT_EQ(sent_forwards.size(), 2u);
  const auto& first = sent_forwards[0].second.value.messages();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, (*ids)[0]);
  EXPECT_EQ(first[1].payload, "b");
  EXPECT_EQ(sent_forwards[1].second.value.messages().at(0).id, (*ids)[2]);
}

TEST(BroadcastFront, ResendsWhatStaysUndelivered) {
  broadcast_config config;
  config.resend_ticks = 2;
  broadcast_front f(4, config, {});
  f.on_leader_change(1);
  auto id = *f.broadcast("a");
  f.outbox().take();
  f.tick();
  EXPECT_TRUE(f.outbox().take().messages.empty());
  f.tick();
  EXPECT_EQ(sent<forward>(f.outbox().take()).size(), 1u);
  f.on_delivery(delivery{1, {client_message{id, "a"}}});
  EXPECT_EQ(f.take_delivered(), std::vector<message_id>{id});
  f.tick();
  f.tick();
  EXPECT_TRUE(f.outbox().take().messages.empty());
}

TEST(BroadcastFront, RefusesWhenTooMuchIsUndelivered) {
  broadcast_config config;
  config.max_undelivered = 2;
  broadcast_front f(4, config, {});
  EXPECT_TRUE(f.broadcast("a"));
  EXPECT_TRUE(f.broadcast("b"));
  EXPECT_FALSE(f.broadcast("c"));
}

TEST(BroadcastFront, TakesAllOrNoneOfARequest) {
  broadcast_config config;
  config.max_undelivered = 3;
  broadcast_front f(4, config, {});
  EXPECT_EQ(f.broadcast_all({"a", "b"})->size(), 2u);
  EXPECT_FALSE(f.broadcast_all({"c", "d"}));
  EXPECT_EQ(f.undelivered(), 2u);  // nothing of the refused request was taken
}

TEST(BroadcastFront, IgnoresOtherOriginsDeliveries) {
  broadcast_front f(4, {}, {});
  f.on_delivery(delivery{1, {client_message{{5, 0}, "x"}}});
  EXPECT_TRUE(f.take_delivered().empty());
}

TEST(BroadcastFront, RefusesAMessageAboveTheSizeLimitAndTakesNothing) {
  broadcast_config config;
  config.max_message_bytes = 10;
  broadcast_front f(4, config, {});
  f.on_leader_change(1);
  f.outbox().take();
  const std::vector<std::string> payloads{"small", std::string(11, 'x')};
  EXPECT_EQ(f.refuses(payloads), refusal::too_large);
  EXPECT_FALSE(f.broadcast_all(payloads));
  EXPECT_EQ(f.undelivered(), 0u);
  EXPECT_TRUE(f.outbox().take().messages.empty());
  EXPECT_TRUE(f.broadcast(std::string(10, 'x')));  // at the limit: taken
}

// A request that could never be taken is refused as too large, not as busy (a client would
// retry it for ever): more messages than max_undelivered, or more bytes than max_request_bytes
// (which a single message of max_message_bytes always fits).
TEST(BroadcastFront, RefusesARequestThatCouldNeverBeTaken) {
  broadcast_config config;
  config.max_undelivered = 3;
  config.max_request_bytes = 10;
  config.max_message_bytes = 6;
  broadcast_front f(4, config, {});
  EXPECT_EQ(f.refuses({"a", "b", "c", "d"}), refusal::request_too_large);
  EXPECT_EQ(f.refuses({"123456", "123456"}), refusal::request_too_large);
  EXPECT_EQ(f.refuses({"123456", "1234"}), refusal::none);
  config.max_request_bytes = 2;  // below one message: a message of max_message_bytes still fits
  broadcast_front g(4, config, {});
  EXPECT_EQ(g.refuses({"123456"}), refusal::none);
  EXPECT_TRUE(f.broadcast_all({"a", "b", "c"}));
  EXPECT_EQ(f.refuses({"d"}), refusal::busy);  // could be taken later: busy
}

TEST(BroadcastFront, UndeliveredBytesAreBoundedToo) {
  broadcast_config config;
  config.max_undelivered_bytes = 100;
  broadcast_front f(4, config, {});
  EXPECT_TRUE(f.broadcast(std::string(150, 'x')));  // alone, even above the bound
  EXPECT_EQ(f.refuses({"y"}), refusal::busy);
  f.on_delivery(
      delivery{1, value_of(std::string(150, 'x'), 4, (f.incarnation() << seq_counter_bits) | 0)});
  EXPECT_EQ(f.undelivered_bytes(), 0u);
  EXPECT_EQ(f.refuses({"y"}), refusal::none);
}

TEST(BroadcastFront, ForwardsAreCutByBytes) {
  broadcast_config config;
  config.max_forward_bytes = 10;
  broadcast_front f(4, config, {});
  f.on_leader_change(1);
  f.outbox().take();
  ASSERT_TRUE(f.broadcast_all({std::string(6, 'a'), std::string(6, 'b'), std::string(20, 'c')}));
  const auto forwards = sent<forward>(f.outbox().take());
  ASSERT_EQ(forwards.size(), 3u);  // 6 | 6 | 20: a forward holds at least one message
}

}  // namespace
}  // namespace synod
