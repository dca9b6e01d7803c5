#include "messaging/delivered_filter.hpp"

#include <gtest/gtest.h>

namespace synod {
namespace {

TEST(DeliveredFilter, RemembersEachIdOnce) {
  delivered_filter f;
  EXPECT_TRUE(f.insert({1, 5}));
  EXPECT_FALSE(f.insert({1, 5}));
  EXPECT_TRUE(f.contains({1, 5}));
  EXPECT_FALSE(f.contains({1, 4}));
  EXPECT_FALSE(f.contains({2, 5}));
}

TEST(DeliveredFilter, MergesConsecutiveSeqsIntoOneInterval) {
  delivered_filter f;
  for (std::uint64_t s : {3, 1, 2, 5, 4}) EXPECT_TRUE(f.insert({7, s}));
  EXPECT_EQ(f.intervals(), 1u);
  for (std::uint64_t s = 1; s <= 5; ++s) EXPECT_TRUE(f.contains({7, s}));
  EXPECT_FALSE(f.contains({7, 0}));
  EXPECT_FALSE(f.contains({7, 6}));
}

TEST(DeliveredFilter, KeepsGapsOpen) {
  delivered_filter f;
  f.insert({1, 10});
  f.insert({1, 12});
  EXPECT_EQ(f.intervals(), 2u);
  EXPECT_FALSE(f.contains({1, 11}));
  f.insert({1, 11});
  EXPECT_EQ(f.intervals(), 1u);
}

}  // namespace
}  // namespace synod
