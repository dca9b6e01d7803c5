// The checker must bite: each test feeds it a run broken in one way and expects that violation.
#include "tests/sim/checker.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace synod::sim {
namespace {

bool mentions(const std::vector<std::string>& violations, const std::string& what) {
  for (const auto& v : violations)
    if (v.rfind(what, 0) == 0) return true;
  return false;
}

class Checker : public ::testing::Test {
 protected:
  Checker() {
    for (std::uint64_t s = 1; s <= 3; ++s) c.on_broadcast({1, s});
  }
  void deliver_all(node_id node) {
    c.on_delivery(node, 1, {1, 1});
    c.on_delivery(node, 1, {1, 2});
    c.on_delivery(node, 2, {1, 3});
  }
  run_end all_up() const { return run_end{{1, 2, 3}, {{1, 1}, {1, 2}, {1, 3}}}; }

  total_order_checker c;
};

TEST_F(Checker, AcceptsACorrectRun) {
  for (node_id n = 1; n <= 3; ++n) deliver_all(n);
  EXPECT_TRUE(c.check(all_up()).empty());
}

TEST_F(Checker, AcceptsAPrefixWhileTheRunGoesOn) {
  deliver_all(1);
  c.on_delivery(2, 1, {1, 1});
  EXPECT_TRUE(c.check_safety().empty());
}

TEST_F(Checker, CatchesADuplicateDelivery) {
  deliver_all(1);
  c.on_delivery(1, 3, {1, 2});
  EXPECT_TRUE(mentions(c.check_safety(), "integrity"));
}

TEST_F(Checker, CatchesTwoNodesDeliveringInDifferentOrders) {
  deliver_all(1);
  c.on_delivery(2, 1, {1, 2});
  c.on_delivery(2, 1, {1, 1});
  EXPECT_TRUE(mentions(c.check_safety(), "total order"));
}

TEST_F(Checker, CatchesAGapAtOneNode) {
  deliver_all(1);
  c.on_delivery(2, 1, {1, 1});
  c.on_delivery(2, 2, {1, 3});  // skipped {1, 2}
  EXPECT_TRUE(mentions(c.check_safety(), "total order"));
}

TEST_F(Checker, AcceptsADeclaredGap) {
  deliver_all(1);
  deliver_all(2);
  c.on_gap(3, 1, 1);  // slot 1 was truncated everywhere node 3 asked
  c.on_delivery(3, 2, {1, 3});
  EXPECT_TRUE(c.check(all_up()).empty());
}

TEST_F(Checker, CatchesASkippedSlotOutsideTheDeclaredGap) {
  deliver_all(1);
  c.on_delivery(1, 3, {1, 4});
  c.on_broadcast({1, 4});
  c.on_gap(2, 1, 1);
  c.on_delivery(2, 3, {1, 4});  // slot 2 skipped without a gap
  EXPECT_TRUE(mentions(c.check(run_end{{1, 2}, {}}), "agreement"));
}

TEST_F(Checker, CatchesAMessageOfTheGapDeliveredAgainLater) {
  deliver_all(1);
  c.on_gap(2, 1, 1);
  c.on_delivery(2, 2, {1, 3});
  c.on_delivery(2, 3, {1, 2});  // delivered in slot 1 elsewhere
  EXPECT_TRUE(mentions(c.check_safety(), "total order"));
}

TEST_F(Checker, CatchesAMessageInTwoDifferentSlots) {
  c.on_delivery(1, 1, {1, 1});
  c.on_delivery(2, 2, {1, 1});
  EXPECT_TRUE(mentions(c.check_safety(), "total order"));
}

TEST_F(Checker, CatchesSlotsGoingBackwards) {
  c.on_delivery(1, 2, {1, 1});
  c.on_delivery(1, 1, {1, 2});
  EXPECT_TRUE(mentions(c.check_safety(), "order"));
}

TEST_F(Checker, CatchesAnInventedMessage) {
  c.on_delivery(1, 1, {9, 9});
  EXPECT_TRUE(mentions(c.check_safety(), "validity"));
}

TEST_F(Checker, CatchesANodeThatFellBehindForGood) {
  deliver_all(1);
  deliver_all(2);
  c.on_delivery(3, 1, {1, 1});
  const auto v = c.check(all_up());
  EXPECT_TRUE(mentions(v, "agreement"));
  EXPECT_TRUE(mentions(v, "termination"));
}

TEST_F(Checker, CatchesALostBroadcast) {
  for (node_id n = 1; n <= 3; ++n) {
    c.on_delivery(n, 1, {1, 1});
    c.on_delivery(n, 1, {1, 2});
  }
  const auto v = c.check(all_up());
  EXPECT_TRUE(mentions(v, "termination"));
  EXPECT_FALSE(mentions(v, "agreement"));
}

TEST(CheckerJson, ReadsDeliveryLogs) {
  std::istringstream good(
      R"({"node":1,"slot":1,"origin":2,"seq":7,"payload":"a"}
{"node":2,"slot":1,"origin":2,"seq":7}

{"node":2,"slot":2,"origin":1,"seq":1})");
  total_order_checker c;
  c.read_json_lines(good);
  EXPECT_EQ(c.delivered_count(), 3u);
  EXPECT_TRUE(c.check_safety().empty());
}

TEST(CheckerJson, JudgesABrokenLog) {
  std::istringstream bad(
      R"({"node":1,"slot":1,"origin":2,"seq":7}
{"node":1,"slot":2,"origin":2,"seq":8}
{"node":2,"slot":1,"origin":2,"seq":8}
{"node":2,"slot":2,"origin":2,"seq":7})");
  total_order_checker c;
  c.read_json_lines(bad);
  EXPECT_TRUE(mentions(c.check_safety(), "total order"));
}

TEST(CheckerJson, NamesTheBadLine) {
  std::istringstream bad("{\"node\":1,\"slot\":1,\"origin\":2,\"seq\":7}\n{\"node\":1}\n");
  total_order_checker c;
  try {
    c.read_json_lines(bad);
    FAIL() << "a line without slot was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos);
  }
}

}  // namespace
}  // namespace synod::sim
