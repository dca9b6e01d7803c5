#include "tests/sim/application.hpp"

#include <sstream>

namespace synod::sim {

std::string application_state::encode() const {
  std::ostringstream out;
  out << slot << " " << applied << " " << digest << " " << std::string(100, '.');
  return out.str();
}

std::optional<application_state> application_state::decode(const std::string& bytes) {
  std::istringstream in(bytes);
  application_state s;
  std::string padding;
  if (!(in >> s.slot >> s.applied >> s.digest >> padding) || padding != std::string(100, '.'))
    return std::nullopt;
  return s;
}

void application::apply(slot_t slot, const batch& delivered) {
  previous_ = state_;
  state_.slot = slot;
  state_.applied += delivered.size();
  state_.digest = fold_delivery(state_.digest, slot, delivered);
}

bool application::restore(slot_t slot, const std::string& checkpoint) {
  const auto s = application_state::decode(checkpoint);
  if (!s || s->slot != slot) return false;
  state_ = previous_ = *s;
  whole_ = true;  // whatever it skipped before is in the checkpoint
  return true;
}

void application::skip_to(slot_t slot) {
  state_.slot = slot;
  whole_ = false;
}

}  // namespace synod::sim
