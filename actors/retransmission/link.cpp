#include "actors/retransmission/link.hpp"

#include <algorithm>

namespace synod {

config_problems link_config::problems() const {
  config_problems out;
  require_at_least(out, "max_unacked_bytes", max_unacked_bytes, std::size_t{1});
  require_at_least(out, "max_queued_bytes", max_queued_bytes, std::size_t{1});
  require_at_least(out, "max_early_frames", max_early_frames, std::size_t{1});
  require_at_least(out, "resend_ticks", resend_ticks, 1u);
  require_at_least(out, "max_resend_ticks", max_resend_ticks, resend_ticks);
  return out;
}

link::link(node_id self, node_id peer, std::uint64_t session, link_config config)
    : self_(self),
      peer_(peer),
      session_(session),
      config_(checked("link", config)),
      resend_wait_(first_resend_wait()) {}

unsigned link::first_resend_wait() const {
  return config_.lossless ? std::max(config_.max_resend_ticks, 1u) : config_.resend_ticks;
}

frame link::make_frame(std::uint64_t seq, const std::string& bytes) const {
  const std::uint64_t ack = expected_ == 0 ? 0 : expected_ - 1;
  return frame{self_, session_, seq, peer_session_, ack, highest_, bytes};
}

bool link::push(std::string bytes) {
  // An empty queue takes any payload: one larger than the bound (a batch from a version without
  // a message size limit) would otherwise never leave.
  if (!queue_.empty() && queued_bytes_ + bytes.size() > config_.max_queued_bytes) return false;
  queued_bytes_ += bytes.size();
  queue_.push_back(std::move(bytes));
  return true;
}

void link::push_datagram(std::string bytes) {
  out_.push_back(make_frame(0, bytes));
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
  // Every frame leaves with the newest acknowledgement, whenever it was made.
  const std::uint64_t ack = expected_ == 0 ? 0 : expected_ - 1;
  for (auto& f : out_) {
    f.ack_session = peer_session_;
    f.ack = ack;
    f.highest = highest_;
  }
  std::vector<frame> result;
  result.swap(out_);
  return result;
}

std::vector<std::string> link::receive(const frame& f) {
  std::vector<std::string> passed;
  if (f.ack_session == session_) {
    bool progress = false;
    while (!unacked_.empty() && unacked_.front().seq <= f.ack) {
      unacked_bytes_ -= unacked_.front().bytes.size();
      unacked_.pop_front();
      progress = true;
    }
    if (progress) {
      ticks_without_progress_ = 0;
      resend_wait_ = first_resend_wait();
    }
    // The peer saw frames beyond the first unacknowledged one: that one was lost. Resend it
    // once per gap, at once, instead of waiting for the timer.
    if (!config_.lossless && !unacked_.empty() && f.highest > f.ack &&
        unacked_.front().seq == f.ack + 1 && fast_resent_ != f.ack + 1) {
      fast_resent_ = f.ack + 1;
      resend(unacked_.front());
    }
  }
  if (f.seq == 0) {
    if (!f.bytes.empty()) passed.push_back(f.bytes);  // a datagram
    return passed;
  }
  if (f.session != peer_session_) {  // the peer (re)started: take its stream from here
    peer_session_ = f.session;
    expected_ = f.seq;
    highest_ = 0;
    early_.clear();
  }
  ack_owed_ = true;
  highest_ = std::max(highest_, f.seq);
  if (f.seq < expected_) return passed;  // a duplicate
  if (f.seq > expected_) {               // beyond a gap: hold it back
    if (early_.size() < config_.max_early_frames) early_.emplace(f.seq, f.bytes);
    return passed;
  }
  passed.push_back(f.bytes);
  ++expected_;
  for (auto it = early_.begin(); it != early_.end() && it->first <= expected_;) {
    if (it->first == expected_) {
      passed.push_back(std::move(it->second));
      ++expected_;
    }
    it = early_.erase(it);
  }
  return passed;
}

void link::reconnected() {
  ticks_without_progress_ = 0;
  resend_wait_ = first_resend_wait();
  for (const auto& f : unacked_) resend(f);
}

void link::tick() {
  if (unacked_.empty()) {
    ticks_without_progress_ = 0;
    return;
  }
  if (++ticks_without_progress_ < resend_wait_) return;
  // Nothing came back for a while: the frames may all be lost (a cut link drops everything).
  // Resend the whole window; the receiver drops what it already has. A link that stays stalled
  // is slow rather than lossy: wait longer each time, so it is not flooded with copies.
  ticks_without_progress_ = 0;
  const unsigned longest = std::max(config_.max_resend_ticks, 1u) * (config_.lossless ? 8 : 1);
  resend_wait_ = std::min(resend_wait_ * 2, longest);
  for (const auto& f : unacked_) resend(f);
}

void link::resend(frame f) {
  out_.push_back(std::move(f));
  ++resent_;
}

}  // namespace synod
