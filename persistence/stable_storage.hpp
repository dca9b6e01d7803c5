// The one interface to stable storage. A commit is atomic and durable when it returns; the
// shells commit everything one mailbox drain produced before sending any reply that depends on it.
#pragma once

#include <utility>
#include <vector>

#include "persistence/records.hpp"

namespace synod {

class stable_storage {
 public:
  virtual ~stable_storage() = default;

  // Makes all records durable, in order, as one group commit.
  virtual void commit(const std::vector<durable_record>& records) = 0;

  // The state as of the last completed commit; with a `window`, only what keep_window keeps
  // (read without ever holding more than that in memory).
  virtual recovered_state recover(slot_t window = 0) const = 0;

  // Delivered batches from `from` on, in slot order, until about `max_bytes` of payload (at least
  // one batch if there is any): what a learner no longer keeps in memory, for catch-up and replays.
  virtual std::vector<std::pair<slot_t, batch>> read_delivered(slot_t from,
                                                               std::size_t max_bytes) const = 0;
};

}  // namespace synod
