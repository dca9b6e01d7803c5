// The API for group applications: join a group (run a member in this actor system) or connect
// to a member running elsewhere, TO-Broadcast bytes or any Boost-serializable value, and
// subscribe an actor to the delivered batches. See docs/api.md for a complete example.
#pragma once

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <caf/all.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "actors/node/node.hpp"
#include "messaging/caf_types.hpp"

namespace synod {

class group_member {
 public:
  // Runs member `config.id` of the group inside `system` (which must load caf::io::middleman
  // and register_message_types). Throws with a one-line reason if it cannot start.
  static group_member join(caf::actor_system& system, const node_config& config);
  // A member running in another process. Throws if it cannot be reached.
  static group_member connect(caf::actor_system& system, const std::string& host,
                              std::uint16_t port);

  // Where requests go: send a broadcast_request (or use `broadcast` below) and get a
  // broadcast_reply once every message is delivered at this member, or at once with
  // `error` set ("busy: ...") when the member holds too many undelivered messages.
  const caf::actor& endpoint() const { return endpoint_; }

  // TO-Broadcast from `self`; the reply reaches `self` as a broadcast_reply.
  template <class Self>
  void broadcast(Self* self, std::vector<std::string> payloads, std::uint64_t tag = 0) const {
    self->send(endpoint_, broadcast_request{std::move(payloads), tag});
  }

  // What a subscriber is handed for slots its member no longer keeps (docs/api.md, "Checkpoints
  // or gaps"): one delivery_gap naming them, or, where the member has or can fetch a checkpoint
  // that covers them, a checkpoint_transfer with the application state to go on from.
  enum class cut_slots { as_gap, as_checkpoint };

  // `subscriber` receives every delivered batch from `from_slot` on (0: from now on) as one
  // delivered_batch message, in slot order, each message once; first a subscribe_reply.
  void subscribe(const caf::actor& subscriber, slot_t from_slot,
                 cut_slots cut = cut_slots::as_gap) const {
    caf::send_as(subscriber, endpoint_,
                 subscribe_request{from_slot, cut == cut_slots::as_checkpoint});
  }

  // Hands this member the application's own state as of `slot` (a slot delivered to it), to
  // start from after losing it (docs/api.md, "Checkpoints"); a checkpoint_offer_reply reaches
  // `self` once it is durable. A typed state: encode_payload(state).
  template <class Self>
  void checkpoint(Self* self, slot_t slot, std::string state) const {
    self->send(endpoint_, checkpoint_offer{slot, std::move(state)});
  }

  // Asks for the newest checkpoint this member keeps; a checkpoint_reply reaches `self`.
  template <class Self>
  void latest_checkpoint(Self* self) const {
    self->send(endpoint_, checkpoint_query{});
  }

  // Stops a joined member's actors (a connected one is left alone).
  void leave() const {
    if (local_) stop_node(local_node_);
  }

 private:
  caf::actor endpoint_;
  wiring local_node_;
  bool local_ = false;
};

// A typed payload: any type with a Boost.Serialization `serialize` member or function.
template <class T>
std::string encode_payload(const T& value) {
  std::ostringstream out(std::ios::binary);
  {
    boost::archive::binary_oarchive archive(out, boost::archive::no_header);
    archive << value;
  }
  return std::move(out).str();
}

// Decodes a typed payload; throws std::exception if the bytes are not a T.
template <class T>
T decode_payload(const std::string& bytes) {
  std::istringstream in(bytes, std::ios::binary);
  boost::archive::binary_iarchive archive(in, boost::archive::no_header);
  T value;
  archive >> value;
  return value;
}

}  // namespace synod
