// Each core's configuration checks itself: `problems()` lists every field that cannot work, and
// the core refuses to be made with any (require_valid). The node's configuration turns each
// problem into one line naming the file option behind the field; the simulator and the tests,
// which build configurations in code, meet the same checks.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace synod {

struct config_problem {
  std::string field;  // as the struct names it: "window", "failure_detector.timeout_ticks"
  std::string what;   // "must be at least 1"
};

using config_problems = std::vector<config_problem>;

template <class T>
void require_at_least(config_problems& out, const char* field, T value, T min) {
  if (value < min) out.push_back({field, "must be at least " + std::to_string(min)});
}

// The problems of a part (e.g. the leader's), their fields prefixed with the part's name.
inline void add_problems(config_problems& out, const std::string& part, config_problems more) {
  for (auto& p : more) out.push_back({part + "." + p.field, std::move(p.what)});
}

// Throws std::invalid_argument listing the problems, if there are any.
inline void require_valid(const char* core, const config_problems& problems) {
  if (problems.empty()) return;
  std::string text = std::string(core) + " configuration:";
  for (const auto& p : problems) text += " " + p.field + " " + p.what + ";";
  text.pop_back();
  throw std::invalid_argument(text);
}

// The configuration a core is made with, once it proved to have no problems.
template <class Config>
const Config& checked(const char* core, const Config& config) {
  require_valid(core, config.problems());
  return config;
}

}  // namespace synod
