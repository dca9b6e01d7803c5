// synod-kv: a replicated key-value store on synod, an example of a group application.
//
//   synod-kv serve --config FILE --id N        run replica N: member N of the group, with the
//                                              store; clients reach it on member port + 1000
//   synod-kv --config FILE --id N put KEY VALUE | get KEY | delete KEY | cas KEY OLD NEW | dump
//   synod-kv --config FILE --id N              the same commands, one per line on stdin
//
// Every command, reads too, is TO-Broadcast and applied by every replica in delivery order.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <caf/io/all.hpp>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>

#include <synod/group.hpp>
#include "actors/node/node_config.hpp"
#include "actors/node/stop_signals.hpp"
#include "apps/common/options.hpp"
#include "apps/kv/kv_replica.hpp"
#include "apps/kv/kv_store.hpp"
#include "apps/kv/replica_client.hpp"

namespace {

using namespace synod;

using cli::usage_error;

constexpr const char* kv_commands = R"(commands:
  put KEY VALUE      set KEY (VALUE is the rest of the line)
  get KEY            print KEY's value; exit code 1 if it has none
  delete KEY         remove KEY
  cas KEY OLD NEW    set KEY to NEW only if it holds OLD ("-" for OLD: only if it has no value)
  dump [--json]      this replica's own contents and position, not through the order
)";

cli::command_spec serve_spec() {
  return {"synod-kv serve --config FILE --id N [--checkpoint-every SLOTS] [--verbose]",
          "Runs replica N: member N of the group, with the store; clients reach it on the\n"
          "member's port + 1000.",
          {cli::config_option(), cli::member_option("which replica this process is"),
           cli::number("checkpoint-every", "SLOTS",
                       "hand the member a checkpoint of the store every SLOTS slots (default "
                       "1024; 0: never); a restart replays only what follows the latest",
                       0, std::uint64_t{1} << 40),
           cli::verbose_option()}};
}

cli::command_spec client_spec() {
  return {"synod-kv --config FILE --id N [COMMAND]   (or synod-kv serve --help)",
          "Runs COMMAND through replica N, or the commands on stdin, one per line. Every\n"
          "command, reads too, is TO-Broadcast and applied by every replica in delivery order.",
          {cli::config_option(), cli::member_option("the replica to ask"),
           cli::flag("json", "dump: one JSON line"), cli::verbose_option()},
          true,
          kv_commands};
}

struct config : caf::actor_system_config {
  config() {
    register_message_types(*this);
    load<caf::io::middleman>();
    set("scheduler.policy", caf::atom("sharing"));
    set("logger.verbosity", caf::atom("quiet"));
  }
};

struct options {
  std::string config_path;
  node_id id = 0;
  bool verbose = false;
  bool json = false;
  std::vector<std::string> words;  // the command, if given on the command line
  slot_t checkpoint_every = 1024;
};

options parse(const cli::command_spec& spec, int argc, char** argv, int first) {
  const cli::arguments args(spec, argc, argv, first);
  options o;
  o.config_path = args.required("config");
  o.id = static_cast<node_id>(args.number("id", 0));
  o.verbose = args.has("verbose");
  o.json = args.has("json");
  o.words = args.words();
  if (args.get("checkpoint-every")) o.checkpoint_every = args.number("checkpoint-every", 0);
  return o;
}

int serve(const options& o) {
  spdlog::set_default_logger(spdlog::stderr_logger_mt("synod-kv"));
  // synod's log format, each line naming the replica (several may log to one terminal).
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ kv-" + std::to_string(o.id) + " %v");
  spdlog::set_level(o.verbose ? spdlog::level::debug : spdlog::level::info);
  node_config c = load_node_config(o.config_path, o.id);
  c.verbose = o.verbose;
  c.on_fatal = [](const std::string& why) {
    std::fprintf(stderr, "synod-kv: %s\n", why.c_str());
    spdlog::shutdown();
    std::_Exit(1);
  };
  const stop_signals stop;  // before CAF's threads start
  config cfg;
  caf::actor_system system{cfg};
  const auto member = group_member::join(system, c);
  const auto replica = kv::spawn_replica(system, member, o.checkpoint_every);
  const auto port = kv::client_port(c.self());
  if (auto p = system.middleman().publish(replica, port, c.self().host.c_str(), true); !p)
    throw std::runtime_error("cannot listen for clients on port " + std::to_string(port) + ": " +
                             system.render(p.error()));
  spdlog::info("kv replica {} serving clients on {}:{}", c.id, c.self().host, port);
  stop.wait();
  spdlog::shutdown();
  std::_Exit(0);  // everything acknowledged is durable in the member's log
}

// Runs one command against the replica; prints its outcome; returns the exit code.
int run_command(kv::replica_client& replicas, const std::vector<std::string>& w, bool json,
                std::ostream& out, std::uint64_t client, std::uint64_t& seq) {
  const auto need = [&](std::size_t n) {
    if (w.size() < n) throw usage_error("'" + w[0] + "' needs " + std::to_string(n - 1) + " words");
  };
  if (w.empty()) throw usage_error("no command");
  if (w[0] == "dump") {
    int code = 1;
    replicas.ask(
        [&](slot_t slot, std::uint64_t applied, std::uint64_t digest,
            const std::vector<std::string>& keys, const std::vector<std::string>& values) {
          std::ostringstream hex;
          hex << std::hex << digest;
          if (json) {
            out << "{\"slot\": " << slot << ", \"applied\": " << applied
                << ", \"keys\": " << keys.size() << ", \"digest\": \"" << hex.str() << "\"}\n";
          } else {
            out << "slot " << slot << ", " << applied << " commands applied, " << keys.size()
                << " keys, digest " << hex.str() << "\n";
            for (std::size_t i = 0; i < keys.size(); ++i)
              out << keys[i] << " = " << values[i] << "\n";
          }
          code = 0;
        },
        kv::dump_atom::value);
    return code;
  }
  kv::command c;
  if (w[0] == "put") {
    need(3);
    c.kind = kv::op::put;
    c.value = w[2];
    for (std::size_t i = 3; i < w.size(); ++i) c.value += " " + w[i];
  } else if (w[0] == "get") {
    need(2);
    c.kind = kv::op::get;
  } else if (w[0] == "delete") {
    need(2);
    c.kind = kv::op::erase;
  } else if (w[0] == "cas") {
    need(4);
    c.kind = kv::op::cas;
    c.expect_absent = w[2] == "-";
    c.expected = w[2];
    c.value = w[3];
    for (std::size_t i = 4; i < w.size(); ++i) c.value += " " + w[i];
  } else {
    throw usage_error("unknown command '" + w[0] + "'");
  }
  c.key = w[1];
  c.client = client;
  c.client_seq = ++seq;
  int code = 1;
  replicas.ask(
      [&](const std::string& error, bool ok, bool found, const std::string& value) {
        if (!error.empty()) throw std::runtime_error(error);
        if (c.kind == kv::op::get)
          out << (found ? value : "(no value)") << "\n";
        else if (c.kind == kv::op::cas && !ok)
          out << "failed: " << (found ? "the value is '" + value + "'" : "no value") << "\n";
        else
          out << "ok\n";
        code = ok ? 0 : 1;
      },
      kv::command_atom::value, encode_payload(c));
  return code;
}

int client(const options& o) {
  spdlog::set_default_logger(spdlog::stderr_logger_mt("synod-kv"));  // stdout is for answers
  spdlog::set_level(spdlog::level::warn);
  spdlog::set_pattern("synod-kv: %v");
  const node_config c = load_node_config(o.config_path, o.id);
  config cfg;
  caf::actor_system system{cfg};
  kv::replica_client replicas(system, c, o.id);
  // This client's commands are numbered: a retry through another replica is recognised.
  const std::uint64_t client = random_id();
  std::uint64_t seq = 0;
  if (!o.words.empty()) return run_command(replicas, o.words, o.json, std::cout, client, seq);
  int worst = 0;
  for (std::string line; std::getline(std::cin, line);) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty() || words[0][0] == '#') continue;
    try {
      worst = std::max(worst, run_command(replicas, words, o.json, std::cout, client, seq));
    } catch (const usage_error& e) {
      std::cout << "error: " << e.what() << "\n";
      worst = 2;
    }
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  const bool serving = argc > 1 && std::string(argv[1]) == "serve";
  const auto spec = serving ? serve_spec() : client_spec();
  try {
    if (argc < 2) throw usage_error("--config and --id are required");
    const options o = parse(spec, argc, argv, serving ? 2 : 1);
    return serving ? serve(o) : client(o);
  } catch (const cli::help_requested& h) {
    std::cout << h.what();
    return 0;
  } catch (const usage_error& e) {
    std::cerr << "synod-kv: " << e.what() << " (see synod-kv" << (serving ? " serve" : "")
              << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "synod-kv: " << e.what() << "\n";
    return 1;
  }
}
