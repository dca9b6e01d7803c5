// Stoppable Paxos' rules for what a leader may propose in its round (Malkhi, Lamport and Zhou,
// 2008; docs/reconfiguration.md). A *stop* is a command that ends the configuration: once one is
// chosen in slot i, nothing is ever chosen above i. Acceptors and learners are those of Paxos;
// the leader alone keeps that promise, by the enabling conditions E1-E6 of its phase 2a, which
// this class evaluates over its phase 1 answers. E1 (a quorum answered) and E2 (one proposal
// per slot and round) are the leader's as in Paxos; E3-E6 are here. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "messaging/ids.hpp"

namespace synod {

// What a quorum's phase 1 answers said of one slot: the highest round any of them voted in
// there (mbal2a) and whether that vote (val2a) was for a stop.
struct phase1_vote {
  round_t round;
  bool stop = false;
};

// Rules that can be switched off one at a time, so that tests prove each one is needed: with
// any of them off, some execution chooses something above a chosen stop.
struct stoppable_rules {
  bool e4a = true;      // nothing proposed above a stop proposed in the round
  bool e4b = true;      // an unforced stop only where nothing above it is forced
  bool e5 = true;       // nothing proposed above a stop proposed in the round (the other order)
  bool e6 = true;       // nothing proposed above a forced stop
  bool voiding = true;  // a stop with a vote above it in an equal or higher round is void
};

class stoppable_round {
 public:
  // `votes`: per slot, the highest vote a quorum reported in phase 1 (slots without one absent).
  explicit stoppable_round(std::map<slot_t, phase1_vote> votes, stoppable_rules rules = {});

  // sval2a(i) is not "none": the value voted at `slot` must be proposed there again (E3). A
  // voided stop is not forced: it cannot have been chosen.
  bool forced(slot_t slot) const;
  bool voided(slot_t slot) const;
  // The lowest forced stop (s): the round proposes it and nothing above it.
  std::optional<slot_t> lowest_forced_stop() const { return lowest_forced_stop_; }
  // The highest slot any phase 1 answer reported a vote for (K; 0: none).
  slot_t highest_voted() const { return votes_.empty() ? 0 : votes_.rbegin()->first; }

  // Whether the round may propose at `slot` now, given what it proposed so far: a stop or a
  // command, `forced_value` true if it is the value phase 1 forces there (E3).
  bool may_propose(slot_t slot, bool stop, bool forced_value) const;
  // Records a proposal (a 2a) the round sent.
  void proposed(slot_t slot, bool stop);

  // No slot above this may ever be proposed in the round (a stop proposed or forced below it);
  // nullopt: no such limit yet.
  std::optional<slot_t> ceiling() const;

 private:
  std::map<slot_t, phase1_vote> votes_;
  stoppable_rules rules_;
  std::map<slot_t, bool> voided_;  // per voted slot: a stop that is void
  std::optional<slot_t> lowest_forced_stop_;
  std::optional<slot_t> highest_forced_;  // the highest slot whose value is forced
  slot_t highest_proposed_ = 0;
  std::optional<slot_t> stop_proposed_;  // the slot of the stop proposed in the round, if any
};

}  // namespace synod
