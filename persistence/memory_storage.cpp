#include "persistence/memory_storage.hpp"

namespace synod {

void memory_storage::commit(const std::vector<durable_record>& records) {
  for (const auto& r : records) apply(image_, r);
  ++commits_;
}

std::vector<std::pair<slot_t, batch>> memory_storage::read_delivered(slot_t from,
                                                                     std::size_t max_bytes) const {
  std::vector<std::pair<slot_t, batch>> page;
  std::size_t bytes = 0;
  for (auto it = image_.delivered.lower_bound(from);
       it != image_.delivered.end() && (page.empty() || bytes < max_bytes); ++it) {
    bytes += it->second.payload_bytes();
    page.emplace_back(it->first, it->second);
  }
  return page;
}

}  // namespace synod
