// The total-order checker: judges one run from what was broadcast and what each node delivered.
// Properties (Deconstructing Paxos, total order broadcast): validity, integrity (no duplicate
// delivery at a node, across restarts), uniform total order (delivery sequences are prefixes of one
// another, a message has one slot), and, once faults stop, agreement and termination. A node may
// skip slots only by a declared gap (the log was truncated at every peer it asked): the messages of
// those slots are then neither compared nor owed at that node, but none of them may reappear there
// in another slot. Reads delivery logs as JSON lines too.
#pragma once

#include <istream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "messaging/batch.hpp"

namespace synod::sim {

struct delivered_message {
  slot_t slot = 0;
  message_id id;
};

// What must hold when the run ends: which nodes are up, and which broadcasts they all owe.
struct run_end {
  std::set<node_id> up;
  std::set<message_id> must_deliver;  // broadcast by a node that stayed up afterwards
};

class total_order_checker {
 public:
  void on_broadcast(const message_id& id) { broadcast_.insert(id); }
  void on_delivery(node_id node, slot_t slot, const message_id& id);
  // `node` lost its database: what it delivers from now on is a new delivery sequence (its
  // application's state went with the disk), still judged against every other, the old one
  // included.
  void on_lost_database(node_id node);
  // `id` was decided in `slot`, as a member's learner delivered it: where it belongs when every
  // node's application skipped it (each was told so by a gap), which nothing delivered shows.
  void on_decided(slot_t slot, const message_id& id) { decided_.emplace(id, slot); }
  // `node` skipped the slots from `first` to `last` (a gap upcall).
  void on_gap(node_id node, slot_t first, slot_t last) { gaps_[node].emplace_back(first, last); }

  // Reads one JSON object per line with at least node, slot, origin and seq. Validity is then
  // judged only if broadcasts were also recorded. Throws std::runtime_error naming a bad line.
  void read_json_lines(std::istream& in);

  // Safety only (validity, integrity, total order): holds at every moment of every run.
  std::vector<std::string> check_safety() const;
  // Safety plus agreement and termination, for a run whose faults have stopped.
  std::vector<std::string> check(const run_end& end) const;

  const std::map<node_id, std::vector<delivered_message>>& deliveries() const { return log_; }
  std::size_t delivered_count() const;
  std::size_t gap_count() const;

 private:
  bool skipped(node_id node, slot_t slot) const;

  std::set<message_id> broadcast_;
  std::map<node_id, std::vector<delivered_message>> log_;
  std::map<node_id, std::vector<std::pair<slot_t, slot_t>>> gaps_;
  std::map<message_id, slot_t> decided_;
  node_id next_retired_ = 1u << 30;  // names for the sequences of databases that were lost
};

std::string to_string(const message_id& id);

}  // namespace synod::sim
