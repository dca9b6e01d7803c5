#include "actors/retransmission/transport_actor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <caf/io/all.hpp>

#include "actors/shell/role_shell.hpp"
#include "messaging/codec.hpp"
#include "messaging/overloaded.hpp"

namespace synod {

namespace {

using self_ptr = caf::stateful_actor<transport_state>*;

constexpr std::size_t max_payload_bytes = std::size_t{8} << 20;

// The payload bytes a wire message carries in batches (what makes it large).
std::size_t batch_bytes(const wire_message& m) {
  return std::visit(overloaded{
                        [](const write_request& x) { return x.value.payload_bytes(); },
                        [](const decision& x) { return x.value.payload_bytes(); },
                        [](const forward& x) { return x.value.payload_bytes(); },
                        [](const read_ack& x) {
                          std::size_t n = 0;
                          for (const auto& a : x.accepted) n += a.value.payload_bytes();
                          return n;
                        },
                        [](const auto&) { return std::size_t{0}; },
                    },
                    m);
}

bool isolated(self_ptr self) {
  const auto& f = self->state.config.faults;
  if (f.isolate_for.count() == 0) return false;
  if (std::find(f.isolate.begin(), f.isolate.end(), self->state.config.id) == f.isolate.end())
    return false;
  const auto elapsed = std::chrono::steady_clock::now() - self->state.started;
  return elapsed >= f.isolate_after && elapsed < f.isolate_after + f.isolate_for;
}

bool chance(self_ptr self, double p) {
  return p > 0 && std::uniform_real_distribution<double>(0, 1)(self->state.random) < p;
}

void send_frame(self_ptr self, node_id peer, const caf::actor& to, frame f) {
  const auto who = self->state.admission->identity();
  f.group_id = who.group_id;
  f.history = who.history;
  f.database_id = who.database_id;
  f.incarnation = who.incarnation;
  auto& faults = self->state.config.faults;
  if (isolated(self)) return;
  const bool faulty = faults.on_link(self->state.config.id, peer);
  if (faulty && chance(self, faults.loss)) return;
  const int copies = faulty && chance(self, faults.dup) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    if (faulty && faults.delay.count() > 0) {
      const auto hold = std::chrono::milliseconds(
          std::uniform_int_distribution<std::int64_t>(0, faults.delay.count())(self->state.random));
      self->delayed_send(to, hold, f);
    } else {
      self->send(to, f);
    }
  }
}

void flush(self_ptr self) {
  auto& s = self->state;
  s.flush_scheduled = false;
  for (auto& [peer, messages] : s.pending) {
    if (messages.empty()) continue;
    // Payloads of at most ~8 MiB of batches (or one larger message): every frame stays far
    // below what a member's port accepts (node_config::max_frame_bytes).
    std::size_t first = 0, bytes = 0;
    for (std::size_t i = 0; i <= messages.size(); ++i) {
      const bool last = i == messages.size();
      if (!last && (i == first || bytes + batch_bytes(messages[i]) <= max_payload_bytes)) {
        bytes += batch_bytes(messages[i]);
        continue;
      }
      std::vector<wire_message> part(std::make_move_iterator(messages.begin() + first),
                                     std::make_move_iterator(messages.begin() + i));
      auto& dropped = s.dropped_while_full[peer];
      auto& link = s.links.at(peer);
      if (!link.push(encode(part))) {
        if (dropped == 0)
          spdlog::warn(
              "node {}: link to node {} is full; dropping messages to it until it has room "
              "(they are resent)",
              s.config.id, peer);
        dropped += part.size();
      } else if (dropped > 0 && link.half_empty()) {
        spdlog::info("node {}: link to node {} has room again ({} messages were dropped)",
                     s.config.id, peer, dropped);
        dropped = 0;
      }
      first = i;
      bytes = last ? 0 : batch_bytes(messages[i]);
    }
    messages.clear();
  }
  for (auto& [peer, l] : s.links) {
    auto frames = l.take_sendable();
    auto handle = s.handles.find(peer);
    if (handle == s.handles.end()) continue;  // unacknowledged: resent once connected
    for (auto& f : frames) send_frame(self, peer, handle->second, std::move(f));
  }
}

void schedule_flush(self_ptr self) {
  if (self->state.flush_scheduled) return;
  self->state.flush_scheduled = true;
  self->send(self, flush_atom::value);
}

void connect(self_ptr self, node_id peer) {
  const member_address* address = nullptr;
  for (const auto& m : self->state.config.members)
    if (m.id == peer) address = &m;
  auto mm = self->home_system().middleman().actor_handle();
  self->request(mm, caf::infinite, caf::connect_atom::value, address->host, address->port)
      .then(
          [=](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
            auto& s = self->state;
            auto handle = caf::actor_cast<caf::actor>(ptr);
            if (!handle) {
              self->delayed_send(self, s.backoff[peer], reconnect_atom::value, peer);
              return;
            }
            spdlog::info("node {}: connected to node {}", s.config.id, peer);
            s.backoff[peer] = std::chrono::milliseconds(10);
            s.handles[peer] = handle;
            self->monitor(handle);
            s.links.at(peer).reconnected();
            schedule_flush(self);
          },
          [=](const caf::error&) {
            auto& wait = self->state.backoff[peer];
            self->delayed_send(self, wait, reconnect_atom::value, peer);
            wait = std::min(wait * 2, std::chrono::milliseconds(500));
          });
}

// The member must stop: it was refused by its group.
void stop_fatally(self_ptr self, const std::string& why) {
  auto& s = self->state;
  spdlog::critical("node {}: stopping: {}", s.config.id, why);
  if (s.config.on_fatal) {
    s.config.on_fatal(why);
    return;
  }
  stop_node(s.peers);
}

// Tells the sender of the current frame that it is refused (at most every 200 ms per peer), and
// logs it (at most once a second).
void refuse(self_ptr self, node_id peer, refusal_reason reason) {
  auto& s = self->state;
  const auto now = std::chrono::steady_clock::now();
  auto& last = s.last_refusal[peer];
  if (now - last < std::chrono::milliseconds(200)) return;
  last = now;
  const auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (sender)
    self->send(sender, link_refusal{s.config.id, static_cast<std::uint8_t>(reason),
                                    s.admission->group_id()});
  if (now - s.last_refusal_log >= std::chrono::seconds(1)) {
    s.last_refusal_log = now;
    spdlog::error("node {}: refused frames from a process claiming to be node {}: {}", s.config.id,
                  peer, describe(reason, false));
  }
}

// Whether the current message comes from the process this member reached at `peer`'s configured
// address (true if it has no connection to compare with).
bool from_connected(self_ptr self, node_id peer) {
  const auto& s = self->state;
  auto h = s.handles.find(peer);
  return h == s.handles.end() ||
         (self->current_sender() && self->current_sender()->address() == h->second.address());
}

// Whether the current frame's sender may speak for `peer` (it is the process at the peer's
// address, or we have none to compare with), and whether its identity lets it in.
bool admitted(self_ptr self, const frame& f) {
  auto& s = self->state;
  const auto now = std::chrono::steady_clock::now();
  if (!from_connected(self, f.from)) {
    // Another process speaks for this peer. While the one at its address is heard from, the
    // newcomer is an impostor. A silent one may be a dead host whose connection still looks
    // open (TCP notices late): then the newcomer is the member restarted, and is let in.
    if (now - s.last_heard[f.from] < s.config.failure_timeout) {
      refuse(self, f.from, refusal_reason::duplicate_id);
      return false;
    }
    spdlog::info("node {}: a new process speaks for node {} (the old one is silent); reconnecting",
                 s.config.id, f.from);
    self->demonitor(s.handles.at(f.from));
    s.handles.erase(f.from);
    self->send(self, reconnect_atom::value, f.from);
  }
  const auto group_before = s.admission->group_id();
  auto out = s.admission->admit(
      f.from, sender_identity{f.group_id, f.history, f.database_id, f.incarnation});
  // Before anything of this peer reaches the roles: their own records queue behind these.
  if (!out.store.empty()) self->send(s.peers.storage, commit_request{std::move(out.store), 0});
  if (s.admission->group_id() != group_before)
    spdlog::info("node {}: joined group {:016x} (from node {})", s.config.id,
                 s.admission->group_id(), f.from);
  if (out.what == peer_admission::verdict::refuse) refuse(self, f.from, out.reason);
  if (out.what != peer_admission::verdict::take) return false;
  s.last_heard[f.from] = now;
  return true;
}

// The transport's part of a status: who it is, whom it trusts, and its links.
status_reply link_view(self_ptr self) {
  const auto& s = self->state;
  status_reply r;
  r.node = s.config.id;
  r.group = s.config.group;
  r.storage = s.config.storage;
  r.leader = s.leader;
  r.uptime_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::steady_clock::now() - s.started)
                                               .count());
  for (const auto& [peer, l] : s.links)
    r.links.push_back(link_status{peer, s.handles.count(peer) > 0, l.unacked_bytes(), l.queued(),
                                  l.resent_frames(), 0});
  return r;
}

}  // namespace

caf::behavior transport_actor(caf::stateful_actor<transport_state>* self, transport_config config,
                              peer_admission admission) {
  auto& st = self->state;
  st.config = std::move(config);
  st.admission.emplace(std::move(admission));
  const auto session = std::uniform_int_distribution<std::uint64_t>(1)(st.random);
  for (const auto& m : st.config.members) {
    if (m.id == st.config.id) continue;
    link_config lc = st.config.link;
    // Over TCP nothing is lost while a connection stands, unless this node drops frames itself.
    const auto& f = st.config.faults;
    lc.lossless = !(f.loss > 0 && f.on_link(st.config.id, m.id)) && f.isolate.empty();
    st.links.emplace(m.id, link(st.config.id, m.id, session, lc));
    st.backoff[m.id] = std::chrono::milliseconds(10);
    connect(self, m.id);
  }
  self->delayed_send(self, st.config.tick, tick_atom::value);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& s = self->state;
    for (auto it = s.handles.begin(); it != s.handles.end(); ++it) {
      if (it->second.address() != dm.source) continue;
      const node_id peer = it->first;
      spdlog::info("node {}: lost the connection to node {}", s.config.id, peer);
      s.handles.erase(it);
      self->delayed_send(self, s.backoff[peer], reconnect_atom::value, peer);
      return;
    }
  });
  return wait_for_wiring(
      self,
      caf::behavior{
          [=](outgoing_batch& batch) {
            auto& s = self->state;
            for (auto& out : batch.messages) {
              s.admission->on_sending(out.body);
              if (out.to == s.config.id) {
                const auto& to = s.peers.of(role_of(out.body));
                self->send(to, incoming{s.config.id, std::move(out.body)});
              } else if (auto l = s.links.find(out.to); l != s.links.end()) {
                // Heartbeats need to be timely, not reliable: a late one is worse than a lost one.
                if (std::holds_alternative<heartbeat>(out.body))
                  l->second.push_datagram(encode(std::vector<wire_message>{std::move(out.body)}));
                else
                  s.pending[out.to].push_back(std::move(out.body));
              }
            }
            schedule_flush(self);
          },
          [=](flush_atom) { flush(self); },
          [=](const link_refusal& r) {
            auto& s = self->state;
            // Only from the process this member reached at that peer's configured address:
            // anyone else could stop a member with one message.
            if (!s.handles.count(r.from) || !from_connected(self, r.from)) return;
            if (auto why = s.admission->refused_by(r.from, static_cast<refusal_reason>(r.reason),
                                                   r.group_id))
              stop_fatally(self, *why);
          },
          [=](committed_atom, std::uint64_t) {},  // the identity records are durable
          [=](frame& f) {
            auto& s = self->state;
            if (isolated(self)) return;
            auto it = s.links.find(f.from);
            if (it == s.links.end()) {
              spdlog::warn("node {}: frame from unknown node {} ignored", s.config.id, f.from);
              return;
            }
            if (!admitted(self, f)) return;
            for (auto& payload : it->second.receive(f)) {
              try {
                for (auto& m : decode_messages(payload)) {
                  self->send(s.peers.of(role_of(m)), incoming{f.from, std::move(m)});
                }
              } catch (const std::exception& e) {
                if (s.undecodable++ == 0)
                  spdlog::warn("node {}: undecodable frame from node {}: {}", s.config.id, f.from,
                               e.what());
              }
            }
            schedule_flush(self);  // owes an acknowledgement
          },
          [=](tick_atom) {
            auto& s = self->state;
            for (auto& [peer, l] : s.links) l.tick();
            flush(self);
            self->delayed_send(self, s.config.tick, tick_atom::value);
          },
          [=](reconnect_atom, node_id peer) {
            if (!self->state.handles.count(peer)) connect(self, peer);
          },
          // The client API, served by the roles that own the answers.
          [=](broadcast_request& r) {
            return self->delegate(self->state.peers.front, std::move(r));
          },
          [=](subscribe_request& r) { return self->delegate(self->state.peers.learner, r); },
          [=](history_request& r) { return self->delegate(self->state.peers.learner, r); },
          [=](checkpoint_offer& c) {
            return self->delegate(self->state.peers.learner, std::move(c));
          },
          [=](checkpoint_query& q) { return self->delegate(self->state.peers.learner, q); },
          [=](status_request&) {
            // Through the front and the leader (their counts), to the learner, which answers.
            return self->delegate(self->state.peers.front, status_query{link_view(self)});
          },
          [=](const leader_elected& m) { self->state.leader = m.leader; },
      });
}

}  // namespace synod
