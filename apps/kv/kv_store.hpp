// The replicated key-value store's state machine: every replica applies the same commands in
// the same (delivery) order and so holds the same map. Deterministic and pure: no clock, no
// randomness, no I/O.
#pragma once

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/version.hpp>
#include <cstdint>
#include <map>
#include <string>

namespace synod::kv {

enum class op : std::uint8_t { put, get, erase, cas };

// One client command, as broadcast. `issuer` and `request` let the replica that took it from
// the client answer once it has applied it. `client` and `client_seq` name it across replicas:
// a client that retries through another replica sends the same pair, and a command already
// applied is answered from memory, not applied twice.
struct command {
  op kind = op::get;
  std::string key;
  std::string value;     // put, cas: the new value
  std::string expected;  // cas: the value the key must hold (absent if `expect_absent`)
  bool expect_absent = false;
  std::uint64_t issuer = 0;
  std::uint64_t request = 0;
  std::uint64_t client = 0;  // 0: not retried (commands logged before version 1)
  std::uint64_t client_seq = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned version) {
    ar& kind& key& value& expected& expect_absent& issuer& request;
    if (version >= 1) ar& client& client_seq;
  }
};

struct result {
  bool ok = false;     // put, erase: always; get: found; cas: swapped
  std::string value;   // get: the value; cas that failed: the current value
  bool found = false;  // the key held a value before the command

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& ok& value& found;
  }
};

class store {
 public:
  // Applies `c`, unless its client's command of that number was applied already: then it
  // returns that command's result again. Clients send one command at a time, so the last one
  // of each client is enough; the `max_clients` most recently active are remembered.
  result apply(const command& c);

  static constexpr std::size_t max_clients = 65536;

  const std::map<std::string, std::string>& entries() const { return entries_; }
  std::uint64_t applied() const { return applied_; }
  // A fingerprint of the contents (FNV-1a over the sorted entries): equal maps, equal digests.
  std::uint64_t digest() const;

  // The whole state, clients' last commands included: a replica restored from it answers a
  // retried command exactly as one that applied every command (its checkpoint).
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& entries_& applied_& clients_& by_age_;
  }

 private:
  struct last_command {
    std::uint64_t seq = 0;
    result outcome;
    std::uint64_t at = 0;  // applied_ when it was applied: the oldest is forgotten first

    template <class Archive>
    void serialize(Archive& ar, unsigned /*version*/) {
      ar& seq& outcome& at;
    }
  };

  result execute(const command& c);

  std::map<std::string, std::string> entries_;
  std::uint64_t applied_ = 0;
  std::map<std::uint64_t, last_command> clients_;
  std::map<std::uint64_t, std::uint64_t> by_age_;  // at -> client
};

}  // namespace synod::kv

BOOST_CLASS_VERSION(synod::kv::command, 1)
