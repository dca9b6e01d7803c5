// synod broadcast: TO-Broadcasts each stdin line as one message, or --count synthetic messages
// of --size bytes, through member --id, in requests of --batch messages with --window requests in
// flight; reports how many were delivered there. When it gives up it says exactly which messages
// (by number, from 1) were confirmed delivered and which were not confirmed.
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <functional>
#include <iostream>
#include <thread>

#include "apps/synod/cli.hpp"
#include "apps/synod/message_ranges.hpp"
#include "messaging/caf_types.hpp"

namespace synod::cli {

namespace {

using clock_type = std::chrono::steady_clock;

// Where the messages come from: `next` gives the next one (nothing when there are no more);
// `ready` says whether one is there without waiting. A request takes its first message however
// long that takes, and more only while they are ready: a slow producer's lines are not held
// back to fill a batch.
struct message_source {
  std::function<std::optional<std::string>()> next;
  std::function<bool()> ready;
};

// Stdin: a line is ready if it is buffered already or the descriptor has bytes.
bool stdin_ready() {
  if (std::cin.rdbuf()->in_avail() > 0) return true;
  pollfd p{STDIN_FILENO, POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

struct request_in_flight {
  broadcast_request request;
  std::uint64_t first = 0;  // the number of its first message (from 1)
};

class sender {
 public:
  // A request holds at most `per_request` messages and `request_bytes` of payload (at least one
  // message): the member refuses a larger one as too large.
  sender(caf::actor_system& system, caf::actor node, std::size_t per_request,
         std::size_t request_bytes, std::size_t window, bool progress)
      : self_(system),
        node_(std::move(node)),
        per_request_(per_request),
        request_bytes_(request_bytes),
        window_(window),
        progress_(progress) {}

  // Sends every message of `next`; throws std::runtime_error saying what was and was not
  // confirmed if it has to give up. Returns the messages delivered.
  std::uint64_t run(const message_source& source) {
    self_->monitor(node_);
    auto last_report = clock_type::now();
    bool exhausted = false;
    while (true) {
      while (in_flight_.size() < window_ && (!retry_.empty() || !exhausted)) {
        request_in_flight r;
        if (!retry_.empty()) {
          r = std::move(retry_.front());
          retry_.pop_front();
        } else {
          r.first = taken_ + 1;
          r.request.tag = next_tag_++;
          std::size_t bytes = 0;
          while (r.request.payloads.size() < per_request_ &&
                 (r.request.payloads.empty() || held_over_ || source.ready())) {
            auto m = held_over_ ? std::move(held_over_) : source.next();
            held_over_.reset();
            if (!m) {
              exhausted = true;
              break;
            }
            if (!r.request.payloads.empty() && bytes + m->size() > request_bytes_) {
              held_over_ = std::move(m);  // the first of the next request
              break;
            }
            bytes += m->size();
            r.request.payloads.push_back(std::move(*m));
          }
          taken_ += r.request.payloads.size();
          if (r.request.payloads.empty()) break;
        }
        self_->send(node_, r.request);  // the reply comes back as a broadcast_reply message
        in_flight_.emplace(r.request.tag, std::move(r));
      }
      if (in_flight_.empty() && retry_.empty() && exhausted) return delivered_.count();
      self_->receive(
          [&](broadcast_reply& reply) { on_reply(reply); },
          [&](caf::down_msg&) { give_up("lost the connection to the member"); },
          caf::after(std::chrono::seconds(30)) >> [&] { give_up("no delivery for 30 s"); });
      if (progress_ && clock_type::now() - last_report > std::chrono::seconds(1)) {
        std::cerr << "\rdelivered " << delivered_.count() << " of " << taken_
                  << (exhausted ? "" : "+") << "   " << std::flush;
        last_report = clock_type::now();
      }
    }
  }

 private:
  void on_reply(const broadcast_reply& reply) {
    auto it = in_flight_.find(reply.tag);
    if (it == in_flight_.end()) return;
    request_in_flight r = std::move(it->second);
    in_flight_.erase(it);
    const std::uint64_t n = r.request.payloads.size();
    if (reply.error.empty()) {
      delivered_.add(r.first, r.first + n);
      return;
    }
    if (!reply.busy) {
      not_delivered_.add(r.first, r.first + n);
      give_up("refused: " + reply.error);
    }
    // Backpressure: the member holds too much; offer the same request again shortly.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    retry_.push_front(std::move(r));
  }

  [[noreturn]] void give_up(const std::string& why) {
    message_ranges unconfirmed;
    for (const auto& [tag, r] : in_flight_)
      unconfirmed.add(r.first, r.first + r.request.payloads.size());
    std::string what =
        why + "; of messages 1-" + std::to_string(taken_) + ": delivered " + delivered_.describe();
    if (!not_delivered_.empty()) what += ", not delivered " + not_delivered_.describe();
    if (!unconfirmed.empty() || !retry_.empty()) {
      for (const auto& r : retry_) unconfirmed.add(r.first, r.first + r.request.payloads.size());
      what += ", unconfirmed " + unconfirmed.describe() +
              " (they may yet be delivered: synod tail shows what was)";
    }
    if (progress_) std::cerr << "\n";
    throw std::runtime_error(what);
  }

  caf::scoped_actor self_;
  caf::actor node_;
  std::size_t per_request_;
  std::size_t request_bytes_;
  std::optional<std::string> held_over_;  // taken from the source, not yet sent
  std::size_t window_;
  bool progress_;
  std::uint64_t next_tag_ = 0;
  std::uint64_t taken_ = 0;
  std::map<std::uint64_t, request_in_flight> in_flight_;  // by tag
  std::deque<request_in_flight> retry_;
  message_ranges delivered_, not_delivered_;
};

}  // namespace

command_spec broadcast_spec() {
  return {"synod broadcast --config FILE --id N [options]",
          "TO-Broadcasts through member N each line of stdin as one message, or --count\n"
          "synthetic messages of --size bytes, and waits until member N delivered them.",
          {config_option(), member_option("the member to broadcast through"),
           number("count", "K", "send K synthetic messages instead of stdin's lines", 1,
                  std::uint64_t{1} << 40),
           number("size", "B", "bytes per synthetic message (default 64)", 1, 1u << 30),
           text("tag", "T", "prefix of the synthetic messages (default: id and time)"),
           number("batch", "M", "messages per request (default 256)", 1, 1u << 20),
           number("window", "W", "requests in flight (default 16)", 1, 4096), verbose_option()}};
}

int run_broadcast(const arguments& args) {
  set_up_logging(args.has("verbose"));
  const node_config config = load_config(args);
  message_source source;
  const auto count = args.number("count", 0);
  std::uint64_t made = 0;
  if (count > 0) {
    const auto size = args.number("size", 64);
    const std::string tag =
        args.get("tag").value_or(std::to_string(config.id) + "-" +
                                 std::to_string(clock_type::now().time_since_epoch().count())) +
        "-";
    source.next = [&made, count, size, tag]() -> std::optional<std::string> {
      if (made == count) return std::nullopt;
      std::string p = tag + std::to_string(++made);  // TAG-N is message N of the report
      if (p.size() < size) p.resize(size, '.');
      return p;
    };
    source.ready = [] { return true; };
  } else {
    std::ios::sync_with_stdio(false);  // cin's own buffer: what it holds can be seen
    source.next = []() -> std::optional<std::string> {
      std::string line;
      if (!std::getline(std::cin, line)) return std::nullopt;
      return line;
    };
    source.ready = stdin_ready;
  }
  system_config cfg;
  caf::actor_system system{cfg};
  const caf::actor node = connect_to(system, config, config.id);
  const auto started = clock_type::now();
  const auto& limits = config.protocol.broadcast;
  sender s(system, node, std::min<std::size_t>(args.number("batch", 256), limits.max_undelivered),
           limits.request_bytes_limit(), args.number("window", 16), isatty(STDERR_FILENO) == 1);
  const std::uint64_t delivered = s.run(source);
  const double seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  std::cout << "delivered " << delivered << " messages at node " << config.id << " in " << seconds
            << " s (" << static_cast<std::uint64_t>(delivered / std::max(seconds, 1e-9))
            << " msgs/s)\n";
  return 0;
}

}  // namespace synod::cli
