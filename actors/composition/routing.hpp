// The one place that says which role of a member takes what: each wire message from a peer, and
// each note one role leaves for another. The simulator and the actor shells route with these
// functions and feed the cores with these functions, so production runs the composition the
// simulator proves.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "actors/acceptor/acceptor.hpp"
#include "actors/composition/notes.hpp"
#include "actors/failure_detector/failure_detector.hpp"
#include "actors/front/front.hpp"
#include "actors/leader/leader.hpp"
#include "actors/learner/learner.hpp"

namespace synod {

// The roles of a member. `storage` is no core: the driver answers its notes from stable storage.
enum class role : std::uint8_t { acceptor, leader, learner, detector, front, storage };
constexpr std::size_t role_count = 6;
const char* to_string(role r);

// The roles a note is for, in the order they take it.
struct role_set {
  std::array<role, 2> roles{};
  std::size_t size = 0;
  const role* begin() const { return roles.data(); }
  const role* end() const { return roles.data() + size; }
};

role role_of(const wire_message& m);
role_set roles_of(const note& n);

// Hands a wire message from `from` to the core that role_of names; a message for another role is
// a wiring bug (an invariant failure).
void feed(acceptor& core, node_id from, const wire_message& m);
void feed(leader& core, node_id from, const wire_message& m);
void feed(learner& core, node_id from, const wire_message& m);
void feed(failure_detector& core, node_id from, const wire_message& m);
void feed(broadcast_front& core, node_id from, const wire_message& m);  // takes none

// Hands a note to a core that roles_of names.
void take(acceptor& core, const note& n);
void take(leader& core, const note& n);
void take(learner& core, const note& n);
void take(failure_detector& core, const note& n);
void take(broadcast_front& core, const note& n);

}  // namespace synod
