#include "apps/synod/local_group.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "apps/synod/cli.hpp"
#include "messaging/caf_types.hpp"

namespace synod::cli {

namespace {

std::string make_temporary_directory() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/synod-XXXXXX";
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a directory under " +
                             std::string(base ? base : "/tmp"));
  return pattern;
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

}  // namespace

local_group::local_group(caf::actor_system& system, local_group_options options)
    : system_(system), options_(std::move(options)), dir_(make_temporary_directory()) {
  config_path_ = dir_ + "/group.ini";
  std::ofstream ini(config_path_);
  ini << "[synod]\ngroup=\"local\"\nmembers=[";
  for (unsigned i = 1; i <= options_.nodes; ++i)
    ini << (i > 1 ? ", " : "") << '"' << i << "@127.0.0.1:" << options_.base_port + i - 1 << '"';
  ini << "]\ndata-dir=\"" << dir_ << "/data\"\nstorage=\"" << options_.storage << "\"\n";
  for (const auto& line : options_.extra_settings) ini << line << "\n";
  ini.close();
  config_ = load_node_config(config_path_, 0);
  children_.resize(options_.nodes);
  handles_.resize(options_.nodes);
}

local_group::local_group(caf::actor_system& system, const std::string& config_path)
    : system_(system), attached_(true), config_path_(config_path) {
  config_ = load_node_config(config_path_, 0);
  for (std::size_t i = 0; i < config_.members.size(); ++i)
    if (config_.members[i].id != i + 1)
      throw std::runtime_error(config_path_ + ": this tool needs member ids 1, 2, ... in order");
  children_.resize(config_.members.size());
  handles_.resize(config_.members.size());
}

local_group::~local_group() {
  for (auto& c : children_) c.reset();  // SIGTERM and wait, before the files go
  if (!attached_ && !options_.keep) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

void local_group::start(node_id id) {
  if (attached_) {
    handles_.at(id - 1) = connect_to(system_, config_, id);
    return;
  }
  const std::string log = dir_ + "/node-" + std::to_string(id) + ".log";
  children_.at(id - 1) = std::make_unique<child_process>(
      std::vector<std::string>{"node", "--config", config_path_, "--id", std::to_string(id)}, log);
  const auto& address = config_.members.at(id - 1);
  // Recovery reads the whole log before the member listens: give a long log time.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto h = try_connect(system_, address, std::chrono::milliseconds(500))) {
      handles_.at(id - 1) = *h;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("node " + std::to_string(id) + " did not start: " + last_line(log));
}

void local_group::start_all() {
  for (const auto& m : config_.members) start(m.id);
}

void local_group::kill(node_id id) {
  if (attached_) throw std::runtime_error("a group this tool did not start is not killed by it");
  if (auto& c = children_.at(id - 1)) c->kill_hard();
  children_.at(id - 1).reset();
  handles_.at(id - 1).reset();
}

std::uint64_t local_group::resident_kib(node_id id) const {
  const auto& c = children_.at(id - 1);
  if (!c) return 0;
  std::ifstream in("/proc/" + std::to_string(c->pid()) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

std::optional<status_reply> local_group::status(node_id id,
                                                std::chrono::milliseconds timeout) const {
  const auto& h = handles_.at(id - 1);
  if (!h) return std::nullopt;
  return ask_status(system_, *h, timeout);
}

}  // namespace synod::cli
