// synod check-config: validates a group's configuration as a member would at start-up and prints
// the effective configuration (every option, defaults included) and its warnings.
#include <iostream>

#include "apps/synod/cli.hpp"

namespace synod::cli {

command_spec check_config_spec() {
  return {"synod check-config FILE [--id N]",
          "Checks FILE as member N (default: the first member) would at start-up, prints\n"
          "the effective configuration with every default filled in, then any warnings.\n"
          "Exits 1 with the first error if the configuration is not valid.",
          {number("id", "N", "check as this member", 1, 1000000)},
          true};
}

int run_check_config(const arguments& args) {
  if (args.words().size() != 1) throw usage_error("give exactly one configuration FILE");
  const node_config config =
      load_node_config(args.words().front(), static_cast<node_id>(args.number("id", 0)));
  std::cout << effective_config_text(config);
  for (const auto& w : warnings(config)) std::cerr << "warning: " << w << "\n";
  return 0;
}

}  // namespace synod::cli
