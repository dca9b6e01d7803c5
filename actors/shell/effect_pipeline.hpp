// How every role shell carries out its core's effects, in the order effects.hpp prescribes, with
// the ordering the simulator uses too (actors/composition/effect_queue.hpp): all effects produced
// while the mailbox drains are collected (a flush message queued behind them marks the end of the
// drain), their records go to the storage actor as one commit, and only once it answers are the
// messages sent, the notes passed on and the batches delivered.
#pragma once

#include <functional>

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
    auto ready = queue_.push(std::move(drained), records);
    if (!records.empty()) self->send(storage, commit_request{std::move(records), next_ticket_++});
    for (auto& e : ready) carry_out_(e);
  }

  // The storage actor's answer: the oldest commit still waiting is durable.
  void committed() {
    for (auto& e : queue_.committed()) carry_out_(e);
  }

  void set_carry_out(carry_out_fn f) { carry_out_ = std::move(f); }
  std::size_t waiting() const { return queue_.waiting(); }

 private:
  bool flush_scheduled_ = false;
  std::uint64_t next_ticket_ = 0;
  effect_queue queue_;
  carry_out_fn carry_out_;
};

}  // namespace synod
