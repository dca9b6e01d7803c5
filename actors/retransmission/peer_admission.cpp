#include "actors/retransmission/peer_admission.hpp"

namespace synod {

peer_admission::peer_admission(std::size_t group_size, std::uint64_t group_id, bool history,
                               std::set<node_id> members_with_history)
    : group_size_(group_size),
      group_id_(group_id),
      history_(history),
      with_history_(std::move(members_with_history)) {}

peer_admission::outcome peer_admission::admit(node_id peer, std::uint64_t group_id, bool history) {
  outcome out;
  if (!history && with_history_.count(peer)) {
    out.what = verdict::refuse;
    out.reason = refusal_reason::lost_database;
    return out;
  }
  if (group_id != group_id_) {
    if (history_ && history) {
      out.what = verdict::refuse;
      out.reason = refusal_reason::foreign_group;
      return out;
    }
    const bool join = !history_ && (history || group_id < group_id_);
    if (!join) {  // the peer takes ours once it hears from us
      out.what = verdict::drop;
      return out;
    }
    group_id_ = group_id;
    refused_by_foreign_.clear();
    out.store.push_back(group_record{group_id_});
  }
  if (history && with_history_.insert(peer).second)
    out.store.push_back(member_history_record{peer});
  return out;
}

void peer_admission::on_sending(const wire_message& m) {
  if (history_) return;
  if (std::holds_alternative<write_ack>(m) ||
      (std::holds_alternative<heartbeat>(m) && std::get<heartbeat>(m).delivered_up_to > 0))
    history_began();
}

std::optional<std::string> peer_admission::refused_by(node_id peer, refusal_reason reason,
                                                      std::uint64_t their_group_id) {
  const std::string who = "node " + std::to_string(peer) + " refuses this member: ";
  switch (reason) {
    case refusal_reason::lost_database:
    case refusal_reason::duplicate_id:
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
             " took part in the group before and its database is empty now: what it promised "
             "is lost. Restore its data directory (or replace the member)";
    case refusal_reason::duplicate_id:
      return to_the_refused ? "another process already is this member (at its configured address)"
                            : "another process already is that member (at its configured address)";
  }
  return "refused";
}

}  // namespace synod
