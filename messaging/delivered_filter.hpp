// Which client messages a node has delivered, per origin, as sets of seq intervals. Stays small
// because each origin numbers its messages consecutively within an incarnation. The learner uses
// it to deliver each message once; the leader, to never take up a message delivered already.
#pragma once

#include <cstdint>
#include <map>

#include "messaging/batch.hpp"

namespace synod {

class delivered_filter {
 public:
  bool contains(const message_id& id) const;
  // Records id; returns false if it was already there.
  bool insert(const message_id& id);
  std::size_t intervals() const;

 private:
  // Per origin: interval start -> one past its end, disjoint and not adjacent.
  std::map<node_id, std::map<std::uint64_t, std::uint64_t>> seen_;
};

}  // namespace synod
