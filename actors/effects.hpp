// The outbox every core leaves its effects in, ordered by type as the shells must carry them out:
// first make `durable` stable (one group commit), then send `messages`, then hand `deliveries` to
// the application. Like etcd raft's Ready: state to save BEFORE messages are sent.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "messaging/batch.hpp"
#include "messaging/messages.hpp"
#include "persistence/records.hpp"

namespace synod {

struct outgoing {
  node_id to = 0;
  wire_message body;
};

// One TO-Deliver upcall: the messages of a decided batch that this node had not delivered before,
// in the batch's (deterministic, identical everywhere) order. Or a gap: the learner skipped to a
// peer's snapshot, because no peer it asked still had the slots it missed.
struct delivery {
  delivery() = default;
  delivery(slot_t s, batch seen) : slot(s), value(seen), decided(std::move(seen)) {}
  delivery(slot_t s, batch seen, batch whole)
      : slot(s), value(std::move(seen)), decided(std::move(whole)) {}
  static delivery gap(slot_t first_missed, ledger_snapshot snapshot) {
    delivery d;
    d.slot = snapshot.slot;
    d.gap_from = first_missed;
    d.digest = snapshot.digest;
    d.skipped = std::make_shared<const ledger_snapshot>(std::move(snapshot));
    return d;
  }

  slot_t slot = 0;
  batch value;    // what the application is handed
  batch decided;  // the whole decided batch, messages delivered in earlier slots included
  // A gap: the slots from gap_from to `slot` were skipped; `skipped` says which messages had
  // been delivered up to `slot` (every message it holds counts as delivered here from now on).
  slot_t gap_from = 0;
  std::shared_ptr<const ledger_snapshot> skipped;
  std::uint64_t digest = ledger_digest_start;  // the member's ledger digest after this delivery

  bool is_gap() const { return skipped != nullptr; }

  const std::vector<client_message>& messages() const { return value.messages(); }
};

struct effects {
  std::vector<durable_record> durable;
  std::vector<outgoing> messages;
  std::vector<delivery> deliveries;

  bool empty() const { return durable.empty() && messages.empty() && deliveries.empty(); }

  // Moves everything out, leaving the outbox empty.
  effects take() {
    effects out;
    out.durable.swap(durable);
    out.messages.swap(messages);
    out.deliveries.swap(deliveries);
    return out;
  }

  // Appends another outbox's effects after this one's, keeping each kind's order.
  void append(effects&& other) {
    for (auto& d : other.durable) durable.push_back(std::move(d));
    for (auto& m : other.messages) messages.push_back(std::move(m));
    for (auto& d : other.deliveries) deliveries.push_back(std::move(d));
  }
};

// Group membership as every core sees it: the member ids and the majority size.
struct group_view {
  std::vector<node_id> members;

  std::size_t quorum() const { return members.size() / 2 + 1; }
};

}  // namespace synod
