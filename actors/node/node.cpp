#include "actors/node/node.hpp"

#include <spdlog/spdlog.h>
#include <caf/io/all.hpp>

#include "actors/acceptor/acceptor_actor.hpp"
#include "actors/failure_detector/failure_detector_actor.hpp"
#include "actors/leader/leader_actor.hpp"
#include "actors/learner/learner_actor.hpp"
#include "actors/node/front_actor.hpp"
#include "actors/node/storage_actor.hpp"
#include "actors/retransmission/transport_actor.hpp"
#include "persistence/memory_storage.hpp"
#include "persistence/sqlite_storage.hpp"

namespace synod {

namespace {

std::shared_ptr<stable_storage> open_storage(const node_config& c) {
  if (c.storage == "memory") {
    spdlog::warn(
        "node {}: storage \"memory\": no forced logs; a crash of a majority at once can "
        "lose decided messages",
        c.id);
    return std::make_shared<memory_storage>();
  }
  return std::make_shared<sqlite_storage>(
      sqlite_options{c.node_dir() + "/synod.db", c.group, c.id, 0});
}

}  // namespace

wiring start_node(caf::actor_system& system, const node_config& config) {
  validate(config);
  auto storage = open_storage(config);
  const recovered_state recovered = storage->recover();
  const member_config cores = config.cores();
  const auto tick = config.tick;
  wiring w;
  w.storage = system.spawn<caf::detached>(storage_actor, storage);
  w.acceptor = system.spawn(acceptor_actor, recovered);
  w.leader = system.spawn(leader_actor, config.id, config.view(), cores.leader, recovered, tick);
  w.learner =
      system.spawn(learner_actor, config.id, cores.learner, cores.memory_slots, recovered, tick);
  w.detector = system.spawn(failure_detector_actor, config.id, config.view(),
                            cores.failure_detector, recovered.incarnation + 1, tick);
  w.front = system.spawn(front_actor, config.id, cores.broadcast, recovered, tick);
  w.transport = system.spawn(transport_actor, config);
  for (const auto& role : {w.acceptor, w.leader, w.learner, w.detector, w.front, w.transport})
    caf::anon_send(role, w);
  const auto& self = config.self();
  auto port = system.middleman().publish(w.transport, self.port, self.host.c_str(), true);
  if (!port)
    throw start_error("cannot listen on " + self.host + ":" + std::to_string(self.port) + ": " +
                      system.render(port.error()));
  spdlog::info("node {} of group '{}' listening on {}:{}, {} storage in {}", config.id,
               config.group, self.host, *port, config.storage, config.node_dir());
  return w;
}

void stop_node(const wiring& node) {
  for (const auto& a : {node.transport, node.acceptor, node.leader, node.learner, node.detector,
                        node.front, node.storage})
    if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

}  // namespace synod
