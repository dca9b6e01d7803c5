#include "apps/kv/kv_store.hpp"

namespace synod::kv {

result store::apply(const command& c) {
  if (c.client == 0) return execute(c);
  auto known = clients_.find(c.client);
  if (known != clients_.end() && c.client_seq <= known->second.seq) return known->second.outcome;
  const result r = execute(c);
  if (known != clients_.end()) by_age_.erase(known->second.at);
  clients_[c.client] = last_command{c.client_seq, r, applied_};
  by_age_[applied_] = c.client;
  if (clients_.size() > max_clients) {  // the same on every replica: they apply the same log
    clients_.erase(by_age_.begin()->second);
    by_age_.erase(by_age_.begin());
  }
  return r;
}

result store::execute(const command& c) {
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
