// The retransmission module's core for one peer (Deconstructing Paxos §5.1): frames are numbered
// and kept until acknowledged. The receiver passes them on in order, once each, holding early
// ones back until the gap before them fills, and accepts a new session when the peer restarted.
// Every frame carries the cumulative ack and the highest seq seen, so a sender resends a missing
// frame as soon as it learns of the gap (one round trip per loss), and everything
// unacknowledged when acknowledgements stall (backing off while they stay stalled) or after a
// reconnection; over a lossless connection only after a reconnection. Unsequenced
// datagrams (heartbeats) ride along unreliably. Bounded: at most `max_unacked_bytes` in flight.
// Pure.
#pragma once

#include <deque>
#include <map>
#include <vector>

#include "actors/core/config_check.hpp"
#include "messaging/frame.hpp"

namespace synod {

struct link_config {
  std::size_t max_unacked_bytes = 8 << 20;  // bytes in flight; more waits in the queue
  std::size_t max_queued_bytes = 32 << 20;  // beyond this, new payloads are dropped
  std::size_t max_early_frames = 4096;      // frames held back behind a gap
  unsigned resend_ticks = 5;                // resend the window if acks stall this long...
  unsigned max_resend_ticks = 80;           // ...doubling the wait while they stay stalled
  // The connection below loses nothing while it stands (TCP): no resend of a single gap, and the
  // whole window only after a reconnection or a long stall (max_resend_ticks, doubling up to 8
  // times that), as a safety net. A slow connection then is not handed the same bytes again
  // and again: under heavy loss that grew the sender's buffers by hundreds of MB a second. Off
  // where frames are dropped on purpose (fault injection) and in the link's tests.
  bool lossless = false;

  config_problems problems() const;
};

class link {
 public:
  link(node_id self, node_id peer, std::uint64_t session, link_config config);

  // Queues one payload (encoded wire messages) for the peer. False if the queue is full: the
  // payload is dropped and the protocol's own resends make up for it.
  bool push(std::string bytes);
  // One unsequenced payload, sent with the next frames and never resent.
  void push_datagram(std::string bytes);
  // Frames ready to go now, in order, each carrying the latest acknowledgement.
  std::vector<frame> take_sendable();

  // A frame from the peer: its acknowledgement is applied; returns the payloads that are now
  // in order (none for a duplicate or a frame after a gap, several when a gap filled).
  std::vector<std::string> receive(const frame& f);

  // The connection was re-established: everything unacknowledged goes again.
  void reconnected();
  void tick();

  std::size_t unacked_bytes() const { return unacked_bytes_; }
  std::size_t queued() const { return queue_.size(); }
  // The queue has drained to half its bound: a link that refused payloads takes them again
  // (small ones squeeze in long before; saying "room again" for those would flip every flush).
  bool half_empty() const { return queued_bytes_ <= config_.max_queued_bytes / 2; }
  std::uint64_t resent_frames() const { return resent_; }

 private:
  frame make_frame(std::uint64_t seq, const std::string& bytes) const;
  void resend(frame f);
  unsigned first_resend_wait() const;

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
  unsigned resend_wait_;           // ticks without progress before the next timed resend
  std::uint64_t fast_resent_ = 0;  // the gap already resent for the current ack
  std::uint64_t resent_ = 0;

  // Receiving side.
  std::uint64_t peer_session_ = 0;
  std::uint64_t expected_ = 0;  // next seq to pass on; 0 = no frame from this session yet
  std::uint64_t highest_ = 0;
  std::map<std::uint64_t, std::string> early_;
  bool ack_owed_ = false;
};

}  // namespace synod
