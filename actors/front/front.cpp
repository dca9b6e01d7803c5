#include "actors/front/front.hpp"

namespace synod {

// Cuts what goes to the leader into forwards of at most max_forward_messages and
// max_forward_bytes (a forward always holds at least one message).
class broadcast_front::forwarder {
 public:
  explicit forwarder(broadcast_front& front) : front_(front) {}
  ~forwarder() { flush(); }
  forwarder(const forwarder&) = delete;
  forwarder& operator=(const forwarder&) = delete;

  void add(const message_id& id, std::string_view payload) {
    if (front_.leader_ == 0) return;
    if (b_.size() > 0 && b_.payload_bytes() + payload.size() > front_.config_.max_forward_bytes)
      flush();
    b_.add(id, payload);
    if (b_.size() == front_.config_.max_forward_messages) flush();
  }

 private:
  void flush() {
    if (b_.size() > 0) front_.outbox_.messages.push_back({front_.leader_, forward{b_.finish()}});
  }
  broadcast_front& front_;
  batch_builder b_;
};

config_problems broadcast_config::problems() const {
  config_problems out;
  require_at_least(out, "max_undelivered", max_undelivered, std::size_t{1});
  require_at_least(out, "max_undelivered_bytes", max_undelivered_bytes, std::size_t{1});
  require_at_least(out, "max_message_bytes", max_message_bytes, std::size_t{1});
  require_at_least(out, "max_request_bytes", max_request_bytes, std::size_t{1});
  require_at_least(out, "max_forward_messages", max_forward_messages, std::size_t{1});
  require_at_least(out, "max_forward_bytes", max_forward_bytes, std::size_t{1});
  require_at_least(out, "resend_ticks", resend_ticks, 1u);
  return out;
}

broadcast_front::broadcast_front(node_id self, broadcast_config config,
                                 const recovered_state& recovered)
    : self_(self), config_(checked("front", config)), incarnation_(recovered.incarnation + 1) {
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

refusal broadcast_front::refuses(const std::vector<std::string>& payloads) const {
  std::size_t bytes = 0;
  for (const auto& p : payloads) {
    if (p.size() > config_.max_message_bytes) return refusal::too_large;
    bytes += p.size();
  }
  if (payloads.size() > config_.max_undelivered || bytes > config_.request_bytes_limit())
    return refusal::request_too_large;
  if (payloads.size() > room()) return refusal::busy;
  // Bytes bound memory too; a request larger than the whole budget still passes when nothing
  // else waits, or it could never be taken.
  if (!undelivered_.empty() && undelivered_bytes_ + bytes > config_.max_undelivered_bytes)
    return refusal::busy;
  return refusal::none;
}

std::optional<std::vector<message_id>> broadcast_front::broadcast_all(
    std::vector<std::string> payloads) {
  if (refuses(payloads) != refusal::none) return std::nullopt;
  // One forward for many payloads: the leader takes them in as one batch.
  std::vector<message_id> ids;
  ids.reserve(payloads.size());
  forwarder f(*this);
  for (auto& p : payloads) {
    const message_id id{self_, (incarnation_ << seq_counter_bits) | next_counter_++};
    f.add(id, p);
    undelivered_bytes_ += p.size();
    undelivered_.emplace_hint(undelivered_.end(), id.seq, std::move(p));
    ids.push_back(id);
  }
  return ids;
}

void broadcast_front::on_leader_change(node_id elected) {
  if (elected == leader_) return;
  leader_ = elected;
  forward_all();
}

void broadcast_front::on_delivery(const delivery& d) {
  if (d.is_gap()) {
    // Own messages the group delivered in slots this member skipped: delivered all the same.
    for (auto it = undelivered_.begin(); it != undelivered_.end();) {
      const message_id id{self_, it->first};
      if (!d.skipped->delivered.contains(id)) {
        ++it;
        continue;
      }
      undelivered_bytes_ -= it->second.size();
      it = undelivered_.erase(it);
      delivered_.push_back(id);
    }
    return;
  }
  for (const auto& m : d.value.entries()) {
    if (m.id.origin != self_) continue;
    auto it = undelivered_.find(m.id.seq);
    if (it == undelivered_.end()) continue;
    undelivered_bytes_ -= it->second.size();
    undelivered_.erase(it);
    delivered_.push_back(m.id);
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
  forwarder f(*this);
  for (const auto& [seq, payload] : undelivered_) f.add({self_, seq}, payload);
}

std::vector<message_id> broadcast_front::take_delivered() {
  std::vector<message_id> out;
  out.swap(delivered_);
  return out;
}

}  // namespace synod
