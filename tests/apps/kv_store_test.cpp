#include "apps/kv/kv_store.hpp"

#include <gtest/gtest.h>

#include "actors/node/group.hpp"

namespace synod::kv {
namespace {

command make(op kind, std::string key, std::string value = {}, std::string expected = {}) {
  command c;
  c.kind = kind;
  c.key = std::move(key);
  c.value = std::move(value);
  c.expected = std::move(expected);
  return c;
}

TEST(KvStore, PutThenGetReturnsTheValue) {
  store s;
  EXPECT_TRUE(s.apply(make(op::put, "a", "1")).ok);
  const auto r = s.apply(make(op::get, "a"));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.value, "1");
  EXPECT_FALSE(s.apply(make(op::get, "b")).found);
}

TEST(KvStore, DeleteRemovesAndSaysWhetherThereWasAValue) {
  store s;
  s.apply(make(op::put, "a", "1"));
  EXPECT_TRUE(s.apply(make(op::erase, "a")).found);
  EXPECT_FALSE(s.apply(make(op::erase, "a")).found);
  EXPECT_TRUE(s.entries().empty());
}

TEST(KvStore, CasSwapsOnlyOnTheExpectedValue) {
  store s;
  s.apply(make(op::put, "a", "1"));
  const auto failed = s.apply(make(op::cas, "a", "2", "0"));
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(failed.value, "1");  // tells the caller what is there
  EXPECT_TRUE(s.apply(make(op::cas, "a", "2", "1")).ok);
  EXPECT_EQ(s.entries().at("a"), "2");
}

TEST(KvStore, CasOnAbsentCreatesOnce) {
  store s;
  command c = make(op::cas, "lock", "me");
  c.expect_absent = true;
  EXPECT_TRUE(s.apply(c).ok);
  c.value = "you";
  EXPECT_FALSE(s.apply(c).ok);
  EXPECT_EQ(s.entries().at("lock"), "me");
}

TEST(KvStore, SameCommandsSameOrderSameDigest) {
  store a, b, c;
  for (auto* s : {&a, &b}) {
    s->apply(make(op::put, "x", "1"));
    s->apply(make(op::put, "x", "2"));
  }
  c.apply(make(op::put, "x", "2"));
  c.apply(make(op::put, "x", "1"));  // the other order: another state
  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_NE(a.digest(), c.digest());
}

TEST(KvStore, DigestSeparatesKeysFromValues) {
  store a, b;
  a.apply(make(op::put, "ab", "c"));
  b.apply(make(op::put, "a", "bc"));
  EXPECT_NE(a.digest(), b.digest());
}

TEST(KvStore, CommandsSurviveTheirEncoding) {
  command c = make(op::cas, "k", "new", "old");
  c.issuer = 7;
  c.request = 9;
  const auto back = decode_payload<command>(encode_payload(c));
  EXPECT_EQ(back.kind, op::cas);
  EXPECT_EQ(back.key, "k");
  EXPECT_EQ(back.value, "new");
  EXPECT_EQ(back.expected, "old");
  EXPECT_EQ(back.issuer, 7u);
  EXPECT_EQ(back.request, 9u);
}

}  // namespace
}  // namespace synod::kv
