// synod broadcast: TO-Broadcasts each stdin line as one message, or --count synthetic messages
// of --size bytes, through member --id; reports how many were delivered there.
#include <chrono>
#include <deque>
#include <iostream>
#include <thread>

#include "apps/synod/cli.hpp"
#include "messaging/caf_types.hpp"

namespace synod::cli {

namespace {

using clock_type = std::chrono::steady_clock;

// Sends `payloads` in requests of `per_request`, with at most `window` requests outstanding;
// a request refused as busy goes again a little later. Returns the messages delivered.
std::size_t send_all(caf::actor_system& system, const caf::actor& node,
                     std::vector<std::string> payloads, std::size_t per_request, std::size_t window,
                     bool progress) {
  caf::scoped_actor self{system};
  std::deque<broadcast_request> queue;
  std::size_t total = 0;
  for (std::size_t next = 0; next < payloads.size();) {
    broadcast_request r;
    r.tag = queue.size();
    for (; next < payloads.size() && r.payloads.size() < per_request; ++next)
      r.payloads.push_back(std::move(payloads[next]));
    total += r.payloads.size();
    queue.push_back(std::move(r));
  }
  std::map<std::uint64_t, broadcast_request> in_flight;  // by tag, to resend when busy
  std::size_t delivered = 0;
  auto last_report = clock_type::now();
  self->monitor(node);
  while (delivered < total) {
    while (in_flight.size() < window && !queue.empty()) {
      broadcast_request r = std::move(queue.front());
      queue.pop_front();
      self->send(node, r);  // the reply comes back as a broadcast_reply message
      in_flight.emplace(r.tag, std::move(r));
    }
    self->receive(
        [&](broadcast_reply& reply) {
          auto it = in_flight.find(reply.tag);
          if (it == in_flight.end()) return;
          if (reply.error.empty()) {
            delivered += reply.ids.size();
          } else if (!reply.busy) {
            throw std::runtime_error("refused: " + reply.error + "; " + std::to_string(delivered) +
                                     " of " + std::to_string(total) + " messages were delivered");
          } else {  // backpressure: the node holds too much; offer it again shortly
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            queue.push_front(std::move(it->second));
          }
          in_flight.erase(it);
        },
        [&](caf::down_msg&) {
          throw std::runtime_error("lost the connection to the node; " + std::to_string(delivered) +
                                   " of " + std::to_string(total) + " messages were delivered");
        },
        caf::after(std::chrono::seconds(30)) >>
            [&] {
              throw std::runtime_error("no delivery for 30 s; " + std::to_string(delivered) +
                                       " of " + std::to_string(total) + " messages were delivered");
            });
    if (progress && clock_type::now() - last_report > std::chrono::seconds(1)) {
      std::cerr << "delivered " << delivered << " of " << total << "\n";
      last_report = clock_type::now();
    }
  }
  return delivered;
}

}  // namespace

int run_broadcast(const arguments& args) {
  set_up_logging(args.has("verbose"));
  const node_config config = load_config(args);
  std::vector<std::string> payloads;
  const auto count = args.number("count", 0);
  if (count > 0) {
    const auto size = args.number("size", 64);
    const std::string tag =
        args.get("tag").value_or(std::to_string(config.id) + "-" +
                                 std::to_string(clock_type::now().time_since_epoch().count())) +
        "-";
    for (std::uint64_t i = 0; i < count; ++i) {
      std::string p = tag + std::to_string(i);
      if (p.size() < size) p.resize(size, '.');
      payloads.push_back(std::move(p));
    }
  } else {
    for (std::string line; std::getline(std::cin, line);) payloads.push_back(std::move(line));
  }
  system_config cfg;
  caf::actor_system system{cfg};
  const caf::actor node = connect_to(system, config, config.id);
  const auto started = clock_type::now();
  const std::size_t per_request = count > 0 ? args.number("batch", 256) : 1;
  const std::size_t delivered = send_all(system, node, std::move(payloads), per_request,
                                         args.number("window", 16), count > 0);
  const double seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  std::cout << "delivered " << delivered << " messages at node " << config.id << " in " << seconds
            << " s (" << static_cast<std::uint64_t>(delivered / std::max(seconds, 1e-9))
            << " msgs/s)\n";
  return 0;
}

}  // namespace synod::cli
