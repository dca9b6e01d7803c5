// Actor-level tests of the node's shells, in one process: each member has its own actor system
// and talks to the others over loopback TCP, as separate processes would.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/io/all.hpp>
#include <memory>

#include "actors/node/node.hpp"
#include "messaging/caf_types.hpp"
#include "tests/unit/temp_dir.hpp"

namespace synod {
namespace {

struct test_system_config : caf::actor_system_config {
  test_system_config() {
    register_message_types(*this);
    load<caf::io::middleman>();
    set("logger.verbosity", caf::atom("quiet"));
  }
};

std::uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// One member running in its own actor system.
struct running_member {
  test_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  wiring node;

  explicit running_member(const node_config& config) {
    system = std::make_unique<caf::actor_system>(cfg);
    node = start_node(*system, config);
  }
  ~running_member() {
    stop_node(node);
    node = wiring{};
    system.reset();
  }
};

class NodeActors : public ::testing::Test {
 protected:
  node_config config_for(node_id id, std::size_t size = 3) {
    while (ports.size() < size) ports.push_back(free_port());
    node_config c;
    c.group = "actor-test";
    for (node_id i = 1; i <= size; ++i) c.members.push_back({i, "127.0.0.1", ports[i - 1]});
    c.id = id;
    c.data_dir = dir.path().string();
    return c;
  }

  // Subscribes from slot 1 at `member` and collects deliveries until `count` or the deadline.
  static std::vector<client_message> collect(running_member& member, std::size_t count) {
    caf::scoped_actor self{*member.system};
    self->send(member.node.transport, subscribe_request{1});
    std::vector<client_message> got;
    bool timed_out = false;
    while (got.size() < count && !timed_out) {
      self->receive(
          [&](delivered_batch& b) { got.insert(got.end(), b.messages.begin(), b.messages.end()); },
          [&](subscribe_reply&) {},
          caf::after(std::chrono::seconds(10)) >> [&] { timed_out = true; });
    }
    return got;
  }

  static broadcast_reply broadcast(running_member& member, std::vector<std::string> payloads,
                                   std::chrono::seconds timeout = std::chrono::seconds(10)) {
    caf::scoped_actor self{*member.system};
    broadcast_reply result;
    self->request(member.node.transport, timeout, broadcast_request{std::move(payloads), 7})
        .receive([&](broadcast_reply& r) { result = std::move(r); },
                 [&](caf::error& e) { result.error = "no reply: " + caf::to_string(e); });
    return result;
  }

  test::temp_dir dir;
  std::vector<std::uint16_t> ports;
};

TEST_F(NodeActors, BroadcastIsAnsweredOnceDeliveredLocally) {
  running_member a(config_for(1)), b(config_for(2)), c(config_for(3));
  const auto reply = broadcast(b, {"x", "y", "z"});
  ASSERT_EQ(reply.error, "");
  ASSERT_EQ(reply.ids.size(), 3u);
  EXPECT_EQ(reply.tag, 7u);
  const auto at_c = collect(c, 3);
  ASSERT_EQ(at_c.size(), 3u);
  EXPECT_EQ(at_c[0].payload, "x");
  EXPECT_EQ(at_c[2].payload, "z");
}

TEST_F(NodeActors, RefusesBroadcastsBeyondItsLimitWhenNothingCanBeDecided) {
  auto config = config_for(1);
  config.protocol.broadcast.max_undelivered = 5;
  running_member alone(config);  // no majority: nothing is decided, so nothing is delivered
  caf::scoped_actor self{*alone.system};
  self->send(alone.node.transport, broadcast_request{{"1", "2", "3"}, 1});
  const auto refused = broadcast(alone, {"4", "5", "6"});
  EXPECT_EQ(refused.error.rfind("busy:", 0), 0u) << refused.error;
  EXPECT_TRUE(refused.ids.empty());
}

TEST_F(NodeActors, ARestartedPeerCatchesUpAndTheOthersReconnect) {
  running_member a(config_for(1)), b(config_for(2));
  {
    running_member c(config_for(3));
    ASSERT_EQ(broadcast(a, {"before-1", "before-2"}).error, "");
    ASSERT_EQ(collect(c, 2).size(), 2u);
  }  // c stops: a and b lose their connections to it, and still form a majority
  ASSERT_EQ(broadcast(b, {"while-down"}).error, "");
  running_member c(config_for(3));  // recovers from its SQLite file, reconnects, catches up
  const auto at_c = collect(c, 3);
  ASSERT_EQ(at_c.size(), 3u);
  EXPECT_EQ(at_c[2].payload, "while-down");
  ASSERT_EQ(broadcast(c, {"after"}).error, "");  // and its own broadcasts get through again
  EXPECT_EQ(collect(a, 4).size(), 4u);
}

}  // namespace
}  // namespace synod
