// Which peers' frames a member takes: the group identity check. Every frame carries the sender's
// group id (random, made at a member's first start), whether the sender has taken part in the
// group (promised, accepted or delivered something: it has "history"), the id of its database
// (random, made when the database was) and its incarnation (one more at every start).
//
// - Same group id: taken.
// - A member without history takes the id of a peer that has history (it is joining a running
//   group), and of a peer without history whose id is smaller (members starting together agree
//   on the smallest): nothing it promised can depend on the id, since frames of another id never
//   reached its roles.
// - Both with history and different ids: the peer's database was made by another group. It is
//   refused; a member that most of its group refuses stops (it is the stranger).
// - A peer recorded (durably, when seen with history) with one database that comes back with
//   another, or without history, lost its database and with it what it promised: refused, and
//   it stops. It is refused at its first frame, before it could answer anything (it would take
//   part again as soon as it accepted a value, and then claim history).
// - A peer that comes back with an incarnation older than one seen before runs on a copy of its
//   database older than its last run (a restored backup): what it promised since is lost too.
// Pure: the transport acts on the verdicts and stores the records.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "messaging/ids.hpp"
#include "messaging/messages.hpp"
#include "persistence/records.hpp"

namespace synod {

enum class refusal_reason : std::uint8_t {
  foreign_group = 1,   // both have history under different group ids
  lost_database = 2,   // the peer had history and has none now, or another database
  duplicate_id = 3,    // another process already is this member
  older_database = 4,  // the peer runs on a copy of its database older than its last run
};

// Who a frame's sender says it is.
struct sender_identity {
  std::uint64_t group_id = 0;
  bool history = false;
  std::uint64_t database_id = 0;  // 0: not said (an older version)
  std::uint64_t incarnation = 0;  // 0: not said
};

class peer_admission {
 public:
  peer_admission(std::size_t group_size, std::uint64_t group_id, bool history,
                 std::map<node_id, peer_identity> members_with_history,
                 std::uint64_t database_id = 0, std::uint64_t incarnation = 0);

  enum class verdict { take, drop, refuse };
  struct outcome {
    verdict what = verdict::take;
    refusal_reason reason = refusal_reason::foreign_group;  // for refuse
    std::vector<durable_record> store;                      // before anything is taken
  };

  // A frame from `peer` claiming to be `who`.
  outcome admit(node_id peer, const sender_identity& who);
  // What this member's frames say of it.
  sender_identity identity() const { return {group_id_, history_, database_id_, incarnation_}; }

  // `peer` refused this member. Returns why this member must stop, if it must.
  std::optional<std::string> refused_by(node_id peer, refusal_reason reason,
                                        std::uint64_t their_group_id);

  // A message this member sends: a read_ack follows a durable promise, a write_ack a durable
  // accept, a heartbeat with a delivered position durable deliveries; each means it has taken
  // part.
  void on_sending(const wire_message& m);
  // This member accepted or delivered something (durably). A member without forced logs
  // (storage "memory") never claims history: it forgets everything at every restart by design,
  // and its peers must not take that for a lost database.
  void history_began() { history_ = durable_; }
  void set_volatile() { durable_ = history_ = false; }

  std::uint64_t group_id() const { return group_id_; }
  // Whether this member has recorded that `peer` took part.
  bool knows_history_of(node_id peer) const { return with_history_.count(peer) > 0; }
  // Why `peer`, as recorded, may not be `who` (nothing: it may).
  std::optional<refusal_reason> impostor(node_id peer, const sender_identity& who) const;
  // A frame `peer` sent in the run recorded here, from the database recorded here, before it
  // took part, that arrives after frames that said it did (frames that wait may be overtaken: an
  // injected delay reorders a link). Old news, not an amnesiac: dropped (the link sends its
  // payload again), not refused. An empty database has another id, a restart a later run.
  bool stale(node_id peer, const sender_identity& who) const;
  bool history() const { return history_; }

 private:
  std::size_t group_size_;
  std::uint64_t group_id_;
  bool history_;
  bool durable_ = true;
  std::uint64_t database_id_;
  std::uint64_t incarnation_;
  std::map<node_id, peer_identity> with_history_;
  std::set<node_id> refused_by_foreign_;
};

// Why a member is refused, told to the refused member or by the one that refuses.
std::string describe(refusal_reason reason, bool to_the_refused);

}  // namespace synod
