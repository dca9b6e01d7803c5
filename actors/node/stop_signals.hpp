// SIGINT and SIGTERM for a process that runs a member: blocked from construction on (construct
// it before the actor system starts its threads, so they inherit the mask and only `wait` sees
// the signals), then waited for.
#pragma once

#include <signal.h>

namespace synod {

class stop_signals {
 public:
  stop_signals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }

  // Blocks until SIGINT or SIGTERM arrives; returns which.
  int wait() const {
    int number = 0;
    sigwait(&set_, &number);
    return number;
  }

 private:
  sigset_t set_;
};

}  // namespace synod
