// The command line of every synod program (synod, synod-kv, the examples): each command declares
// its options once, and the parser refuses what is not declared, checks every number against
// its range, and answers --help with the command's usage. Options are --name VALUE,
// --name=VALUE or --flag; words that do not start with "--" are positional, for the commands
// that take them, and "--" ends the options.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace synod::cli {

// A command line that makes no sense: the caller prints it with the program's name, exit code 2.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --help was given: what() is the command's usage, printed on stdout with exit code 0.
class help_requested : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct option {
  std::string name;        // without the dashes
  std::string value;       // what its value is called ("FILE"); empty: a flag
  std::string help;        // one line
  bool is_number = false;  // a whole number within [min, max]
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  std::vector<std::string> choices;  // if not empty, the only values accepted
  bool required = false;
};

option flag(std::string name, std::string help);
option text(std::string name, std::string value, std::string help);
option choice(std::string name, std::vector<std::string> choices, std::string help);
option number(std::string name, std::string value, std::string help, std::uint64_t min,
              std::uint64_t max = std::numeric_limits<std::uint32_t>::max());
option required(option o);

// The options most synod commands share.
option config_option();                         // --config FILE, required
option member_option(const std::string& what);  // --id N, a member id, required
option verbose_option();                        // --verbose

struct command_spec {
  command_spec(std::string usage_line, std::string what, std::vector<option> accepted,
               bool words = false, std::string after = {})
      : usage(std::move(usage_line)),
        summary(std::move(what)),
        options(std::move(accepted)),
        takes_words(words),
        more(std::move(after)) {}

  std::string usage;    // "synod tail --config FILE --id N [options]"
  std::string summary;  // what the command does, a sentence or two
  std::vector<option> options;
  bool takes_words = false;  // positional words (synod-kv's commands)
  std::string more;          // printed after the options (commands, examples)
};

// The text --help prints.
std::string help_text(const command_spec& spec);

class arguments {
 public:
  // Parses argv[first..argc); throws usage_error or help_requested.
  arguments(const command_spec& spec, int argc, char** argv, int first);

  std::optional<std::string> get(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // A value that must be there (usage_error naming it otherwise).
  std::string required(const std::string& name) const;
  // A declared number option (already range-checked), or `fallback` if it was not given.
  std::uint64_t number(const std::string& name, std::uint64_t fallback) const;
  const std::vector<std::string>& words() const { return words_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> words_;
};

// A whole number in [min, max] from `text` ("--name" names it in the error): digits only, so
// "-1", "+3", "1e3", " 7" and anything past 2^64 are refused, not wrapped.
std::uint64_t parse_number(const std::string& name, const std::string& text, std::uint64_t min,
                           std::uint64_t max);

}  // namespace synod::cli
