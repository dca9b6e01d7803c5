#include "messaging/messages.hpp"

namespace synod {

std::string to_string(const round_t& r) {
  return "(" + std::to_string(r.counter) + "," + std::to_string(r.node) + ")";
}

std::string kind_name(const wire_message& m) {
  static const char* const names[] = {
      "read_request",    "read_ack",   "read_nack",        "write_request", "write_ack",
      "write_nack",      "decision",   "catch_up_request", "forward",       "heartbeat",
      "ledger_snapshot", "lead_probe", "lead_ack"};
  static_assert(std::variant_size_v<wire_message> == sizeof(names) / sizeof(names[0]));
  return names[m.index()];
}

}  // namespace synod
