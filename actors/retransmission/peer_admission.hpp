// Which peers' frames a member takes: the group identity check. Every frame carries the sender's
// group id (random, made at a member's first start) and whether the sender has taken part in the
// group (accepted or delivered something: it has "history").
//
// - Same group id: taken.
// - A member without history takes the id of a peer that has history (it is joining a running
//   group), and of a peer without history whose id is smaller (members starting together agree
//   on the smallest): nothing it promised can depend on the id, since frames of another id never
//   reached its roles.
// - Both with history and different ids: the peer's database was made by another group. It is
//   refused; a member that most of its group refuses stops (it is the stranger).
// - A peer that had history (recorded durably when first seen) and now comes back without any
//   lost its database, and with it what it promised: refused, and it stops.
// Pure: the transport acts on the verdicts and stores the records.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "messaging/ids.hpp"
#include "messaging/messages.hpp"
#include "persistence/records.hpp"

namespace synod {

enum class refusal_reason : std::uint8_t {
  foreign_group = 1,  // both have history under different group ids
  lost_database = 2,  // the peer had history and has none now
  duplicate_id = 3,   // another process already is this member
};

class peer_admission {
 public:
  peer_admission(std::size_t group_size, std::uint64_t group_id, bool history,
                 std::set<node_id> members_with_history);

  enum class verdict { take, drop, refuse };
  struct outcome {
    verdict what = verdict::take;
    refusal_reason reason = refusal_reason::foreign_group;  // for refuse
    std::vector<durable_record> store;                      // before anything is taken
  };

  // A frame from `peer` claiming `group_id` and `history`.
  outcome admit(node_id peer, std::uint64_t group_id, bool history);

  // `peer` refused this member. Returns why this member must stop, if it must.
  std::optional<std::string> refused_by(node_id peer, refusal_reason reason,
                                        std::uint64_t their_group_id);

  // A message this member sends: a write_ack follows a durable accept, a heartbeat with a
  // delivered position follows durable deliveries; either means it has taken part.
  void on_sending(const wire_message& m);
  // This member accepted or delivered something (durably). A member without forced logs
  // (storage "memory") never claims history: it forgets everything at every restart by design,
  // and its peers must not take that for a lost database.
  void history_began() { history_ = durable_; }
  void set_volatile() { durable_ = history_ = false; }

  std::uint64_t group_id() const { return group_id_; }
  bool history() const { return history_; }

 private:
  std::size_t group_size_;
  std::uint64_t group_id_;
  bool history_;
  bool durable_ = true;
  std::set<node_id> with_history_;
  std::set<node_id> refused_by_foreign_;
};

// Why a member is refused, told to the refused member or by the one that refuses.
std::string describe(refusal_reason reason, bool to_the_refused);

}  // namespace synod
