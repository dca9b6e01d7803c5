// synod node: runs one member until SIGINT or SIGTERM.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <cstdio>

#include "actors/node/node.hpp"
#include "actors/node/stop_signals.hpp"
#include "apps/synod/cli.hpp"

namespace synod::cli {

command_spec node_spec() {
  return {"synod node --config FILE --id N [--verbose]",
          "Runs member N of the group until SIGINT or SIGTERM. Exits 1 at once with one line\n"
          "if it cannot start (address in use or not on this machine, unusable data directory).",
          {config_option(), member_option("which member this process is"), verbose_option()}};
}

int run_node(const arguments& args) {
  set_up_logging(args.has("verbose"));
  node_config config = load_config(args);
  config.verbose = args.has("verbose");
  config.on_fatal = [](const std::string& why) {
    std::fprintf(stderr, "synod node: %s\n", why.c_str());
    spdlog::shutdown();
    std::_Exit(1);
  };
  const stop_signals stop;  // before CAF starts its threads
  system_config cfg;
  caf::actor_system system{cfg};
  start_node(system, config);
  const int signal_number = stop.wait();
  // Everything acknowledged is already durable: stopping here is as safe as a crash, and quick.
  spdlog::info("node {} stopping ({})", config.id, strsignal(signal_number));
  spdlog::shutdown();
  std::_Exit(0);
}

}  // namespace synod::cli
