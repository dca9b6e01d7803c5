// synod tail: prints the messages delivered at member --id, in delivery order: from --from SLOT
// (a replay) or from now on, until --count messages or, with --snapshot, until what was
// delivered when it started has been printed.
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/synod/cli.hpp"
#include "messaging/caf_types.hpp"

namespace synod::cli {

int run_tail(const arguments& args) {
  set_up_logging(args.has("verbose"));
  const node_config config = load_config(args);
  const bool json = args.has("json");
  const bool snapshot = args.has("snapshot");
  const slot_t from = args.number("from", snapshot ? 1 : 0);
  const std::uint64_t count = args.number("count", 0);
  system_config cfg;
  caf::actor_system system{cfg};
  const caf::actor node = connect_to(system, config, config.id);
  caf::scoped_actor self{system};
  self->monitor(node);
  self->send(node, subscribe_request{from});
  std::uint64_t printed = 0;
  slot_t last_slot = 0;
  std::optional<slot_t> snapshot_end;
  bool done = false;
  const auto finished = [&] {
    return (count > 0 && printed >= count) ||
           (snapshot && snapshot_end && last_slot >= *snapshot_end);
  };
  while (!done) {
    self->receive(
        [&](delivered_batch& b) {
          last_slot = b.slot;
          for (const auto& m : b.messages) {
            if (count > 0 && printed >= count) break;
            if (json) {
              nlohmann::json line = {{"node", b.node},
                                     {"slot", b.slot},
                                     {"origin", m.id.origin},
                                     {"seq", m.id.seq},
                                     {"payload", m.payload}};
              std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                        << "\n";
            } else {
              std::cout << "slot " << b.slot << " " << m.id.origin << ":" << m.id.seq << " "
                        << m.payload << "\n";
            }
            ++printed;
          }
          done = finished();
        },
        [&](subscribe_reply& r) {
          snapshot_end = r.delivered_up_to;
          done = finished();
        },
        [&](caf::down_msg&) {
          std::cout.flush();
          throw std::runtime_error("lost the connection to node " + std::to_string(config.id));
        });
  }
  std::cout.flush();
  return 0;
}

}  // namespace synod::cli
