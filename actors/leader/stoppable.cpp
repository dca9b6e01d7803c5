#include "actors/leader/stoppable.hpp"

#include <algorithm>

namespace synod {

stoppable_round::stoppable_round(std::map<slot_t, phase1_vote> votes, stoppable_rules rules)
    : votes_(std::move(votes)), rules_(rules) {
  // One descending scan: the highest round voted anywhere above each slot (M_i). A stop with a
  // vote above it in an equal or higher round cannot have been chosen (the paper's definition
  // says >=; its prose says >, which would let a leader force a stop that a higher slot's
  // choice rules out).
  std::optional<round_t> above;
  for (auto it = votes_.rbegin(); it != votes_.rend(); ++it) {
    const auto& [slot, vote] = *it;
    const bool is_void = rules_.voiding && vote.stop && above && !(*above < vote.round);
    voided_[slot] = is_void;
    if (!above || *above < vote.round) above = vote.round;
  }
  for (const auto& [slot, vote] : votes_) {
    if (voided_[slot]) continue;
    highest_forced_ = slot;
    if (vote.stop && !lowest_forced_stop_) lowest_forced_stop_ = slot;
  }
}

bool stoppable_round::voided(slot_t slot) const {
  const auto it = voided_.find(slot);
  return it != voided_.end() && it->second;
}

bool stoppable_round::forced(slot_t slot) const {
  return votes_.count(slot) > 0 && !voided(slot);
}

bool stoppable_round::may_propose(slot_t slot, bool stop, bool forced_value) const {
  // E3: where phase 1 forces a value, only that value.
  if (forced(slot) && !forced_value) return false;
  // E6: nothing above a forced stop.
  if (rules_.e6 && lowest_forced_stop_ && *lowest_forced_stop_ < slot) return false;
  // E5: nothing above a stop proposed in this round.
  if (rules_.e5 && stop_proposed_ && *stop_proposed_ < slot) return false;
  if (stop) {
    // E4a: a stop only above everything proposed in this round.
    if (rules_.e4a && highest_proposed_ > slot) return false;
    // E4b: an unforced stop only if nothing above it is forced.
    if (rules_.e4b && !forced(slot) && highest_forced_ && *highest_forced_ > slot) return false;
  }
  return true;
}

void stoppable_round::proposed(slot_t slot, bool stop) {
  highest_proposed_ = std::max(highest_proposed_, slot);
  if (stop && (!stop_proposed_ || slot < *stop_proposed_)) stop_proposed_ = slot;
}

std::optional<slot_t> stoppable_round::ceiling() const {
  std::optional<slot_t> limit;
  const auto lower = [&](slot_t s) { limit = limit ? std::min(*limit, s) : s; };
  if (rules_.e6 && lowest_forced_stop_) lower(*lowest_forced_stop_);
  if (rules_.e5 && stop_proposed_) lower(*stop_proposed_);
  return limit;
}

}  // namespace synod
