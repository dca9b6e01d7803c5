#include "apps/kv/kv_store.hpp"

namespace synod::kv {

result store::apply(const command& c) {
  ++applied_;
  auto it = entries_.find(c.key);
  result r;
  r.found = it != entries_.end();
  switch (c.kind) {
    case op::put:
      entries_[c.key] = c.value;
      r.ok = true;
      break;
    case op::get:
      r.ok = r.found;
      if (r.found) r.value = it->second;
      break;
    case op::erase:
      if (r.found) entries_.erase(it);
      r.ok = true;
      break;
    case op::cas: {
      const bool matches = c.expect_absent ? !r.found : (r.found && it->second == c.expected);
      r.ok = matches;
      if (matches)
        entries_[c.key] = c.value;
      else if (r.found)
        r.value = it->second;
      break;
    }
  }
  return r;
}

std::uint64_t store::digest() const {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  const auto mix = [&](const std::string& s) {
    for (unsigned char ch : s) {
      h ^= ch;
      h *= 0x100000001b3ULL;
    }
    h ^= 0xff;  // separator, so ("ab","c") and ("a","bc") differ
    h *= 0x100000001b3ULL;
  };
  for (const auto& [k, v] : entries_) {
    mix(k);
    mix(v);
  }
  return h;
}

}  // namespace synod::kv
