// Each core's configuration checks itself, and no core can be made with one that cannot work:
// the node's file, the simulator and code that builds a configuration all meet the same check.
#include <gtest/gtest.h>

#include "actors/acceptor/acceptor.hpp"
#include "actors/composition/member_config.hpp"
#include "actors/retransmission/link.hpp"
#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::group_of;

// Expects `make` to throw std::invalid_argument naming `field`.
template <class Make>
void expect_refused(Make make, const std::string& field) {
  try {
    make();
    FAIL() << "made, expected a refusal naming " << field;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(CoreConfig, TheDefaultsHaveNoProblems) {
  EXPECT_TRUE(member_config{}.problems().empty());
  EXPECT_TRUE(link_config{}.problems().empty());
}

TEST(CoreConfig, EveryCoreRefusesAConfigurationThatCannotWork) {
  const recovered_state nothing;
  leader_config l;
  l.window = 0;
  expect_refused([&] { leader(1, group_of(3), l, nothing); }, "window");
  learner_config n;
  n.memory_slots = 0;
  expect_refused([&] { learner(1, n, nothing); }, "memory_slots");
  failure_detector_config f;
  f.heartbeat_ticks = 4;
  f.timeout_ticks = 5;  // one lost heartbeat would make a live member suspected
  expect_refused([&] { failure_detector(1, group_of(3), f); }, "timeout_ticks");
  broadcast_config b;
  b.max_forward_bytes = 0;
  expect_refused([&] { broadcast_front(1, b, nothing); }, "max_forward_bytes");
  link_config k;
  k.max_resend_ticks = k.resend_ticks - 1;
  expect_refused([&] { link(1, 2, 1, k); }, "max_resend_ticks");
  expect_refused([&] { acceptor(nothing, 0); }, "read_ack_page_bytes");
}

TEST(CoreConfig, AMemberNamesTheCoreOfEachProblem) {
  member_config c;
  c.leader.window = 0;
  c.broadcast.resend_ticks = 0;
  const auto problems = c.problems();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].field, "leader.window");
  EXPECT_EQ(problems[1].field, "broadcast.resend_ticks");
  EXPECT_EQ(problems[1].what, "must be at least 1");
}

}  // namespace
}  // namespace synod
