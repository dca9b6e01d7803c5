#include "actors/node/node.hpp"

#include <spdlog/spdlog.h>
#include <caf/io/all.hpp>
#include <random>

#include "actors/acceptor/acceptor_actor.hpp"
#include "actors/failure_detector/failure_detector_actor.hpp"
#include "actors/front/front_actor.hpp"
#include "actors/leader/leader_actor.hpp"
#include "actors/learner/learner_actor.hpp"
#include "actors/retransmission/frame_guard.hpp"
#include "actors/retransmission/transport_actor.hpp"
#include "actors/shell/storage_actor.hpp"
#include "persistence/memory_storage.hpp"
#include "persistence/sqlite_storage.hpp"

namespace synod {

namespace {

std::shared_ptr<stable_storage> open_storage(const node_config& c) {
  if (c.storage == "memory") return std::make_shared<memory_storage>();
  return std::make_shared<sqlite_storage>(
      sqlite_options{c.node_dir() + "/synod.db", c.group, c.id, 0});
}

}  // namespace

wiring start_node(caf::actor_system& system, const node_config& config) {
  validate(config);
  // The member's own address first: a member that cannot have it (port in use, host unknown or
  // not on this machine) fails here, before it opens its storage or talks to any peer.
  const auto& self = config.self();
  frame_guard_config guard;
  guard.host = self.host;
  guard.port = self.port;
  guard.max_frame_bytes = config.max_frame_bytes();
  guard.self = config.id;
  std::shared_ptr<frame_guard> listening;
  try {
    listening = std::make_shared<frame_guard>(guard);
  } catch (const std::exception& e) {
    throw start_error(e.what());
  }
  for (const auto& w : warnings(config)) spdlog::warn("node {}: {}", config.id, w);
  auto storage = open_storage(config);
  recovered_state recovered = storage->recover(config.protocol.learner.memory_slots);
  if (recovered.group_id == 0) {  // a new database: a candidate id, until it meets its group
    const std::uint64_t id = random_id();
    storage->commit({group_record{id}});
    recovered.group_id = id;
  }
  if (recovered.database_id == 0) {  // made by a version without database ids, or new
    const std::uint64_t id = random_id();
    storage->commit({database_record{id}});
    recovered.database_id = id;
  }
  const member_config cores = config.cores();
  const auto tick = config.tick;
  wiring w;
  w.guard = listening;
  w.storage = system.spawn<caf::detached>(storage_actor, storage);
  w.acceptor = system.spawn(acceptor_actor, recovered, cores.read_ack_page_bytes);
  w.leader = system.spawn(leader_actor, config.id, config.view(), cores.leader, recovered, tick);
  w.learner = system.spawn(learner_actor, config.id, cores.learner, recovered, tick);
  w.detector = system.spawn(failure_detector_actor, config.id, config.view(),
                            cores.failure_detector, recovered.incarnation + 1, tick);
  w.front = system.spawn(front_actor, config.id, cores.broadcast, recovered, tick);
  peer_admission admission(config.members.size(), recovered.group_id, recovered.has_history(),
                           recovered.members_with_history, recovered.database_id,
                           recovered.incarnation + 1);
  if (config.storage == "memory") admission.set_volatile();
  w.transport = system.spawn(transport_actor, config.transport(), std::move(admission));
  // The middleman listens on loopback only; the member's own address belongs to the guard, which
  // checks every frame's length before the middleman allocates it.
  auto inner = system.middleman().publish(w.transport, 0, "127.0.0.1", true);
  if (!inner) {
    stop_node(w);  // so the actor system can still shut down
    throw start_error("cannot listen on 127.0.0.1 for the middleman: " +
                      system.render(inner.error()));
  }
  w.guard->start(*inner);
  for (const auto& role : {w.acceptor, w.leader, w.learner, w.detector, w.front, w.transport})
    caf::anon_send(role, w);
  spdlog::info("node {} of group '{}' ({:016x}) listening on {}:{}, {} storage in {}", config.id,
               config.group, recovered.group_id, self.host, w.guard->port(), config.storage,
               config.node_dir());
  return w;
}

}  // namespace synod
