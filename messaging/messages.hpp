// The wire vocabulary between nodes, named as in "Deconstructing Paxos": plain structs, no logic.
// The round-based register (READ/WRITE and their acks), decisions, catch-up, forwarding,
// heartbeats.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "messaging/batch.hpp"
#include "messaging/delivered_filter.hpp"
#include "messaging/ids.hpp"
#include "messaging/ledger_digest.hpp"

namespace synod {

// [READ, k] for every slot from `from_slot` on: phase 1 once per leadership.
struct read_request {
  round_t round;
  slot_t from_slot = 1;
};

// What an acceptor holds for one slot: the round it was written in and the value.
struct accepted_value {
  slot_t slot = 0;
  round_t round;
  batch value;
};

// [ackREAD, k, write_i, v_i] for every slot >= from_slot that holds a value, in `pages`
// messages of at most ~4 MiB of values each (page 0 to pages - 1), so no frame carries an
// acceptor's whole memory: the READ counts as answered once every page of one answer arrived.
struct read_ack {
  read_ack() = default;
  read_ack(round_t r, slot_t from, std::vector<accepted_value> values, std::uint32_t page_index = 0,
           std::uint32_t page_count = 1)
      : round(r),
        from_slot(from),
        accepted(std::move(values)),
        page(page_index),
        pages(page_count) {}

  round_t round;
  slot_t from_slot = 1;
  std::vector<accepted_value> accepted;
  std::uint32_t page = 0;
  std::uint32_t pages = 1;
};

// [nackREAD, k]; carries the promise that beat k so the leader can pick a higher round.
struct read_nack {
  round_t round;
  round_t promised;
};

// [WRITE, k, v] for one slot.
struct write_request {
  round_t round;
  slot_t slot = 0;
  batch value;
};

struct write_ack {
  round_t round;
  slot_t slot = 0;
};

struct write_nack {
  round_t round;
  slot_t slot = 0;
  round_t promised;
};

// (DECISION, L, msgSet): also the reply to a catch-up request. The leader leaves the batch out
// (value_omitted) for a member whose acceptor accepted it in `round`: that member's learner takes
// the value its own acceptor holds for the slot in `round` or later, which is the decided value
// (spec: any value accepted in a round at or above a deciding round is the decided one).
struct decision {
  decision() = default;
  decision(slot_t s, batch v, round_t r = {}, bool omitted = false)
      : slot(s), value(std::move(v)), round(r), value_omitted(omitted) {}

  slot_t slot = 0;
  batch value;
  round_t round;  // the round that decided it; zero in catch-up answers, which carry the value
  bool value_omitted = false;
};

// A lagging learner asks a peer for the decisions from `from_slot` on (the paper's UPDATE).
struct catch_up_request {
  slot_t from_slot = 1;
};

// What a member's delivered prefix up to `slot` amounts to without its batches: the ids of every
// message delivered up to it (so none is delivered or proposed again) and how many messages and
// bytes it held. A member takes one every so often and then forgets the batches (and accepted
// values) below one of them; a learner that asks for forgotten slots gets the snapshot instead,
// skips to slot + 1, and tells its application what it skipped. The Part-Time Parliament's
// checkpoint, which lets a legislator's ledger forget the decrees it covers.
struct ledger_snapshot {
  slot_t slot = 0;
  delivered_filter delivered;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t digest = ledger_digest_start;  // of the delivery sequence up to `slot`
};

// A node hands its undelivered client messages to the node it believes leads.
struct forward {
  batch value;
};

// How long ago (in the sender's ticks) the sender last heard from a member itself, and that
// member's incarnation then.
struct sighting {
  node_id member = 0;
  std::uint32_t ticks_ago = 0;
  std::uint64_t incarnation = 0;
};

// I-AM-ALIVE for the failure detector; also tells peers how far this node has delivered (so a
// learner that missed the last decision notices without new traffic), which member it follows,
// and whom it hears: a member that cannot hear the leader itself still knows it is alive when
// others hear it, and does not depose it.
struct heartbeat {
  heartbeat() = default;
  explicit heartbeat(slot_t delivered, node_id follows = 0, std::vector<sighting> sightings = {},
                     std::uint64_t sender_incarnation = 0, std::uint64_t follows_incarnation = 0)
      : delivered_up_to(delivered),
        leader(follows),
        heard(std::move(sightings)),
        incarnation(sender_incarnation),
        leader_incarnation(follows_incarnation) {}

  slot_t delivered_up_to = 0;
  node_id leader = 0;  // the member the sender follows; 0 while it knows none
  std::vector<sighting> heard;
  // The sender's incarnation (it grows at every restart), and the incarnation of the leader it
  // follows: a leader that restarted leads no more, whatever older heartbeats still say.
  std::uint64_t incarnation = 0;
  std::uint64_t leader_incarnation = 0;
  // The first slot the sender can still hand out (everything before it is truncated): a
  // lagging learner asks a peer that still has what it needs.
  slot_t retained_from = 1;
};

// A member whose failure detector chose it asks every failure detector whether it may lead
// before it starts a round (Raft's PreVote): a round deposes the leader at every acceptor it
// reaches, so a member that merely hears the others badly must not start one while they still
// follow a live leader. `attempt` numbers the candidate's probes, so a late answer to an old one
// is not counted.
struct lead_probe {
  std::uint64_t attempt = 0;
};

// A failure detector's consent: it follows the candidate, or knows of no live leader. It never
// says no: it answers when it comes to agree (its leader died), or never.
struct lead_ack {
  std::uint64_t attempt = 0;
};

// State transfer: a learner that skipped to a peer's snapshot asks for the peer's application
// checkpoint (the state as of `slot`, a slot at or after the snapshot), a part at a time from
// `offset`, so no message is larger than a chunk and a transfer cut off (a lost connection, a
// crash) goes on from the bytes it already has. `slot` 0: whichever checkpoint the peer keeps.
struct checkpoint_chunk_request {
  slot_t slot = 0;
  std::uint64_t offset = 0;
};

// Part of the sender's newest application checkpoint: `size` bytes in all, whose state_digest
// is `digest` (checked once all are in); these are the ones from `offset`. The header is in
// every part, so a part of another checkpoint (the sender took a newer one) is told apart.
// `slot` 0: the sender keeps no checkpoint.
struct checkpoint_chunk {
  slot_t slot = 0;
  std::uint64_t size = 0;
  std::uint64_t digest = 0;
  std::uint64_t offset = 0;
  std::string bytes;
};

// New kinds go at the end: a frame names its kind by index, and members of different versions
// talk during a rolling upgrade.
using wire_message =
    std::variant<read_request, read_ack, read_nack, write_request, write_ack, write_nack, decision,
                 catch_up_request, forward, heartbeat, ledger_snapshot, lead_probe, lead_ack,
                 checkpoint_chunk_request, checkpoint_chunk>;

struct envelope {
  node_id from = 0;
  node_id to = 0;
  wire_message body;
};

// Short human-readable name of a message kind, for logs and the simulator's trace.
std::string kind_name(const wire_message& m);
// The message with its fields, on one line: for traces and scenario files.
std::string describe(const wire_message& m);
// A batch's payloads, for traces: "[a b c]".
std::string payloads_of(const batch& b);

}  // namespace synod
