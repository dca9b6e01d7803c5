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
#include "apps/common/options.hpp"
#include "messaging/client_api.hpp"

namespace synod::cli {

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

// Each command: what it accepts (its --help), and how it runs.
command_spec node_spec();
command_spec broadcast_spec();
command_spec tail_spec();
command_spec status_spec();
command_spec demo_spec();
command_spec chat_spec();
command_spec bench_spec();
command_spec bench_echo_spec();
command_spec check_config_spec();

int run_node(const arguments& args);
int run_check_config(const arguments& args);
int run_broadcast(const arguments& args);
int run_tail(const arguments& args);
int run_status(const arguments& args);
int run_demo(const arguments& args);
int run_chat(const arguments& args);
int run_bench(const arguments& args);
int run_bench_echo(const arguments& args);

}  // namespace synod::cli
