// The acceptor core: the replica side of the round-based register, for every slot at once
// (Deconstructing Paxos Fig. 12). Pure: no clock, no I/O; effects go to the outbox.
#pragma once

#include <map>

#include "actors/effects.hpp"

namespace synod {

class acceptor {
 public:
  explicit acceptor(const recovered_state& recovered);

  // READ(k, from): promise k for every slot; answer with what was accepted from `from` on.
  void step(node_id from, const read_request& m);
  // WRITE(k, slot, v): accept v for the slot unless a higher round was promised.
  void step(node_id from, const write_request& m);

  effects& outbox() { return outbox_; }

  round_t promised() const { return promised_; }
  const std::map<slot_t, accepted_value>& accepted() const { return accepted_; }

 private:
  // read_i, shared by all slots: one READ covers every slot from a given slot on. Every
  // accepted write_i is <= promised_, so the paper's "write_i > k or read_i > k" is
  // "promised_ > k" here.
  round_t promised_;
  std::map<slot_t, accepted_value> accepted_;  // per slot: write_i and v_i
  effects outbox_;
};

}  // namespace synod
