#include "actors/retransmission/link.hpp"

#include <gtest/gtest.h>

namespace synod {
namespace {

// Moves every sendable frame from one link to the other, optionally dropping some.
std::vector<std::string> transfer(link& from, link& to, std::vector<bool> drop = {}) {
  std::vector<std::string> passed;
  auto frames = from.take_sendable();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (i < drop.size() && drop[i]) continue;
    for (auto& payload : to.receive(frames[i])) passed.push_back(payload);
  }
  return passed;
}

TEST(Link, PassesPayloadsInOrderAndAcknowledgesThem) {
  link a(1, 2, 100, {}), b(2, 1, 200, {});
  a.push("x");
  a.push("y");
  EXPECT_EQ(transfer(a, b), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(a.unacked_bytes(), 2u);
  transfer(b, a);  // b owes an acknowledgement and sends it alone
  EXPECT_EQ(a.unacked_bytes(), 0u);
}

TEST(Link, ResendsALostFrameAsSoonAsTheGapIsKnown) {
  link a(1, 2, 100, {}), b(2, 1, 200, {});
  a.push("1");
  a.push("2");
  a.push("3");
  // 2 is lost; 3 is held back behind the gap.
  EXPECT_EQ(transfer(a, b, {false, true, false}), (std::vector<std::string>{"1"}));
  transfer(b, a);  // the ack says 1, the highest says 3: frame 2 goes again at once
  EXPECT_EQ(transfer(a, b), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(a.resent_frames(), 1u);
}

TEST(Link, ResendsTheWindowWhenAcknowledgementsStall) {
  link_config config;
  config.resend_ticks = 2;
  link a(1, 2, 100, config), b(2, 1, 200, config);
  a.push("x");
  a.push("y");
  transfer(a, b, {true, true});  // a cut link: all lost, and nothing tells a
  a.tick();
  EXPECT_TRUE(a.take_sendable().empty());
  a.tick();
  EXPECT_EQ(transfer(a, b), (std::vector<std::string>{"x", "y"}));
}

TEST(Link, AStalledLinkIsNotFloodedWithCopies) {
  link_config config;
  config.resend_ticks = 2;
  config.max_resend_ticks = 8;
  link a(1, 2, 100, config);
  a.push(std::string(1000, 'x'));
  a.take_sendable();
  // Acks never come (a slow or cut connection): resends after 2, then 4, then 8, 8, ... ticks.
  std::vector<int> resent_at;
  for (int t = 1; t <= 40; ++t) {
    a.tick();
    if (!a.take_sendable().empty()) resent_at.push_back(t);
  }
  EXPECT_EQ(resent_at, (std::vector<int>{2, 6, 14, 22, 30, 38}));
}

TEST(Link, ALosslessConnectionIsResentOnlyAfterAReconnectionOrALongStall) {
  link_config config;
  config.lossless = true;
  config.max_resend_ticks = 50;
  link a(1, 2, 100, config), b(2, 1, 200, config);
  a.push("1");
  a.push("2");
  a.push("3");
  transfer(a, b, {false, true, false});   // (only a broken connection loses frames)
  transfer(b, a);                         // the gap is known, but no fast resend
  for (int t = 0; t < 49; ++t) a.tick();  // nor a timed one while the connection stands
  EXPECT_TRUE(a.take_sendable().empty());
  a.reconnected();
  EXPECT_EQ(transfer(a, b), (std::vector<std::string>{"2", "3"}));
}

TEST(Link, DatagramsPassAtOnceAndAreNeverResent) {
  link a(1, 2, 100, {}), b(2, 1, 200, {});
  a.push_datagram("beat");
  EXPECT_EQ(transfer(a, b), (std::vector<std::string>{"beat"}));
  for (int i = 0; i < 30; ++i) a.tick();
  EXPECT_TRUE(a.take_sendable().empty());
}

TEST(Link, DuplicatesPassOnce) {
  link a(1, 2, 100, {}), b(2, 1, 200, {});
  a.push("once");
  const auto frames = a.take_sendable();
  EXPECT_EQ(b.receive(frames[0]).size(), 1u);
  EXPECT_TRUE(b.receive(frames[0]).empty());
}

TEST(Link, ReconnectionResendsEverythingUnacknowledged) {
  link a(1, 2, 100, {}), b(2, 1, 200, {});
  a.push("lost");
  a.take_sendable();  // the connection died with it
  a.reconnected();
  EXPECT_EQ(transfer(a, b), (std::vector<std::string>{"lost"}));
}

TEST(Link, APeerThatRestartedIsHeardFromItsNewSession) {
  link a(1, 2, 100, {});
  link b_old(2, 1, 200, {});
  b_old.push("old");
  EXPECT_EQ(transfer(b_old, a).size(), 1u);
  link b_new(2, 1, 201, {});  // b crashed and came back
  b_new.push("new");
  EXPECT_EQ(transfer(b_new, a), (std::vector<std::string>{"new"}));
}

TEST(Link, BoundsTheBytesInFlight) {
  link_config config;
  config.max_unacked_bytes = 10;
  link a(1, 2, 100, config), b(2, 1, 200, config);
  for (int i = 0; i < 5; ++i) a.push(std::string(4, 'z'));
  EXPECT_EQ(a.take_sendable().size(), 2u);  // 8 bytes out, the third would pass 10
  EXPECT_EQ(a.queued(), 3u);
}

TEST(Link, RefusesWhenTheQueueIsFull) {
  link_config config;
  config.max_queued_bytes = 5;
  link a(1, 2, 100, config);
  EXPECT_TRUE(a.push("abc"));
  EXPECT_FALSE(a.push("def"));
}

// A full queue still takes small payloads: the transport says "room again" only once half of
// it drained, or its log would flip between full and not at every flush.
TEST(Link, IsHalfEmptyOnlyOnceHalfTheQueueDrained) {
  link_config config;
  config.max_queued_bytes = 10;
  config.max_unacked_bytes = 1;  // nothing leaves the queue without acknowledgements
  link a(1, 2, 100, config);
  EXPECT_TRUE(a.half_empty());
  a.take_sendable();
  EXPECT_TRUE(a.push("1234"));
  EXPECT_TRUE(a.push("56789"));
  EXPECT_FALSE(a.push("big payload"));
  EXPECT_TRUE(a.push("x"));  // squeezes in
  EXPECT_FALSE(a.half_empty());
}

TEST(Link, AnEmptyQueueTakesAPayloadLargerThanItsBound) {
  link_config config;
  config.max_queued_bytes = 5;
  link a(1, 2, 100, config);
  EXPECT_TRUE(a.push("a payload of 25 characters"));  // or it could never leave
  EXPECT_FALSE(a.push("x"));
}

}  // namespace
}  // namespace synod
