#include "apps/synod/delivery_digest.hpp"

#include <cstdio>

#include "apps/synod/history.hpp"

namespace synod::cli {

void delivery_digest::mix(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash_ ^= bytes[i];
    hash_ *= 0x100000001b3ULL;
  }
}

void delivery_digest::add(slot_t slot, const client_message& m) {
  mix(&slot, sizeof slot);
  mix(&m.id.origin, sizeof m.id.origin);
  mix(&m.id.seq, sizeof m.id.seq);
  const std::uint64_t size = m.payload.size();
  mix(&size, sizeof size);
  mix(m.payload.data(), m.payload.size());
  ++messages_;
}

std::string delivery_digest::hex() const {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
  return text;
}

delivery_digest digest_of(caf::actor_system& system, const caf::actor& member,
                          std::chrono::milliseconds timeout) {
  delivery_digest digest;
  read_history(
      system, member, 1, true,
      [&](const delivered_batch& b) {
        for (const auto& m : b.messages) digest.add(b.slot, m);
        return true;
      },
      timeout);
  return digest;
}

}  // namespace synod::cli
