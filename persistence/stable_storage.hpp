// The one interface to stable storage. A commit is atomic and durable when it returns; the
// shells commit everything one mailbox drain produced before sending any reply that depends on it.
#pragma once

#include <vector>

#include "persistence/records.hpp"

namespace synod {

class stable_storage {
 public:
  virtual ~stable_storage() = default;

  // Makes all records durable, in order, as one group commit.
  virtual void commit(const std::vector<durable_record>& records) = 0;

  // The state as of the last completed commit.
  virtual recovered_state recover() const = 0;
};

}  // namespace synod
