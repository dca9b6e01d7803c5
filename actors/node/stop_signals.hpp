// SIGINT and SIGTERM for a process that runs a member. Construct it before the actor system
// starts its threads: they inherit the blocked mask, and one thread of ours takes the signals.
// Until the process calls wait() (it is still starting: recovering a long log, connecting), a
// signal ends it at once with exit code 1: nothing has been acknowledged yet, and stopping then
// is as safe as a crash. Afterwards wait() returns the signal and the caller stops.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace synod {

class stop_signals {
 public:
  stop_signals() : state_(std::make_shared<state>()) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // The thread shares the state: it outlives this object when start-up throws.
    std::thread([set, s = state_] {
      int number = 0;
      sigwait(&set, &number);
      std::unique_lock<std::mutex> lock(s->mutex);
      if (!s->waiting) {
        std::fprintf(stderr, "stopped during start-up (%s)\n", strsignal(number));
        std::fflush(stderr);
        _exit(1);
      }
      s->received = number;
      s->arrived.notify_all();
    }).detach();
  }

  // From now on the process is running: blocks until SIGINT or SIGTERM arrives; returns which.
  int wait() const {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->waiting = true;
    state_->arrived.wait(lock, [this] { return state_->received != 0; });
    return state_->received;
  }

 private:
  struct state {
    std::mutex mutex;
    std::condition_variable arrived;
    bool waiting = false;
    int received = 0;
  };
  std::shared_ptr<state> state_;
};

}  // namespace synod
