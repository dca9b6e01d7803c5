// A group chat on synod, an example of a group application built on the public API
// (include/synod/group.hpp): each line typed is TO-Broadcast as a chat_line; every participant
// prints the lines as they are delivered, so all of them see the same conversation, in the
// same order.
#pragma once

#include <boost/serialization/string.hpp>
#include <caf/all.hpp>
#include <functional>
#include <iosfwd>
#include <string>

#include <synod/group.hpp>

namespace synod::chat {

struct chat_line {
  std::string name;
  std::string text;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& name& text;
  }
};

// Joins the conversation through `member` as `name`: prints every delivered line to `out`
// (from the first one if `history`, else from now on) and broadcasts each line of `in` until
// it ends. Returns once every line read was delivered and printed. If the member goes away,
// `lost` is called (from another thread) at once, whatever the input does.
void run(caf::actor_system& system, const group_member& member, const std::string& name,
         bool history, std::istream& in, std::ostream& out, std::function<void()> lost);

}  // namespace synod::chat
