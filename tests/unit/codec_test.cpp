#include "messaging/codec.hpp"

#include <gtest/gtest.h>

#include "tests/unit/helpers.hpp"

namespace synod {
namespace {

TEST(WireCodec, RoundTripsEveryMessageKind) {
  const batch b = test::value_of("payload", 3, 9);
  const std::vector<wire_message> all = {
      read_request{{4, 2}, 7},
      read_ack{{4, 2}, 7, {accepted_value{8, {3, 1}, b}}},
      read_nack{{4, 2}, {5, 3}},
      write_request{{4, 2}, 8, b},
      write_ack{{4, 2}, 8},
      write_nack{{4, 2}, 8, {5, 3}},
      decision{8, b},
      catch_up_request{5},
      forward{b},
      heartbeat{12},
  };
  const auto back = decode_messages(encode(all));
  ASSERT_EQ(back.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(back[i].index(), i);
  EXPECT_EQ(std::get<read_ack>(back[1]).accepted.at(0).value, b);
  EXPECT_EQ(std::get<write_nack>(back[5]).promised, (round_t{5, 3}));
  EXPECT_EQ(std::get<heartbeat>(back[9]).delivered_up_to, 12u);
}

TEST(WireCodec, RejectsGarbage) {
  EXPECT_THROW(decode_messages(std::string(50, '\x07')), std::runtime_error);
  EXPECT_THROW(decode_messages(""), std::runtime_error);
}

TEST(WireCodec, RejectsADamagedEncoding) {
  std::string bytes = encode(std::vector<wire_message>{heartbeat{3}});
  bytes[bytes.size() / 2] ^= 0x20;
  try {
    decode_messages(bytes);
    FAIL() << "damaged bytes decoded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace synod
