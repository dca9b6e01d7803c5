#include "messaging/messages.hpp"

#include "messaging/overloaded.hpp"

namespace synod {

std::string to_string(const round_t& r) {
  return "(" + std::to_string(r.counter) + "," + std::to_string(r.node) + ")";
}

std::string kind_name(const wire_message& m) {
  static const char* const names[] = {"read_request",    "read_ack",
                                      "read_nack",       "write_request",
                                      "write_ack",       "write_nack",
                                      "decision",        "catch_up_request",
                                      "forward",         "heartbeat",
                                      "ledger_snapshot", "lead_probe",
                                      "lead_ack",        "checkpoint_chunk_request",
                                      "checkpoint_chunk"};
  static_assert(std::variant_size_v<wire_message> == sizeof(names) / sizeof(names[0]));
  return names[m.index()];
}

std::string payloads_of(const batch& b) {
  std::string out = "[";
  for (const auto& m : b.messages()) out += (out.size() > 1 ? " " : "") + m.payload;
  return out + "]";
}

std::string describe(const wire_message& m) {
  const std::string kind = kind_name(m);
  return kind +
         std::visit(
             overloaded{
                 [](const read_request& x) {
                   return " " + to_string(x.round) + " from slot " + std::to_string(x.from_slot);
                 },
                 [](const read_ack& x) {
                   std::string out =
                       " " + to_string(x.round) + " from slot " + std::to_string(x.from_slot);
                   if (x.pages > 1)
                     out += " page " + std::to_string(x.page + 1) + "/" + std::to_string(x.pages);
                   for (const auto& a : x.accepted)
                     out += ", slot " + std::to_string(a.slot) + " " + to_string(a.round) + " " +
                            payloads_of(a.value);
                   return out;
                 },
                 [](const read_nack& x) {
                   return " " + to_string(x.round) + " promised " + to_string(x.promised);
                 },
                 [](const write_request& x) {
                   return " " + to_string(x.round) + " slot " + std::to_string(x.slot) + " " +
                          payloads_of(x.value);
                 },
                 [](const write_ack& x) {
                   return " " + to_string(x.round) + " slot " + std::to_string(x.slot);
                 },
                 [](const write_nack& x) {
                   return " " + to_string(x.round) + " slot " + std::to_string(x.slot) +
                          " promised " + to_string(x.promised);
                 },
                 [](const decision& x) {
                   return " slot " + std::to_string(x.slot) + " " + to_string(x.round) + " " +
                          (x.value_omitted ? "(value omitted)" : payloads_of(x.value));
                 },
                 [](const catch_up_request& x) {
                   return " from slot " + std::to_string(x.from_slot);
                 },
                 [](const forward& x) { return " " + payloads_of(x.value); },
                 [](const heartbeat& x) {
                   return " delivered " + std::to_string(x.delivered_up_to) + ", follows " +
                          std::to_string(x.leader);
                 },
                 [](const ledger_snapshot& x) {
                   return " slot " + std::to_string(x.slot) + ", " + std::to_string(x.messages) +
                          " messages";
                 },
                 [](const lead_probe& x) { return " #" + std::to_string(x.attempt); },
                 [](const lead_ack& x) { return " #" + std::to_string(x.attempt); },
                 [](const checkpoint_chunk_request& x) {
                   return " slot " + std::to_string(x.slot) + " from byte " +
                          std::to_string(x.offset);
                 },
                 [](const checkpoint_chunk& x) {
                   return " slot " + std::to_string(x.slot) + " bytes " + std::to_string(x.offset) +
                          "-" + std::to_string(x.offset + x.bytes.size()) + " of " +
                          std::to_string(x.size);
                 },
             },
             m);
}

}  // namespace synod
