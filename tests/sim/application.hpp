// The application the simulator runs at every member: its state is what it was handed, folded
// in order, and the slot it has it up to. It keeps its state with its position (it survives its
// member's crashes, not the loss of its member's database), can hand its member a checkpoint of
// it, and can start over from one. Members whose applications reached the same slot must have
// equal states, however they got there: by deliveries, or by a checkpoint that a state transfer
// brought from a peer.
#pragma once

#include <optional>
#include <string>

#include "messaging/batch.hpp"
#include "messaging/ledger_digest.hpp"

namespace synod::sim {

struct application_state {
  slot_t slot = 0;  // handed everything up to here
  std::uint64_t applied = 0;
  std::uint64_t digest = ledger_digest_start;

  bool operator==(const application_state& o) const {
    return slot == o.slot && applied == o.applied && digest == o.digest;
  }
  // Padded, so that a state transfer moves it in several parts.
  std::string encode() const;
  static std::optional<application_state> decode(const std::string& bytes);
};

class application {
 public:
  void apply(slot_t slot, const batch& delivered);
  // Starts over from a checkpoint (its member's, maybe taken from a peer); false if the bytes
  // are not a state of this application as of `slot`.
  bool restore(slot_t slot, const std::string& checkpoint);
  // Slots it will never be handed (a gap): its state misses their messages from now on.
  void skip_to(slot_t slot);

  const application_state& state() const { return state_; }
  // The state before the last batch was applied (for the planted stale-checkpoint bug).
  const application_state& previous() const { return previous_; }
  slot_t slot() const { return state_.slot; }
  bool whole() const { return whole_; }  // never skipped anything

  // Slots cut from its member's log before it was handed them: it waits for a checkpoint that
  // covers them (or, when none can come, takes the gap).
  bool waiting() const { return cut_to_ != 0; }
  slot_t cut_from() const { return cut_from_; }
  slot_t cut_to() const { return cut_to_; }
  void wait_for_checkpoint(slot_t from, slot_t to) {
    cut_from_ = from;
    cut_to_ = to;
    asked_peers_at = 0;
  }
  void stop_waiting() { cut_from_ = cut_to_ = 0; }
  // The cut for which its member asked the peers for a checkpoint (learner::answer_cut).
  slot_t asked_peers_at = 0;

  slot_t checkpointed = 0;  // the slot of the last checkpoint it handed its member

 private:
  application_state state_;
  application_state previous_;
  bool whole_ = true;
  slot_t cut_from_ = 0, cut_to_ = 0;
};

}  // namespace synod::sim
