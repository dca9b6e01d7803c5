// A replica of the key-value store: runs inside a process that joined the group, applies every
// delivered command to its store in delivery order, and serves clients. Every command, reads
// included, goes through the total order, so every answer is linearizable; the replica that
// took a command from a client answers once it has applied it.
#pragma once

#include <caf/all.hpp>

#include <synod/group.hpp>

namespace synod::kv {

// Client -> replica: (command_atom, encoded command) -> (error, ok, found, value), where error
// is empty unless the command could not be ordered.
using command_atom = caf::atom_constant<caf::atom("kvcommand")>;
// Client -> replica: (dump_atom) -> (slot applied, commands applied, digest, keys, values):
// this replica's own contents, without going through the order (for checks and debugging).
using dump_atom = caf::atom_constant<caf::atom("kvdump")>;

// Spawns the replica for `member`. It starts from the member's latest checkpoint of the store
// (if any) and subscribes from the slot after it, so a restarted replica rebuilds its store
// from the checkpoint and the member's durable log before it answers anything new; it hands
// the member a checkpoint every `checkpoint_every` slots (0: never).
caf::actor spawn_replica(caf::actor_system& system, const group_member& member,
                         slot_t checkpoint_every);

// Where a replica serves clients: the member's port plus this.
constexpr std::uint16_t client_port_offset = 1000;

}  // namespace synod::kv
