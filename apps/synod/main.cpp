// synod: the command line of the synod total-order broadcast middleware.
#include <spdlog/spdlog.h>

#include <iostream>

#include "apps/synod/cli.hpp"
#include "persistence/storage_error.hpp"

namespace {

using namespace synod::cli;

struct command {
  const char* name;
  const char* brief;
  command_spec (*spec)();
  int (*run)(const arguments&);
  bool listed;  // in the overview (bench-echo is bench's helper)
};

const command commands[] = {
    {"node", "run one member of a group", node_spec, run_node, true},
    {"broadcast", "TO-Broadcast stdin's lines or synthetic messages", broadcast_spec, run_broadcast,
     true},
    {"tail", "print a member's deliveries, from a slot or from now on", tail_spec, run_tail, true},
    {"status", "every member's view of the group", status_spec, run_status, true},
    {"chat", "a group chat through a member", chat_spec, run_chat, true},
    {"demo", "a local group under load, its leader crashed and restarted", demo_spec, run_demo,
     true},
    {"bench", "measure a group (JSON)", bench_spec, run_bench, true},
    {"check-config", "validate a configuration and print it in full", check_config_spec,
     run_check_config, true},
    {"bench-echo", "", bench_echo_spec, run_bench_echo, false},
};

void overview(std::ostream& out) {
  out << "usage: synod COMMAND [options]   (synod COMMAND --help explains each)\n\ncommands:\n";
  for (const auto& c : commands) {
    if (!c.listed) continue;
    out << "  " << c.name << std::string(14 - std::string(c.name).size(), ' ') << c.brief << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    overview(std::cerr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "help" || name == "-h") {
    overview(std::cout);
    return 0;
  }
  for (const auto& c : commands) {
    if (name != c.name) continue;
    try {
      const arguments args(c.spec(), argc, argv, 2);
      return c.run(args);
    } catch (const help_requested& h) {
      std::cout << h.what();
      return 0;
    } catch (const usage_error& e) {
      std::cerr << "synod " << name << ": " << e.what() << " (see synod " << name << " --help)\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "synod " << name << ": " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "synod: unknown command '" << name << "'\n";
  overview(std::cerr);
  return 2;
}
