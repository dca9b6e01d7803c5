#include "apps/synod/history.hpp"

#include <optional>
#include <stdexcept>

#include "messaging/caf_types.hpp"

namespace synod::cli {

slot_t read_history(caf::actor_system& system, const caf::actor& member, slot_t from, bool snapshot,
                    const std::function<bool(const delivered_batch&)>& each,
                    std::chrono::milliseconds timeout) {
  caf::scoped_actor self{system};
  std::optional<slot_t> end;
  for (;;) {
    history_reply page;
    self->request(member, timeout, history_request{from, 4 << 20})
        .receive([&](history_reply& r) { page = std::move(r); },
                 [&](const caf::error& e) {
                   throw std::runtime_error("reading the log: " + system.render(e));
                 });
    if (page.truncated_up_to >= from)
      throw std::runtime_error(
          "the member no longer has slot " + std::to_string(from) + ": its log starts at slot " +
          std::to_string(page.truncated_up_to + 1) + " (older slots were truncated by retention)");
    if (!end || !snapshot) end = page.delivered_up_to;
    for (const auto& b : page.batches) {
      if (b.slot > *end) return from;
      if (!each(b)) return b.slot + 1;
      from = b.slot + 1;
    }
    if (page.batches.empty() || from > *end) return from;
  }
}

checkpoint_reply latest_checkpoint(caf::actor_system& system, const caf::actor& member,
                                   std::chrono::milliseconds timeout) {
  caf::scoped_actor self{system};
  checkpoint_reply reply;
  self->request(member, timeout, checkpoint_query{})
      .receive([&](checkpoint_reply& r) { reply = std::move(r); },
               [&](const caf::error& e) {
                 throw std::runtime_error("asking for the checkpoint: " + system.render(e));
               });
  return reply;
}

}  // namespace synod::cli
