// Live progress for long-running tools: on a terminal, a block of lines redrawn in place with
// events printed above it; otherwise (a log, a pipe) the block every few seconds, so logs stay
// readable.
#pragma once

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

namespace synod::cli {

class progress_display {
 public:
  explicit progress_display(std::ostream& out = std::cout)
      : out_(out), terminal_(::isatty(STDOUT_FILENO) == 1) {}

  // An event line, kept above the live block.
  void event(const std::string& line) {
    erase();
    out_ << line << "\n";
    redraw();
  }

  // The live block's new contents.
  void update(std::vector<std::string> lines) {
    lines_ = std::move(lines);
    if (terminal_) {
      erase();
      redraw();
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_print_ < std::chrono::seconds(3)) return;
    print_block();
    last_print_ = now;
  }

  // Leaves the last block on screen and stops redrawing it (in a log: prints it once more only
  // if it changed since it was last printed, so no stale figures are repeated).
  void finish() {
    if (!terminal_ && lines_ != printed_) print_block();
    drawn_ = 0;
    out_.flush();
  }

 private:
  void erase() {
    if (!terminal_) return;
    for (std::size_t i = 0; i < drawn_; ++i) out_ << "\033[1A\033[2K";
    drawn_ = 0;
  }
  void redraw() {
    if (!terminal_) return;
    for (const auto& l : lines_) out_ << l << "\n";
    drawn_ = lines_.size();
    out_.flush();
  }
  void print_block() {
    for (const auto& l : lines_) out_ << l << "\n";
    printed_ = lines_;
    out_.flush();
  }

  std::ostream& out_;
  bool terminal_;
  std::vector<std::string> lines_;
  std::vector<std::string> printed_;  // the block as last printed to a log
  std::size_t drawn_ = 0;
  std::chrono::steady_clock::time_point last_print_{};
};

}  // namespace synod::cli
