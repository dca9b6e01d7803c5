#include "apps/kv/kv_replica.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <random>

#include "apps/kv/kv_store.hpp"

namespace synod::kv {

namespace {

struct replica_state {
  store contents;
  slot_t applied_slot = 0;
  std::uint64_t issuer = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
  std::uint64_t next_request = 1;
  std::map<std::uint64_t, caf::response_promise> waiting;  // by request number
  std::uint64_t foreign = 0;                               // payloads that are not commands
  static inline const char* name = "synod.kv.replica";
};

caf::behavior replica(caf::stateful_actor<replica_state>* self, group_member member) {
  member.subscribe(caf::actor_cast<caf::actor>(self), 1);
  return {
      [=](command_atom, const std::string& encoded) {
        auto& s = self->state;
        auto promise = self->make_response_promise();
        command c;
        try {
          c = decode_payload<command>(encoded);
        } catch (const std::exception&) {
          promise.deliver(std::string("not a key-value command"), false, false, std::string());
          return;
        }
        c.issuer = s.issuer;
        c.request = s.next_request++;
        s.waiting.emplace(c.request, promise);
        member.broadcast(self, {encode_payload(c)}, c.request);
      },
      [=](const broadcast_reply& r) {
        // Success is answered when the command is applied; only a refusal is answered here.
        if (r.error.empty()) return;
        auto it = self->state.waiting.find(r.tag);
        if (it == self->state.waiting.end()) return;
        it->second.deliver(r.error, false, false, std::string());
        self->state.waiting.erase(it);
      },
      [=](const delivered_batch& b) {
        auto& s = self->state;
        for (const auto& m : b.messages) {
          command c;
          try {
            c = decode_payload<command>(m.payload);
          } catch (const std::exception&) {
            if (s.foreign++ == 0)  // every replica skips the same ones: they stay equal
              spdlog::warn("kv: slot {} holds a message that is not a command; skipped", b.slot);
            continue;
          }
          const result r = s.contents.apply(c);
          if (c.issuer != s.issuer) continue;
          auto it = s.waiting.find(c.request);
          if (it == s.waiting.end()) continue;
          it->second.deliver(std::string(), r.ok, r.found, r.value);
          s.waiting.erase(it);
        }
        s.applied_slot = b.slot;
      },
      [=](const subscribe_reply& r) {
        spdlog::info("kv: replaying the log up to slot {}", r.delivered_up_to);
      },
      // Commands this store never applied: answering from it would be answering wrong.
      [=](const delivery_gap& g) {
        spdlog::error(
            "kv: slots {} to {} were truncated before this replica applied them; its store "
            "would be wrong: stopping",
            g.first, g.last);
        spdlog::shutdown();
        std::_Exit(1);
      },
      [=](dump_atom) {
        const auto& s = self->state;
        std::vector<std::string> keys, values;
        for (const auto& [k, v] : s.contents.entries()) {
          keys.push_back(k);
          values.push_back(v);
        }
        return caf::make_message(s.applied_slot, s.contents.applied(), s.contents.digest(),
                                 std::move(keys), std::move(values));
      },
  };
}

}  // namespace

caf::actor spawn_replica(caf::actor_system& system, const group_member& member) {
  return system.spawn(replica, member);
}

}  // namespace synod::kv
