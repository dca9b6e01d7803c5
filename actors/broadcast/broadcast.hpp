// The TO-Broadcast front: gives each broadcast a (origin, seq) id that stays unique across this
// node's restarts, hands undelivered messages to the current leader, hands them again when the
// leader changes or stays silent, and reports each own message once it is delivered here. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/effects.hpp"

namespace synod {

struct broadcast_config {
  std::size_t max_undelivered = 100000;     // beyond this, broadcast() refuses (backpressure)
  std::size_t max_forward_messages = 1024;  // client messages in one forward
  unsigned resend_ticks = 8;                // forward again what is still undelivered after this
};

class broadcast_front {
 public:
  broadcast_front(node_id self, broadcast_config config, const recovered_state& recovered);

  // TO-Broadcast. Returns the message's id, or nothing when too much is undelivered.
  std::optional<message_id> broadcast(std::string payload);
  // TO-Broadcast of all payloads, or of none when they do not all fit (backpressure).
  std::optional<std::vector<message_id>> broadcast_all(std::vector<std::string> payloads);
  void on_leader_change(node_id elected);
  void on_delivery(const delivery& d);
  void tick();

  effects& outbox() { return outbox_; }

  // Own messages delivered here since the last call, in delivery order.
  std::vector<message_id> take_delivered();
  std::size_t undelivered() const { return undelivered_.size(); }
  // How many more broadcasts are accepted before backpressure refuses them.
  std::size_t room() const {
    return config_.max_undelivered > undelivered_.size()
               ? config_.max_undelivered - undelivered_.size()
               : 0;
  }
  std::uint64_t incarnation() const { return incarnation_; }

 private:
  void forward_all();

  node_id self_;
  broadcast_config config_;
  effects outbox_;
  std::uint64_t incarnation_;
  std::uint64_t next_counter_ = 0;
  node_id leader_ = 0;
  unsigned ticks_since_forward_ = 0;
  std::map<std::uint64_t, std::string> undelivered_;  // seq -> payload (Received - TO_delivered)
  std::vector<message_id> delivered_;
};

// seq = incarnation in the high 24 bits, a per-incarnation counter in the low 40.
constexpr unsigned seq_counter_bits = 40;

}  // namespace synod
