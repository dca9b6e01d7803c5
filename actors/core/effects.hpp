// The outbox every core leaves its effects in, ordered by type as the drivers must carry them out:
// first make `durable` stable (one group commit), then send `messages` to peers and `notes` to
// the other roles of this member, then hand `deliveries` to the application. Like etcd raft's
// Ready: state to save BEFORE messages are sent; and like its local messages, what one role
// tells another of the same member is an effect too, routed by actors/composition/routing.hpp.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "actors/composition/notes.hpp"
#include "actors/core/delivery.hpp"
#include "messaging/batch.hpp"
#include "messaging/messages.hpp"
#include "persistence/records.hpp"

namespace synod {

struct outgoing {
  node_id to = 0;
  wire_message body;
};

struct effects {
  std::vector<durable_record> durable;
  std::vector<outgoing> messages;
  std::vector<note> notes;
  std::vector<delivery> deliveries;

  bool empty() const {
    return durable.empty() && messages.empty() && notes.empty() && deliveries.empty();
  }

  // Moves everything out, leaving the outbox empty.
  effects take() {
    effects out;
    out.durable.swap(durable);
    out.messages.swap(messages);
    out.notes.swap(notes);
    out.deliveries.swap(deliveries);
    return out;
  }

  // Appends another outbox's effects after this one's, keeping each kind's order.
  void append(effects&& other) {
    for (auto& d : other.durable) durable.push_back(std::move(d));
    for (auto& m : other.messages) messages.push_back(std::move(m));
    for (auto& n : other.notes) notes.push_back(std::move(n));
    for (auto& d : other.deliveries) deliveries.push_back(std::move(d));
  }
};

// Group membership as every core sees it: the member ids and the majority size.
struct group_view {
  std::vector<node_id> members;

  std::size_t quorum() const { return members.size() / 2 + 1; }
};

}  // namespace synod
