#include "messaging/batch.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "messaging/codec.hpp"

namespace synod {
namespace {

batch sample() {
  return batch{client_message{{2, 7}, "old"},
               client_message{{3, 1ULL << 40}, std::string("\0x", 2)}};
}

TEST(Batch, FlatBytesRoundTrip) {
  const batch b = sample();
  const batch back = batch::from_flat(b.flat());
  EXPECT_EQ(back.size(), 2u);
  EXPECT_EQ(back.payload_bytes(), 5u);
  EXPECT_EQ(back.messages(), b.messages());
  EXPECT_TRUE(batch::checked(back.flat()));
  EXPECT_TRUE(batch::from_flat(batch{}.flat()).is_noop());
}

TEST(Batch, CopiesShareOneEncoding) {
  const batch b = sample();
  const batch copy = b;  // NOLINT(performance-unnecessary-copy-initialization): the point
  EXPECT_EQ(&b.flat(), &copy.flat());
  EXPECT_EQ(&b.messages(), &copy.messages());
}

TEST(Batch, ThreadsDecodingAtOnceSeeOneResult) {
  const batch b = batch::from_flat(sample().flat());
  std::vector<const std::vector<client_message>*> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i)
    threads.emplace_back([&, i] { seen[i] = &b.messages(); });
  for (auto& t : threads) t.join();
  for (const auto* s : seen) EXPECT_EQ(s, seen[0]);
  EXPECT_EQ(*seen[0], sample().messages());
}

TEST(Batch, RefusesBytesThatRunOffTheEnd) {
  std::string bytes = sample().flat();
  EXPECT_THROW(batch::from_flat(bytes.substr(0, bytes.size() - 1)), std::runtime_error);
  EXPECT_THROW(batch::from_flat(bytes + "x"), std::runtime_error);
  EXPECT_THROW(batch::from_flat("SYB2"), std::runtime_error);
  bytes[8] = 100;  // the count claims 100 messages
  EXPECT_THROW(batch::from_flat(bytes), std::runtime_error);
}

TEST(Batch, DecodeChecksTheChecksumOfStoredBytes) {
  std::string bytes = sample().flat();
  bytes.back() ^= 1;  // one flipped bit in a payload keeps the layout sound
  EXPECT_NO_THROW(batch::from_flat(bytes));
  EXPECT_FALSE(batch::checked(bytes));
  EXPECT_THROW(decode_batch(bytes), std::runtime_error);
}

// Databases written before the flat layout hold Boost archives of version 1: they still read.
TEST(Batch, ReadsTheEncodingOfEarlierVersions) {
  const std::string version_1(
      "\x31\x4e\x59\x53\x7f\x2b\x8f\xb8\x16\x00\x00\x00\x00\x00\x00\x00\x73\x65\x72\x69\x61\x6c"
      "\x69\x7a\x61\x74\x69\x6f\x6e\x3a\x3a\x61\x72\x63\x68\x69\x76\x65\x12\x00\x04\x08\x04\x08"
      "\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00"
      "\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x07\x00\x00\x00"
      "\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x6f\x6c\x64\x03\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x78",
      125);
  EXPECT_EQ(decode_batch(version_1), sample());
}

}  // namespace
}  // namespace synod
