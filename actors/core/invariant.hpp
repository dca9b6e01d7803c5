// SYNOD_INVARIANT(condition, what): a core's internal invariant (an accepted round never above the
// promise, the leader's held set within its bound, nothing proposed that was delivered). Checked
// where checks are on: always in sanitizer builds, and wherever a program calls
// enable_invariant_checks() (the tests and the simulator). A broken invariant aborts with the
// condition, the file and the line: running on would turn a bug into lost or reordered messages.
#pragma once

namespace synod {

void enable_invariant_checks(bool on = true);
bool invariant_checks_enabled();
[[noreturn]] void invariant_failed(const char* condition, const char* what, const char* file,
                                   int line);

}  // namespace synod

#define SYNOD_INVARIANT(condition, what)                                 \
  do {                                                                   \
    if (::synod::invariant_checks_enabled() && !(condition))             \
      ::synod::invariant_failed(#condition, (what), __FILE__, __LINE__); \
  } while (false)
