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
  if (undelivered_.size() >= config_.max_undelivered) return std::nullopt;
  const std::uint64_t seq = (incarnation_ << seq_counter_bits) | next_counter_++;
  if (leader_ != 0) {
    outbox_.messages.push_back({leader_, forward{{client_message{{self_, seq}, payload}}}});
  }
  undelivered_.emplace(seq, std::move(payload));
  return message_id{self_, seq};
}

std::optional<std::vector<message_id>> broadcast_front::broadcast_all(
    std::vector<std::string> payloads) {
  if (payloads.size() > room()) return std::nullopt;
  std::vector<message_id> ids;
  ids.reserve(payloads.size());
  for (auto& p : payloads) ids.push_back(*broadcast(std::move(p)));
  return ids;
}

void broadcast_front::on_leader_change(node_id elected) {
  if (elected == leader_) return;
  leader_ = elected;
  forward_all();
}

void broadcast_front::on_delivery(const delivery& d) {
  for (const auto& m : d.messages()) {
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
  forward f;
  for (const auto& [seq, payload] : undelivered_) {
    f.messages.push_back(client_message{{self_, seq}, payload});
    if (f.messages.size() == config_.max_forward_messages) {
      outbox_.messages.push_back({leader_, std::move(f)});
      f = forward{};
    }
  }
  if (!f.messages.empty()) outbox_.messages.push_back({leader_, std::move(f)});
}

std::vector<message_id> broadcast_front::take_delivered() {
  std::vector<message_id> out;
  out.swap(delivered_);
  return out;
}

}  // namespace synod
