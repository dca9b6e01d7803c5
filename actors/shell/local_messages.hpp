// Messages between the actors of one node. They never leave the process, so CAF may pass them
// without serialization (CAF_ALLOW_UNSAFE_MESSAGE_TYPE).
#pragma once

#include <caf/all.hpp>

#include <memory>

#include "actors/composition/routing.hpp"
#include "actors/core/effects.hpp"
#include "messaging/caf_types.hpp"

namespace synod {

class frame_guard;  // the member's port (actors/retransmission): only held here

// A wire message for a role, from the transport (or from this node itself).
struct incoming {
  node_id from = 0;
  wire_message body;
};

// A role's messages for the transport to send.
struct outgoing_batch {
  std::vector<outgoing> messages;
};

// Records to make durable; the storage actor answers (committed_atom, ticket) once they are.
struct commit_request {
  std::vector<durable_record> records;
  std::uint64_t ticket = 0;
};

// A note from one role of this node to another (see actors/composition/notes.hpp).
struct local_note {
  note body;
};

// Reads delivered batches back from storage (learner -> storage actor).
struct read_delivered_request {
  slot_t from = 1;
  std::size_t max_bytes = 0;
};

struct read_delivered_reply {
  std::vector<std::pair<slot_t, batch>> page;
};

// A status_reply with the transport's part filled in, for the learner to complete.
struct status_query {
  status_reply partial;
};

// Who is who inside one node; every role receives it once, right after the spawn.
struct wiring {
  caf::actor storage, transport, acceptor, leader, learner, detector, front;
  const caf::actor& of(role r) const {
    switch (r) {
      case role::acceptor:
        return acceptor;
      case role::leader:
        return leader;
      case role::learner:
        return learner;
      case role::detector:
        return detector;
      case role::front:
        return front;
      case role::storage:
        break;
    }
    return storage;
  }
  // The member's port, in front of the middleman's; it lives as long as any role holds this.
  std::shared_ptr<frame_guard> guard;
};

// Asks every actor of the member to quit (the actor system can then shut down).
inline void stop_node(const wiring& node) {
  for (const auto& a : {node.transport, node.acceptor, node.leader, node.learner, node.detector,
                        node.front, node.storage})
    if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

}  // namespace synod

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::incoming)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::outgoing_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::commit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::local_note)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::leader_elected)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::wiring)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::status_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::read_delivered_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::read_delivered_reply)
