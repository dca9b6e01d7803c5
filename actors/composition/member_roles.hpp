// The five cores of one member, side by side, for drivers that run them in one thread: the
// simulator (which still schedules each role as its own step, with its own queue, the way
// mailboxes do) and the scenario runner. It routes nothing itself: wire messages and notes reach
// a role through routing.hpp, as in the actor shells. Pure.
#pragma once

#include <array>

#include "actors/composition/effect_queue.hpp"
#include "actors/composition/member_config.hpp"
#include "actors/composition/routing.hpp"

namespace synod {

// The roles that are cores (every role but storage), in the order a member ticks them.
constexpr std::array<role, 5> core_roles{role::detector, role::leader, role::learner, role::front,
                                         role::acceptor};

class member_roles {
 public:
  // `incarnation`: this start's number (the recovered one plus one).
  member_roles(node_id self, const group_view& group, const member_config& config,
               const recovered_state& recovered, std::uint64_t incarnation)
      : acceptor_(recovered, config.read_ack_page_bytes),
        leader_(self, group, config.leader, recovered),
        learner_(self, config.learner, recovered),
        detector_(self, group, config.failure_detector, incarnation),
        front_(self, config.broadcast, recovered) {}

  void feed(role r, node_id from, const wire_message& m) {
    switch (r) {
      case role::acceptor:
        return synod::feed(acceptor_, from, m);
      case role::leader:
        return synod::feed(leader_, from, m);
      case role::learner:
        return synod::feed(learner_, from, m);
      case role::detector:
        return synod::feed(detector_, from, m);
      case role::front:
        return synod::feed(front_, from, m);
      case role::storage:
        break;
    }
  }

  void take(role r, const note& n) {
    switch (r) {
      case role::acceptor:
        return synod::take(acceptor_, n);
      case role::leader:
        return synod::take(leader_, n);
      case role::learner:
        return synod::take(learner_, n);
      case role::detector:
        return synod::take(detector_, n);
      case role::front:
        return synod::take(front_, n);
      case role::storage:
        break;
    }
  }

  // The acceptor has no timer.
  void tick(role r) {
    switch (r) {
      case role::leader:
        return leader_.tick();
      case role::learner:
        return learner_.tick();
      case role::detector:
        return detector_.tick();
      case role::front:
        return front_.tick();
      case role::acceptor:
      case role::storage:
        break;
    }
  }

  effects& outbox(role r) {
    switch (r) {
      case role::acceptor:
        return acceptor_.outbox();
      case role::leader:
        return leader_.outbox();
      case role::learner:
        return learner_.outbox();
      case role::detector:
        return detector_.outbox();
      case role::front:
      case role::storage:
        break;
    }
    return front_.outbox();
  }

  // Each role's effects waiting for their commit, as effect_pipeline keeps them in a shell.
  effect_queue& queue(role r) { return queues_[static_cast<std::size_t>(r)]; }
  const effect_queue& queue(role r) const { return queues_[static_cast<std::size_t>(r)]; }

  class acceptor& acceptor() {
    return acceptor_;
  }
  class leader& leader() {
    return leader_;
  }
  class learner& learner() {
    return learner_;
  }
  failure_detector& detector() { return detector_; }
  broadcast_front& front() { return front_; }
  const class acceptor& acceptor() const { return acceptor_; }
  const class leader& leader() const { return leader_; }
  const class learner& learner() const { return learner_; }
  const failure_detector& detector() const { return detector_; }
  const broadcast_front& front() const { return front_; }

 private:
  class acceptor acceptor_;
  class leader leader_;
  class learner learner_;
  failure_detector detector_;
  broadcast_front front_;
  std::array<effect_queue, role_count> queues_;
};

}  // namespace synod
