// What every role actor's state shares: its core, its effect pipeline, the node's wiring, and
// the standard handlers (wiring, flush, committed). The role adds its own input handlers.
#pragma once

#include <functional>
#include <optional>

#include "actors/node/effect_pipeline.hpp"
#include "messaging/overloaded.hpp"

namespace synod {

template <class Core>
struct role_state {
  std::optional<Core> core;
  effect_pipeline pipe;
  wiring peers;

  // Sends the messages of carried-out effects to the transport.
  template <class Actor>
  void send_messages(Actor* self, effects& e) {
    if (!e.messages.empty()) self->send(peers.transport, outgoing_batch{std::move(e.messages)});
  }
};

// The handlers every role has, tried after the role's own (which may override them). `self->state`
// is a role_state (or derives from one).
template <class Actor>
caf::message_handler standard_handlers(Actor* self) {
  return caf::message_handler{
      [=](flush_atom) {
        self->state.pipe.flush(self, self->state.peers.storage, self->state.core->outbox().take());
      },
      [=](committed_atom, std::uint64_t) { self->state.pipe.committed(); },
  };
}

// An actor of a node starts knowing nobody else: until the wiring arrives, every other message
// (ticks, early frames, the first leader verdict) waits in the mailbox; then `running` takes over
// and `on_wired` runs once.
template <class Actor>
caf::behavior wait_for_wiring(Actor* self, caf::behavior running,
                              std::function<void()> on_wired = {}) {
  self->set_default_handler(caf::skip);
  return caf::behavior{[=](wiring& w) mutable {
    self->state.peers = std::move(w);
    self->set_default_handler(caf::print_and_drop);
    self->become(running);
    if (on_wired) on_wired();
  }};
}

}  // namespace synod
