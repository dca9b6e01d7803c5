#include "actors/learner/learner_actor.hpp"

#include <spdlog/spdlog.h>

namespace synod {

namespace {

void count_delivery(rate_meter& meter, const std::vector<client_message>& messages) {
  std::uint64_t bytes = 0;
  for (const auto& m : messages) bytes += m.payload.size();
  meter.add(messages.size(), bytes);
}

}  // namespace

caf::behavior learner_actor(caf::stateful_actor<learner_state>* self, node_id id,
                            learner_config config, recovered_state recovered,
                            std::chrono::milliseconds tick) {
  auto& st = self->state;
  st.core.emplace(id, config, recovered);
  for (auto& d : st.core->take_recovered_deliveries()) {
    count_delivery(st.deliveries, d.messages);
    st.history[d.slot] = std::move(d.messages);
  }
  st.pipe.set_carry_out([self, id](effects& e) {
    auto& s = self->state;
    s.send_messages(self, e);
    for (auto& d : e.deliveries) {
      count_delivery(s.deliveries, d.messages);
      s.history[d.slot] = d.messages;
      const delivered_batch out{id, d.slot, d.messages};
      for (const auto& sub : s.subscribers) self->send(sub, out);
      self->send(s.peers.leader, delivered{d});
      self->send(s.peers.front, delivered{std::move(d)});
    }
    if (!e.deliveries.empty())
      self->send(s.peers.detector, local_progress{s.core->delivered_up_to()});
  });
  self->delayed_send(self, tick, tick_atom::value);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const caf::actor& a) { return a.address() == dm.source; }),
               subs.end());
  });
  return wait_for_wiring(
      self,
      caf::message_handler{
          [=](incoming& m) {
            std::visit(
                overloaded{[&](const decision& x) { self->state.core->step(m.from, x); },
                           [&](const catch_up_request& x) { self->state.core->step(m.from, x); },
                           [](const auto&) {}},
                m.body);
            self->state.pipe.schedule(self);
          },
          [=](peer_progress& p) {
            self->state.core->on_peer_progress(p.peer, p.delivered_up_to);
            self->state.peer_progress[p.peer] = p.delivered_up_to;
            self->state.pipe.schedule(self);
          },
          [=](tick_atom) {
            self->state.deliveries.sample(std::chrono::steady_clock::now());
            self->state.core->tick();
            self->state.pipe.schedule(self);
            self->delayed_send(self, tick, tick_atom::value);
          },
          // The transport filled in its part; the learner adds the log's.
          [=](status_query& q) -> status_reply {
            auto& s = self->state;
            auto& r = q.partial;
            r.decided_up_to = s.core->decided_up_to();
            r.delivered_up_to = s.core->delivered_up_to();
            r.delivered_messages = s.deliveries.messages();
            r.delivered_bytes = s.deliveries.bytes();
            r.messages_per_second = s.deliveries.messages_per_second();
            r.bytes_per_second = s.deliveries.bytes_per_second();
            for (auto& l : r.links)
              if (auto it = s.peer_progress.find(l.peer); it != s.peer_progress.end())
                l.peer_delivered_up_to = it->second;
            return std::move(r);
          },
          [=](const history_request& r) -> history_reply {
            const auto& s = self->state;
            history_reply page;
            std::uint64_t bytes = 0;
            for (auto it = s.history.lower_bound(r.from_slot);
                 it != s.history.end() && (page.batches.empty() || bytes < r.max_bytes); ++it) {
              for (const auto& m : it->second) bytes += m.payload.size();
              page.batches.push_back(delivered_batch{id, it->first, it->second});
            }
            page.delivered_up_to = s.history.empty() ? 0 : s.history.rbegin()->first;
            return page;
          },
          // The subscriber is the sender; it gets the replay now and every later batch as it comes.
          [=](const subscribe_request& r) -> subscribe_reply {
            auto subscriber = caf::actor_cast<caf::actor>(self->current_sender());
            auto& s = self->state;
            // Deliveries waiting for a commit are not in history yet; they reach the subscriber
            // live, after this replay.
            const slot_t up_to = s.history.empty() ? 0 : s.history.rbegin()->first;
            if (r.from_slot > 0)
              for (auto it = s.history.lower_bound(r.from_slot); it != s.history.end(); ++it)
                self->send(subscriber, delivered_batch{id, it->first, it->second});
            if (subscriber) {
              s.subscribers.push_back(subscriber);
              self->monitor(subscriber);
            }
            spdlog::debug("node {}: subscriber from slot {}", id, r.from_slot);
            return subscribe_reply{up_to};
          },
      }
          .or_else(standard_handlers(self)),
      [self] {
        self->send(self->state.peers.detector, local_progress{self->state.core->delivered_up_to()});
      });
}

}  // namespace synod
