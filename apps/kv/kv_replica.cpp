#include "apps/kv/kv_replica.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <optional>
#include <random>

#include "apps/kv/kv_store.hpp"

namespace synod::kv {

namespace {

// The bytes every encoded command starts with (the archive's description of the type, the same
// for every command): a payload without them is not a command, told without decoding it. A group
// may carry other messages at far more than a replica could decode and reject (an exception
// each); they are skipped at memcmp speed.
const std::string& command_prefix() {
  static const std::string prefix = [] {
    command a, b;
    b.kind = op::cas;
    b.key = "k";
    b.issuer = ~std::uint64_t{0};
    const std::string x = encode_payload(a), y = encode_payload(b);
    std::size_t n = 0;
    while (n < x.size() && n < y.size() && x[n] == y[n] && n < 2) ++n;
    return x.substr(0, n);
  }();
  return prefix;
}

std::optional<command> as_command(const std::string& payload) {
  if (payload.compare(0, command_prefix().size(), command_prefix()) != 0) return std::nullopt;
  try {
    return decode_payload<command>(payload);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

struct replica_state {
  store contents;
  slot_t applied_slot = 0;
  slot_t checkpoint_slot = 0;  // of the last checkpoint handed to the member
  bool checkpoint_refused = false;
  std::uint64_t issuer = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
  std::uint64_t next_request = 1;
  std::map<std::uint64_t, caf::response_promise> waiting;  // by request number
  std::uint64_t foreign = 0;                               // payloads that are not commands
  static inline const char* name = "synod.kv.replica";
};

// The store as of `slot`, from a checkpoint (the member's, maybe a peer's): one that is not a
// store stops the replica rather than let it answer from a wrong one.
void take_store(replica_state& s, slot_t slot, const std::string& checkpoint) {
  try {
    s.contents = decode_payload<store>(checkpoint);
  } catch (const std::exception& e) {
    spdlog::error("kv: the checkpoint at slot {} is not a store ({}): stopping", slot, e.what());
    spdlog::shutdown();
    std::_Exit(1);
  }
  s.applied_slot = s.checkpoint_slot = slot;
}

caf::behavior replica(caf::stateful_actor<replica_state>* self, group_member member,
                      slot_t checkpoint_every) {
  member.latest_checkpoint(self);
  return {
      [=](const checkpoint_reply& c) {
        auto& s = self->state;
        if (c.slot > 0) {
          take_store(s, c.slot, c.state);
          spdlog::info("kv: starting from the checkpoint at slot {} ({} keys)", c.slot,
                       s.contents.entries().size());
        }
        // Slots cut from every log meanwhile come as a peer's checkpoint (state transfer).
        member.subscribe(caf::actor_cast<caf::actor>(self), c.slot + 1,
                         group_member::cut_slots::as_checkpoint);
      },
      // The member was behind a cut of every peer's log: a peer's store as of t.slot replaces
      // this one. Commands of this replica decided in the slots it covers were applied there,
      // but their outcome is not known here: their clients are told to ask again.
      [=](const checkpoint_transfer& t) {
        auto& s = self->state;
        take_store(s, t.slot, t.state);
        spdlog::info("kv: took a peer's checkpoint at slot {} ({} keys) for slots {} to {}", t.slot,
                     s.contents.entries().size(), t.first, t.slot);
        for (auto& [request, promise] : s.waiting)
          promise.deliver(std::string("the replica took a peer's checkpoint: ask again"), false,
                          false, std::string());
        s.waiting.clear();
      },
      [=](const checkpoint_offer_reply& r) {
        if (r.error.empty() || self->state.checkpoint_refused) return;
        self->state.checkpoint_refused = true;  // said once: the log stays the replica's source
        spdlog::warn("kv: the member did not keep a checkpoint of the store: {}", r.error);
      },
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
          const auto decoded = as_command(m.payload);
          if (!decoded) {
            if (s.foreign++ == 0)  // every replica skips the same ones: they stay equal
              spdlog::warn("kv: slot {} holds a message that is not a command; skipped", b.slot);
            continue;
          }
          const command& c = *decoded;
          const result r = s.contents.apply(c);
          if (c.issuer != s.issuer) continue;
          auto it = s.waiting.find(c.request);
          if (it == s.waiting.end()) continue;
          it->second.deliver(std::string(), r.ok, r.found, r.value);
          s.waiting.erase(it);
        }
        s.applied_slot = b.slot;
        if (checkpoint_every > 0 && b.slot >= s.checkpoint_slot + checkpoint_every) {
          s.checkpoint_slot = b.slot;
          member.checkpoint(self, b.slot, encode_payload(s.contents));
        }
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

caf::actor spawn_replica(caf::actor_system& system, const group_member& member,
                         slot_t checkpoint_every) {
  return system.spawn(replica, member, checkpoint_every);
}

}  // namespace synod::kv
