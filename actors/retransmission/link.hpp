// The retransmission module's core for one peer (Deconstructing Paxos §5.1): frames are numbered,
// kept until acknowledged, and sent again (go-back-N) when no acknowledgement comes or the
// connection is re-established. The receiver passes frames on in order, once each, and accepts a
// new session when the peer restarted. Bounded: at most `max_unacked_bytes` in flight. Pure.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "messaging/frame.hpp"

namespace synod {

struct link_config {
  std::size_t max_unacked_bytes = 8 << 20;   // bytes in flight; more waits in the queue
  std::size_t max_queued_bytes = 256 << 20;  // beyond this, new payloads are dropped
  unsigned resend_ticks = 20;                // resend unacknowledged frames after this
};

class link {
 public:
  link(node_id self, node_id peer, std::uint64_t session, link_config config);

  // Queues one payload (encoded wire messages) for the peer. False if the queue is full: the
  // payload is dropped and the protocol's own resends make up for it.
  bool push(std::string bytes);
  // Frames ready to go now, in order, each carrying the latest acknowledgement.
  std::vector<frame> take_sendable();

  // A frame from the peer: its acknowledgement is applied; its payload is returned if it is the
  // next one in order (duplicates and frames after a gap are dropped; the peer resends).
  std::optional<std::string> receive(const frame& f);

  // The connection was re-established: everything unacknowledged goes again.
  void reconnected();
  void tick();

  std::size_t unacked_bytes() const { return unacked_bytes_; }
  std::size_t queued() const { return queue_.size(); }
  std::uint64_t resent_frames() const { return resent_; }

 private:
  frame make_frame(std::uint64_t seq, const std::string& bytes) const;
  void resend_all();

  node_id self_;
  node_id peer_;
  std::uint64_t session_;
  link_config config_;

  // Sending side.
  std::uint64_t next_seq_ = 1;
  std::deque<frame> unacked_;
  std::size_t unacked_bytes_ = 0;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  std::vector<frame> out_;
  unsigned ticks_without_progress_ = 0;
  std::uint64_t resent_ = 0;

  // Receiving side.
  std::uint64_t peer_session_ = 0;
  std::uint64_t expected_ = 0;  // next seq to pass on; 0 = no frame from this session yet
  bool ack_owed_ = false;
};

}  // namespace synod
