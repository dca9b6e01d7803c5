// The failure detector core: an eventual leader (Omega) from heartbeats, driven by tick(). The
// verdict is sticky, so a healthy group keeps its leader through anything that happens to other
// members:
//  - A member is alive while it was heard from within the timeout, by this node or by a peer
//    this node hears (heartbeats say whom their sender hears), so a one-way or partial partition
//    does not make a member depose a leader the others still hear.
//  - A member keeps following its leader while that leader is alive; it switches when a majority
//    of the group follows another live member (a resumed or partitioned ex-leader yields).
//  - Without a live leader it follows one that a peer it hears follows; failing that, once it
//    hears every member (or a majority for a whole timeout), the lowest id among the members it
//    hears that is not far behind the furthest of them (a member still catching up is passed over:
//    leading from far behind would make its first round read back, and re-propose, the whole gap).
//  - It knows nothing of a member it has not heard from: a member that (re)starts follows the
//    leader it finds instead of electing itself. Each change of verdict is told to the member's
//    leader and front (leader_elected). Following names the leader's incarnation: a
//    leader that restarted is followed by nobody until chosen again.
//  - It consents to a candidate's lead_probe only while it follows that candidate or no live
//    member at all, and answers a probe it cannot consent to yet once it comes to (Raft's
//    PreVote): a member that hears the group badly and chooses itself gathers no majority, so it
//    starts no round that would depose a leader everybody else still follows.
// Safety never depends on the verdict. Pure.
#pragma once

#include <map>
#include <optional>

#include "actors/core/config_check.hpp"
#include "actors/core/effects.hpp"

namespace synod {

struct failure_detector_config {
  unsigned heartbeat_ticks = 2;  // send a heartbeat every this many ticks
  unsigned timeout_ticks = 12;   // suspect a member not heard from for this many ticks
  // A member further behind than this (in slots), plus twice what the furthest member advances
  // between two heartbeats, is not chosen to lead.
  slot_t max_leader_lag = 32;

  config_problems problems() const;
};

class failure_detector {
 public:
  // `incarnation` grows at every start of this member (the front's, from stable storage).
  failure_detector(node_id self, group_view group, failure_detector_config config,
                   std::uint64_t incarnation = 1);

  // A heartbeat also tells the member's learner how far the peer is (peer_progress).
  void step(node_id from, const heartbeat& m);
  void step(node_id from, const lead_probe& m);
  // From the member's learner: its progress travels with the heartbeats, so lagging learners
  // notice, and from where it keeps the log, so they ask a member that still has what they miss.
  void on_local_progress(slot_t delivered_up_to, slot_t retained_from);
  void tick();

  effects& outbox() { return outbox_; }

  // The member this node follows; 0 while it knows of none.
  node_id leader() const { return leader_; }
  // Heard from, by this node itself, within the timeout.
  bool trusts(node_id member) const;
  // Heard from within the timeout by this node or by a peer it trusts.
  bool alive(node_id member) const;

 private:
  void decide();
  void follow(node_id member);
  // Answers the probes waiting for this node to consent, if it does now.
  void answer_probes();
  void learn_incarnation(node_id member, std::uint64_t incarnation);
  // Whether following (member, incarnation) still means following that member as it is now.
  bool current(node_id member, std::uint64_t incarnation) const;
  std::optional<node_id> lowest_up_to_date() const;
  slot_t progress(node_id member) const;

  node_id self_;
  group_view group_;
  failure_detector_config config_;
  effects outbox_;
  unsigned ticks_to_heartbeat_ = 0;
  std::uint64_t ticks_ = 0;  // since this node started
  std::uint64_t incarnation_;
  node_id leader_ = 0;
  std::uint64_t leader_incarnation_ = 0;
  std::map<node_id, std::uint64_t> incarnation_of_;  // as last heard from each member itself
  std::map<node_id, std::uint64_t> restarted_at_;    // tick at which a new incarnation was heard
  bool backed_ = false;          // a majority follows leader_, as far as this node can tell
  unsigned unbacked_ticks_ = 0;  // ticks since it last was
  // Per peer heard from at least once: ticks since then, and its last heartbeat.
  std::map<node_id, unsigned> silence_;
  std::map<node_id, heartbeat> last_beat_;
  // Per member: the tick (of this node's count) of the latest sign of life, its own heartbeat or
  // a peer's word that it heard it.
  std::map<node_id, std::uint64_t> last_heard_;
  std::map<node_id, slot_t> progress_;  // delivered up to, as last heard (self included)
  // How far each member moved between its last two heartbeats (self: between its last two sent).
  // A peer's progress is as old as its last heartbeat; a member that moved `advance` slots per
  // heartbeat looks that far behind a member reading its own current progress.
  std::map<node_id, slot_t> advance_;
  std::optional<slot_t> advertised_;  // what this node's last heartbeat said
  slot_t delivered_up_to_ = 0;        // this member's, from its learner
  slot_t retained_from_ = 1;
  // Per candidate, its latest probe this node could not consent to yet.
  std::map<node_id, std::uint64_t> waiting_probes_;
};

}  // namespace synod
