#include "apps/synod/pump.hpp"

#include <map>

#include "messaging/caf_types.hpp"

namespace synod::cli {

namespace {

using resume_atom = caf::atom_constant<caf::atom("resume")>;

struct pump_state {
  std::uint64_t next = 0;
  std::uint64_t next_tag = 0;
  std::map<std::uint64_t, std::chrono::steady_clock::time_point> sent_at;  // by request tag
  std::size_t in_flight = 0;
  bool stopping = false;
  static inline const char* name = "synod.pump";
};

caf::behavior pump(caf::stateful_actor<pump_state>* self, caf::actor member, pump_options o,
                   std::shared_ptr<pump_counters> counters) {
  self->monitor(member);
  self->set_down_handler([=](const caf::down_msg&) {
    counters->done = true;
    self->quit();
  });
  auto send_one = [=] {
    auto& s = self->state;
    broadcast_request r;
    r.tag = s.next_tag++;
    s.sent_at.emplace(r.tag, std::chrono::steady_clock::now());
    for (std::size_t i = 0; i < o.batch; ++i) {
      std::string p = o.prefix + "-" + std::to_string(s.next++);
      if (p.size() < o.size) p.resize(o.size, '.');
      r.payloads.push_back(std::move(p));
    }
    self->send(member, std::move(r));
    ++s.in_flight;
  };
  auto finish_if_idle = [=] {
    if (self->state.in_flight > 0) return;
    counters->done = true;
    self->quit();
  };
  for (std::size_t i = 0; i < o.window; ++i) send_one();
  return {
      [=](const broadcast_reply& r) {
        auto& s = self->state;
        --s.in_flight;
        auto sent = s.sent_at.find(r.tag);
        if (r.error.empty()) {
          counters->delivered += r.ids.size();
          if (counters->recording && sent != s.sent_at.end()) {
            const auto us = std::chrono::duration<float, std::micro>(
                std::chrono::steady_clock::now() - sent->second);
            std::lock_guard<std::mutex> lock(counters->latency_mutex);
            counters->latencies_us.push_back(us.count());
          }
        } else {
          ++counters->refused;
        }
        if (sent != s.sent_at.end()) s.sent_at.erase(sent);
        if (!r.error.empty() && !r.busy) s.stopping = true;  // refused for good: stop offering
        if (s.stopping) return finish_if_idle();
        if (r.error.empty())
          send_one();
        else  // backpressure: the member holds too much; offer more a little later
          self->delayed_send(self, std::chrono::milliseconds(20), resume_atom::value);
      },
      [=](resume_atom) {
        if (self->state.stopping)
          finish_if_idle();
        else
          send_one();
      },
      [=](stop_atom) {
        self->state.stopping = true;
        finish_if_idle();
      },
  };
}

}  // namespace

caf::actor spawn_pump(caf::actor_system& system, const caf::actor& member, pump_options options,
                      std::shared_ptr<pump_counters> counters) {
  return system.spawn(pump, member, std::move(options), std::move(counters));
}

}  // namespace synod::cli
