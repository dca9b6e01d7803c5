#include "actors/shell/storage_actor.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace synod {

namespace {

struct waiting_commit {
  caf::actor requester;
  std::uint64_t ticket;
};

}  // namespace

caf::behavior storage_actor(caf::event_based_actor* self, std::shared_ptr<stable_storage> storage) {
  auto records = std::make_shared<std::vector<durable_record>>();
  auto waiting = std::make_shared<std::vector<waiting_commit>>();
  return {
      [=](commit_request& r) {
        if (waiting->empty()) self->send(self, flush_atom::value);  // after the queued requests
        for (auto& rec : r.records) records->push_back(std::move(rec));
        waiting->push_back({caf::actor_cast<caf::actor>(self->current_sender()), r.ticket});
      },
      [=](const read_delivered_request& r) {
        return read_delivered_reply{storage->read_delivered(r.from, r.max_bytes)};
      },
      // The learner's archive_read: a peer asked for slots that are on disk only.
      [=](const local_note& n) {
        if (const auto* r = std::get_if<archive_read>(&n.body))
          self->send(caf::actor_cast<caf::actor>(self->current_sender()),
                     local_note{archive_page{r->peer,
                                             storage->read_delivered(r->from_slot, r->max_bytes)}});
      },
      [=](flush_atom) {
        try {
          storage->commit(*records);
        } catch (const std::exception& e) {
          // Nothing that depends on this commit has been sent, and nothing after it may be:
          // stop like a crash. The group goes on without this node; a restart recovers.
          spdlog::critical("stopping: stable storage failed, nothing more is acknowledged: {}",
                           e.what());
          spdlog::shutdown();
          std::_Exit(3);
        }
        records->clear();
        for (const auto& w : *waiting) self->send(w.requester, committed_atom::value, w.ticket);
        waiting->clear();
      },
  };
}

}  // namespace synod
