// Starts one group member inside a CAF actor system: opens and recovers its stable storage,
// spawns the role actors and the transport, wires them, and publishes the transport on the
// member's configured address (and only there).
#pragma once

#include <caf/all.hpp>

#include "actors/node/node_config.hpp"
#include "actors/shell/local_messages.hpp"

namespace synod {

class start_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws start_error (or storage_error) with a one-line reason.
wiring start_node(caf::actor_system& system, const node_config& config);

}  // namespace synod
