#include "actors/node/node_config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/unit/temp_dir.hpp"

namespace synod {
namespace {

class NodeConfig : public ::testing::Test {
 protected:
  std::string write(const std::string& body) {
    const std::string path = dir.file("group.ini");
    std::ofstream(path) << body;
    return path;
  }

  // Expects loading to fail with one line that contains `what`.
  void expect_refused(const std::string& body, node_id id, const std::string& what) {
    try {
      load_node_config(write(body), id);
      FAIL() << "accepted, expected: " << what;
    } catch (const config_error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(what), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }

  const std::string members =
      "[synod]\nmembers=[\"1@127.0.0.1:7101\", \"2@127.0.0.1:7102\", \"3@127.0.0.1:7103\"]\n";
  test::temp_dir dir;
};

TEST_F(NodeConfig, ReadsTheExampleFile) {
  const auto c = load_node_config(std::string(SYNOD_SOURCE_DIR) + "/config/local-3.ini", 2);
  EXPECT_EQ(c.group, "local-3");
  ASSERT_EQ(c.members.size(), 3u);
  EXPECT_EQ(c.self().port, 7102);
  EXPECT_EQ(c.node_dir(), "synod-data/node-2");
  EXPECT_EQ(c.heartbeat_interval, std::chrono::milliseconds(50));
}

TEST_F(NodeConfig, DefaultsFillWhatIsNotGiven) {
  const auto c = load_node_config(write(members), 1);
  EXPECT_EQ(c.storage, "sqlite");
  EXPECT_EQ(c.protocol.leader.window, 8u);
  EXPECT_EQ(c.cores().failure_detector.timeout_ticks, 30u);  // 300 ms of 10 ms ticks
}

TEST_F(NodeConfig, ReadsFaults) {
  const auto c = load_node_config(
      write(members + "[synod.faults]\nloss=0.2\ndup=0\nisolate=[1]\nisolate-for=2s\n"), 1);
  EXPECT_DOUBLE_EQ(c.faults.loss, 0.2);
  EXPECT_EQ(c.faults.isolate, std::vector<node_id>{1});
  EXPECT_EQ(c.faults.isolate_for, std::chrono::seconds(2));
}

TEST_F(NodeConfig, FaultsCanBeLimitedToChosenLinks) {
  const auto c =
      load_node_config(write(members + "[synod.faults]\nloss=0.5\nlinks=[\"1-3\"]\n"), 1);
  EXPECT_TRUE(c.faults.on_link(1, 3));
  EXPECT_TRUE(c.faults.on_link(3, 1));
  EXPECT_FALSE(c.faults.on_link(1, 2));
  EXPECT_TRUE(fault_config{}.on_link(1, 2));  // no list: every link
  expect_refused(members + "[synod.faults]\nlinks=[\"13\"]\n", 1, "not a link of the form A-B");
}

TEST_F(NodeConfig, RefusesAnUnknownOption) {
  expect_refused(members + "windw=4\n", 1, "synod.windw: unknown option");
}

TEST_F(NodeConfig, RefusesAValueOfTheWrongType) {
  expect_refused(members + "window=\"four\"\n", 1, "synod.window: expected a whole number");
  expect_refused(members + "tick=10\n", 1, "synod.tick: expected a duration");
}

TEST_F(NodeConfig, RefusesImpossibleValues) {
  expect_refused(members + "window=0\n", 1, "synod.window: must be at least 1");
  expect_refused(members + "storage=\"disk\"\n", 1, "synod.storage");
  expect_refused(members + "[synod.faults]\nloss=1.5\n", 1, "between 0 and 1");
  expect_refused(members + "max-request-bytes=2147483648\n", 1, "synod.max-request-bytes: at most");
}

// Each core says what it cannot work with; the file's line names the option behind the field.
TEST_F(NodeConfig, EachCoreRefusesItsOwnImpossibleValues) {
  expect_refused(members + "batch-messages=0\n", 1, "synod.batch-messages: must be at least 1");
  expect_refused(members + "memory-slots=0\n", 1, "synod.memory-slots: must be at least 1");
  expect_refused(members + "max-undelivered=0\n", 1, "synod.max-undelivered: must be at least 1");
  expect_refused(members + "link-bytes-in-flight=0\n", 1,
                 "synod.link-bytes-in-flight: must be at least 1");
  expect_refused(members + "window=-1\n", 1, "synod.window: must not be negative");
  // Built in code rather than read from a file: the same check.
  node_config c = load_node_config(write(members), 1);
  c.protocol.leader.window = 0;
  EXPECT_THROW(validate(c), config_error);
}

// Every tick count comes from a duration: a finer tick changes how often a member looks, not
// how long it waits for anything.
TEST_F(NodeConfig, DurationsAreTheOnlySourceOfTickCounts) {
  const auto coarse = load_node_config(write(members + "tick=10ms\n"), 1);
  const auto fine = load_node_config(write(members + "tick=1ms\n"), 1);
  const auto a = coarse.cores(), b = fine.cores();
  EXPECT_EQ(b.leader.resend_ticks, 10 * a.leader.resend_ticks);
  EXPECT_EQ(b.leader.retry_ticks, 10 * a.leader.retry_ticks);
  EXPECT_EQ(b.learner.catch_up_retry_ticks, 10 * a.learner.catch_up_retry_ticks);
  EXPECT_EQ(b.failure_detector.heartbeat_ticks, 10 * a.failure_detector.heartbeat_ticks);
  EXPECT_EQ(b.failure_detector.timeout_ticks, 10 * a.failure_detector.timeout_ticks);
  EXPECT_EQ(b.broadcast.resend_ticks, 10 * a.broadcast.resend_ticks);
  EXPECT_EQ(fine.transport().link.resend_ticks, 10 * coarse.transport().link.resend_ticks);
  EXPECT_EQ(fine.transport().link.max_resend_ticks, 10 * coarse.transport().link.max_resend_ticks);
  // The tick counts in `protocol` are not read.
  node_config c = coarse;
  c.protocol.leader.retry_ticks = 999;
  c.link.resend_ticks = 999;
  EXPECT_EQ(c.cores().leader.retry_ticks, a.leader.retry_ticks);
  EXPECT_EQ(c.transport().link.resend_ticks, coarse.transport().link.resend_ticks);
}

// What a member's port accepts follows from the limits: no longer 256 MiB for every group.
TEST_F(NodeConfig, TheLongestFrameFollowsTheLimits) {
  const auto defaults = load_node_config(write(members), 1);
  EXPECT_LT(defaults.max_frame_bytes(), std::size_t{40} << 20);
  const auto larger = load_node_config(write(members + "max-request-bytes=67108864\n"), 1);
  EXPECT_GE(larger.max_frame_bytes(), std::size_t{64} << 20);
}

TEST_F(NodeConfig, RefusesABadMemberList) {
  expect_refused("[synod]\nmembers=[\"1@127.0.0.1:7101\", \"1@127.0.0.1:7102\"]\n", 1,
                 "node id 1 appears twice");
  expect_refused("[synod]\nmembers=[\"1@127.0.0.1:99999\"]\n", 1, "port 1..65535");
  expect_refused("[synod]\nmembers=[\"one\"]\n", 1, "ID@HOST:PORT");
  // Strictly numbers: no trailing garbage, no sign.
  expect_refused("[synod]\nmembers=[\"1x@127.0.0.1:7504\"]\n", 1, "id must be 1..1000000");
  expect_refused("[synod]\nmembers=[\"1@127.0.0.1:7504zz\"]\n", 1, "port 1..65535");
  expect_refused("[synod]\nmembers=[\"+1@127.0.0.1:7504\"]\n", 1, "id must be");
  expect_refused("[synod]\nmembers=[\"1@a b:7504\"]\n", 1, "not a host name");
}

TEST_F(NodeConfig, RefusesTwoNamesOfOneEndpoint) {
  expect_refused("[synod]\nmembers=[\"1@127.0.0.1:7101\", \"2@127.0.0.1:7101\"]\n", 1,
                 "same endpoint");
  // localhost is 127.0.0.1 (or ::1) here: one endpoint by two names.
  expect_refused("[synod]\nmembers=[\"1@localhost:7101\", \"2@127.0.0.1:7101\"]\n", 1,
                 "members 1 (localhost:7101) and 2 (127.0.0.1:7101) are the same endpoint");
}

TEST_F(NodeConfig, WarnsAboutGroupsThatCannotSurviveACrash) {
  const auto one = load_node_config(write("[synod]\nmembers=[\"1@127.0.0.1:7101\"]\n"), 1);
  ASSERT_EQ(warnings(one).size(), 1u);
  EXPECT_NE(warnings(one)[0].find("a group of 1 member"), std::string::npos);
  const auto two =
      load_node_config(write("[synod]\nmembers=[\"1@127.0.0.1:7101\", \"2@127.0.0.1:7102\"]\n"), 1);
  ASSERT_EQ(warnings(two).size(), 1u);
  EXPECT_NE(warnings(two)[0].find("a group of 2 members"), std::string::npos);
  EXPECT_TRUE(warnings(load_node_config(write(members), 1)).empty());
}

TEST_F(NodeConfig, TheEffectiveConfigurationReadsBackTheSame) {
  const auto c = load_node_config(
      write(members + "window=3\ntick=5ms\n[synod.faults]\nloss=0.25\nlinks=[\"1-2\"]\n"), 2);
  const std::string text = effective_config_text(c);
  EXPECT_NE(text.find("window = 3"), std::string::npos) << text;
  EXPECT_NE(text.find("max-message-bytes = 4194304"), std::string::npos) << text;
  EXPECT_NE(text.find("max-request-bytes = 8388608"), std::string::npos) << text;
  const auto again = load_node_config(write(text), 2);
  EXPECT_EQ(effective_config_text(again), text);
}

TEST_F(NodeConfig, RefusesAnIdThatIsNotAMember) {
  expect_refused(members, 4, "node 4 is not among synod.members");
}

TEST_F(NodeConfig, NamesAMissingOrBrokenFile) {
  try {
    load_node_config(dir.file("absent.ini"), 1);
    FAIL();
  } catch (const config_error& e) {
    EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos) << e.what();
  }
  expect_refused("[synod]\nstorage=sqlite\n", 1, "not a valid config file");
}

}  // namespace
}  // namespace synod
