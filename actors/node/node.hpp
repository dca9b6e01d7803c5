// Starts one group member inside a CAF actor system: opens and recovers its stable storage,
// spawns the role actors and the transport, wires them, and publishes the transport on the
// member's configured address (and only there).
#pragma once

#include <caf/all.hpp>

#include "actors/node/local_messages.hpp"
#include "actors/node/node_config.hpp"

namespace synod {

class start_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws start_error (or storage_error) with a one-line reason.
wiring start_node(caf::actor_system& system, const node_config& config);

// Asks every actor of the node to quit (the actor system can then shut down).
void stop_node(const wiring& node);

}  // namespace synod
