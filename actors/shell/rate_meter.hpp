// Counts delivered messages and bytes, and their rates over the last complete second: what
// `synod status` and the demo show. Pure; the caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>

namespace synod {

class rate_meter {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit rate_meter(time_point now) : window_start_(now) {}

  void add(std::uint64_t messages, std::uint64_t bytes) {
    messages_ += messages;
    bytes_ += bytes;
  }

  // Closes the window once a second has passed since it opened.
  void sample(time_point now) {
    const double elapsed = std::chrono::duration<double>(now - window_start_).count();
    if (elapsed < 1.0) return;
    messages_per_second_ = static_cast<double>(messages_ - window_messages_) / elapsed;
    bytes_per_second_ = static_cast<double>(bytes_ - window_bytes_) / elapsed;
    window_start_ = now;
    window_messages_ = messages_;
    window_bytes_ = bytes_;
  }

  std::uint64_t messages() const { return messages_; }
  std::uint64_t bytes() const { return bytes_; }
  double messages_per_second() const { return messages_per_second_; }
  double bytes_per_second() const { return bytes_per_second_; }

 private:
  std::uint64_t messages_ = 0;
  std::uint64_t bytes_ = 0;
  time_point window_start_;
  std::uint64_t window_messages_ = 0;
  std::uint64_t window_bytes_ = 0;
  double messages_per_second_ = 0;
  double bytes_per_second_ = 0;
};

}  // namespace synod
