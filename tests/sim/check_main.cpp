// synod-check: judges delivery logs of real runs (JSON lines from `synod tail --json`) with the
// simulator's total-order checker: validity of order, integrity, uniform total order, and
// agreement among the logs given (every node's log is taken as a node that stayed up).
//   synod-check node1.json node2.json ...
#include <fstream>
#include <iostream>

#include "tests/sim/checker.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: synod-check LOG.json...\n";
    return 2;
  }
  synod::sim::total_order_checker checker;
  synod::sim::run_end end;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i]);
    if (!in) {
      std::cerr << "synod-check: cannot read " << argv[i] << "\n";
      return 2;
    }
    try {
      checker.read_json_lines(in);
    } catch (const std::exception& e) {
      std::cerr << "synod-check: " << argv[i] << ": " << e.what() << "\n";
      return 2;
    }
  }
  for (const auto& [node, log] : checker.deliveries()) end.up.insert(node);
  const auto violations = checker.check(end);
  for (const auto& v : violations) std::cout << "violation: " << v << "\n";
  std::cout << (violations.empty() ? "ok: " : "FAILED: ") << checker.delivered_count()
            << " deliveries at " << end.up.size() << " nodes, " << violations.size()
            << " violations\n";
  return violations.empty() ? 0 : 1;
}
