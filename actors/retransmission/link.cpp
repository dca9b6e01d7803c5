#include "actors/retransmission/link.hpp"

namespace synod {

link::link(node_id self, node_id peer, std::uint64_t session, link_config config)
    : self_(self), peer_(peer), session_(session), config_(config) {}

frame link::make_frame(std::uint64_t seq, const std::string& bytes) const {
  const std::uint64_t ack = expected_ == 0 ? 0 : expected_ - 1;
  return frame{self_, session_, seq, peer_session_, ack, bytes};
}

bool link::push(std::string bytes) {
  if (queued_bytes_ + bytes.size() > config_.max_queued_bytes) return false;
  queued_bytes_ += bytes.size();
  queue_.push_back(std::move(bytes));
  return true;
}

std::vector<frame> link::take_sendable() {
  while (!queue_.empty() && (unacked_.empty() ||
                             unacked_bytes_ + queue_.front().size() <= config_.max_unacked_bytes)) {
    std::string bytes = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= bytes.size();
    unacked_bytes_ += bytes.size();
    unacked_.push_back(make_frame(next_seq_++, bytes));
    out_.push_back(unacked_.back());
  }
  if (out_.empty() && ack_owed_) out_.push_back(make_frame(0, {}));
  ack_owed_ = false;
  std::vector<frame> result;
  result.swap(out_);
  return result;
}

std::optional<std::string> link::receive(const frame& f) {
  if (f.ack_session == session_) {
    bool progress = false;
    while (!unacked_.empty() && unacked_.front().seq <= f.ack) {
      unacked_bytes_ -= unacked_.front().bytes.size();
      unacked_.pop_front();
      progress = true;
    }
    if (progress) ticks_without_progress_ = 0;
  }
  if (f.seq == 0) return std::nullopt;
  if (f.session != peer_session_) {  // the peer (re)started: take its stream from here
    peer_session_ = f.session;
    expected_ = f.seq;
  }
  ack_owed_ = true;
  if (f.seq != expected_) return std::nullopt;  // a duplicate, or beyond a gap
  ++expected_;
  return f.bytes;
}

void link::reconnected() {
  resend_all();
}

void link::tick() {
  if (unacked_.empty()) {
    ticks_without_progress_ = 0;
    return;
  }
  if (++ticks_without_progress_ >= config_.resend_ticks) resend_all();
}

void link::resend_all() {
  ticks_without_progress_ = 0;
  const std::uint64_t ack = expected_ == 0 ? 0 : expected_ - 1;
  for (auto& f : unacked_) {
    f.ack_session = peer_session_;
    f.ack = ack;
    out_.push_back(f);
    ++resent_;
  }
}

}  // namespace synod
