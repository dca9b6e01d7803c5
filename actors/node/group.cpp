#include <synod/group.hpp>

#include <caf/io/all.hpp>

namespace synod {

group_member group_member::join(caf::actor_system& system, const node_config& config) {
  group_member m;
  m.local_node_ = start_node(system, config);
  m.endpoint_ = m.local_node_.transport;
  m.local_ = true;
  return m;
}

group_member group_member::connect(caf::actor_system& system, const std::string& host,
                                   std::uint16_t port) {
  auto handle = system.middleman().remote_actor(host, port);
  if (!handle)
    throw start_error("cannot reach a synod member at " + host + ":" + std::to_string(port) + ": " +
                      system.render(handle.error()));
  group_member m;
  m.endpoint_ = *handle;
  return m;
}

}  // namespace synod
