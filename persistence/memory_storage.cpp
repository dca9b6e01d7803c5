#include "persistence/memory_storage.hpp"

namespace synod {

void memory_storage::commit(const std::vector<durable_record>& records) {
  for (const auto& r : records) apply(image_, r);
  ++commits_;
}

}  // namespace synod
