#include "actors/core/invariant.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace synod {

namespace {
#ifdef SYNOD_INVARIANTS_ALWAYS
std::atomic<bool> enabled{true};
#else
std::atomic<bool> enabled{false};
#endif
}  // namespace

void enable_invariant_checks(bool on) {
  enabled.store(on, std::memory_order_relaxed);
}

bool invariant_checks_enabled() {
  return enabled.load(std::memory_order_relaxed);
}

void invariant_failed(const char* condition, const char* what, const char* file, int line) {
  std::fprintf(stderr, "synod: invariant broken at %s:%d: %s (%s)\n", file, line, what, condition);
  std::abort();
}

}  // namespace synod
