// synod tail: prints the messages delivered at member --id, in delivery order: from --from SLOT
// (read back a page at a time, then followed live) or from now on, until --count messages or,
// with --snapshot, until what was delivered when it started has been printed. --digest prints only
// how many messages were delivered so far and a digest of their sequence (members that agree
// print the same line), however long the log. Slots the member no longer has (retention) end a
// --from with one line naming the first slot it has. --from-checkpoint starts after the member's
// newest application checkpoint, named in the first line.
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/synod/cli.hpp"
#include "apps/synod/delivery_digest.hpp"
#include "apps/synod/history.hpp"
#include "messaging/caf_types.hpp"

namespace synod::cli {

namespace {

void print(const delivered_batch& b, const client_message& m, bool json) {
  if (json) {
    nlohmann::json line = {{"node", b.node},
                           {"slot", b.slot},
                           {"origin", m.id.origin},
                           {"seq", m.id.seq},
                           {"payload", m.payload}};
    std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "slot " << b.slot << " " << m.id.origin << ":" << m.id.seq << " " << m.payload
              << "\n";
  }
}

}  // namespace

command_spec tail_spec() {
  return {
      "synod tail --config FILE --id N [options]",
      "Prints the messages member N delivers, in delivery order: from now on, or from\n"
      "--from SLOT (read back a page at a time, then followed live).",
      {config_option(), member_option("the member to read from"),
       number("from", "SLOT", "start at this slot (1: the beginning)", 1, std::uint64_t{1} << 62),
       flag("from-checkpoint",
            "start after the member's newest application checkpoint (its slot and size first)"),
       number("count", "K", "stop after K messages", 1, std::uint64_t{1} << 62),
       flag("snapshot", "stop once what was delivered at the start is printed"),
       flag("json", "one JSON object per message"),
       flag("digest", "print only the count and a digest of everything delivered so far"),
       verbose_option()}};
}

int run_tail(const arguments& args) {
  set_up_logging(args.has("verbose"));
  const node_config config = load_config(args);
  const bool json = args.has("json");
  const bool snapshot = args.has("snapshot");
  slot_t from = args.number("from", snapshot ? 1 : 0);
  if (args.has("from-checkpoint") && args.has("from"))
    throw usage_error("--from and --from-checkpoint: choose one");
  const std::uint64_t count = args.number("count", 0);
  system_config cfg;
  caf::actor_system system{cfg};
  const caf::actor node = connect_to(system, config, config.id);
  if (args.has("digest")) {
    const auto digest = digest_of(system, node, std::chrono::milliseconds(10000));
    std::cout << digest.messages() << " " << digest.hex() << "\n";
    return 0;
  }
  if (args.has("from-checkpoint")) {
    const auto c = latest_checkpoint(system, node);
    if (json)
      std::cout << nlohmann::json{{"checkpoint", c.slot}, {"bytes", c.state.size()}}.dump() << "\n";
    else if (c.slot == 0)
      std::cout << "no checkpoint: from slot 1\n";
    else
      std::cout << "checkpoint slot " << c.slot << ": " << c.state.size() << " bytes\n";
    from = c.slot + 1;
  }
  std::uint64_t printed = 0;
  const auto print_batch = [&](const delivered_batch& b) {
    for (const auto& m : b.messages) {
      if (count > 0 && printed >= count) return false;
      print(b, m, json);
      ++printed;
    }
    return count == 0 || printed < count;
  };
  slot_t next = 0;  // 0: from now on
  if (from > 0) {
    next = read_history(system, node, from, snapshot, print_batch);
    if (snapshot || (count > 0 && printed >= count)) {
      std::cout.flush();
      return 0;
    }
  }
  // Live: a subscription from the next slot (the few batches delivered meanwhile come first).
  caf::scoped_actor self{system};
  self->monitor(node);
  self->send(node, subscribe_request{next});
  for (bool more = true; more;) {
    self->receive(
        [&](delivered_batch& b) { more = print_batch(b); }, [](subscribe_reply&) {},
        [&](delivery_gap& g) {
          std::cout.flush();
          std::cerr << "synod tail: slots " << g.first << " to " << g.last
                    << " were truncated before node " << g.node
                    << " could deliver them here; going on from slot " << g.last + 1 << "\n";
        },
        [&](caf::down_msg&) {
          std::cout.flush();
          throw std::runtime_error("lost the connection to node " + std::to_string(config.id));
        });
    std::cout.flush();  // a reader on a pipe sees each batch as it comes
  }
  std::cout.flush();
  return 0;
}

}  // namespace synod::cli
