// synod-scenario: runs scenario files, stories of a small group told one step at a time, and
// checks that each step still has the printed effects the file records. A file is a sequence of
// blocks:
//
//   # comments and blank lines are kept as they are
//   broadcast 2 x
//   ----
//   2->1 forward [x]
//
// Each command runs over a sync_group (the composition production runs, with commits durable
// at once); the lines under `----` are what it printed. With --rewrite the files are written
// back with what the commands print now, for a reader to review the difference.
//
// Commands:
//   group N [memory-slots=M]   a new group of N members (every file starts with one), keeping
//                           M delivered slots in memory (16 by default)
//   tick [ID...]            every role of the named members (all if none) ticks once
//   ticks K                 time passes: all members tick K times, each followed by stabilize;
//                           what was in flight before stays in flight (those links are slow)
//   broadcast ID WORD...    a client TO-Broadcasts WORD... (one message) through member ID
//   deliver A->B [drop]     delivers (or drops) what is in flight from A to B now; * for any
//   stabilize               delivers everything in flight, and what it causes, until none is left
//   crash ID / recover ID   a member crashes (what is in flight to it is lost) / restarts
//   delivered ID            what member ID delivered, slot by slot
//   state ID                its roles' state: leader view, round, promise, delivered position
//   hide KIND... / show KIND...   leave out (or print again) messages and notes of these kinds
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "messaging/overloaded.hpp"
#include "tests/sim/sync_group.hpp"

namespace synod::sim {
namespace {

std::string note_name(const note& n) {
  static const char* const names[] = {"accepted_here",  "round_seen",    "delivered_here",
                                      "leader_elected", "peer_progress", "local_progress",
                                      "forget_prefix",  "archive_read",  "archive_page"};
  static_assert(std::variant_size_v<note> == sizeof(names) / sizeof(names[0]));
  return names[n.index()];
}

std::string describe_note(const note& n) {
  return note_name(n) +
         std::visit(
             overloaded{
                 [](const accepted_here& x) {
                   return " slot " + std::to_string(x.accepted.slot) + " " +
                          to_string(x.accepted.round) + " " + payloads_of(x.accepted.value);
                 },
                 [](const round_seen& x) { return " " + to_string(x.round); },
                 [](const delivered_here& x) { return " slot " + std::to_string(x.what.slot); },
                 [](const leader_elected& x) { return " " + std::to_string(x.leader); },
                 [](const peer_progress& x) {
                   return " " + std::to_string(x.peer) + " delivered " +
                          std::to_string(x.delivered_up_to);
                 },
                 [](const local_progress& x) {
                   return " delivered " + std::to_string(x.delivered_up_to);
                 },
                 [](const forget_prefix& x) { return " up to " + std::to_string(x.up_to); },
                 [](const archive_read& x) {
                   return " for " + std::to_string(x.peer) + " from slot " +
                          std::to_string(x.from_slot);
                 },
                 [](const archive_page& x) {
                   return " for " + std::to_string(x.peer) + ", " + std::to_string(x.page.size()) +
                          " slots";
                 },
             },
             n);
}

struct block {
  std::string preamble;  // comments and blank lines before the command, verbatim
  std::string command;
  std::vector<std::string> expected;
};

struct scenario_file {
  std::vector<block> blocks;
  std::string trailer;  // comments after the last command
};

// Throws std::runtime_error with the line number on a malformed file.
scenario_file parse(std::istream& in) {
  scenario_file file;
  std::string line;
  std::string preamble;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') {
      preamble += line + "\n";
      continue;
    }
    block b{preamble, line, {}};
    preamble.clear();
    if (!std::getline(in, line) || line != "----")
      throw std::runtime_error("line " + std::to_string(number + 1) +
                               ": expected ---- after the command '" + b.command + "'");
    ++number;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) break;
      b.expected.push_back(line);
    }
    file.blocks.push_back(std::move(b));
  }
  file.trailer = preamble;
  return file;
}

class runner {
 public:
  std::vector<std::string> run(const std::string& command) {
    out_.clear();
    std::istringstream in(command);
    std::string verb;
    in >> verb;
    std::vector<std::string> args;
    for (std::string a; in >> a;) args.push_back(a);
    if (verb == "group") {
      member_config config = sync_group::default_config();
      for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i].rfind("memory-slots=", 0) != 0)
          throw std::runtime_error("unknown group option '" + args[i] + "'");
        config.learner.memory_slots = std::stoull(args[i].substr(13));
      }
      start_group(number(args, 0), config);
    } else if (!group_) {
      throw std::runtime_error("the file must start with 'group N'");
    } else if (verb == "tick") {
      std::vector<node_id> ids;
      for (std::size_t i = 0; i < args.size(); ++i) ids.push_back(member(args, i));
      group_->tick(ids);
    } else if (verb == "ticks") {
      auto held = group_->hold_in_flight();
      for (std::uint64_t i = number(args, 0); i > 0; --i) {
        group_->tick();
        group_->stabilize();
      }
      group_->release(std::move(held));
    } else if (verb == "broadcast") {
      const node_id id = member(args, 0);
      std::string payload;
      for (std::size_t i = 1; i < args.size(); ++i) payload += (i > 1 ? " " : "") + args[i];
      if (!group_->broadcast(id, payload)) out_.push_back(std::to_string(id) + " refuses: busy");
    } else if (verb == "deliver") {
      deliver(args);
    } else if (verb == "stabilize") {
      group_->stabilize();
    } else if (verb == "crash") {
      group_->crash(member(args, 0));
    } else if (verb == "recover") {
      const node_id id = member(args, 0);
      group_->recover(id);
      out_.push_back(std::to_string(id) + " recovered: delivered up to " +
                     std::to_string(group_->member(id).learner().delivered_up_to()) + ", promise " +
                     to_string(group_->member(id).acceptor().promised()));
    } else if (verb == "delivered") {
      const node_id id = member(args, 0);
      for (const auto& [slot, payload] : group_->delivered(id))
        out_.push_back("slot " + std::to_string(slot) + ": " + payload);
      if (group_->delivered(id).empty()) out_.push_back("nothing");
    } else if (verb == "state") {
      state(member(args, 0));
    } else if (verb == "hide" || verb == "show") {
      for (const auto& kind : args) {
        if (verb == "hide")
          hidden_.insert(kind);
        else
          hidden_.erase(kind);
      }
    } else {
      throw std::runtime_error("unknown command '" + verb + "'");
    }
    return out_;
  }

 private:
  static std::uint64_t number(const std::vector<std::string>& args, std::size_t i) {
    if (i >= args.size()) throw std::runtime_error("missing a number");
    return std::stoull(args[i]);
  }

  node_id member(const std::vector<std::string>& args, std::size_t i) const {
    const auto id = static_cast<node_id>(number(args, i));
    if (id < 1 || id > group_->size()) throw std::runtime_error("no member " + std::to_string(id));
    return id;
  }

  node_id endpoint(const std::string& s) const {
    if (s == "*") return 0;
    return member({s}, 0);
  }

  void start_group(std::uint64_t size, const member_config& config) {
    group_.emplace(size, config);
    group_->on_send = [this](const envelope& m) {
      if (!hidden_.count(kind_name(m.body)))
        out_.push_back(std::to_string(m.from) + "->" + std::to_string(m.to) + " " +
                       describe(m.body));
    };
    group_->on_receive = [this](const envelope& m, bool dropped) {
      if (dropped && !hidden_.count(kind_name(m.body)))
        out_.push_back("dropped " + std::to_string(m.from) + "->" + std::to_string(m.to) + " " +
                       describe(m.body));
    };
    group_->on_note = [this](node_id id, const note& n) {
      if (!hidden_.count(note_name(n)))
        out_.push_back(std::to_string(id) + ": " + describe_note(n));
    };
    group_->on_deliver = [this](node_id id, const delivery& d) {
      out_.push_back(std::to_string(id) + " delivers slot " + std::to_string(d.slot) + " " +
                     payloads_of(d.value));
    };
  }

  void deliver(const std::vector<std::string>& args) {
    if (args.empty()) throw std::runtime_error("deliver A->B [drop]");
    const auto arrow = args[0].find("->");
    if (arrow == std::string::npos) throw std::runtime_error("deliver A->B [drop]");
    const node_id from = endpoint(args[0].substr(0, arrow));
    const node_id to = endpoint(args[0].substr(arrow + 2));
    const bool drop = args.size() > 1 && args[1] == "drop";
    if (group_->deliver(from, to, drop) == 0) out_.push_back("nothing in flight");
  }

  void state(node_id id) {
    if (!group_->up(id)) {
      out_.push_back(std::to_string(id) + " is down");
      return;
    }
    auto& m = group_->member(id);
    out_.push_back("follows " + std::to_string(m.detector().leader()) + ", " +
                   (m.leader().leading() ? "leads " : "does not lead, last round ") +
                   to_string(m.leader().current_round()) + ", promise " +
                   to_string(m.acceptor().promised()) + ", delivered up to " +
                   std::to_string(m.learner().delivered_up_to()) + ", " +
                   std::to_string(m.front().undelivered()) + " broadcast(s) undelivered");
  }

  std::optional<sync_group> group_;
  std::set<std::string> hidden_;
  std::vector<std::string> out_;
};

std::string render(const scenario_file& file, const std::vector<std::vector<std::string>>& outs) {
  std::string text;
  for (std::size_t i = 0; i < file.blocks.size(); ++i) {
    text += file.blocks[i].preamble + file.blocks[i].command + "\n----\n";
    for (const auto& line : outs[i]) text += line + "\n";
    text += "\n";
  }
  // The blank line that ends the last block stands for the file's last newline.
  if (file.trailer.empty() && !text.empty()) text.pop_back();
  return text + file.trailer;
}

// Returns whether the file's recorded effects all still hold (or were rewritten).
bool run_file(const std::string& path, bool rewrite) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  scenario_file file;
  try {
    file = parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  runner r;
  std::vector<std::vector<std::string>> outs;
  bool same = true;
  for (const auto& b : file.blocks) {
    try {
      outs.push_back(r.run(b.command));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": '" + b.command + "': " + e.what());
    }
    if (outs.back() != b.expected && same && !rewrite) {
      same = false;
      std::cerr << path << ": '" << b.command << "' printed something else.\nexpected:\n";
      for (const auto& line : b.expected) std::cerr << "  " << line << "\n";
      std::cerr << "printed:\n";
      for (const auto& line : outs.back()) std::cerr << "  " << line << "\n";
      std::cerr << "(./run scenarios --rewrite records what it prints now)\n";
    }
  }
  if (rewrite) {
    std::ofstream(path) << render(file, outs);
    return true;
  }
  return same;
}

}  // namespace
}  // namespace synod::sim

int main(int argc, char** argv) {
  bool rewrite = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rewrite")
      rewrite = true;
    else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: synod-scenario [--rewrite] FILE...\n"
                   "Runs scenario files and checks each command's printed effects; with "
                   "--rewrite, records what they print now.\n";
      return 0;
    } else
      files.push_back(arg);
  }
  if (files.empty()) {
    std::cerr << "synod-scenario: no scenario file given (--help)\n";
    return 2;
  }
  int failed = 0;
  for (const auto& f : files) {
    try {
      if (synod::sim::run_file(f, rewrite)) {
        std::cout << (rewrite ? "rewrote " : "ok ") << f << "\n";
      } else {
        ++failed;
      }
    } catch (const std::exception& e) {
      std::cerr << "synod-scenario: " << e.what() << "\n";
      ++failed;
    }
  }
  return failed == 0 ? 0 : 1;
}
