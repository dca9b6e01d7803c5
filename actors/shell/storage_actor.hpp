// The storage actor: owns the node's stable storage on its own thread (spawned detached), so a
// commit's fsync never stalls the scheduler. Requests that arrive together go into one
// transaction (group commit across all roles); each requester then gets (committed_atom, ticket).
#pragma once

#include <memory>

#include "actors/shell/local_messages.hpp"
#include "persistence/stable_storage.hpp"

namespace synod {

caf::behavior storage_actor(caf::event_based_actor* self, std::shared_ptr<stable_storage> storage);

}  // namespace synod
