#include "apps/synod/cli.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "messaging/caf_types.hpp"

namespace synod::cli {

node_config load_config(const arguments& args) {
  const auto id = args.number("id", 0);
  return load_node_config(args.required("config"), static_cast<node_id>(id));
}

system_config::system_config() {
  register_message_types(*this);
  load<caf::io::middleman>();
  // Measured on this machine kind (CAF017.md): work sharing halves CAF's round-trip latency.
  set("scheduler.policy", caf::atom("sharing"));
  set("logger.verbosity", caf::atom("quiet"));
}

caf::actor connect_to(caf::actor_system& system, const node_config& config, node_id id) {
  for (const auto& m : config.members) {
    if (m.id != id) continue;
    if (auto handle = try_connect(system, m, std::chrono::seconds(5))) return *handle;
    throw std::runtime_error("cannot reach node " + std::to_string(id) + " at " + m.host + ":" +
                             std::to_string(m.port) + " (is it running?)");
  }
  throw usage_error("node " + std::to_string(id) + " is not a member of the group");
}

std::optional<caf::actor> try_connect(caf::actor_system& system, const member_address& member,
                                      std::chrono::milliseconds timeout) {
  caf::scoped_actor self{system};
  std::optional<caf::actor> found;
  self->request(system.middleman().actor_handle(), timeout, caf::connect_atom::value, member.host,
                member.port)
      .receive(
          [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
            if (ptr) found = caf::actor_cast<caf::actor>(ptr);
          },
          [&](const caf::error&) {});
  return found;
}

std::optional<status_reply> ask_status(caf::actor_system& system, const caf::actor& member,
                                       std::chrono::milliseconds timeout) {
  caf::scoped_actor self{system};
  std::optional<status_reply> reply;
  self->request(member, timeout, status_request{})
      .receive([&](status_reply& r) { reply = std::move(r); }, [&](const caf::error&) {});
  return reply;
}

void set_up_logging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("synod");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
}

}  // namespace synod::cli
