#include "apps/kv/replica_client.hpp"

#include "apps/kv/kv_replica.hpp"

namespace synod::kv {

std::uint16_t client_port(const member_address& member) {
  const unsigned port = member.port + client_port_offset;
  if (port > 65535) throw std::runtime_error("member port too high for a client port (+1000)");
  return static_cast<std::uint16_t>(port);
}

replica_client::replica_client(caf::actor_system& system, const node_config& config, node_id first)
    : self_(system), config_(config) {
  order_.push_back(first);
  for (const auto& m : config.members)
    if (m.id != first) order_.push_back(m.id);
}

bool replica_client::connect() {
  const node_id id = current();
  for (const auto& m : config_.members) {
    if (m.id != id) continue;
    const auto port = client_port(m);
    auto found = self_->home_system().middleman().remote_actor(m.host, port);
    if (found) {
      handle_ = *found;
      self_->monitor(handle_);
      return true;
    }
    spdlog::warn("cannot reach replica {} at {}:{} (is 'synod-kv serve' running?)", id, m.host,
                 port);
  }
  next_ = (next_ + 1) % order_.size();
  return false;
}

}  // namespace synod::kv
