#include "actors/retransmission/peer_admission.hpp"

#include <algorithm>

namespace synod {

peer_admission::peer_admission(std::size_t group_size, std::uint64_t group_id, bool history,
                               std::map<node_id, peer_identity> members_with_history,
                               std::uint64_t database_id, std::uint64_t incarnation)
    : group_size_(group_size),
      group_id_(group_id),
      history_(history),
      database_id_(database_id),
      incarnation_(incarnation),
      with_history_(std::move(members_with_history)) {}

std::optional<refusal_reason> peer_admission::impostor(node_id peer,
                                                       const sender_identity& who) const {
  auto known = with_history_.find(peer);
  if (known == with_history_.end()) return std::nullopt;
  const peer_identity& seen = known->second;
  if (seen.database_id != 0 && who.database_id != 0 && who.database_id != seen.database_id)
    return refusal_reason::lost_database;
  if (!who.history) return refusal_reason::lost_database;
  if (who.incarnation != 0 && who.incarnation < seen.incarnation)
    return refusal_reason::older_database;
  return std::nullopt;
}

bool peer_admission::stale(node_id peer, const sender_identity& who) const {
  auto known = with_history_.find(peer);
  return known != with_history_.end() && !who.history && who.database_id != 0 &&
         who.database_id == known->second.database_id && who.incarnation != 0 &&
         who.incarnation == known->second.incarnation;
}

peer_admission::outcome peer_admission::admit(node_id peer, const sender_identity& who) {
  outcome out;
  if (stale(peer, who)) {
    out.what = verdict::drop;
    return out;
  }
  // Another group's member first: its databases are not the ones recorded here (and what it
  // recorded of ours means nothing to us), and only a majority's refusal stops it.
  if (who.group_id != group_id_ && history_ && who.history) {
    out.what = verdict::refuse;
    out.reason = refusal_reason::foreign_group;
    return out;
  }
  if (auto why = impostor(peer, who)) {
    out.what = verdict::refuse;
    out.reason = *why;
    return out;
  }
  const std::uint64_t group_id = who.group_id;
  const bool history = who.history;
  if (group_id != group_id_) {
    const bool join = !history_ && (history || group_id < group_id_);
    if (!join) {  // the peer takes ours once it hears from us
      out.what = verdict::drop;
      return out;
    }
    group_id_ = group_id;
    refused_by_foreign_.clear();
    out.store.push_back(group_record{group_id_});
  }
  if (history) {
    // Recorded when first seen taking part, and again when it runs a later incarnation (or says
    // its database id for the first time).
    auto [it, first] =
        with_history_.try_emplace(peer, peer_identity{who.database_id, who.incarnation});
    peer_identity& seen = it->second;
    if (!first &&
        (who.incarnation > seen.incarnation || (seen.database_id == 0 && who.database_id != 0))) {
      seen.incarnation = std::max(seen.incarnation, who.incarnation);
      if (seen.database_id == 0) seen.database_id = who.database_id;
      first = true;
    }
    if (first) out.store.push_back(member_history_record{peer, seen});
  }
  return out;
}

void peer_admission::on_sending(const wire_message& m) {
  if (history_) return;
  // A promise is state too: an acceptor that forgot one could help choose a second value.
  if (std::holds_alternative<read_ack>(m) || std::holds_alternative<write_ack>(m) ||
      (std::holds_alternative<heartbeat>(m) && std::get<heartbeat>(m).delivered_up_to > 0))
    history_began();
}

std::optional<std::string> peer_admission::refused_by(node_id peer, refusal_reason reason,
                                                      std::uint64_t their_group_id) {
  const std::string who = "node " + std::to_string(peer) + " refuses this member: ";
  switch (reason) {
    case refusal_reason::lost_database:
    case refusal_reason::duplicate_id:
    case refusal_reason::older_database:
      return who + describe(reason, true);
    case refusal_reason::foreign_group:
      if (their_group_id == group_id_) return std::nullopt;  // stale: we agree by now
      refused_by_foreign_.insert(peer);
      // Stop only when most of the other members refuse: then this member is the stranger,
      // not the one that refuses it.
      if (refused_by_foreign_.size() >= (group_size_ - 1) / 2 + 1)
        return who + describe(reason, true);
      return std::nullopt;
  }
  return std::nullopt;
}

std::string describe(refusal_reason reason, bool to_the_refused) {
  switch (reason) {
    case refusal_reason::foreign_group:
      return to_the_refused
                 ? "this member's database belongs to another group (another group id, and both "
                   "have taken part): a data directory copied from another group?"
                 : "its database belongs to another group (another group id, and both have "
                   "taken part): a data directory copied from another group?";
    case refusal_reason::lost_database:
      return std::string(to_the_refused ? "this member" : "it") +
             " took part in the group before and its database is empty or another one now: "
             "what it promised is lost. Restore its data directory (or replace the member)";
    case refusal_reason::older_database:
      return std::string(to_the_refused ? "this member" : "it") +
             " runs on a copy of its database older than its last run (restored from a "
             "backup?): what it promised since is lost. Restore the newest data directory (or "
             "replace the member)";
    case refusal_reason::duplicate_id:
      return to_the_refused ? "another process already is this member (at its configured address)"
                            : "another process already is that member (at its configured address)";
  }
  return "refused";
}

}  // namespace synod
