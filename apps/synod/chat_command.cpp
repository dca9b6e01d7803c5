// synod chat: the group chat example (apps/chat) through a running member.
#include "apps/chat/chat.hpp"
#include "apps/synod/cli.hpp"

namespace synod::cli {

int run_chat(const arguments& args) {
  set_up_logging(args.has("verbose"));
  const node_config config = load_config(args);
  const std::string name = args.required("name");
  if (name.empty() || name.size() > 64) throw usage_error("--name: 1 to 64 characters");
  system_config cfg;
  caf::actor_system system{cfg};
  const auto& self = config.self();
  const auto member = group_member::connect(system, self.host, self.port);
  chat::run(system, member, name, args.has("history"), std::cin, std::cout);
  return 0;
}

}  // namespace synod::cli
