#include "actors/acceptor/acceptor.hpp"

#include <stdexcept>

#include "actors/core/invariant.hpp"

#include <algorithm>

namespace synod {

acceptor::acceptor(const recovered_state& recovered, std::size_t page_bytes)
    : promised_(recovered.promised),
      accepted_(recovered.accepted),
      forgotten_up_to_(recovered.forgotten_up_to),
      page_bytes_(page_bytes) {
  if (page_bytes_ < 1)
    throw std::invalid_argument("acceptor configuration: read_ack_page_bytes must be at least 1");
  // Recovery kept only the memory window: what was accepted below it is forgotten, exactly as if
  // forget_up_to had run before the restart.
  accepted_.erase(accepted_.begin(), accepted_.upper_bound(forgotten_up_to_));
}

const accepted_value* acceptor::accepted_in(slot_t slot, round_t round) const {
  auto it = accepted_.find(slot);
  return it != accepted_.end() && it->second.round == round ? &it->second : nullptr;
}

void acceptor::forget_up_to(slot_t slot) {
  if (slot <= forgotten_up_to_) return;
  forgotten_up_to_ = slot;
  accepted_.erase(accepted_.begin(), accepted_.upper_bound(slot));
}

void acceptor::step(node_id from, const read_request& m) {
  // Nack only a strictly lower round. Rounds are never reused (the leader's counter is durable),
  // so an equal round is a retransmitted READ of the same leader and must be acked again.
  if (m.round < promised_) {
    outbox_.messages.push_back({from, read_nack{m.round, promised_}});
    return;
  }
  // A leader behind the forgotten prefix: refused, without a promise, until it caught up.
  if (m.from_slot <= forgotten_up_to_) {
    outbox_.messages.push_back({from, read_nack{m.round, m.round}});
    return;
  }
  if (m.round > promised_) {
    promised_ = m.round;
    outbox_.durable.push_back(promise_record{promised_});  // forced log before ackREAD
    outbox_.notes.push_back(round_seen{promised_});
  }
  std::vector<std::vector<accepted_value>> pages(1);
  std::size_t bytes = 0;
  for (auto it = accepted_.lower_bound(m.from_slot); it != accepted_.end(); ++it) {
    const std::size_t size = it->second.value.payload_bytes();
    if (!pages.back().empty() && bytes + size > page_bytes_) {
      pages.emplace_back();
      bytes = 0;
    }
    pages.back().push_back(it->second);
    bytes += size;
  }
  const auto count = static_cast<std::uint32_t>(pages.size());
  for (std::uint32_t i = 0; i < count; ++i)
    outbox_.messages.push_back(
        {from, read_ack{m.round, m.from_slot, std::move(pages[i]), i, count}});
}

void acceptor::step(node_id from, const write_request& m) {
  if (m.slot <= forgotten_up_to_) {  // decided and delivered here long ago
    outbox_.messages.push_back({from, write_nack{m.round, m.slot, std::max(promised_, m.round)}});
    return;
  }
  if (m.round < promised_) {
    outbox_.messages.push_back({from, write_nack{m.round, m.slot, promised_}});
    return;
  }
  // Accepting round k implies promising k: a lower READ must not be acked afterwards.
  if (m.round > promised_) {
    promised_ = m.round;
    outbox_.durable.push_back(promise_record{promised_});
    outbox_.notes.push_back(round_seen{promised_});
  }
  auto& slot = accepted_[m.slot];
  if (!(slot.round == m.round && slot.slot == m.slot)) {
    slot = accepted_value{m.slot, m.round, m.value};
    outbox_.durable.push_back(accept_record{m.slot, m.round, m.value});  // forced log before ack
    outbox_.notes.push_back(accepted_here{slot});
  }
  SYNOD_INVARIANT(slot.round <= promised_, "an acceptor never accepts above its promise");
  outbox_.messages.push_back({from, write_ack{m.round, m.slot}});
}

}  // namespace synod
