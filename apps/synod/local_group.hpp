// A group of members run as child processes of this tool on loopback, with their configuration
// and data in a fresh temporary directory: what the demo and the benchmark start and crash. Or
// a group running elsewhere, attached to from its configuration file (for the benchmark).
#pragma once

#include <caf/all.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/node/node_config.hpp"
#include "apps/synod/child_process.hpp"
#include "messaging/client_api.hpp"

namespace synod::cli {

struct local_group_options {
  unsigned nodes = 3;
  std::uint16_t base_port = 7601;  // member i listens on base_port + i - 1
  std::string storage = "sqlite";
  std::vector<std::string> extra_settings;  // more lines for the [synod] section
  bool keep = false;                        // leave the directory behind
};

class local_group {
 public:
  local_group(caf::actor_system& system, local_group_options options);
  // A group already running elsewhere, from its configuration file: start_all() connects to
  // its members; nothing can be started or killed.
  local_group(caf::actor_system& system, const std::string& config_path);
  ~local_group();

  // Starts member `id` and waits until it answers; throws naming its log otherwise.
  void start(node_id id);
  void start_all();
  void kill(node_id id);  // kill -9: a crash
  bool alive(node_id id) const { return attached_ ? true : children_.at(id - 1) != nullptr; }
  bool attached() const { return attached_; }
  // The member's resident memory in KiB (0 if it is not running).
  std::uint64_t resident_kib(node_id id) const;

  const node_config& config() const { return config_; }
  const std::string& directory() const { return dir_; }
  // The member's handle while it runs (a new one after each restart).
  const std::optional<caf::actor>& handle(node_id id) const { return handles_.at(id - 1); }
  // The member's status, or nothing if it does not answer within `timeout`.
  std::optional<status_reply> status(node_id id, std::chrono::milliseconds timeout) const;

 private:
  caf::actor_system& system_;
  local_group_options options_;
  bool attached_ = false;
  std::string dir_;
  std::string config_path_;
  node_config config_;
  std::vector<std::unique_ptr<child_process>> children_;
  std::vector<std::optional<caf::actor>> handles_;
};

}  // namespace synod::cli
