// Stoppable Paxos' enabling conditions (actors/leader/stoppable.hpp): each rule on its own, and a
// randomized model check of multi-slot Paxos with stops, competing rounds and messages taken in
// any order, which finds Consistency and Stopping intact with every rule on and broken with any
// one of E4a, E4b, E5, E6 or voiding off.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "actors/leader/stoppable.hpp"

namespace synod {
namespace {

round_t r(std::uint64_t counter) {
  return round_t{counter, 1};
}

TEST(Stoppable, AStopWithAVoteAboveInAnEqualOrHigherRoundIsVoid) {
  const stoppable_round equal({{3, {r(2), true}}, {5, {r(2), false}}});
  EXPECT_TRUE(equal.voided(3));  // >=, as the paper's definition says
  EXPECT_FALSE(equal.forced(3));
  EXPECT_TRUE(equal.forced(5));
  const stoppable_round higher({{3, {r(2), true}}, {5, {r(3), false}}});
  EXPECT_TRUE(higher.voided(3));
  const stoppable_round lower({{3, {r(2), true}}, {5, {r(1), false}}});
  EXPECT_FALSE(lower.voided(3));
  EXPECT_EQ(lower.lowest_forced_stop(), slot_t{3});
}

TEST(Stoppable, AForcedStopIsProposedAndNothingAboveIt) {
  stoppable_round round({{2, {r(1), false}}, {3, {r(2), true}}, {5, {r(1), false}}});
  EXPECT_TRUE(round.may_propose(1, false, false));  // a gap below: a no-op or a command
  EXPECT_TRUE(round.may_propose(2, false, true));
  EXPECT_FALSE(round.may_propose(2, false, false));  // E3: only the forced value
  EXPECT_TRUE(round.may_propose(3, true, true));
  EXPECT_FALSE(round.may_propose(5, false, true));  // E6, though its value was voted
  EXPECT_FALSE(round.may_propose(4, false, false));
  EXPECT_EQ(round.ceiling(), slot_t{3});
}

TEST(Stoppable, E4aAStopOnlyAboveEverythingProposed) {
  stoppable_round round({});
  round.proposed(7, false);
  EXPECT_FALSE(round.may_propose(5, true, false));
  EXPECT_TRUE(round.may_propose(8, true, false));
  stoppable_rules off;
  off.e4a = false;
  stoppable_round without(std::map<slot_t, phase1_vote>{}, off);
  without.proposed(7, false);
  EXPECT_TRUE(without.may_propose(5, true, false));
}

TEST(Stoppable, E4bAnUnforcedStopOnlyWhereNothingAboveIsForced) {
  const std::map<slot_t, phase1_vote> votes{{6, {r(1), false}}};
  EXPECT_FALSE(stoppable_round(votes).may_propose(4, true, false));
  EXPECT_TRUE(stoppable_round(votes).may_propose(7, true, false));
  stoppable_rules off;
  off.e4b = false;
  EXPECT_TRUE(stoppable_round(votes, off).may_propose(4, true, false));
}

TEST(Stoppable, E5NothingAboveAStopProposedInTheRound) {
  stoppable_round round({});
  round.proposed(5, true);
  EXPECT_FALSE(round.may_propose(6, false, false));
  EXPECT_TRUE(round.may_propose(4, false, false));  // below it: filling the gaps
  EXPECT_EQ(round.ceiling(), slot_t{5});
  stoppable_rules off;
  off.e5 = false;
  stoppable_round without(std::map<slot_t, phase1_vote>{}, off);
  without.proposed(5, true);
  EXPECT_TRUE(without.may_propose(6, false, false));
}

TEST(Stoppable, E6NothingAboveAForcedStop) {
  const std::map<slot_t, phase1_vote> votes{{3, {r(1), true}}};
  EXPECT_FALSE(stoppable_round(votes).may_propose(4, false, false));
  stoppable_rules off;
  off.e6 = false;
  EXPECT_TRUE(stoppable_round(votes, off).may_propose(4, false, false));
}

TEST(Stoppable, WithoutVoidingAStopThatCannotHaveBeenChosenEndsTheRound) {
  const std::map<slot_t, phase1_vote> votes{{3, {r(1), true}}, {5, {r(2), false}}};
  EXPECT_TRUE(stoppable_round(votes).may_propose(5, false, true));
  stoppable_rules off;
  off.voiding = false;
  EXPECT_EQ(stoppable_round(votes, off).lowest_forced_stop(), slot_t{3});
  EXPECT_FALSE(stoppable_round(votes, off).may_propose(5, false, true));
}

// The model: acceptors keep, per slot, their highest vote; leaders of rounds 1..rounds run
// phase 1 with the first quorum that answers, then propose in any order what the rules allow,
// forced values where phase 1 forces them, else a new command or a new stop; every message may
// be taken at any time after it was sent, or never. A value is chosen when a majority voted for
// it in one round and slot.
class model {
 public:
  model(stoppable_rules rules, std::uint64_t seed) : rules_(rules), rng_(seed) {}

  // Runs one execution; returns the violation found, or an empty string.
  std::string run(int steps) {
    for (int i = 0; i < steps; ++i) {
      step();
      if (auto v = violation(); !v.empty()) return v;
    }
    return {};
  }

 private:
  static constexpr int acceptors = 3;
  static constexpr int quorum = 2;
  static constexpr slot_t slots = 3;
  static constexpr std::uint64_t rounds = 3;

  struct value {
    int id = 0;
    bool stop = false;
  };
  struct vote {
    std::uint64_t round = 0;
    value v;
  };
  struct acceptor {
    std::uint64_t bal = 0;
    std::map<slot_t, vote> votes;  // the highest per slot (maxbal, maxvote)
  };
  struct message {
    enum { one_a, one_b, two_a } kind;
    std::uint64_t round = 0;
    int from = 0;
    int to = 0;
    std::map<slot_t, vote> reported;  // 1b
    slot_t slot = 0;                  // 2a
    value v;                          // 2a
  };
  struct leader {
    bool started = false;
    std::map<int, std::map<slot_t, vote>> answers;  // 1b, by acceptor
    std::optional<stoppable_round> round;
    std::map<slot_t, value> forced;  // val2a
    std::set<slot_t> proposed;       // E2
  };

  void step() {
    std::vector<int> choices;  // 0..rounds-1: start or propose in that round; rounds+: a message
    for (std::uint64_t b = 0; b < rounds; ++b) choices.push_back(static_cast<int>(b));
    for (std::size_t m = 0; m < in_flight_.size(); ++m)
      for (int k = 0; k < 3; ++k) choices.push_back(static_cast<int>(rounds + m));  // likelier
    const int pick = choices[rng_() % choices.size()];
    if (pick < static_cast<int>(rounds)) {
      act(static_cast<std::uint64_t>(pick) + 1);
      return;
    }
    const std::size_t index = static_cast<std::size_t>(pick) - rounds;
    message m = in_flight_[index];
    in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(index));
    take(m);
  }

  void act(std::uint64_t b) {
    auto& l = leaders_[b];
    if (!l.started) {
      l.started = true;
      for (int a = 0; a < acceptors; ++a)
        in_flight_.push_back({message::one_a, b, 0, a, {}, 0, {}});
      return;
    }
    if (!l.round) return;  // E1: waiting for a quorum
    const slot_t slot = 1 + static_cast<slot_t>(rng_() % slots);
    if (l.proposed.count(slot)) return;  // E2
    value v;
    bool is_forced = false;
    if (auto f = l.forced.find(slot); f != l.forced.end() && l.round->forced(slot)) {
      v = f->second;
      is_forced = true;
    } else {
      v = value{++next_value_, rng_() % 3 == 0};
    }
    if (!l.round->may_propose(slot, v.stop, is_forced)) return;
    l.round->proposed(slot, v.stop);
    l.proposed.insert(slot);
    for (int a = 0; a < acceptors; ++a)
      in_flight_.push_back({message::two_a, b, 0, a, {}, slot, v});
  }

  void take(const message& m) {
    if (m.kind == message::one_a) {
      auto& a = acceptors_[m.to];
      if (m.round <= a.bal) return;  // one 1b per round, and none for a lower one
      a.bal = m.round;
      in_flight_.push_back({message::one_b, m.round, m.to, 0, a.votes, 0, {}});
      return;
    }
    if (m.kind == message::one_b) {
      auto& l = leaders_[m.round];
      if (l.round) return;  // the first quorum is the one phase 2 uses
      l.answers[m.from] = m.reported;
      if (static_cast<int>(l.answers.size()) < quorum) return;
      std::map<slot_t, vote> highest;
      for (const auto& [from, reported] : l.answers)
        for (const auto& [slot, v] : reported)
          if (highest[slot].round < v.round) highest[slot] = v;
      std::map<slot_t, phase1_vote> votes;
      for (const auto& [slot, v] : highest) {
        votes[slot] = phase1_vote{round_t{v.round, 0}, v.v.stop};
        l.forced[slot] = v.v;
      }
      l.round.emplace(votes, rules_);
      return;
    }
    auto& a = acceptors_[m.to];
    if (m.round < a.bal) return;
    a.bal = m.round;
    a.votes[m.slot] = vote{m.round, m.v};
    auto& voters = voted_[{m.slot, m.round, m.v.id}];
    voters.insert(m.to);
    if (static_cast<int>(voters.size()) >= quorum) chosen_[m.slot].insert({m.v.id, m.v.stop});
  }

  std::string violation() const {
    slot_t lowest_stop = 0;
    for (const auto& [slot, values] : chosen_) {
      if (values.size() > 1)
        return "consistency: two values chosen in slot " + std::to_string(slot);
      if (values.begin()->second && lowest_stop == 0) lowest_stop = slot;
    }
    for (const auto& [slot, values] : chosen_)
      if (lowest_stop != 0 && slot > lowest_stop)
        return "stopping: slot " + std::to_string(slot) + " chosen above the stop chosen in slot " +
               std::to_string(lowest_stop);
    return {};
  }

  stoppable_rules rules_;
  std::mt19937_64 rng_;
  acceptor acceptors_[acceptors];
  std::map<std::uint64_t, leader> leaders_;
  std::vector<message> in_flight_;
  std::map<std::tuple<slot_t, std::uint64_t, int>, std::set<int>> voted_;
  std::map<slot_t, std::set<std::pair<int, bool>>> chosen_;
  int next_value_ = 0;
};

// The first seed (of `seeds`) whose execution breaks a property, or 0.
std::uint64_t first_violating_seed(stoppable_rules rules, std::uint64_t seeds, std::string& what) {
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    what = model(rules, seed).run(200);
    if (!what.empty()) return seed;
  }
  return 0;
}

TEST(StoppableModel, ConsistencyAndStoppingHoldWithEveryRule) {
  std::string what;
  EXPECT_EQ(first_violating_seed({}, 20000, what), 0u) << what;
}

void expect_broken_without(bool stoppable_rules::*rule, const char* name) {
  stoppable_rules rules;
  rules.*rule = false;
  std::string what;
  const std::uint64_t seed = first_violating_seed(rules, 20000, what);
  EXPECT_NE(seed, 0u) << "without " << name << " nothing broke";
  std::cout << "without " << name << ": seed " << seed << ": " << what << "\n";
}

TEST(StoppableModel, WithoutE4aSomethingIsChosenAboveAStop) {
  expect_broken_without(&stoppable_rules::e4a, "E4a");
}
TEST(StoppableModel, WithoutE4bSomethingIsChosenAboveAStop) {
  expect_broken_without(&stoppable_rules::e4b, "E4b");
}
TEST(StoppableModel, WithoutE5SomethingIsChosenAboveAStop) {
  expect_broken_without(&stoppable_rules::e5, "E5");
}
TEST(StoppableModel, WithoutE6SomethingIsChosenAboveAStop) {
  expect_broken_without(&stoppable_rules::e6, "E6");
}
TEST(StoppableModel, WithoutVoidingSomethingIsChosenAboveAStop) {
  expect_broken_without(&stoppable_rules::voiding, "voiding");
}

}  // namespace
}  // namespace synod
