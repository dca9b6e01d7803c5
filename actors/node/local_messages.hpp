// Messages between the actors of one node. They never leave the process, so CAF may pass them
// without serialization (CAF_ALLOW_UNSAFE_MESSAGE_TYPE).
#pragma once

#include <caf/all.hpp>

#include <memory>

#include "actors/effects.hpp"
#include "actors/retransmission/frame_guard.hpp"
#include "messaging/caf_types.hpp"

namespace synod {

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

// The acceptor accepted a value (acceptor -> learner, at once: a decision may leave it out).
struct accepted_here {
  accepted_value accepted;
};

// The acceptor promised a higher round (acceptor -> leader): a round this member starts later
// must be higher still, or the acceptors would refuse it and cost another round trip.
struct round_seen {
  round_t round;
};

// The learner delivered a batch.
struct delivered {
  delivery batch;
};

// Omega's verdict changed.
struct leader_changed {
  node_id leader = 0;
};

// A peer's heartbeat said how far it delivered, and from where it still has the log (failure
// detector -> learner).
struct peer_progress {
  node_id peer = 0;
  slot_t delivered_up_to = 0;
  slot_t retained_from = 1;
};

// This node delivered up to here and keeps the log from there (learner -> failure detector, for
// its heartbeats).
struct local_progress {
  slot_t delivered_up_to = 0;
  slot_t retained_from = 1;
};

// Reads delivered batches back from storage (learner -> storage actor).
struct read_delivered_request {
  slot_t from = 1;
  std::size_t max_bytes = 0;
};

struct read_delivered_reply {
  std::vector<std::pair<slot_t, batch>> page;
};

// The member keeps only recent slots in memory: the acceptor may forget up to here.
struct forget_up_to {
  slot_t slot = 0;
};

// A status_reply with the transport's part filled in, for the learner to complete.
struct status_query {
  status_reply partial;
};

// Who is who inside one node; every role receives it once, right after the spawn.
struct wiring {
  caf::actor storage, transport, acceptor, leader, learner, detector, front;
  // The member's port, in front of the middleman's; it lives as long as any role holds this.
  std::shared_ptr<frame_guard> guard;
};

}  // namespace synod

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::incoming)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::outgoing_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::commit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::delivered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::accepted_here)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::round_seen)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::leader_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::peer_progress)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::local_progress)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::wiring)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::status_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::read_delivered_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::read_delivered_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(synod::forget_up_to)
