// Guards a member's port. CAF 0.17's middleman trusts the 32-bit payload length in each frame
// header it reads and allocates that much at once: 32 bytes claiming 4 GiB made a member allocate
// 4 GiB. The guard owns the member's address instead: it accepts each connection, reads every
// frame header itself, closes the connection (one rate-limited log line) when a header claims
// more than the limit, before a byte of that payload is buffered, and otherwise passes the bytes
// on to the middleman's own port on loopback, and the middleman's answers back. Buffers are
// bounded per connection: a connection that does not drain is not read from.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "messaging/ids.hpp"

namespace synod {

struct frame_guard_config {
  std::string host;        // the member's address...
  std::uint16_t port = 0;  // ...and port (0: any free one)
  std::size_t max_frame_bytes = std::size_t{64} << 20;
  std::size_t max_connections = 512;
  node_id self = 0;  // for the log lines
};

// The header of every frame on a middleman's connection: operation, three bytes, the payload's
// length (big-endian), then three 64-bit fields.
constexpr std::size_t frame_header_bytes = 32;

class frame_guard {
 public:
  // Listens at once, so a member that cannot have its address fails before it talks to anyone;
  // throws std::runtime_error("cannot listen on HOST:PORT: ..."). Connections wait in the
  // backlog until start().
  explicit frame_guard(frame_guard_config config);
  // Begins passing connections on to the middleman's port `upstream` on 127.0.0.1.
  void start(std::uint16_t upstream);
  ~frame_guard();
  frame_guard(const frame_guard&) = delete;
  frame_guard& operator=(const frame_guard&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint64_t refused_connections() const { return refused_; }

 private:
  void run();

  frame_guard_config config_;
  std::uint16_t upstream_ = 0;
  int listener_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> refused_{0};
  std::thread thread_;
};

}  // namespace synod
