// The configuration of a group member: one struct with defaults, filled from the group's CAF
// config file ([synod] section) and the command line. Every bad value fails at start with one
// line that names the option and the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/composition/member_config.hpp"
#include "actors/retransmission/transport_config.hpp"

namespace synod {

struct node_config {
  std::string group = "synod";
  std::vector<member_address> members;
  node_id id = 0;
  std::string data_dir = "synod-data";  // the node's files go to data_dir/node-<id>
  std::string storage = "sqlite";       // sqlite | memory
  std::chrono::milliseconds tick{10};
  std::chrono::milliseconds heartbeat_interval{50};
  std::chrono::milliseconds failure_timeout{300};
  // The cores' own resends (READ/WRITE, forwards, catch-up requests) are a safety net here: the
  // links already resend until acknowledged, so the cores wait much longer than in the simulator.
  std::chrono::milliseconds resend_interval{1000};
  // Not options of the file; durations all the same, so a shorter tick changes no timing.
  std::chrono::milliseconds round_retry{30};       // after a nack, wait before a higher round
  std::chrono::milliseconds link_resend{50};       // a link whose acks stall resends...
  std::chrono::milliseconds link_max_resend{800};  // ...backing off up to this
  // The cores' limits. Their tick counts are not read: cores() derives every one of them from
  // the durations above. Retention by default: a member keeps the last 100,000 slots or 64 MiB of
  // its log (about twice that on disk, with the acceptor's copy), whichever is less.
  member_config protocol = [] {
    member_config m;
    m.learner.retain_slots = 100000;
    m.learner.retain_bytes = std::uint64_t{64} << 20;
    return m;
  }();
  link_config link;  // its tick counts too come from the durations (transport())
  fault_config faults;
  bool verbose = false;
  // Called (from an actor's thread) when the member must stop: refused by its group (another
  // group's database, a lost database, its id taken). Empty: the member's actors stop and the
  // process goes on. A process that runs one member exits.
  std::function<void(const std::string& why)> on_fatal;

  const member_address& self() const;
  synod::group_view view() const;
  std::string node_dir() const;
  // Converts the durations into the cores' tick counts.
  member_config cores() const;
  transport_config transport() const;
  // The longest frame a member's port accepts; anything claiming more is hostile. Between
  // members: links send payloads of ~8 MiB of messages plus at most one more, and the largest
  // message is a READ's answer page (4 MiB of values, plus one value of a batch's bytes and one
  // message) or a batch. From clients: a broadcast request of max-request-bytes (at least one
  // message) in up to max-undelivered messages, each with its length and framing.
  std::size_t max_frame_bytes() const {
    const auto& b = protocol.broadcast;
    const std::size_t between_members = (std::size_t{16} << 20) + 2 * b.max_message_bytes;
    return between_members + b.request_bytes_limit() + 32 * b.max_undelivered;
  }
};

// The largest max-message-bytes a group may choose: a batch holding one such message must fit
// in one frame between members (CAF's 32-bit payload length) with room for its envelope.
constexpr std::size_t max_message_bytes_limit = std::size_t{1} << 30;

class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the [synod] section of a CAF config file. Throws config_error naming the option.
// `id` 0: the group's configuration as seen by its first member, for tools that talk to all.
node_config load_node_config(const std::string& path, node_id id);
// Checks a filled configuration (also one built in code). Throws config_error.
void validate(const node_config& config);
// "1@127.0.0.1:7101"
member_address parse_member(const std::string& text);

// The numeric addresses a host name stands for here (empty if it does not resolve).
std::vector<std::string> resolve_host(const std::string& host);

// What is legal but probably a mistake (a group of 1 or 2, no forced logs): one line each.
std::vector<std::string> warnings(const node_config& config);

// The configuration as a [synod] section with every option, defaults included.
std::string effective_config_text(const node_config& config);

}  // namespace synod
