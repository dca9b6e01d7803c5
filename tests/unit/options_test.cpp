#include "apps/common/options.hpp"

#include <gtest/gtest.h>

#include "apps/synod/message_ranges.hpp"

namespace synod::cli {
namespace {

command_spec spec(bool words = false) {
  return {"prog --config FILE [options]",
          "Does things.",
          {required(text("config", "FILE", "the configuration")),
           number("count", "K", "how many", 1, 1000), flag("json", "JSON"),
           choice("storage", {"sqlite", "memory"}, "the storage")},
          words};
}

arguments parse(std::vector<std::string> words, bool takes_words = false) {
  std::vector<char*> argv{const_cast<char*>("prog")};
  for (auto& w : words) argv.push_back(w.data());
  return arguments(spec(takes_words), static_cast<int>(argv.size()), argv.data(), 1);
}

TEST(Options, TakesDeclaredOptionsInEitherForm) {
  const auto a = parse({"--config", "g.ini", "--count=7", "--json", "--storage", "memory"});
  EXPECT_EQ(a.required("config"), "g.ini");
  EXPECT_EQ(a.number("count", 1), 7u);
  EXPECT_TRUE(a.has("json"));
  EXPECT_EQ(a.get("storage"), "memory");
  EXPECT_EQ(a.number("missing", 42), 42u);
}

TEST(Options, RefusesWhatIsNotDeclaredOrMissing) {
  EXPECT_THROW(parse({"--config", "g", "--cuont", "10"}), usage_error);
  EXPECT_THROW(parse({"--count", "10"}), usage_error);           // --config is required
  EXPECT_THROW(parse({"--config"}), usage_error);                // needs a value
  EXPECT_THROW(parse({"--config", "g", "stray"}), usage_error);  // no positional words here
  EXPECT_THROW(parse({"--config", "g", "--json=1"}), usage_error);
  EXPECT_THROW(parse({"--config", "g", "--config", "h"}), usage_error);
  EXPECT_THROW(parse({"--config", "g", "--storage", "disk"}), usage_error);
}

TEST(Options, NumbersAreRangeCheckedNeverWrapped) {
  for (const char* bad : {"-1", "0", "1001", "18446744073709551617", "+3", "1e3", " 7", "", "7x"})
    EXPECT_THROW(parse({"--config", "g", "--count", bad}), usage_error) << bad;
  EXPECT_EQ(parse({"--config", "g", "--count", "1000"}).number("count", 0), 1000u);
  EXPECT_THROW(parse_number("id", "4294967297", 1, 1000000), usage_error);
  EXPECT_EQ(parse_number("id", "18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
}

TEST(Options, HelpAnswersWithTheUsageWhateverElseIsThere) {
  try {
    parse({"--count", "-5", "--help"});
    FAIL() << "no help";
  } catch (const usage_error&) {
    // The bad number comes first: also fine, it is a usage error with exit code 2.
  } catch (const help_requested& h) {
    FAIL() << "help after a usage error";
  }
  try {
    parse({"--help"});
    FAIL() << "no help";
  } catch (const help_requested& h) {
    const std::string text = h.what();
    EXPECT_NE(text.find("usage: prog --config FILE"), std::string::npos);
    EXPECT_NE(text.find("--count K"), std::string::npos);
    EXPECT_NE(text.find("(required)"), std::string::npos);
  }
}

TEST(Options, PositionalWordsWhereTheCommandTakesThem) {
  const auto a = parse({"--config", "g", "put", "k", "--json", "--", "--v"}, true);
  EXPECT_EQ(a.words(), (std::vector<std::string>{"put", "k", "--v"}));
  EXPECT_TRUE(a.has("json"));
}

TEST(MessageRanges, MergesAndDescribes) {
  message_ranges r;
  EXPECT_EQ(r.describe(), "none");
  r.add(1, 257);
  r.add(513, 601);
  r.add(300, 301);
  EXPECT_EQ(r.describe(), "1-256, 300, 513-600");
  r.add(257, 513);  // fills the gaps
  EXPECT_EQ(r.describe(), "1-600");
  EXPECT_EQ(r.count(), 600u);
  r.add(5, 10);  // already there
  EXPECT_EQ(r.count(), 600u);
}

}  // namespace
}  // namespace synod::cli
