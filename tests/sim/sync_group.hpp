// A group of members driven one step at a time, for tests and scenario files that tell the
// protocol's story: the same composition as the simulator and the shells (member_roles, the one
// routing, effect queues), with every commit durable at once and the notes between a member's
// roles carried out at once, in order. Messages between members wait in flight, in order per
// pair of members, until a test delivers or drops them.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/composition/member_roles.hpp"
#include "persistence/memory_storage.hpp"

namespace synod::sim {

class sync_group {
 public:
  explicit sync_group(std::size_t size, member_config config = default_config());

  // Small windows of memory and no retention, as a story wants them.
  static member_config default_config();

  std::size_t size() const { return members_.size(); }
  bool up(node_id id) const { return members_.at(id - 1).live.has_value(); }
  member_roles& member(node_id id) { return *members_.at(id - 1).live; }

  // Every role of the given members (all of them if none) ticks once.
  void tick(const std::vector<node_id>& ids = {});
  // A client's TO-Broadcast through member `id`; false when its front refuses it.
  bool broadcast(node_id id, const std::string& payload);
  // Delivers (or drops) the messages in flight from `from` to `to` (0: any), oldest first;
  // returns how many.
  std::size_t deliver(node_id from, node_id to, bool drop = false);
  // Delivers every message in flight, and what they cause, until none is left.
  std::size_t stabilize();
  void crash(node_id id);
  void recover(node_id id);

  // What each member delivered, in order: (slot, payload).
  const std::vector<std::pair<slot_t, std::string>>& delivered(node_id id) const {
    return members_.at(id - 1).delivered;
  }
  std::size_t in_flight() const { return wire_.size(); }
  // Takes what is in flight off the wire, for a story where those messages are slow: what is
  // sent afterwards may overtake them (the protocol never relies on order between members).
  std::deque<envelope> hold_in_flight() { return std::exchange(wire_, {}); }
  // Puts held messages back, ahead of what was sent since.
  void release(std::deque<envelope> held) {
    for (auto& m : wire_) held.push_back(std::move(m));
    wire_.swap(held);
  }

  // Called for every message as it is put in flight, and as it is delivered or dropped.
  std::function<void(const envelope&)> on_send;
  std::function<void(const envelope&, bool dropped)> on_receive;
  std::function<void(node_id, const delivery&)> on_deliver;
  // Called for every note one role of member `id` leaves for another, as it is carried out.
  std::function<void(node_id id, const note&)> on_note;

 private:
  struct slot_of_member {
    memory_storage disk;
    std::optional<member_roles> live;
    std::vector<std::pair<slot_t, std::string>> delivered;
  };

  void start(node_id id);
  // After a role took an input: its effects are committed at once and carried out.
  void settle_role(node_id id, role r);
  void carry_out(node_id id, effects e);

  member_config config_;
  group_view group_;
  std::vector<slot_of_member> members_;
  std::deque<envelope> wire_;
  std::deque<std::pair<role, note>> notes_;  // of the member being settled
  bool settling_ = false;
};

}  // namespace synod::sim
