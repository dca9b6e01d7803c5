// synod status: asks every member of the group for its view: reachable or not, its leader,
// decided and delivered slots, its lag behind the furthest member, link states and rates.
// Exit code 0 when a majority answered (the group can make progress), 1 otherwise.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "apps/synod/cli.hpp"
#include "messaging/caf_types.hpp"

namespace synod::cli {

namespace {

struct member_view {
  member_address address;
  std::optional<status_reply> status;
  std::string problem;  // why there is no status
};

std::vector<member_view> ask_everyone(caf::actor_system& system, const node_config& config,
                                      std::chrono::milliseconds timeout) {
  std::vector<member_view> views;
  for (const auto& m : config.members) {
    member_view v{m, std::nullopt, {}};
    if (auto node = try_connect(system, m, timeout)) {
      v.status = ask_status(system, *node, timeout);
      if (!v.status) v.problem = "connected, but no answer";
    } else {
      v.problem = "unreachable";
    }
    views.push_back(std::move(v));
  }
  return views;
}

slot_t furthest(const std::vector<member_view>& views) {
  slot_t best = 0;
  for (const auto& v : views)
    if (v.status) best = std::max(best, v.status->delivered_up_to);
  return best;
}

std::string links_text(const status_reply& r) {
  std::ostringstream out;
  for (const auto& l : r.links) {
    out << l.peer << ':' << (l.connected ? "up" : "down");
    if (l.unacked_bytes > 0) out << '(' << l.unacked_bytes << "B)";
    out << ' ';
  }
  return out.str();
}

void print_table(const node_config& config, const std::vector<member_view>& views) {
  const slot_t best = furthest(views);
  std::cout << "group '" << config.group << "', " << views.size() << " members\n";
  std::cout << std::left << std::setw(5) << "node" << std::setw(22) << "address" << std::setw(13)
            << "state" << std::setw(7) << "leader" << std::setw(10) << "decided" << std::setw(10)
            << "delivered" << std::setw(7) << "lag" << std::setw(11) << "msgs/s" << std::setw(10)
            << "MB/s"
            << "links\n";
  for (const auto& v : views) {
    std::cout << std::left << std::setw(5) << v.address.id << std::setw(22)
              << (v.address.host + ":" + std::to_string(v.address.port));
    if (!v.status) {
      std::cout << v.problem << "\n";
      continue;
    }
    const auto& s = *v.status;
    std::cout << std::setw(13) << "up" << std::setw(7) << s.leader << std::setw(10)
              << s.decided_up_to << std::setw(10) << s.delivered_up_to << std::setw(7)
              << best - s.delivered_up_to << std::setw(11)
              << static_cast<std::uint64_t>(s.messages_per_second) << std::setw(10) << std::fixed
              << std::setprecision(2) << s.bytes_per_second / 1e6 << links_text(s) << "\n";
  }
}

void print_json(const node_config& config, const std::vector<member_view>& views) {
  const slot_t best = furthest(views);
  nlohmann::json members = nlohmann::json::array();
  for (const auto& v : views) {
    nlohmann::json j = {{"id", v.address.id},
                        {"address", v.address.host + ":" + std::to_string(v.address.port)},
                        {"reachable", v.status.has_value()}};
    if (!v.status) {
      j["problem"] = v.problem;
      members.push_back(j);
      continue;
    }
    const auto& s = *v.status;
    j.update({{"leader", s.leader},
              {"storage", s.storage},
              {"decided_up_to", s.decided_up_to},
              {"delivered_up_to", s.delivered_up_to},
              {"lag", best - s.delivered_up_to},
              {"delivered_messages", s.delivered_messages},
              {"delivered_bytes", s.delivered_bytes},
              {"messages_per_second", s.messages_per_second},
              {"bytes_per_second", s.bytes_per_second},
              {"uptime_ms", s.uptime_ms},
              {"undelivered", s.undelivered},
              {"undelivered_bytes", s.undelivered_bytes},
              {"held", s.held},
              {"waiting_slots", s.waiting_slots},
              {"subscribers", s.subscribers},
              {"subscriber_lag", s.subscriber_lag},
              {"truncated_up_to", s.truncated_up_to},
              {"checkpoint_slot", s.checkpoint_slot},
              {"transfer",
               {{"slot", s.transfer_slot},
                {"received_bytes", s.transfer_received},
                {"size_bytes", s.transfer_size},
                {"done", s.transfers_done}}},
              {"delivered_digest", s.delivered_digest}});
    nlohmann::json links = nlohmann::json::array();
    for (const auto& l : s.links)
      links.push_back({{"peer", l.peer},
                       {"connected", l.connected},
                       {"unacked_bytes", l.unacked_bytes},
                       {"queued_payloads", l.queued_payloads},
                       {"resent_frames", l.resent_frames},
                       {"peer_delivered_up_to", l.peer_delivered_up_to}});
    j["links"] = links;
    members.push_back(j);
  }
  std::cout << nlohmann::json{{"group", config.group}, {"members", members}}.dump(2) << "\n";
}

}  // namespace

command_spec status_spec() {
  return {"synod status --config FILE [--json] [--timeout-ms T]",
          "Asks every member of the group for its view: leader, rounds, slots, links, and what\n"
          "it holds against its bounds. A member that does not answer is shown as down.",
          {config_option(), flag("json", "one JSON document"),
           number("timeout-ms", "T", "how long to wait for each member (default 2000)", 1, 600000),
           verbose_option()}};
}

int run_status(const arguments& args) {
  set_up_logging(args.has("verbose"));
  const node_config config = load_node_config(args.required("config"), 0);
  system_config cfg;
  caf::actor_system system{cfg};
  const auto views =
      ask_everyone(system, config, std::chrono::milliseconds(args.number("timeout-ms", 2000)));
  if (args.has("json"))
    print_json(config, views);
  else
    print_table(config, views);
  const auto answered = std::count_if(views.begin(), views.end(),
                                      [](const member_view& v) { return v.status.has_value(); });
  return static_cast<std::size_t>(answered) > views.size() / 2 ? 0 : 1;
}

}  // namespace synod::cli
