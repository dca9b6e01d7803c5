// CAF's view of the types that cross process boundaries: inspect overloads, atoms, and the one
// function that registers them. Include only from actor shells and apps (it pulls in CAF).
#pragma once

#include <caf/all.hpp>

#include "messaging/client_api.hpp"
#include "messaging/frame.hpp"

namespace synod {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message_id& x) {
  return f(caf::meta::type_name("message_id"), x.origin, x.seq);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_message& x) {
  return f(caf::meta::type_name("client_message"), x.id, x.payload);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, frame& x) {
  return f(caf::meta::type_name("frame"), x.from, x.session, x.seq, x.ack_session, x.ack, x.highest,
           x.bytes, x.group_id, x.history, x.database_id, x.incarnation);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, link_refusal& x) {
  return f(caf::meta::type_name("link_refusal"), x.from, x.reason, x.group_id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, broadcast_request& x) {
  return f(caf::meta::type_name("broadcast_request"), x.payloads, x.tag);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, broadcast_reply& x) {
  return f(caf::meta::type_name("broadcast_reply"), x.ids, x.error, x.tag, x.busy);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivered_batch& x) {
  return f(caf::meta::type_name("delivered_batch"), x.node, x.slot, x.messages);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_gap& x) {
  return f(caf::meta::type_name("delivery_gap"), x.node, x.first, x.last);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscribe_request& x) {
  return f(caf::meta::type_name("subscribe_request"), x.from_slot, x.checkpoints);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_transfer& x) {
  return f(caf::meta::type_name("checkpoint_transfer"), x.node, x.first, x.slot, x.state);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscribe_reply& x) {
  return f(caf::meta::type_name("subscribe_reply"), x.delivered_up_to);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_request& x) {
  return f(caf::meta::type_name("history_request"), x.from_slot, x.max_bytes);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_reply& x) {
  return f(caf::meta::type_name("history_reply"), x.batches, x.delivered_up_to, x.truncated_up_to);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_request&) {
  return f(caf::meta::type_name("status_request"));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, link_status& x) {
  return f(caf::meta::type_name("link_status"), x.peer, x.connected, x.unacked_bytes,
           x.queued_payloads, x.resent_frames, x.peer_delivered_up_to);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_reply& x) {
  return f(caf::meta::type_name("status_reply"), x.node, x.group, x.storage, x.leader,
           x.decided_up_to, x.delivered_up_to, x.delivered_messages, x.delivered_bytes,
           x.messages_per_second, x.bytes_per_second, x.uptime_ms, x.links, x.undelivered,
           x.undelivered_bytes, x.held, x.waiting_slots, x.delivered_digest, x.truncated_up_to,
           x.subscribers, x.subscriber_lag, x.checkpoint_slot, x.transfer_slot, x.transfer_received,
           x.transfer_size, x.transfers_done);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_offer& x) {
  return f(caf::meta::type_name("checkpoint_offer"), x.slot, x.state);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_offer_reply& x) {
  return f(caf::meta::type_name("checkpoint_offer_reply"), x.kept, x.error);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_query&) {
  return f(caf::meta::type_name("checkpoint_query"));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_reply& x) {
  return f(caf::meta::type_name("checkpoint_reply"), x.slot, x.state);
}

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;

// Registers every type above, on both sides of every connection.
inline void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<message_id>("synod::message_id");
  cfg.add_message_type<std::vector<message_id>>("std::vector<synod::message_id>");
  cfg.add_message_type<client_message>("synod::client_message");
  cfg.add_message_type<std::vector<client_message>>("std::vector<synod::client_message>");
  cfg.add_message_type<frame>("synod::frame");
  cfg.add_message_type<link_refusal>("synod::link_refusal");
  cfg.add_message_type<broadcast_request>("synod::broadcast_request");
  cfg.add_message_type<broadcast_reply>("synod::broadcast_reply");
  cfg.add_message_type<delivered_batch>("synod::delivered_batch");
  cfg.add_message_type<delivery_gap>("synod::delivery_gap");
  cfg.add_message_type<subscribe_request>("synod::subscribe_request");
  cfg.add_message_type<checkpoint_transfer>("synod::checkpoint_transfer");
  cfg.add_message_type<subscribe_reply>("synod::subscribe_reply");
  cfg.add_message_type<std::vector<delivered_batch>>("std::vector<synod::delivered_batch>");
  cfg.add_message_type<history_request>("synod::history_request");
  cfg.add_message_type<history_reply>("synod::history_reply");
  cfg.add_message_type<status_request>("synod::status_request");
  cfg.add_message_type<link_status>("synod::link_status");
  cfg.add_message_type<std::vector<link_status>>("std::vector<synod::link_status>");
  cfg.add_message_type<status_reply>("synod::status_reply");
  cfg.add_message_type<checkpoint_offer>("synod::checkpoint_offer");
  cfg.add_message_type<checkpoint_offer_reply>("synod::checkpoint_offer_reply");
  cfg.add_message_type<checkpoint_query>("synod::checkpoint_query");
  cfg.add_message_type<checkpoint_reply>("synod::checkpoint_reply");
}

}  // namespace synod
