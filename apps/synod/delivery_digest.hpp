// A fingerprint of a member's whole delivery sequence, to show that members agree: equal
// digests at equal positions mean the same messages in the same slots and order (up to a 64-bit
// collision). The member keeps it as it delivers (messaging/ledger_digest.hpp), so asking costs
// one status request however long the log, and truncated slots still count.
#pragma once

#include <caf/all.hpp>
#include <chrono>
#include <string>

#include "messaging/batch.hpp"

namespace synod::cli {

class delivery_digest {
 public:
  delivery_digest(slot_t slot, std::uint64_t messages, std::uint64_t hash)
      : slot_(slot), messages_(messages), hash_(hash) {}
  slot_t slot() const { return slot_; }
  std::uint64_t messages() const { return messages_; }
  std::string hex() const;
  bool operator==(const delivery_digest& o) const {
    return slot_ == o.slot_ && hash_ == o.hash_ && messages_ == o.messages_;
  }

 private:
  slot_t slot_;
  std::uint64_t messages_;
  std::uint64_t hash_;
};

// The digest of what `member` has delivered so far. Throws if it does not answer in `timeout`.
delivery_digest digest_of(caf::actor_system& system, const caf::actor& member,
                          std::chrono::milliseconds timeout);

}  // namespace synod::cli
