// What every role actor shares: its core, its effect pipeline, the node's wiring, and the
// handlers that make it a thin shell: wire messages and notes go to the core through the one
// routing (actors/composition/routing.hpp), ticks to its tick(), and its effects come out as
// messages to the transport and notes to the roles routing names. A role adds only what is its
// own (the learner's subscribers, the front's clients, logging).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "actors/shell/effect_pipeline.hpp"
#include "messaging/overloaded.hpp"

namespace synod {

template <class Core>
struct role_state {
  std::optional<Core> core;
  effect_pipeline pipe;
  wiring peers;
};

// The part of carrying out effects that every role shares: messages to the transport, notes to
// the roles that take them.
template <class Actor>
void send_messages_and_notes(Actor* self, effects& e) {
  const auto& peers = self->state.peers;
  if (!e.messages.empty()) self->send(peers.transport, outgoing_batch{std::move(e.messages)});
  for (auto& n : e.notes) {
    const role_set to = roles_of(n);
    for (std::size_t i = 0; i + 1 < to.size; ++i) self->send(peers.of(to.roles[i]), local_note{n});
    self->send(peers.of(to.roles[to.size - 1]), local_note{std::move(n)});
  }
}

// The handlers every role has, tried after the role's own (which may override them): wire
// messages and notes for the core, the flush and the storage's answer. `after_input` runs after
// each input has been fed (a role's own bookkeeping); the flush is scheduled then.
template <class Actor>
caf::message_handler core_handlers(Actor* self, std::function<void()> after_input = {}) {
  auto stepped = [=] {
    if (after_input) after_input();
    self->state.pipe.schedule(self);
  };
  return caf::message_handler{
      [=](const incoming& m) {
        feed(*self->state.core, m.from, m.body);
        stepped();
      },
      [=](const local_note& n) {
        take(*self->state.core, n.body);
        stepped();
      },
      [=](flush_atom) {
        self->state.pipe.flush(self, self->state.peers.storage, self->state.core->outbox().take());
      },
      [=](committed_atom, std::uint64_t) { self->state.pipe.committed(); },
  };
}

// The core's tick() every `interval`, like every other input.
template <class Actor>
caf::message_handler tick_handler(Actor* self, std::chrono::milliseconds interval,
                                  std::function<void()> after_input = {}) {
  self->delayed_send(self, interval, tick_atom::value);
  return caf::message_handler{[=](tick_atom) {
    self->state.core->tick();
    if (after_input) after_input();
    self->state.pipe.schedule(self);
    self->delayed_send(self, interval, tick_atom::value);
  }};
}

template <class State, class = void>
struct has_pipe : std::false_type {};
template <class State>
struct has_pipe<State, std::void_t<decltype(std::declval<State&>().pipe)>> : std::true_type {};

// An actor of a node starts knowing nobody else: until the wiring arrives, every other message
// (ticks, early frames, the first leader verdict) waits in the mailbox; then `running` takes over,
// `on_wired` runs once, and whatever the core left in its outbox while it was made goes out.
template <class Actor>
caf::behavior wait_for_wiring(Actor* self, caf::behavior running,
                              std::function<void()> on_wired = {}) {
  self->set_default_handler(caf::skip);
  return caf::behavior{[=](wiring& w) mutable {
    self->state.peers = std::move(w);
    self->set_default_handler(caf::print_and_drop);
    self->become(running);
    if (on_wired) on_wired();
    if constexpr (has_pipe<decltype(self->state)>::value) self->state.pipe.schedule(self);
  }};
}

}  // namespace synod
