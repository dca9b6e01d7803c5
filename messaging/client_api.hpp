// What clients (the CLI, applications in other processes) exchange with a node: TO-Broadcast
// requests and their replies, and subscriptions to the delivered batches. Plain structs.
#pragma once

#include <string>
#include <vector>

#include "messaging/batch.hpp"

namespace synod {

// TO-Broadcast of each payload; the reply comes once all of them are delivered at this node.
struct broadcast_request {
  std::vector<std::string> payloads;
  std::uint64_t tag = 0;  // the client's own number, echoed in the reply
};

struct broadcast_reply {
  std::vector<message_id> ids;  // in the order of the payloads
  std::string error;            // empty on success; why nothing of the request was taken
  std::uint64_t tag = 0;
  bool busy = false;  // the error is backpressure: the same request may succeed a little later
};

// One TO-Deliver upcall: a decided batch's messages new to this node, in delivery order.
struct delivered_batch {
  node_id node = 0;
  slot_t slot = 0;
  std::vector<client_message> messages;
};

// The gap upcall: the slots from `first` to `last` cannot be delivered to this subscriber any
// more (every member it asked had truncated them, see docs/operations.md "Retention"); the
// next delivered_batch is for slot last + 1. An application that keeps state must then take it
// from elsewhere (a peer's checkpoint) or accept that it skipped those messages.
struct delivery_gap {
  node_id node = 0;
  slot_t first = 0;
  slot_t last = 0;
};

// Reads the delivered batches from `from_slot` on, one page of about `max_bytes` of payload (at
// least one batch): long logs are read a page at a time, each page asked for when the last one
// arrived, where a subscription would push the whole log at once.
struct history_request {
  slot_t from_slot = 1;
  std::uint64_t max_bytes = 4 << 20;
};

struct history_reply {
  // Consecutive slots from `from_slot` (or from truncated_up_to + 1, if from_slot is older than
  // what the member keeps); empty at the end.
  std::vector<delivered_batch> batches;
  slot_t delivered_up_to = 0;  // the member's position when it answered
  slot_t truncated_up_to = 0;  // the member no longer has the slots up to here
};

// Asks a node for its view of the group (answered with a status_reply); for `synod status`.
struct status_request {};

// One of the node's links to a peer.
struct link_status {
  node_id peer = 0;
  bool connected = false;             // a TCP connection is up
  std::uint64_t unacked_bytes = 0;    // sent, not yet acknowledged by the peer
  std::uint64_t queued_payloads = 0;  // waiting for room in the window
  std::uint64_t resent_frames = 0;    // since this node started
  slot_t peer_delivered_up_to = 0;    // from the peer's last heartbeat
};

struct status_reply {
  node_id node = 0;
  std::string group;
  std::string storage;
  node_id leader = 0;                    // this node's Omega verdict
  slot_t decided_up_to = 0;              // the highest slot known decided here
  slot_t delivered_up_to = 0;            // every slot up to here is delivered here
  std::uint64_t delivered_messages = 0;  // in this node's log (since the group began)
  std::uint64_t delivered_bytes = 0;
  // A fingerprint of the delivery sequence up to delivered_up_to: members at the same position
  // agree if and only if it is equal (see messaging/ledger_digest.hpp).
  std::uint64_t delivered_digest = 0;
  slot_t truncated_up_to = 0;      // the member's log starts after this slot
  double messages_per_second = 0;  // delivered, over the last second or so
  double bytes_per_second = 0;
  std::uint64_t uptime_ms = 0;
  std::vector<link_status> links;
  // What the member holds in memory, each against its bound (docs/operations.md, "Bounds").
  std::uint64_t undelivered = 0;        // own broadcasts not delivered yet (front)
  std::uint64_t undelivered_bytes = 0;  // ...and their bytes
  std::uint64_t held = 0;               // client messages the leader role holds
  std::uint64_t waiting_slots = 0;      // decided slots waiting for a gap before them (learner)
  std::uint64_t subscribers = 0;        // subscriptions at this member
  // Slots the slowest subscriber has yet to be sent (it falls behind when it stops answering).
  std::uint64_t subscriber_lag = 0;
  slot_t checkpoint_slot = 0;  // of the application's newest checkpoint here (0: none)
  // A state transfer under way: the peer checkpoint's slot (0: none), its bytes so far and in all.
  slot_t transfer_slot = 0;
  std::uint64_t transfer_received = 0;
  std::uint64_t transfer_size = 0;
  std::uint64_t transfers_done = 0;  // checkpoints taken from peers since this member started
};

// A subscriber's own state as of `slot` (a slot delivered to it), for its member to keep: the
// newest is what a replica that lost its state starts from, with the slots after it. At most
// the learner's max_checkpoint_bytes.
struct checkpoint_offer {
  slot_t slot = 0;
  std::string state;
};

// Answered once the checkpoint is durable (or at once if nothing was kept): the member keeps the
// checkpoint of slot `kept` (an older offer leaves the newer one kept); `error` says why this
// one could not be (a slot not delivered there, too large).
struct checkpoint_offer_reply {
  slot_t kept = 0;
  std::string error;
};

// Asks for the newest checkpoint a member keeps (answered with a checkpoint_reply).
struct checkpoint_query {};

struct checkpoint_reply {
  slot_t slot = 0;  // 0: none kept
  std::string state;
};

// The state-transfer upcall, for a subscriber that asked for it (subscribe_request's
// `checkpoints`): the slots from `first` to `slot` were cut from the member's log before this
// subscriber was handed them, and `state` is the application state as of `slot` (the newest
// checkpoint its member keeps: its own application's, or one taken from a peer). The subscriber
// replaces its state with it; the next delivered_batch is for slot + 1.
struct checkpoint_transfer {
  node_id node = 0;
  slot_t first = 0;
  slot_t slot = 0;
  std::string state;
};

// Replays the delivered batches from `from_slot` on (0: from now on), then follows live. Slots
// cut from the log come as one delivery_gap; with `checkpoints`, as a checkpoint_transfer when
// the member has (or is fetching from a peer) a checkpoint that covers them.
struct subscribe_request {
  slot_t from_slot = 0;
  bool checkpoints = false;
};

// First answer to a subscription: the slots up to `delivered_up_to` are in the replay.
struct subscribe_reply {
  slot_t delivered_up_to = 0;
};

}  // namespace synod
