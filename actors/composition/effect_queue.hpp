// The order in which a role's effects may be carried out, for every driver (the actor shells and
// the simulator): the effects of one drain of the role's inputs wait until their records are
// durable, and effects without records still wait behind every earlier commit of the role, so
// nothing a role sends, tells or delivers ever overtakes the log it depends on. Pure.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "actors/core/effects.hpp"

namespace synod {

class effect_queue {
 public:
  // One drain's effects. Their records, if any, are what the caller must commit next (and then
  // call committed()); returns the effects that may be carried out now, oldest first.
  std::vector<effects> push(effects drained, std::vector<durable_record>& to_commit) {
    to_commit.clear();
    if (drained.empty()) return {};
    const bool needs_commit = !drained.durable.empty();
    if (needs_commit) to_commit.swap(drained.durable);
    waiting_.push_back({std::move(drained), !needs_commit});
    return release();
  }

  // The oldest commit handed out is durable: what may be carried out now, oldest first.
  std::vector<effects> committed() {
    for (auto& w : waiting_) {
      if (!w.durable) {
        w.durable = true;
        break;
      }
    }
    return release();
  }

  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct entry {
    effects work;
    bool durable;
  };

  std::vector<effects> release() {
    std::vector<effects> ready;
    while (!waiting_.empty() && waiting_.front().durable) {
      ready.push_back(std::move(waiting_.front().work));
      waiting_.pop_front();
    }
    return ready;
  }

  std::deque<entry> waiting_;
};

}  // namespace synod
