#include <gtest/gtest.h>

#include "persistence/memory_storage.hpp"
#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

using test::value_of;

TEST(MemoryStorage, RecoversWhatWasCommitted) {
  memory_storage s;
  s.commit({promise_record{{3, 1}}, accept_record{2, {3, 1}, value_of("v")},
            round_counter_record{3}, delivery_record{1, value_of("d")}, incarnation_record{2}});
  const auto state = s.recover();
  EXPECT_EQ(state.promised, (round_t{3, 1}));
  EXPECT_EQ(state.accepted.at(2).value, value_of("v"));
  EXPECT_EQ(state.round_counter, 3u);
  EXPECT_EQ(state.delivered_up_to(), 1u);
  EXPECT_EQ(state.incarnation, 2u);
  EXPECT_EQ(s.commits(), 1u);
}

TEST(MemoryStorage, PromisesAndCountersNeverGoBackwards) {
  memory_storage s;
  s.commit({promise_record{{5, 2}}, round_counter_record{9}});
  s.commit({promise_record{{4, 3}}, round_counter_record{7}});
  EXPECT_EQ(s.recover().promised, (round_t{5, 2}));
  EXPECT_EQ(s.recover().round_counter, 9u);
}

TEST(MemoryStorage, ALaterAcceptReplacesTheSlot) {
  memory_storage s;
  s.commit({accept_record{1, {1, 1}, value_of("a")}});
  s.commit({accept_record{1, {2, 2}, value_of("b")}});
  EXPECT_EQ(s.recover().accepted.at(1).value, value_of("b"));
  EXPECT_EQ(s.recover().accepted.at(1).round, (round_t{2, 2}));
}

}  // namespace
}  // namespace synod
