// The retransmission module's actor: one link core per peer over CAF's middleman. It connects
// to every peer (asynchronously, retrying with backoff), frames what the roles send, resends
// until acknowledged across connection loss and peer restarts, and hands what arrives, in order,
// to the role it is for. It is also the node's published actor: clients' requests are passed to
// the front (broadcasts) and the learner (subscriptions). Configured faults are injected here.
#pragma once

#include <map>
#include <optional>
#include <random>

#include "actors/retransmission/link.hpp"
#include "actors/retransmission/peer_admission.hpp"
#include "actors/retransmission/transport_config.hpp"
#include "actors/shell/local_messages.hpp"

namespace synod {

struct transport_state {
  transport_config config;
  wiring peers;
  std::map<node_id, link> links;
  std::map<node_id, caf::actor> handles;
  std::map<node_id, std::vector<wire_message>> pending;  // this drain's messages per peer
  // Messages dropped on a full link since it filled: logged once when it fills and once when it
  // takes messages again, not once per drain (a peer down for long fills it for long).
  std::map<node_id, std::uint64_t> dropped_while_full;
  std::map<node_id, std::chrono::milliseconds> backoff;
  bool flush_scheduled = false;
  std::mt19937_64 random{std::random_device{}()};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::uint64_t undecodable = 0;
  node_id leader = 0;  // Omega's verdict, for the status
  std::optional<peer_admission> admission;
  std::map<node_id, std::chrono::steady_clock::time_point> last_refusal;  // sent, per peer
  std::map<node_id, std::chrono::steady_clock::time_point> last_heard;    // a frame taken
  std::chrono::steady_clock::time_point last_refusal_log{};
  static inline const char* name = "synod.transport";
};

// `admission` starts from the member's recovered identity (group id, history, peers with history).
caf::behavior transport_actor(caf::stateful_actor<transport_state>* self, transport_config config,
                              peer_admission admission);

}  // namespace synod
