// A synod-kv client's connection to the replicas: it starts with the replica it was given and,
// when that one dies or cannot be reached, moves on to the next one in the configuration and
// sends the same request again. Commands carry the client's id and number, so one that the dead
// replica had already put in the order is answered, not applied twice (kv_store.hpp).
#pragma once

#include <spdlog/spdlog.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/node/node_config.hpp"

namespace synod::kv {

class replica_client {
 public:
  replica_client(caf::actor_system& system, const node_config& config, node_id first);

  // Sends (xs...) to a replica and hands its answer to `on_answer` (a handler for the answer's
  // types). Throws std::runtime_error when no replica answers.
  template <class Handler, class... Ts>
  void ask(Handler on_answer, const Ts&... xs) {
    for (std::size_t tries = 0; tries < 2 * order_.size(); ++tries) {
      if (!handle_ && !connect()) continue;
      self_->send(handle_, xs...);
      bool lost = false;
      bool stale = false;  // the death of a replica left earlier
      do {
        stale = false;
        self_->receive(
            on_answer,
            [&](caf::down_msg& d) { (d.source == handle_.address() ? lost : stale) = true; },
            caf::after(timeout_) >>
                [&] {
                  throw std::runtime_error("replica " + std::to_string(current()) +
                                           " did not answer within " +
                                           std::to_string(timeout_.count()) + " s");
                });
      } while (stale);
      if (!lost) return;
      spdlog::warn("replica {} went away; trying the next one", current());
      handle_ = caf::actor{};
      next_ = (next_ + 1) % order_.size();
    }
    throw std::runtime_error("no replica answers (tried " + std::to_string(order_.size()) +
                             ", each twice)");
  }

  node_id current() const { return order_[next_]; }

 private:
  bool connect();

  caf::scoped_actor self_;
  node_config config_;
  std::vector<node_id> order_;  // the given replica first, then the others in config order
  std::size_t next_ = 0;
  caf::actor handle_;
  std::chrono::seconds timeout_{10};
};

// Clients reach replica N on its member port + 1000.
std::uint16_t client_port(const member_address& member);

}  // namespace synod::kv
