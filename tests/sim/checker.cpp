#include "tests/sim/checker.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace synod::sim {

std::string to_string(const message_id& id) {
  return std::to_string(id.origin) + ":" + std::to_string(id.seq);
}

void total_order_checker::on_delivery(node_id node, slot_t slot, const message_id& id) {
  log_[node].push_back({slot, id});
}

void total_order_checker::on_lost_database(node_id node) {
  const node_id retired = next_retired_++;
  if (auto it = log_.find(node); it != log_.end()) {
    log_[retired] = std::move(it->second);
    log_.erase(node);
  }
  if (auto it = gaps_.find(node); it != gaps_.end()) {
    gaps_[retired] = std::move(it->second);
    gaps_.erase(node);
  }
}

bool total_order_checker::skipped(node_id node, slot_t slot) const {
  auto it = gaps_.find(node);
  if (it == gaps_.end()) return false;
  for (const auto& [first, last] : it->second)
    if (slot >= first && slot <= last) return true;
  return false;
}

std::size_t total_order_checker::gap_count() const {
  std::size_t n = 0;
  for (const auto& [node, gaps] : gaps_) n += gaps.size();
  return n;
}

std::size_t total_order_checker::delivered_count() const {
  std::size_t n = 0;
  for (const auto& [node, seq] : log_) n += seq.size();
  return n;
}

void total_order_checker::read_json_lines(std::istream& in) {
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      on_delivery(j.at("node").get<node_id>(), j.at("slot").get<slot_t>(),
                  message_id{j.at("origin").get<node_id>(), j.at("seq").get<std::uint64_t>()});
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("delivery log line " + std::to_string(number) + ": " + e.what());
    }
  }
}

std::vector<std::string> total_order_checker::check_safety() const {
  std::vector<std::string> violations;
  std::map<message_id, std::pair<node_id, slot_t>> slot_of;
  for (const auto& [node, seq] : log_) {
    std::set<message_id> seen;
    slot_t last_slot = 0;
    for (const auto& d : seq) {
      const std::string where = "node " + std::to_string(node) + " slot " + std::to_string(d.slot);
      if (!broadcast_.empty() && !broadcast_.count(d.id))
        violations.push_back("validity: " + where + " delivered " + to_string(d.id) +
                             ", which nobody broadcast");
      if (!seen.insert(d.id).second)
        violations.push_back("integrity: " + where + " delivered " + to_string(d.id) + " again");
      if (d.slot < last_slot)
        violations.push_back("order: " + where + " came after slot " + std::to_string(last_slot));
      last_slot = d.slot;
      auto [it, first] = slot_of.emplace(d.id, std::make_pair(node, d.slot));
      if (!first && it->second.second != d.slot)
        violations.push_back("total order: " + to_string(d.id) + " is in slot " +
                             std::to_string(d.slot) + " at node " + std::to_string(node) +
                             " but in slot " + std::to_string(it->second.second) + " at node " +
                             std::to_string(it->second.first));
    }
  }
  // Uniform total order: every pair of delivery sequences agrees on their common prefix, leaving
  // out of each what the other skipped.
  const auto without_gaps_of = [&](node_id other, const std::vector<delivered_message>& seq) {
    std::vector<delivered_message> kept;
    kept.reserve(seq.size());
    for (const auto& d : seq)
      if (!skipped(other, d.slot)) kept.push_back(d);
    return kept;
  };
  for (auto a = log_.begin(); a != log_.end(); ++a) {
    for (auto b = std::next(a); b != log_.end(); ++b) {
      const auto x = without_gaps_of(b->first, a->second);
      const auto y = without_gaps_of(a->first, b->second);
      for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
        if (x[i].id == y[i].id) continue;
        violations.push_back("total order: delivery #" + std::to_string(i + 1) + " is " +
                             to_string(x[i].id) + " at node " + std::to_string(a->first) + " but " +
                             to_string(y[i].id) + " at node " + std::to_string(b->first));
        break;
      }
    }
  }
  return violations;
}

std::vector<std::string> total_order_checker::check(const run_end& end) const {
  auto violations = check_safety();
  std::map<message_id, slot_t> delivered_anywhere;  // and the slot it was delivered in
  for (const auto& [node, seq] : log_)
    for (const auto& d : seq) delivered_anywhere.emplace(d.id, d.slot);
  std::map<message_id, slot_t> placed = delivered_anywhere;  // ...or decided in
  placed.insert(decided_.begin(), decided_.end());
  for (node_id node : end.up) {
    std::set<message_id> here;
    if (auto it = log_.find(node); it != log_.end())
      for (const auto& d : it->second) here.insert(d.id);
    std::size_t missing_agreement = 0;
    std::size_t missing_termination = 0;
    message_id example_a{}, example_t{};
    for (const auto& [id, slot] : delivered_anywhere)
      if (!here.count(id) && !skipped(node, slot) && missing_agreement++ == 0) example_a = id;
    for (const auto& id : end.must_deliver) {
      auto anywhere = placed.find(id);
      if (anywhere != placed.end() && skipped(node, anywhere->second)) continue;
      if (!here.count(id) && missing_termination++ == 0) example_t = id;
    }
    if (missing_agreement > 0)
      violations.push_back("agreement: node " + std::to_string(node) + " never delivered " +
                           std::to_string(missing_agreement) +
                           " message(s) others delivered, e.g. " + to_string(example_a));
    if (missing_termination > 0)
      violations.push_back("termination: node " + std::to_string(node) + " never delivered " +
                           std::to_string(missing_termination) +
                           " message(s) broadcast by nodes that stayed up, e.g. " +
                           to_string(example_t));
  }
  return violations;
}

}  // namespace synod::sim
