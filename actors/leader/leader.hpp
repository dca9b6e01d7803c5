// The leader (proposer) core: round-based consensus over the acceptors' register for many slots.
// Elected by its failure detector, it first asks every failure detector whether it may lead
// (lead_probe) and starts a round only once a majority consents, so a member that hears the
// group badly never deposes a leader the others still follow. Then phase 1 (READ) once per
// leadership for every slot from the first undelivered one on, then one round trip (WRITE) per
// decision while stable, with a window of slots in flight. Pure.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "actors/core/config_check.hpp"
#include "actors/core/effects.hpp"
#include "messaging/delivered_filter.hpp"

namespace synod {

struct leader_config {
  std::size_t window = 8;                 // slots proposed and not yet decided
  std::size_t max_batch_messages = 1024;  // client messages in one batch
  std::size_t max_batch_bytes = 1 << 20;  // payload bytes in one batch
  std::size_t max_pending =
      100000;                 // client messages held; more are not taken (their origin resends)
  unsigned resend_ticks = 4;  // unanswered READ/WRITE are sent again after this
  unsigned retry_ticks = 3;   // after a nack, wait this long before a higher round

  config_problems problems() const;
};

class leader {
 public:
  leader(node_id self, group_view group, leader_config config, const recovered_state& recovered);

  // Omega's current leader. Becoming it starts phase 1; losing it abandons the round.
  void on_leader_change(node_id elected);
  // This member's acceptor promised a round: the next round started here must be higher.
  void on_round_seen(round_t promised) { counter_ = std::max(counter_, promised.counter); }
  // The local learner delivered a batch: none of the messages decided in it (those delivered in
  // an earlier slot included) needs proposing any more, now or when forwarded again.
  void on_delivery(const delivery& d);

  void step(node_id from, const forward& m);
  void step(node_id from, const lead_ack& m);
  void step(node_id from, const read_ack& m);
  void step(node_id from, const read_nack& m);
  void step(node_id from, const write_ack& m);
  void step(node_id from, const write_nack& m);
  void tick();

  effects& outbox() { return outbox_; }

  bool leading() const { return phase_ == phase::leading; }
  // Elected, and waiting for a majority of failure detectors to consent before a round.
  bool probing() const { return phase_ == phase::probing; }
  round_t current_round() const { return round_; }
  std::size_t in_flight() const { return proposals_.size(); }
  std::size_t pending() const;
  // Client messages held: queued for a batch or in a proposed one, not yet delivered here.
  std::size_t held_count() const { return held_.size(); }

 private:
  enum class phase { follower, probing, preparing, leading };
  enum class held { queued, proposed };

  // Client messages waiting for a batch, seen in the batch they came in (which keeps their
  // bytes alive): one per forwarded batch, not one per message.
  struct queued {
    batch source;
    std::vector<batch_entry> entries;
    std::size_t next = 0;       // entries before this one are taken
    std::uint64_t arrived = 0;  // the leader's tick count when it was queued
  };

  struct proposal {
    batch value;
    std::set<node_id> acks;
    unsigned ticks_unanswered = 0;
  };

  void start_probe();
  void start_round();
  void step_down();
  void abandon_round(round_t nacked, round_t promised);
  void finish_phase_one();
  void propose(slot_t slot, batch value);
  void fill_window();
  batch next_batch();
  void send_to_all(const wire_message& m);
  void drop_queued();
  void requeue(const batch& value);
  void drop_queued_before(std::uint64_t tick);
  // The local learner skipped to a snapshot: what it covers was delivered.
  void on_gap(const ledger_snapshot& s);

  node_id self_;
  group_view group_;
  leader_config config_;
  effects outbox_;

  node_id elected_ = 0;
  phase phase_ = phase::follower;
  std::uint64_t counter_;    // highest round counter used or seen; durable when used
  round_t round_;            // the round being prepared or led
  slot_t delivered_up_to_;   // from the local learner
  unsigned retry_wait_ = 0;  // ticks left before a new round may start
  std::uint64_t ticks_ = 0;  // tick() calls so far

  // Probing: which failure detectors consented to this attempt.
  std::uint64_t attempt_ = 0;
  std::set<node_id> consents_;
  unsigned probe_ticks_unanswered_ = 0;

  // Phase 1 state.
  slot_t read_from_ = 1;
  // One acceptor's answer to this round's READ, as its pages arrive.
  struct read_answer {
    slot_t from_slot = 0;
    std::set<std::uint32_t> pages;  // received
    std::uint32_t page_count = 0;
    std::vector<accepted_value> accepted;
    bool complete() const { return pages.size() == page_count; }
  };
  std::map<node_id, read_answer> read_acks_;
  std::size_t complete_answers_ = 0;
  unsigned read_ticks_unanswered_ = 0;

  // Phase 2 state.
  slot_t next_slot_ = 1;
  std::map<slot_t, proposal> proposals_;

  // Client messages not yet delivered locally: queued for a batch, or in a proposed batch. Never
  // one that `delivered_` holds: a message forwarded again after its delivery is not taken up.
  std::deque<queued> queue_;
  std::unordered_map<message_id, held, message_id_hash> held_;
  delivered_filter delivered_;
};

}  // namespace synod
