// All protocol roles of one group member, composed without actors: acceptor, leader, learner,
// failure detector and TO-Broadcast front, wired as DESIGN.md §3 describes. The simulator drives
// it directly; it is pure like the cores it holds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "actors/acceptor/acceptor.hpp"
#include "actors/broadcast/broadcast.hpp"
#include "actors/failure_detector/failure_detector.hpp"
#include "actors/leader/leader.hpp"
#include "actors/learner/learner.hpp"
#include "persistence/stable_storage.hpp"

namespace synod {

struct member_config {
  leader_config leader;
  learner_config learner;
  failure_detector_config failure_detector;
  broadcast_config broadcast;
  // Delivered slots whose batches stay in memory (the acceptor's and the learner's); older ones
  // are read back from stable storage when a peer needs them. Memory stays bounded.
  slot_t memory_slots = 256;
  // A READ's answer goes in pages of about this many payload bytes.
  std::size_t read_ack_page_bytes = synod::read_ack_page_bytes;
};

// The slot up to which a member that delivered up to `delivered` keeps nothing in memory.
inline slot_t memory_floor(slot_t delivered, slot_t memory_slots) {
  return delivered > memory_slots ? delivered - memory_slots : 0;
}

class member {
 public:
  member(node_id self, group_view group, member_config config, const recovered_state& recovered);

  // Where forgotten batches are read back from to catch peers up. Without one, nothing is
  // forgotten.
  void use_archive(const stable_storage& archive) { archive_ = &archive; }

  void receive(node_id from, const wire_message& m);
  void tick();
  std::optional<message_id> broadcast(std::string payload);

  // Everything the roles produced since the last call: durable records first, then messages,
  // then deliveries (see effects.hpp for the order the caller must keep).
  effects take_effects();
  std::vector<message_id> take_own_delivered() { return front_.take_delivered(); }

  node_id self() const { return self_; }
  node_id leader() const { return elected_; }
  const class leader& leader_core() const { return leader_; }
  const class learner& learner_core() const { return learner_; }
  const class acceptor& acceptor_core() const { return acceptor_; }
  const broadcast_front& front() const { return front_; }

 private:
  void after_step();

  void catch_up_from_archive(node_id from, const catch_up_request& m);

  node_id self_;
  member_config config_;
  const stable_storage* archive_ = nullptr;
  class acceptor acceptor_;
  class leader leader_;
  class learner learner_;
  failure_detector detector_;
  broadcast_front front_;
  node_id elected_ = 0;
  effects pending_;
};

}  // namespace synod
