// The replicated key-value store's state machine: every replica applies the same commands in
// the same (delivery) order and so holds the same map. Deterministic and pure: no clock, no
// randomness, no I/O.
#pragma once

#include <boost/serialization/string.hpp>
#include <cstdint>
#include <map>
#include <string>

namespace synod::kv {

enum class op : std::uint8_t { put, get, erase, cas };

// One client command, as broadcast. `issuer` and `request` let the replica that took it from
// the client answer once it has applied it.
struct command {
  op kind = op::get;
  std::string key;
  std::string value;     // put, cas: the new value
  std::string expected;  // cas: the value the key must hold (absent if `expect_absent`)
  bool expect_absent = false;
  std::uint64_t issuer = 0;
  std::uint64_t request = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& kind& key& value& expected& expect_absent& issuer& request;
  }
};

struct result {
  bool ok = false;     // put, erase: always; get: found; cas: swapped
  std::string value;   // get: the value; cas that failed: the current value
  bool found = false;  // the key held a value before the command
};

class store {
 public:
  result apply(const command& c);

  const std::map<std::string, std::string>& entries() const { return entries_; }
  std::uint64_t applied() const { return applied_; }
  // A fingerprint of the contents (FNV-1a over the sorted entries): equal maps, equal digests.
  std::uint64_t digest() const;

 private:
  std::map<std::string, std::string> entries_;
  std::uint64_t applied_ = 0;
};

}  // namespace synod::kv
