#include "apps/synod/delivery_digest.hpp"

#include <cstdio>
#include <stdexcept>

#include "apps/synod/cli.hpp"

namespace synod::cli {

std::string delivery_digest::hex() const {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
  return text;
}

delivery_digest digest_of(caf::actor_system& system, const caf::actor& member,
                          std::chrono::milliseconds timeout) {
  const auto status = ask_status(system, member, timeout);
  if (!status) throw std::runtime_error("the member did not answer a status request");
  return delivery_digest{status->delivered_up_to, status->delivered_messages,
                         status->delivered_digest};
}

}  // namespace synod::cli
