#include "apps/common/options.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace synod::cli {

option flag(std::string name, std::string help) {
  option o;
  o.name = std::move(name);
  o.help = std::move(help);
  return o;
}

option text(std::string name, std::string value, std::string help) {
  option o = flag(std::move(name), std::move(help));
  o.value = std::move(value);
  return o;
}

option choice(std::string name, std::vector<std::string> choices, std::string help) {
  std::string value;
  for (const auto& c : choices) value += (value.empty() ? "" : "|") + c;
  option o = text(std::move(name), value, std::move(help));
  o.choices = std::move(choices);
  return o;
}

option number(std::string name, std::string value, std::string help, std::uint64_t min,
              std::uint64_t max) {
  option o = text(std::move(name), std::move(value), std::move(help));
  o.is_number = true;
  o.min = min;
  o.max = max;
  return o;
}

option required(option o) {
  o.required = true;
  return o;
}

option config_option() {
  return required(text("config", "FILE", "the group's configuration"));
}

option member_option(const std::string& what) {
  return required(number("id", "N", what, 1, 1000000));
}

option verbose_option() {
  return flag("verbose", "log more");
}

std::uint64_t parse_number(const std::string& name, const std::string& text, std::uint64_t min,
                           std::uint64_t max) {
  const auto range = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  std::uint64_t n = 0;
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (!digits || ec != std::errc() || end != text.data() + text.size() || n < min || n > max)
    throw usage_error("--" + name + ": '" + text + "' is not " + range);
  return n;
}

std::string help_text(const command_spec& spec) {
  std::ostringstream out;
  out << "usage: " << spec.usage << "\n\n" << spec.summary << "\n";
  if (!spec.options.empty()) {
    out << "\noptions:\n";
    std::size_t width = 0;
    const auto left = [](const option& o) {
      return "--" + o.name + (o.value.empty() ? "" : " " + o.value);
    };
    for (const auto& o : spec.options) width = std::max(width, left(o).size());
    for (const auto& o : spec.options) {
      std::string l = left(o);
      out << "  " << l << std::string(width - l.size() + 2, ' ') << o.help;
      if (o.required) out << " (required)";
      out << "\n";
    }
    out << "  --help" << std::string(width > 4 ? width - 4 : 2, ' ') << "this text\n";
  }
  if (!spec.more.empty()) out << "\n" << spec.more;
  return out.str();
}

arguments::arguments(const command_spec& spec, int argc, char** argv, int first) {
  const auto declared = [&](const std::string& name) -> const option* {
    for (const auto& o : spec.options)
      if (o.name == name) return &o;
    return nullptr;
  };
  bool options_ended = false;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_ended || arg.rfind("--", 0) != 0 || arg == "-") {
      if (!spec.takes_words) throw usage_error("unexpected argument '" + arg + "'");
      words_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    arg = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (arg == "help") throw help_requested(help_text(spec));
    const option* o = declared(arg);
    if (!o) throw usage_error("unknown option --" + arg);
    std::string value;
    if (o->value.empty()) {
      if (inline_value) throw usage_error("--" + arg + " takes no value");
    } else if (inline_value) {
      value = *inline_value;
    } else {
      if (i + 1 >= argc) throw usage_error("--" + arg + " needs a value (" + o->value + ")");
      value = argv[++i];
    }
    if (o->is_number) parse_number(arg, value, o->min, o->max);
    if (!o->choices.empty() &&
        std::find(o->choices.begin(), o->choices.end(), value) == o->choices.end())
      throw usage_error("--" + arg + ": '" + value + "' is not one of " + o->value);
    if (!values_.emplace(arg, value).second) throw usage_error("--" + arg + " given twice");
  }
  for (const auto& o : spec.options)
    if (o.required && !has(o.name)) throw usage_error("--" + o.name + " is required");
}

std::optional<std::string> arguments::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string arguments::required(const std::string& name) const {
  auto v = get(name);
  if (!v) throw usage_error("--" + name + " is required");
  return *v;
}

std::uint64_t arguments::number(const std::string& name, std::uint64_t fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  return parse_number(name, *v, 0, std::numeric_limits<std::uint64_t>::max());
}

}  // namespace synod::cli
