// Shared pieces of the synod subcommands: argument parsing, the actor system, connecting to a
// member, and the one-line errors.
#pragma once

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/node/node_config.hpp"
#include "messaging/client_api.hpp"

namespace synod::cli {

class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --name value / --name=value / --flag, nothing positional.
class arguments {
 public:
  arguments(int argc, char** argv, int first, const std::vector<std::string>& flags);
  std::optional<std::string> get(const std::string& name) const;
  std::string required(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::uint64_t number(const std::string& name, std::uint64_t fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

// The group's configuration from --config and --id (both required).
node_config load_config(const arguments& args);

// An actor system that can talk to synod nodes.
struct system_config : caf::actor_system_config {
  system_config();
};

// Connects to member `id` of the group; throws std::runtime_error naming the address.
caf::actor connect_to(caf::actor_system& system, const node_config& config, node_id id);
// Connects to a member within `timeout`; nothing if it cannot be reached.
std::optional<caf::actor> try_connect(caf::actor_system& system, const member_address& member,
                                      std::chrono::milliseconds timeout);

// A member's status, or nothing if it does not answer within `timeout`.
std::optional<status_reply> ask_status(caf::actor_system& system, const caf::actor& member,
                                       std::chrono::milliseconds timeout);

void set_up_logging(bool verbose);

int run_node(const arguments& args);
int run_broadcast(const arguments& args);
int run_tail(const arguments& args);
int run_status(const arguments& args);
int run_demo(const arguments& args);
int run_chat(const arguments& args);
int run_bench(const arguments& args);
int run_bench_echo(const arguments& args);

}  // namespace synod::cli
