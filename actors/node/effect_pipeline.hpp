// How every role shell carries out its core's effects, in the order effects.hpp prescribes:
// all effects produced while the mailbox drains are collected (a flush message queued behind
// them marks the end of the drain), their durable records go to the storage actor as one commit,
// and only once it answers are the messages sent and the batches delivered. Effects without
// records still wait for every earlier commit, so nothing overtakes what it depends on.
#pragma once

#include <deque>
#include <functional>

#include "actors/node/local_messages.hpp"

namespace synod {

class effect_pipeline {
 public:
  using carry_out_fn = std::function<void(effects&)>;

  // Call after every step of the core: the first call of a drain queues a flush to self.
  template <class Actor>
  void schedule(Actor* self) {
    if (flush_scheduled_) return;
    flush_scheduled_ = true;
    self->send(self, flush_atom::value);
  }

  // The flush: hands the drain's records to storage and carries out what may go now.
  template <class Actor>
  void flush(Actor* self, const caf::actor& storage, effects drained) {
    flush_scheduled_ = false;
    if (drained.empty()) return;
    const bool needs_commit = !drained.durable.empty();
    if (needs_commit) {
      self->send(storage, commit_request{std::move(drained.durable), next_ticket_++});
      drained.durable.clear();
    }
    queue_.push_back({std::move(drained), !needs_commit});
    release();
  }

  // The storage actor's answer: the oldest commit still waiting is durable.
  void committed() {
    for (auto& waiting_work : queue_) {
      if (!waiting_work.durable) {
        waiting_work.durable = true;
        break;
      }
    }
    release();
  }

  void set_carry_out(carry_out_fn f) { carry_out_ = std::move(f); }
  std::size_t waiting() const { return queue_.size(); }

 private:
  struct entry {
    effects work;
    bool durable;
  };

  void release() {
    while (!queue_.empty() && queue_.front().durable) {
      carry_out_(queue_.front().work);
      queue_.pop_front();
    }
  }

  bool flush_scheduled_ = false;
  std::uint64_t next_ticket_ = 0;
  std::deque<entry> queue_;
  carry_out_fn carry_out_;
};

}  // namespace synod
