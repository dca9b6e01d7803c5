#include "apps/chat/chat.hpp"

#include <atomic>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

namespace synod::chat {

namespace {

// How far the printer got, read by the thread that reads the input.
struct progress {
  std::atomic<slot_t> printed_up_to{0};
  std::atomic<slot_t> history_up_to{0};  // what was delivered when it subscribed
  std::atomic<bool> subscribed{false};
};

// Prints the conversation as the member delivers it; calls `lost` if the member goes away.
caf::behavior printer(caf::event_based_actor* self, std::ostream* out, caf::actor member,
                      std::shared_ptr<progress> seen, std::function<void()> lost) {
  self->monitor(member);
  self->set_down_handler([lost](const caf::down_msg&) { lost(); });
  return {
      [out, seen](const delivered_batch& b) {
        for (const auto& m : b.messages) {
          try {
            const auto line = decode_payload<chat_line>(m.payload);
            *out << line.name << ": " << line.text << std::endl;
          } catch (const std::exception&) {
            // Not a chat line (someone else broadcasts in this group): not ours to show.
          }
        }
        seen->printed_up_to = b.slot;
      },
      [out, seen](const delivery_gap& g) {
        *out << "(lines in slots " << g.first << " to " << g.last
             << " are gone: the log was truncated before they reached you)" << std::endl;
        seen->printed_up_to = g.last;
      },
      [seen](const subscribe_reply& r) {
        seen->history_up_to = r.delivered_up_to;
        seen->subscribed = true;
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

// Waits (up to `limit`) until `ready` holds.
template <class Predicate>
bool wait_for(Predicate ready, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace

void run(caf::actor_system& system, const group_member& member, const std::string& name,
         bool history, std::istream& in, std::ostream& out, std::function<void()> lost) {
  auto seen = std::make_shared<progress>();
  auto view = system.spawn(printer, &out, member.endpoint(), seen, std::move(lost));
  member.subscribe(view, history ? 1 : 0);
  caf::scoped_actor self{system};
  for (std::string text; std::getline(in, text);)
    if (!text.empty()) say(self, member, chat_line{name, text});
  // The input ended: print what the member delivered up to now (the history, the last lines)
  // before leaving.
  slot_t until = 0;
  self->request(member.endpoint(), std::chrono::seconds(5), status_request{})
      .receive([&](const status_reply& r) { until = r.delivered_up_to; }, [](const caf::error&) {});
  wait_for([&] { return seen->subscribed.load(); }, std::chrono::seconds(10));
  until = std::max(until, seen->history_up_to.load());
  wait_for([&] { return seen->printed_up_to >= until; }, std::chrono::seconds(10));
  caf::anon_send_exit(view, caf::exit_reason::user_shutdown);
}

}  // namespace synod::chat
