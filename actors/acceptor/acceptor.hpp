// The acceptor core: the replica side of the round-based register, for every slot at once
// (Deconstructing Paxos Fig. 12). Pure: no clock, no I/O; effects go to the outbox. It tells
// its member's leader of every higher promise (round_seen) and its learner of every value it
// accepts (accepted_here).
#pragma once

#include <map>

#include "actors/core/effects.hpp"

namespace synod {

// A READ's answer is cut into pages of about this much payload (at least one value each).
constexpr std::size_t default_read_ack_page_bytes = std::size_t{4} << 20;

class acceptor {
 public:
  explicit acceptor(const recovered_state& recovered,
                    std::size_t page_bytes = default_read_ack_page_bytes);

  // READ(k, from): promise k for every slot; answer with what was accepted from `from` on.
  void step(node_id from, const read_request& m);
  // WRITE(k, slot, v): accept v for the slot unless a higher round was promised.
  void step(node_id from, const write_request& m);

  // Drops from memory what was accepted for the slots up to `slot` (the disk keeps it); the
  // caller passes only slots its member has delivered. A READ from a leader that has not
  // delivered them yet (from_slot <= slot) is refused from then on, like one of a lower round,
  // until that leader has caught up: so no phase 1 ever misses a forgotten value, and memory
  // stays bounded however long the log grows.
  void forget_up_to(slot_t slot);
  slot_t forgotten_up_to() const { return forgotten_up_to_; }

  effects& outbox() { return outbox_; }

  round_t promised() const { return promised_; }
  const std::map<slot_t, accepted_value>& accepted() const { return accepted_; }
  // The value accepted for `slot` in exactly `round`, if any: after a WRITE, what the member's
  // learner may take when a decision leaves the value out (decision::value_omitted).
  const accepted_value* accepted_in(slot_t slot, round_t round) const;

 private:
  // read_i, shared by all slots: one READ covers every slot from a given slot on. Every
  // accepted write_i is <= promised_, so the paper's "write_i > k or read_i > k" is
  // "promised_ > k" here.
  round_t promised_;
  std::map<slot_t, accepted_value> accepted_;  // per slot: write_i and v_i
  slot_t forgotten_up_to_ = 0;
  std::size_t page_bytes_;
  effects outbox_;
};

}  // namespace synod
