// One TO-Deliver upcall, as the learner hands it on: what the application sees of a decided
// batch, or a gap where the learner skipped to a peer's snapshot.
#pragma once

#include <memory>
#include <utility>

#include "messaging/batch.hpp"
#include "messaging/messages.hpp"

namespace synod {

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

}  // namespace synod
