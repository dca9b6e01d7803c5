#include "actors/acceptor/acceptor_actor.hpp"

namespace synod {

caf::behavior acceptor_actor(caf::stateful_actor<acceptor_state>* self, recovered_state recovered,
                             std::size_t page_bytes) {
  auto& st = self->state;
  st.core.emplace(recovered, page_bytes);
  st.pipe.set_carry_out([self](effects& e) { send_messages_and_notes(self, e); });
  return wait_for_wiring(self, core_handlers(self));
}

}  // namespace synod
