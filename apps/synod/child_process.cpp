#include "apps/synod/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace synod::cli {

std::string own_executable() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

child_process::child_process(const std::vector<std::string>& args, const std::string& log_path) {
  const std::string exe = own_executable();
  std::vector<std::string> owned{exe};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("cannot open " + log_path + ": " + std::strerror(errno));
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(log);
    throw std::runtime_error(std::string("cannot start a member process: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // Only async-signal-safe calls between fork and exec: this process has other threads.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned members if the tool is killed
    if (::getppid() != parent) ::_exit(1);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(log);
}

child_process::~child_process() {
  if (running()) stop();
}

void child_process::kill_hard() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  reap();
}

void child_process::stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  reap();
}

void child_process::reap() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace synod::cli
