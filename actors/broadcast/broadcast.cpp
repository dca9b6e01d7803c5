#include "actors/broadcast/broadcast.hpp"

namespace synod {

broadcast_front::broadcast_front(node_id self, broadcast_config config,
                                 const recovered_state& recovered)
    : self_(self), config_(config), incarnation_(recovered.incarnation + 1) {
  // Durable before any message of this incarnation leaves (effects order), so a crash can never
  // hand out the same seq twice.
  outbox_.durable.push_back(incarnation_record{incarnation_});
}

std::optional<message_id> broadcast_front::broadcast(std::string payload) {
  std::vector<std::string> one;
  one.push_back(std::move(payload));
  auto ids = broadcast_all(std::move(one));
  if (!ids) return std::nullopt;
  return ids->front();
}

std::optional<std::vector<message_id>> broadcast_front::broadcast_all(
    std::vector<std::string> payloads) {
  if (payloads.size() > room()) return std::nullopt;
  // One forward for many payloads: the leader takes them in as one batch.
  std::vector<message_id> ids;
  ids.reserve(payloads.size());
  batch_builder f;
  for (auto& p : payloads) {
    const message_id id{self_, (incarnation_ << seq_counter_bits) | next_counter_++};
    if (leader_ != 0) f.add(id, p);
    if (f.size() == config_.max_forward_messages)
      outbox_.messages.push_back({leader_, forward{f.finish()}});
    undelivered_.emplace_hint(undelivered_.end(), id.seq, std::move(p));
    ids.push_back(id);
  }
  if (f.size() > 0) outbox_.messages.push_back({leader_, forward{f.finish()}});
  return ids;
}

void broadcast_front::on_leader_change(node_id elected) {
  if (elected == leader_) return;
  leader_ = elected;
  forward_all();
}

void broadcast_front::on_delivery(const delivery& d) {
  for (const auto& m : d.value.entries()) {
    if (m.id.origin == self_ && undelivered_.erase(m.id.seq) > 0) delivered_.push_back(m.id);
  }
}

void broadcast_front::tick() {
  if (undelivered_.empty()) {
    ticks_since_forward_ = 0;
    return;
  }
  if (++ticks_since_forward_ >= config_.resend_ticks) forward_all();
}

void broadcast_front::forward_all() {
  ticks_since_forward_ = 0;
  if (leader_ == 0) return;
  batch_builder f;
  for (const auto& [seq, payload] : undelivered_) {
    f.add({self_, seq}, payload);
    if (f.size() == config_.max_forward_messages)
      outbox_.messages.push_back({leader_, forward{f.finish()}});
  }
  if (f.size() > 0) outbox_.messages.push_back({leader_, forward{f.finish()}});
}

std::vector<message_id> broadcast_front::take_delivered() {
  std::vector<message_id> out;
  out.swap(delivered_);
  return out;
}

}  // namespace synod
