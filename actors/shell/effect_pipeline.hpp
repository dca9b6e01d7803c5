// How every role shell carries out its core's effects, in the order effects.hpp prescribes, with
// the ordering the simulator uses too (actors/composition/effect_queue.hpp): all effects produced
// while the mailbox drains are collected (a flush message queued behind them marks the end of the
// drain), their records go to the storage actor as one commit, and only once it answers are the
// messages sent, the notes passed on and the batches delivered.
#pragma once

#include <deque>
#include <functional>
#include <utility>

#include "actors/composition/effect_queue.hpp"
#include "actors/shell/local_messages.hpp"

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
    std::vector<durable_record> records;
    if (!drained.empty()) ++flushed_;
    auto ready = queue_.push(std::move(drained), records);
    if (!records.empty()) self->send(storage, commit_request{std::move(records), next_ticket_++});
    for (auto& e : ready) carry_out(e);
  }

  // The storage actor's answer: the oldest commit still waiting is durable.
  void committed() {
    for (auto& e : queue_.committed()) carry_out(e);
  }

  // Runs `done` once the next flush's effects, which must not be empty (the caller just put a
  // record in the core's outbox), are carried out: after their commit, like a message would go.
  template <class Actor>
  void after_next_flush(Actor* self, std::function<void()> done) {
    waiters_.emplace_back(flushed_ + 1, std::move(done));
    schedule(self);
  }

  void set_carry_out(carry_out_fn f) { carry_out_ = std::move(f); }
  std::size_t waiting() const { return queue_.waiting(); }

 private:
  bool flush_scheduled_ = false;
  std::uint64_t next_ticket_ = 0;
  effect_queue queue_;
  carry_out_fn carry_out_;
  // Flushes with effects so far, and how many of them were carried out: the queue releases each
  // in order, once.
  std::uint64_t flushed_ = 0;
  std::uint64_t carried_ = 0;
  std::deque<std::pair<std::uint64_t, std::function<void()>>> waiters_;

  void carry_out(effects& e) {
    carry_out_(e);
    ++carried_;
    while (!waiters_.empty() && waiters_.front().first <= carried_) {
      auto done = std::move(waiters_.front().second);
      waiters_.pop_front();
      done();
    }
  }
};

}  // namespace synod
