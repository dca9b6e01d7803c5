#include "tests/sim/sync_group.hpp"

#include <algorithm>

namespace synod::sim {

member_config sync_group::default_config() {
  member_config c;
  c.learner.memory_slots = 16;
  c.learner.retain_slots = 0;
  c.learner.retain_bytes = 0;
  return c;
}

sync_group::sync_group(std::size_t size, member_config config) : config_(config) {
  for (node_id id = 1; id <= size; ++id) group_.members.push_back(id);
  members_.resize(size);
  for (node_id id = 1; id <= size; ++id) start(id);
}

void sync_group::start(node_id id) {
  auto& m = members_.at(id - 1);
  const recovered_state state = m.disk.recover(config_.learner.memory_slots);
  m.live.emplace(id, group_, config_, state, state.incarnation + 1);
  for (role r : core_roles) settle_role(id, r);
}

void sync_group::tick(const std::vector<node_id>& ids) {
  std::vector<node_id> who = ids;
  if (who.empty())
    for (node_id id = 1; id <= size(); ++id) who.push_back(id);
  for (node_id id : who) {
    if (!up(id)) continue;
    for (role r : core_roles) {
      member(id).tick(r);
      settle_role(id, r);
    }
  }
}

bool sync_group::broadcast(node_id id, const std::string& payload) {
  if (!up(id) || !member(id).front().broadcast(payload)) return false;
  settle_role(id, role::front);
  return true;
}

std::size_t sync_group::deliver(node_id from, node_id to, bool drop) {
  std::size_t count = 0;
  std::deque<envelope> kept;
  // Only what is in flight now: what these deliveries send waits for the next call.
  std::deque<envelope> now;
  now.swap(wire_);
  for (auto& m : now) {
    if ((from != 0 && m.from != from) || (to != 0 && m.to != to)) {
      kept.push_back(std::move(m));
      continue;
    }
    ++count;
    const bool lost = drop || !up(m.to);
    if (on_receive) on_receive(m, lost);
    if (lost) continue;
    const role r = role_of(m.body);
    member(m.to).feed(r, m.from, m.body);
    settle_role(m.to, r);
  }
  // What was sent meanwhile goes behind what is still in flight, as on a FIFO link.
  for (auto& m : wire_) kept.push_back(std::move(m));
  wire_.swap(kept);
  return count;
}

std::size_t sync_group::stabilize() {
  std::size_t total = 0;
  while (!wire_.empty()) total += deliver(0, 0);
  return total;
}

void sync_group::crash(node_id id) {
  members_.at(id - 1).live.reset();
  // Its connections break: what was in flight to it is gone.
  wire_.erase(
      std::remove_if(wire_.begin(), wire_.end(), [id](const envelope& m) { return m.to == id; }),
      wire_.end());
}

void sync_group::recover(node_id id) {
  if (!up(id)) start(id);
}

void sync_group::settle_role(node_id id, role first) {
  auto& m = members_.at(id - 1);
  std::deque<role> stepped{first};
  std::deque<std::pair<role, note>> notes;
  while (!stepped.empty() || !notes.empty()) {
    if (!notes.empty()) {
      auto [to, n] = std::move(notes.front());
      notes.pop_front();
      if (to == role::storage) {
        const auto& r = std::get<archive_read>(n);
        notes.emplace_back(role::learner,
                           archive_page{r.peer, m.disk.read_delivered(r.from_slot, r.max_bytes)});
        continue;
      }
      m.live->take(to, n);
      stepped.push_back(to);
      continue;
    }
    const role r = stepped.front();
    stepped.pop_front();
    if (r == role::front) m.live->front().take_delivered();
    std::vector<durable_record> records;
    auto ready = m.live->queue(r).push(m.live->outbox(r).take(), records);
    if (!records.empty()) {
      m.disk.commit(records);
      for (auto& done : m.live->queue(r).committed()) ready.push_back(std::move(done));
    }
    for (auto& e : ready) {
      for (auto& out : e.messages) {
        wire_.push_back(envelope{id, out.to, std::move(out.body)});
        if (on_send) on_send(wire_.back());
      }
      for (auto& n : e.notes) {
        if (on_note) on_note(id, n);
        for (role to : roles_of(n)) notes.emplace_back(to, n);
      }
      for (const auto& d : e.deliveries) {
        for (const auto& msg : d.messages()) m.delivered.emplace_back(d.slot, msg.payload);
        if (on_deliver) on_deliver(id, d);
      }
    }
  }
}

}  // namespace synod::sim
