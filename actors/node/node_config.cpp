#include "actors/node/node_config.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <caf/all.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace synod {

namespace {

using caf::config_value;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw config_error(where + ": " + what);
}

std::int64_t integer_of(const config_value& v, const std::string& where) {
  if (auto x = caf::get_if<config_value::integer>(&v)) return *x;
  bad(where, "expected a whole number, got " + caf::to_string(v));
}

double real_of(const config_value& v, const std::string& where) {
  if (auto x = caf::get_if<config_value::real>(&v)) return *x;
  if (auto x = caf::get_if<config_value::integer>(&v)) return static_cast<double>(*x);
  bad(where, "expected a number, got " + caf::to_string(v));
}

std::string string_of(const config_value& v, const std::string& where) {
  if (auto x = caf::get_if<config_value::string>(&v)) return *x;
  bad(where, "expected a quoted string, got " + caf::to_string(v));
}

std::chrono::milliseconds duration_of(const config_value& v, const std::string& where) {
  if (auto x = caf::get_if<config_value::timespan>(&v))
    return std::chrono::duration_cast<std::chrono::milliseconds>(*x);
  bad(where, "expected a duration such as 50ms or 2s, got " + caf::to_string(v));
}

// A count's type only; what range works is each core's to say (its config's problems()).
std::size_t count(std::int64_t v, const std::string& where) {
  if (v < 0) bad(where, "must not be negative");
  return static_cast<std::size_t>(v);
}

std::size_t positive(std::int64_t v, const std::string& where) {
  if (v < 1) bad(where, "must be at least 1");
  return static_cast<std::size_t>(v);
}

std::size_t non_negative(std::int64_t v, const std::string& where) {
  if (v < 0) bad(where, "must be 0 (no bound) or more");
  return static_cast<std::size_t>(v);
}

double share(double v, const std::string& where) {
  if (v < 0 || v > 1) bad(where, "must be between 0 and 1");
  return v;
}

unsigned ticks(std::chrono::milliseconds d, std::chrono::milliseconds tick) {
  return static_cast<unsigned>(std::max<std::int64_t>(1, d.count() / tick.count()));
}

}  // namespace

namespace {

// Digits only, within [min, max]: "1x", "+1", " 1" and overflow are not numbers here.
std::optional<std::uint64_t> strict_number(const std::string& text, std::uint64_t min,
                                           std::uint64_t max) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  if (n < min || n > max) return std::nullopt;
  return n;
}

}  // namespace

member_address parse_member(const std::string& text) {
  const auto at = text.find('@');
  const auto colon = text.rfind(':');
  if (at == std::string::npos || colon == std::string::npos || colon < at)
    throw config_error("member '" + text + "' is not of the form ID@HOST:PORT");
  const auto id = strict_number(text.substr(0, at), 1, 1000000);
  const auto port = strict_number(text.substr(colon + 1), 1, 65535);
  if (!id || !port)
    throw config_error("member '" + text + "': the id must be 1..1000000 and the port 1..65535");
  member_address m;
  m.id = static_cast<node_id>(*id);
  m.port = static_cast<std::uint16_t>(*port);
  m.host = text.substr(at + 1, colon - at - 1);
  if (m.host.size() > 2 && m.host.front() == '[' && m.host.back() == ']')
    m.host = m.host.substr(1, m.host.size() - 2);  // [::1]
  if (m.host.empty()) throw config_error("member '" + text + "' has no host");
  if (m.host.find_first_of(" \t@/[]") != std::string::npos)
    throw config_error("member '" + text + "': '" + m.host + "' is not a host name or address");
  return m;
}

std::vector<std::string> resolve_host(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::vector<std::string> names;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return names;
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0)
      names.emplace_back(text);
  }
  freeaddrinfo(found);
  return names;
}

std::vector<std::string> warnings(const node_config& c) {
  std::vector<std::string> out;
  if (c.members.size() == 1)
    out.push_back("a group of 1 member: nothing is replicated, and its crash stops the group");
  if (c.members.size() == 2)
    out.push_back(
        "a group of 2 members: a majority is both, so the crash of either stops the group "
        "(3 members tolerate one crash)");
  if (c.protocol.learner.retain_slots == 0 && c.protocol.learner.retain_bytes == 0)
    out.push_back(
        "retain-slots and retain-bytes are both 0: the log is never truncated, and the database "
        "grows with every batch");
  if (c.storage == "memory")
    out.push_back(
        "storage \"memory\": no forced logs; a crash of a majority at once can lose decided "
        "messages");
  return out;
}

const member_address& node_config::self() const {
  for (const auto& m : members)
    if (m.id == id) return m;
  throw config_error("node id " + std::to_string(id) + " is not among the members");
}

group_view node_config::view() const {
  synod::group_view g;
  for (const auto& m : members) g.members.push_back(m.id);
  return g;
}

std::string node_config::node_dir() const {
  return (std::filesystem::path(data_dir) / ("node-" + std::to_string(id))).string();
}

member_config node_config::cores() const {
  member_config c = protocol;
  c.failure_detector.heartbeat_ticks = ticks(heartbeat_interval, tick);
  c.failure_detector.timeout_ticks = ticks(failure_timeout, tick);
  c.leader.resend_ticks = ticks(resend_interval, tick);
  c.broadcast.resend_ticks = ticks(2 * resend_interval, tick);
  c.learner.catch_up_retry_ticks = ticks(resend_interval / 5, tick);
  c.leader.retry_ticks = ticks(round_retry, tick);
  return c;
}

transport_config node_config::transport() const {
  transport_config t;
  t.id = id;
  t.group = group;
  t.storage = storage;
  t.members = members;
  t.tick = tick;
  t.failure_timeout = failure_timeout;
  t.link = link;
  t.link.resend_ticks = ticks(link_resend, tick);
  t.link.max_resend_ticks = ticks(link_max_resend, tick);
  t.faults = faults;
  t.on_fatal = on_fatal;
  return t;
}

namespace {

// The file option behind each field of the cores' configurations; a field with none is derived
// (a tick count from its duration) or fixed in code.
std::string option_of(const std::string& field) {
  static const std::map<std::string, std::string> options = {
      {"leader.window", "window"},
      {"leader.max_batch_messages", "batch-messages"},
      {"leader.max_batch_bytes", "batch-bytes"},
      {"leader.resend_ticks", "resend-interval"},
      {"broadcast.max_undelivered", "max-undelivered"},
      {"broadcast.max_undelivered_bytes", "max-undelivered-bytes"},
      {"broadcast.max_message_bytes", "max-message-bytes"},
      {"broadcast.max_request_bytes", "max-request-bytes"},
      {"broadcast.resend_ticks", "resend-interval"},
      {"learner.memory_slots", "memory-slots"},
      {"learner.catch_up_retry_ticks", "resend-interval"},
      {"failure_detector.heartbeat_ticks", "heartbeat-interval"},
      {"failure_detector.timeout_ticks", "failure-timeout"},
      {"link.max_unacked_bytes", "link-bytes-in-flight"},
  };
  auto it = options.find(field);
  return it == options.end() ? field : it->second;
}

// What the cores and the link say of their configurations, as this file's options.
void validate_parts(const node_config& c) {
  config_problems problems = c.cores().problems();
  add_problems(problems, "link", c.transport().link.problems());
  if (problems.empty()) return;
  const auto& first = problems.front();
  throw config_error("synod." + option_of(first.field) + ": " + first.what);
}

}  // namespace

void validate(const node_config& c) {
  if (c.members.empty()) throw config_error("synod.members: no members configured");
  std::set<node_id> ids;
  // Two names of one address (localhost and 127.0.0.1) are one endpoint: two members there
  // would each reach the other's port.
  std::map<std::pair<std::string, std::uint16_t>, const member_address*> endpoints;
  for (const auto& m : c.members) {
    if (!ids.insert(m.id).second)
      throw config_error("synod.members: node id " + std::to_string(m.id) + " appears twice");
    std::vector<std::string> names = resolve_host(m.host);
    if (names.empty()) names.push_back(m.host);  // unresolvable here: compared as written
    for (const auto& name : names) {
      auto [it, fresh] = endpoints.emplace(std::make_pair(name, m.port), &m);
      if (fresh || it->second == &m) continue;
      const auto& other = *it->second;
      throw config_error("synod.members: members " + std::to_string(other.id) + " (" + other.host +
                         ":" + std::to_string(other.port) + ") and " + std::to_string(m.id) + " (" +
                         m.host + ":" + std::to_string(m.port) + ") are the same endpoint");
    }
  }
  if (c.id == 0) throw config_error("--id: no node id given");
  if (!ids.count(c.id))
    throw config_error("--id: node " + std::to_string(c.id) + " is not among synod.members");
  if (c.storage != "sqlite" && c.storage != "memory")
    throw config_error("synod.storage: '" + c.storage + "' is neither \"sqlite\" nor \"memory\"");
  if (c.group.empty()) throw config_error("synod.group: must not be empty");
  if (c.tick.count() < 1) throw config_error("synod.tick: must be at least 1ms");
  if (c.protocol.broadcast.max_message_bytes > max_message_bytes_limit)
    throw config_error("synod.max-message-bytes: at most " +
                       std::to_string(max_message_bytes_limit) +
                       " (a frame between members carries less than 4 GiB)");
  if (c.protocol.broadcast.max_request_bytes > max_message_bytes_limit)
    throw config_error("synod.max-request-bytes: at most " +
                       std::to_string(max_message_bytes_limit) +
                       " (a client's frame carries less than 4 GiB)");
  if (c.heartbeat_interval < c.tick)
    throw config_error("synod.heartbeat-interval: must be at least synod.tick");
  if (c.resend_interval < c.tick)
    throw config_error("synod.resend-interval: must be at least synod.tick");
  if (c.failure_timeout < 2 * c.heartbeat_interval)
    throw config_error("synod.failure-timeout: must be at least twice synod.heartbeat-interval");
  validate_parts(c);
}

node_config load_node_config(const std::string& path, node_id id) {
  auto parsed = caf::actor_system_config::parse_config_file(path.c_str());
  if (!parsed) {
    const std::string reason = caf::to_string(parsed.error());
    if (!std::filesystem::exists(path)) throw config_error(path + ": no such file");
    throw config_error(path + ": not a valid config file: " + reason);
  }
  node_config c;
  c.id = id;
  const auto& root = *parsed;
  using handler = std::function<void(const config_value&, const std::string&)>;
  auto& p = c.protocol;
  const std::map<std::string, handler> options = {
      {"group", [&](auto& v, auto& w) { c.group = string_of(v, w); }},
      {"members",
       [&](auto& v, auto& w) {
         auto list = caf::get_if<config_value::list>(&v);
         if (!list) bad(w, "expected a list such as [\"1@127.0.0.1:7101\", ...]");
         for (const auto& item : *list) {
           try {
             c.members.push_back(parse_member(string_of(item, w)));
           } catch (const config_error& e) {
             bad(w, e.what());
           }
         }
       }},
      {"data-dir", [&](auto& v, auto& w) { c.data_dir = string_of(v, w); }},
      {"storage", [&](auto& v, auto& w) { c.storage = string_of(v, w); }},
      {"tick", [&](auto& v, auto& w) { c.tick = duration_of(v, w); }},
      {"heartbeat-interval", [&](auto& v, auto& w) { c.heartbeat_interval = duration_of(v, w); }},
      {"failure-timeout", [&](auto& v, auto& w) { c.failure_timeout = duration_of(v, w); }},
      {"resend-interval", [&](auto& v, auto& w) { c.resend_interval = duration_of(v, w); }},
      {"window", [&](auto& v, auto& w) { p.leader.window = count(integer_of(v, w), w); }},
      {"batch-messages",
       [&](auto& v, auto& w) { p.leader.max_batch_messages = count(integer_of(v, w), w); }},
      {"batch-bytes",
       [&](auto& v, auto& w) { p.leader.max_batch_bytes = count(integer_of(v, w), w); }},
      {"max-undelivered",
       [&](auto& v, auto& w) { p.broadcast.max_undelivered = count(integer_of(v, w), w); }},
      {"max-undelivered-bytes",
       [&](auto& v, auto& w) { p.broadcast.max_undelivered_bytes = count(integer_of(v, w), w); }},
      {"max-message-bytes",
       [&](auto& v, auto& w) { p.broadcast.max_message_bytes = count(integer_of(v, w), w); }},
      {"max-request-bytes",
       [&](auto& v, auto& w) { p.broadcast.max_request_bytes = count(integer_of(v, w), w); }},
      {"memory-slots",
       [&](auto& v, auto& w) { c.protocol.learner.memory_slots = count(integer_of(v, w), w); }},
      {"retain-slots",
       [&](auto& v, auto& w) { p.learner.retain_slots = non_negative(integer_of(v, w), w); }},
      {"retain-bytes",
       [&](auto& v, auto& w) { p.learner.retain_bytes = non_negative(integer_of(v, w), w); }},
      {"link-bytes-in-flight",
       [&](auto& v, auto& w) { c.link.max_unacked_bytes = count(integer_of(v, w), w); }},
      {"faults.loss", [&](auto& v, auto& w) { c.faults.loss = share(real_of(v, w), w); }},
      {"faults.dup", [&](auto& v, auto& w) { c.faults.dup = share(real_of(v, w), w); }},
      {"faults.delay", [&](auto& v, auto& w) { c.faults.delay = duration_of(v, w); }},
      {"faults.links",
       [&](auto& v, auto& w) {
         auto list = caf::get_if<config_value::list>(&v);
         if (!list) bad(w, "expected a list of links such as [\"1-2\"]");
         for (const auto& item : *list) {
           const std::string text = string_of(item, w);
           const auto dash = text.find('-');
           const auto a = dash == std::string::npos
                              ? std::nullopt
                              : strict_number(text.substr(0, dash), 1, 1000000);
           const auto b = dash == std::string::npos
                              ? std::nullopt
                              : strict_number(text.substr(dash + 1), 1, 1000000);
           if (!a || !b) bad(w, "'" + text + "' is not a link of the form A-B");
           c.faults.links.emplace_back(static_cast<node_id>(*a), static_cast<node_id>(*b));
         }
       }},
      {"faults.isolate",
       [&](auto& v, auto& w) {
         auto list = caf::get_if<config_value::list>(&v);
         if (!list) bad(w, "expected a list of member ids such as [1]");
         for (const auto& item : *list)
           c.faults.isolate.push_back(static_cast<node_id>(positive(integer_of(item, w), w)));
       }},
      {"faults.isolate-after",
       [&](auto& v, auto& w) { c.faults.isolate_after = duration_of(v, w); }},
      {"faults.isolate-for", [&](auto& v, auto& w) { c.faults.isolate_for = duration_of(v, w); }},
  };
  // Walks the [synod] section (and [synod.faults]); an unknown key is an error, not a silent
  // default: a misspelt option in a consensus group is a misconfigured group.
  std::function<void(const config_value::dictionary&, const std::string&)> walk =
      [&](const config_value::dictionary& section, const std::string& prefix) {
        for (const auto& [key, value] : section) {
          const std::string name = prefix.empty() ? key : prefix + "." + key;
          const std::string where = path + ": synod." + name;
          if (auto sub = caf::get_if<config_value::dictionary>(&value)) {
            walk(*sub, name);
            continue;
          }
          auto it = options.find(name);
          if (it == options.end()) bad(where, "unknown option");
          it->second(value, where);
        }
      };
  for (const auto& [key, value] : root) {
    if (key != "synod") continue;  // other sections configure CAF itself
    auto section = caf::get_if<config_value::dictionary>(&value);
    if (!section) bad(path + ": synod", "expected a section");
    walk(*section, "");
  }
  // Tools that talk to the whole group (status, demo) load it as its first member.
  if (id == 0 && !c.members.empty()) c.id = c.members.front().id;
  try {
    validate(c);
  } catch (const config_error& e) {
    throw config_error(path + ": " + e.what());
  }
  return c;
}

}  // namespace synod

namespace synod {

std::string effective_config_text(const node_config& c) {
  std::ostringstream out;
  const auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; };
  const auto quoted = [](const std::string& s) { return "\"" + s + "\""; };
  out << "[synod]\n";
  out << "group = " << quoted(c.group) << "\n";
  out << "members = [";
  for (std::size_t i = 0; i < c.members.size(); ++i) {
    const auto& m = c.members[i];
    const bool v6 = m.host.find(':') != std::string::npos;
    out << (i ? ", " : "")
        << quoted(std::to_string(m.id) + "@" + (v6 ? "[" + m.host + "]" : m.host) + ":" +
                  std::to_string(m.port));
  }
  out << "]\n";
  out << "data-dir = " << quoted(c.data_dir) << "\n";
  out << "storage = " << quoted(c.storage) << "\n";
  out << "tick = " << ms(c.tick) << "\n";
  out << "heartbeat-interval = " << ms(c.heartbeat_interval) << "\n";
  out << "failure-timeout = " << ms(c.failure_timeout) << "\n";
  out << "resend-interval = " << ms(c.resend_interval) << "\n";
  const auto& p = c.protocol;
  out << "window = " << p.leader.window << "\n";
  out << "batch-messages = " << p.leader.max_batch_messages << "\n";
  out << "batch-bytes = " << p.leader.max_batch_bytes << "\n";
  out << "max-undelivered = " << p.broadcast.max_undelivered << "\n";
  out << "max-undelivered-bytes = " << p.broadcast.max_undelivered_bytes << "\n";
  out << "max-message-bytes = " << p.broadcast.max_message_bytes << "\n";
  out << "max-request-bytes = " << p.broadcast.max_request_bytes << "\n";
  out << "memory-slots = " << p.learner.memory_slots << "\n";
  out << "retain-slots = " << p.learner.retain_slots << "\n";
  out << "retain-bytes = " << p.learner.retain_bytes << "\n";
  out << "link-bytes-in-flight = " << c.link.max_unacked_bytes << "\n";
  const auto& f = c.faults;
  if (f.loss > 0 || f.dup > 0 || f.delay.count() > 0 || !f.isolate.empty()) {
    out << "\n[synod.faults]\n";
    out << "loss = " << f.loss << "\n";
    out << "dup = " << f.dup << "\n";
    out << "delay = " << ms(f.delay) << "\n";
    out << "links = [";
    for (std::size_t i = 0; i < f.links.size(); ++i)
      out << (i ? ", " : "")
          << quoted(std::to_string(f.links[i].first) + "-" + std::to_string(f.links[i].second));
    out << "]\n";
    out << "isolate = [";
    for (std::size_t i = 0; i < f.isolate.size(); ++i) out << (i ? ", " : "") << f.isolate[i];
    out << "]\n";
    out << "isolate-after = " << ms(f.isolate_after) << "\n";
    out << "isolate-for = " << ms(f.isolate_for) << "\n";
  }
  return out.str();
}

}  // namespace synod
