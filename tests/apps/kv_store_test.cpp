#include "apps/kv/kv_store.hpp"

#include <gtest/gtest.h>

#include <synod/group.hpp>

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

TEST(KvStore, ARetriedCommandIsAnsweredNotAppliedTwice) {
  store s;
  command add = make(op::cas, "k", "1");
  add.expect_absent = true;
  add.client = 42;
  add.client_seq = 1;
  EXPECT_TRUE(s.apply(add).ok);
  // The same command again (the client retried through another replica): the first answer.
  const auto again = s.apply(add);
  EXPECT_TRUE(again.ok);
  EXPECT_EQ(s.applied(), 1u);
  // Its next command is applied; another client's is its own.
  command put = make(op::put, "k", "2");
  put.client = 42;
  put.client_seq = 2;
  s.apply(put);
  EXPECT_EQ(s.entries().at("k"), "2");
  EXPECT_EQ(s.applied(), 2u);
  add.client = 43;
  EXPECT_FALSE(s.apply(add).ok);  // not absent any more
  EXPECT_EQ(s.applied(), 3u);
}

// A store restored from its checkpoint is the store: same contents, same count, and a retried
// command is answered from what the original remembered, not applied again.
TEST(KvStore, ACheckpointRestoresTheWholeStore) {
  store s;
  command put = make(op::put, "k", "v");
  put.client = 7;
  put.client_seq = 1;
  s.apply(put);
  s.apply(make(op::put, "other", "x"));
  store restored = decode_payload<store>(encode_payload(s));
  EXPECT_EQ(restored.entries(), s.entries());
  EXPECT_EQ(restored.applied(), s.applied());
  EXPECT_EQ(restored.digest(), s.digest());
  put.value = "changed";  // the same client and number: a retry
  EXPECT_TRUE(restored.apply(put).ok);
  EXPECT_EQ(restored.entries().at("k"), "v");
  EXPECT_EQ(restored.applied(), s.applied());
}

TEST(KvStore, RemembersOnlyTheMostRecentlyActiveClients) {
  store a, b;
  for (std::uint64_t client = 1; client <= store::max_clients + 10; ++client) {
    command c = make(op::put, "k" + std::to_string(client % 7), "v");
    c.client = client;
    c.client_seq = 1;
    a.apply(c);
    b.apply(c);
  }
  command first = make(op::put, "k1", "again");
  first.client = 1;
  first.client_seq = 1;
  a.apply(first);  // forgotten: applied again, the same on every replica
  b.apply(first);
  EXPECT_EQ(a.applied(), store::max_clients + 11);
  EXPECT_EQ(a.digest(), b.digest());
}

// A command as the first version wrote it (no client fields, class version 0).
struct command_v0 {
  op kind = op::put;
  std::string key, value, expected;
  bool expect_absent = false;
  std::uint64_t issuer = 3, request = 4;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& kind& key& value& expected& expect_absent& issuer& request;
  }
};

TEST(KvStore, CommandsInOlderLogsStillDecode) {
  command_v0 old;
  old.key = "k";
  old.value = "v";
  const auto back = decode_payload<command>(encode_payload(old));
  EXPECT_EQ(back.key, "k");
  EXPECT_EQ(back.value, "v");
  EXPECT_EQ(back.request, 4u);
  EXPECT_EQ(back.client, 0u);  // never deduplicated
  command c = make(op::put, "k", "v");
  c.client = 5;
  c.client_seq = 6;
  const auto now = decode_payload<command>(encode_payload(c));
  EXPECT_EQ(now.client, 5u);
  EXPECT_EQ(now.client_seq, 6u);
}

}  // namespace
}  // namespace synod::kv
