// A member run as a child process of a tool (the demo, the benchmark): started from this very
// executable, its output in a log file, killed with the tool if the tool dies.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace synod::cli {

class child_process {
 public:
  // Runs this executable with `args`, stdout and stderr appended to `log_path`.
  child_process(const std::vector<std::string>& args, const std::string& log_path);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  void kill_hard();  // SIGKILL, as a crash
  void stop();       // SIGTERM, then wait
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  void reap();
  pid_t pid_ = -1;
};

// This executable's own path, to start children of the same build.
std::string own_executable();

}  // namespace synod::cli
