// A fingerprint of a member's whole delivery sequence, to show that members agree: equal
// digests mean the same messages in the same order (up to a 64-bit FNV-1a collision).
#pragma once

#include <caf/all.hpp>
#include <chrono>
#include <string>

#include "messaging/batch.hpp"

namespace synod::cli {

class delivery_digest {
 public:
  void add(slot_t slot, const client_message& m);
  std::uint64_t messages() const { return messages_; }
  std::string hex() const;
  bool operator==(const delivery_digest& o) const {
    return hash_ == o.hash_ && messages_ == o.messages_;
  }

 private:
  void mix(const void* data, std::size_t size);
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
  std::uint64_t messages_ = 0;
};

// Replays everything `member` has delivered so far and folds it into a digest. Throws if the
// member stops answering for `timeout`.
delivery_digest digest_of(caf::actor_system& system, const caf::actor& member,
                          std::chrono::milliseconds timeout);

}  // namespace synod::cli
