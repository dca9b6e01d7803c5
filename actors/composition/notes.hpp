// What one role of a member tells another role of the same member: plain structs, left in a
// core's outbox like the messages it sends to peers, and carried out with them, after the core's
// records are durable. routing.hpp says which role takes each; the simulator and the actor shells
// carry them out alike. (etcd raft sends its local storage work the same way, as messages to
// local targets that its synchronous and asynchronous drivers both consume.)
#pragma once

#include <cstddef>
#include <utility>
#include <variant>
#include <vector>

#include "actors/core/delivery.hpp"
#include "messaging/messages.hpp"

namespace synod {

// Acceptor -> learner: a value accepted in a round. A decision of that slot that leaves its
// value out (decision::value_omitted) means this value.
struct accepted_here {
  accepted_value accepted;
};

// Acceptor -> leader: a higher round was promised here, so a round this member starts later must
// be higher still (or the acceptors would refuse it and cost another round trip).
struct round_seen {
  round_t round;
};

// Learner -> leader and front: a batch was delivered (or a gap skipped), durably.
struct delivered_here {
  delivery what;
};

// Failure detector -> leader and front: Omega's verdict changed.
struct leader_elected {
  node_id leader = 0;
};

// Failure detector -> learner: a peer's heartbeat said how far it delivered and from which slot
// it still has the log.
struct peer_progress {
  node_id peer = 0;
  slot_t delivered_up_to = 0;
  slot_t retained_from = 1;
};

// Learner -> failure detector: how far this member delivered and from where it keeps the log,
// for its heartbeats.
struct local_progress {
  slot_t delivered_up_to = 0;
  slot_t retained_from = 1;
};

// Learner -> acceptor and learner: the delivered batches and accepted values up to `up_to` are
// beyond the memory window; they stay on disk only. Sent once the deliveries that pushed the
// window are carried out, so nothing leaves memory before it is on disk.
struct forget_prefix {
  slot_t up_to = 0;
};

// Learner -> storage: a peer asked for slots that are on disk only; read a page of them.
struct archive_read {
  node_id peer = 0;
  slot_t from_slot = 1;
  std::size_t max_bytes = 0;
};

// Storage -> learner: the page read for `peer` (consecutive delivered slots; empty at the end).
struct archive_page {
  node_id peer = 0;
  std::vector<std::pair<slot_t, batch>> page;
};

using note = std::variant<accepted_here, round_seen, delivered_here, leader_elected, peer_progress,
                          local_progress, forget_prefix, archive_read, archive_page>;

}  // namespace synod
