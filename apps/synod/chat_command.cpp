// synod chat: the group chat example (apps/chat) through a running member.
#include <iostream>

#include "apps/chat/chat.hpp"
#include "apps/synod/cli.hpp"

namespace synod::cli {

command_spec chat_spec() {
  return {"synod chat --config FILE --id N --name NAME [--history]",
          "A group chat through member N: each line you type is TO-Broadcast, and every\n"
          "member's messages are printed in the one order all members see.",
          {config_option(), member_option("the member to chat through"),
           required(text("name", "NAME", "how you appear (1 to 64 characters)")),
           flag("history", "print the earlier conversation first"), verbose_option()}};
}

int run_chat(const arguments& args) {
  set_up_logging(args.has("verbose"));
  const node_config config = load_config(args);
  const std::string name = args.required("name");
  if (name.empty() || name.size() > 64) throw usage_error("--name: 1 to 64 characters");
  system_config cfg;
  caf::actor_system system{cfg};
  const auto& self = config.self();
  const auto member = group_member::connect(system, self.host, self.port);
  chat::run(system, member, name, args.has("history"), std::cin, std::cout, [id = config.id] {
    std::cout.flush();
    std::cerr << "synod chat: lost the connection to node " << id << "; leaving" << std::endl;
    std::_Exit(1);
  });
  return 0;
}

}  // namespace synod::cli
