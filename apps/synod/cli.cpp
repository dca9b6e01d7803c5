#include "apps/synod/cli.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "messaging/caf_types.hpp"

namespace synod::cli {

arguments::arguments(int argc, char** argv, int first, const std::vector<std::string>& flags) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) throw usage_error("unexpected argument '" + arg + "'");
    arg = arg.substr(2);
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      values_[arg.substr(0, eq)] = arg.substr(eq + 1);
    } else if (std::find(flags.begin(), flags.end(), arg) != flags.end()) {
      values_[arg] = "";
    } else {
      if (i + 1 >= argc) throw usage_error("--" + arg + " needs a value");
      values_[arg] = argv[++i];
    }
  }
}

std::optional<std::string> arguments::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string arguments::required(const std::string& name) const {
  auto v = get(name);
  if (!v) throw usage_error("--" + name + " is required");
  return *v;
}

std::uint64_t arguments::number(const std::string& name, std::uint64_t fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  try {
    std::size_t used = 0;
    const auto n = std::stoull(*v, &used);
    if (used != v->size()) throw std::invalid_argument(name);
    return n;
  } catch (const std::logic_error&) {
    throw usage_error("--" + name + ": '" + *v + "' is not a whole number");
  }
}

node_config load_config(const arguments& args) {
  const auto id = args.number("id", 0);
  if (id == 0) throw usage_error("--id is required (a member id from the config file)");
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
