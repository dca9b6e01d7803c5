// synod: the command line of the synod total-order broadcast middleware.
#include <spdlog/spdlog.h>

#include <iostream>

#include "apps/synod/cli.hpp"
#include "persistence/storage_error.hpp"

namespace {

constexpr const char* usage = R"(usage: synod COMMAND [options]

commands:
  node       run one member:        synod node --config FILE --id N [--verbose]
  broadcast  TO-Broadcast messages: synod broadcast --config FILE --id N
                                      [--count K --size B [--tag T]]  (default: each stdin line)
                                      [--batch M --window W]  (messages per request, requests
                                      in flight)
  tail       print deliveries:      synod tail --config FILE --id N [--json]
                                      [--from SLOT] [--count K] [--snapshot]
                                      [--digest: count and digest of all delivered so far]
  demo       a local group, its leader crashed: synod demo [--nodes N] [--duration S]
                                      [--size B] [--port P] [--storage sqlite|memory] [--keep]
  chat       a group chat:          synod chat --config FILE --id N --name NAME [--history]
  bench      measure a group:       synod bench [--nodes N] [--storage S] | --config FILE
                                      [--size B]
                                      [--load saturation|single] [--from all|one]
                                      [--duration-ms T] [--kill-leader-at-ms T]
                                      [--settings "KEY=VALUE;..."]  (more [synod] options)
                                      [--what group|fsync|rtt]   (JSON on stdout)
  status     every member's view:   synod status --config FILE [--json] [--timeout-ms T]
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace synod::cli;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    std::cout << usage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "node") {
      arguments args(argc, argv, 2, {"verbose"});
      return run_node(args);
    }
    if (command == "broadcast") {
      arguments args(argc, argv, 2, {"verbose"});
      return run_broadcast(args);
    }
    if (command == "tail") {
      arguments args(argc, argv, 2, {"json", "snapshot", "digest", "verbose"});
      return run_tail(args);
    }
    if (command == "demo") {
      arguments args(argc, argv, 2, {"keep", "verbose"});
      return run_demo(args);
    }
    if (command == "chat") {
      arguments args(argc, argv, 2, {"history", "verbose"});
      return run_chat(args);
    }
    if (command == "bench") {
      arguments args(argc, argv, 2, {"verbose"});
      return run_bench(args);
    }
    if (command == "bench-echo") {  // the far end of `synod bench --what rtt`
      arguments args(argc, argv, 2, {});
      return run_bench_echo(args);
    }
    if (command == "status") {
      arguments args(argc, argv, 2, {"json", "verbose"});
      return run_status(args);
    }
    std::cerr << "synod: unknown command '" << command << "'\n" << usage;
    return 2;
  } catch (const usage_error& e) {
    std::cerr << "synod " << command << ": " << e.what() << " (see synod --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "synod " << command << ": " << e.what() << "\n";
    return 1;
  }
}
