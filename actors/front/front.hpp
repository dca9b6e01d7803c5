// The TO-Broadcast front: gives each broadcast a (origin, seq) id that stays unique across this
// node's restarts, hands undelivered messages to the current leader, hands them again when the
// leader changes or stays silent, and reports each own message once it is delivered here. Pure.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/core/config_check.hpp"
#include "actors/core/effects.hpp"

namespace synod {

struct broadcast_config {
  std::size_t max_undelivered = 100000;  // beyond this, broadcast() refuses (backpressure)
  std::size_t max_undelivered_bytes = std::size_t{64} << 20;  // ...and beyond these bytes
  // A larger message is refused at once: every member must be able to take a batch holding it
  // through its links, its forced log and its catch-up answers. Heartbeats share the links: a
  // 15 MB message measured here held them up past the failure timeout and moved the lead.
  std::size_t max_message_bytes = std::size_t{4} << 20;
  // One request's payload bytes (at least max_message_bytes); its messages at most
  // max_undelivered. A larger request is refused at once: it could never be taken, and it must
  // fit in what a member's port accepts from a client.
  std::size_t max_request_bytes = std::size_t{8} << 20;
  std::size_t request_bytes_limit() const { return std::max(max_request_bytes, max_message_bytes); }
  std::size_t max_forward_messages = 1024;               // client messages in one forward...
  std::size_t max_forward_bytes = std::size_t{1} << 20;  // ...and their bytes (at least one)
  unsigned resend_ticks = 8;  // forward again what is still undelivered after this

  config_problems problems() const;
};

// Why a broadcast was refused: nothing of it was taken.
enum class refusal { none, busy, too_large, request_too_large };

class broadcast_front {
 public:
  broadcast_front(node_id self, broadcast_config config, const recovered_state& recovered);

  // TO-Broadcast. Returns the message's id, or nothing when refused (see refuses()).
  std::optional<message_id> broadcast(std::string payload);
  // TO-Broadcast of all payloads, or of none when refused (see refuses()).
  std::optional<std::vector<message_id>> broadcast_all(std::vector<std::string> payloads);
  // Whether broadcast_all(payloads) would be refused, and why: a payload above
  // max_message_bytes, or not enough room (backpressure).
  refusal refuses(const std::vector<std::string>& payloads) const;
  void on_leader_change(node_id elected);
  void on_delivery(const delivery& d);
  void tick();

  effects& outbox() { return outbox_; }

  // Own messages delivered here since the last call, in delivery order.
  std::vector<message_id> take_delivered();
  std::size_t undelivered() const { return undelivered_.size(); }
  std::size_t undelivered_bytes() const { return undelivered_bytes_; }
  const broadcast_config& config() const { return config_; }
  // How many more broadcasts are accepted before backpressure refuses them.
  std::size_t room() const {
    return config_.max_undelivered > undelivered_.size()
               ? config_.max_undelivered - undelivered_.size()
               : 0;
  }
  std::uint64_t incarnation() const { return incarnation_; }

 private:
  class forwarder;
  void forward_all();

  node_id self_;
  broadcast_config config_;
  effects outbox_;
  std::uint64_t incarnation_;
  std::uint64_t next_counter_ = 0;
  node_id leader_ = 0;
  unsigned ticks_since_forward_ = 0;
  std::map<std::uint64_t, std::string> undelivered_;  // seq -> payload (Received - TO_delivered)
  std::size_t undelivered_bytes_ = 0;
  std::vector<message_id> delivered_;
};

// seq = incarnation in the high 24 bits, a per-incarnation counter in the low 40.
constexpr unsigned seq_counter_bits = 40;

}  // namespace synod
