#include "apps/chat/chat.hpp"

#include <iostream>
#include <thread>

namespace synod::chat {

namespace {

// Prints the conversation as the member delivers it.
caf::behavior printer(caf::event_based_actor*, std::ostream* out) {
  return {
      [out](const delivered_batch& b) {
        for (const auto& m : b.messages) {
          try {
            const auto line = decode_payload<chat_line>(m.payload);
            *out << line.name << ": " << line.text << std::endl;
          } catch (const std::exception&) {
            // Not a chat line (someone else broadcasts in this group): not ours to show.
          }
        }
      },
      [](const subscribe_reply&) {
        std::cerr << "joined; type a line and press Enter to send it, Ctrl-D to leave" << std::endl;
      },
  };
}

// Broadcasts one line and waits until the member delivered it, offering it again while the
// member is busy.
void say(caf::scoped_actor& self, const group_member& member, const chat_line& line) {
  for (;;) {
    member.broadcast(self.ptr(), {encode_payload(line)});
    bool delivered = false;
    self->receive([&](const broadcast_reply& r) { delivered = r.error.empty(); },
                  caf::after(std::chrono::seconds(30)) >>
                      [] { throw std::runtime_error("the member did not deliver within 30 s"); });
    if (delivered) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

void run(caf::actor_system& system, const group_member& member, const std::string& name,
         bool history, std::istream& in, std::ostream& out) {
  auto view = system.spawn(printer, &out);
  member.subscribe(view, history ? 1 : 0);
  caf::scoped_actor self{system};
  for (std::string text; std::getline(in, text);)
    if (!text.empty()) say(self, member, chat_line{name, text});
  caf::anon_send_exit(view, caf::exit_reason::user_shutdown);
}

}  // namespace synod::chat
