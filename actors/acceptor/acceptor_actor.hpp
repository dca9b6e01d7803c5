// The acceptor's actor shell: READ/WRITE requests and forget notes go to the acceptor core; its
// acks leave only after the promise or accepted value they report is durable.
#pragma once

#include "actors/acceptor/acceptor.hpp"
#include "actors/shell/role_shell.hpp"

namespace synod {

struct acceptor_state : role_state<acceptor> {
  static inline const char* name = "synod.acceptor";
};

caf::behavior acceptor_actor(caf::stateful_actor<acceptor_state>* self, recovered_state recovered,
                             std::size_t page_bytes);

}  // namespace synod
