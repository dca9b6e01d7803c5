#include "actors/composition/routing.hpp"

#include "actors/core/invariant.hpp"
#include "messaging/overloaded.hpp"

namespace synod {

namespace {

// What reaches a core that routing did not send it there.
const auto misrouted = [](const auto&) {
  SYNOD_INVARIANT(false, "a message or note reached a role that does not take it");
};

role_set one(role r) {
  return role_set{{r, r}, 1};
}
role_set two(role a, role b) {
  return role_set{{a, b}, 2};
}

}  // namespace

const char* to_string(role r) {
  switch (r) {
    case role::acceptor:
      return "acceptor";
    case role::leader:
      return "leader";
    case role::learner:
      return "learner";
    case role::detector:
      return "failure detector";
    case role::front:
      return "front";
    case role::storage:
      return "storage";
  }
  return "?";
}

role role_of(const wire_message& m) {
  return std::visit(overloaded{
                        [](const read_request&) { return role::acceptor; },
                        [](const write_request&) { return role::acceptor; },
                        [](const read_ack&) { return role::leader; },
                        [](const read_nack&) { return role::leader; },
                        [](const write_ack&) { return role::leader; },
                        [](const write_nack&) { return role::leader; },
                        [](const forward&) { return role::leader; },
                        [](const lead_ack&) { return role::leader; },
                        [](const decision&) { return role::learner; },
                        [](const catch_up_request&) { return role::learner; },
                        [](const ledger_snapshot&) { return role::learner; },
                        [](const checkpoint_chunk_request&) { return role::learner; },
                        [](const checkpoint_chunk&) { return role::learner; },
                        [](const heartbeat&) { return role::detector; },
                        [](const lead_probe&) { return role::detector; },
                    },
                    m);
}

role_set roles_of(const note& n) {
  return std::visit(overloaded{
                        [](const accepted_here&) { return one(role::learner); },
                        [](const round_seen&) { return one(role::leader); },
                        [](const delivered_here&) { return two(role::leader, role::front); },
                        [](const leader_elected&) { return two(role::leader, role::front); },
                        [](const peer_progress&) { return one(role::learner); },
                        [](const local_progress&) { return one(role::detector); },
                        [](const forget_prefix&) { return two(role::acceptor, role::learner); },
                        [](const archive_read&) { return one(role::storage); },
                        [](const archive_page&) { return one(role::learner); },
                    },
                    n);
}

void feed(acceptor& core, node_id from, const wire_message& m) {
  std::visit(overloaded{[&](const read_request& x) { core.step(from, x); },
                        [&](const write_request& x) { core.step(from, x); }, misrouted},
             m);
}

void feed(leader& core, node_id from, const wire_message& m) {
  std::visit(overloaded{[&](const read_ack& x) { core.step(from, x); },
                        [&](const read_nack& x) { core.step(from, x); },
                        [&](const write_ack& x) { core.step(from, x); },
                        [&](const write_nack& x) { core.step(from, x); },
                        [&](const forward& x) { core.step(from, x); },
                        [&](const lead_ack& x) { core.step(from, x); }, misrouted},
             m);
}

void feed(learner& core, node_id from, const wire_message& m) {
  std::visit(overloaded{[&](const decision& x) { core.step(from, x); },
                        [&](const catch_up_request& x) { core.step(from, x); },
                        [&](const ledger_snapshot& x) { core.step(from, x); },
                        [&](const checkpoint_chunk_request& x) { core.step(from, x); },
                        [&](const checkpoint_chunk& x) { core.step(from, x); }, misrouted},
             m);
}

void feed(failure_detector& core, node_id from, const wire_message& m) {
  std::visit(overloaded{[&](const heartbeat& x) { core.step(from, x); },
                        [&](const lead_probe& x) { core.step(from, x); }, misrouted},
             m);
}

void feed(broadcast_front&, node_id, const wire_message& m) {
  std::visit(misrouted, m);
}

void take(acceptor& core, const note& n) {
  std::visit(overloaded{[&](const forget_prefix& x) { core.forget_up_to(x.up_to); }, misrouted}, n);
}

void take(leader& core, const note& n) {
  std::visit(
      overloaded{[&](const round_seen& x) { core.on_round_seen(x.round); },
                 [&](const delivered_here& x) { core.on_delivery(x.what); },
                 [&](const leader_elected& x) { core.on_leader_change(x.leader); }, misrouted},
      n);
}

void take(learner& core, const note& n) {
  std::visit(
      overloaded{[&](const accepted_here& x) { core.on_local_accept(x.accepted); },
                 [&](const peer_progress& x) {
                   core.on_peer_progress(x.peer, x.delivered_up_to, x.retained_from);
                 },
                 [&](const forget_prefix& x) { core.forget_up_to(x.up_to); },
                 [&](const archive_page& x) { core.on_archive_page(x.peer, x.page); }, misrouted},
      n);
}

void take(failure_detector& core, const note& n) {
  std::visit(overloaded{[&](const local_progress& x) {
                          core.on_local_progress(x.delivered_up_to, x.retained_from);
                        },
                        misrouted},
             n);
}

void take(broadcast_front& core, const note& n) {
  std::visit(
      overloaded{[&](const delivered_here& x) { core.on_delivery(x.what); },
                 [&](const leader_elected& x) { core.on_leader_change(x.leader); }, misrouted},
      n);
}

}  // namespace synod
