// Which client messages a node has delivered, per origin, as sets of seq intervals. Stays small
// because each origin numbers its messages consecutively within an incarnation. The learner uses
// it to deliver each message once; the leader, to never take up a message delivered already.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "messaging/batch.hpp"

namespace synod {

class delivered_filter {
 public:
  // Per origin: interval start -> one past its end, disjoint and not adjacent.
  using intervals_by_origin = std::map<node_id, std::map<std::uint64_t, std::uint64_t>>;

  delivered_filter() = default;
  explicit delivered_filter(intervals_by_origin seen) : seen_(std::move(seen)) {}

  bool contains(const message_id& id) const;
  // Records id; returns false if it was already there.
  bool insert(const message_id& id);
  std::size_t intervals() const;
  // Every interval is non-empty and they are disjoint: what a filter read from a peer or a disk
  // must be before it is used.
  bool well_formed() const;
  // What a snapshot stores and carries (see ledger_snapshot).
  const intervals_by_origin& by_origin() const { return seen_; }

  friend bool operator==(const delivered_filter& a, const delivered_filter& b) {
    return a.seen_ == b.seen_;
  }

 private:
  intervals_by_origin seen_;
};

}  // namespace synod
