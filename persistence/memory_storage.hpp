// Stable storage kept in memory: the no-forced-log configuration, and the simulator's "disk".
// It survives a simulated crash of its node (the simulator keeps it), but not a process exit.
#pragma once

#include "persistence/stable_storage.hpp"

namespace synod {

class memory_storage final : public stable_storage {
 public:
  void commit(const std::vector<durable_record>& records) override;
  recovered_state recover(slot_t window = 0) const override {
    recovered_state state = image_;
    keep_window(state, window);
    return state;
  }
  std::vector<std::pair<slot_t, batch>> read_delivered(slot_t from,
                                                       std::size_t max_bytes) const override;

  std::size_t commits() const { return commits_; }

 private:
  recovered_state image_;
  std::size_t commits_ = 0;
};

}  // namespace synod
