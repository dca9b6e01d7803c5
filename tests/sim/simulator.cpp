#include "tests/sim/simulator.hpp"

#include <algorithm>
#include <iostream>
#include <set>

#include "actors/invariant.hpp"
#include "persistence/memory_storage.hpp"
#include "tests/sim/checker.hpp"
#include "tests/sim/random.hpp"

namespace synod::sim {

std::optional<planted_bug> parse_bug(const std::string& name) {
  for (auto bug :
       {planted_bug::none, planted_bug::acceptor_forgets_promise, planted_bug::leader_reuses_round,
        planted_bug::learner_skips_ahead, planted_bug::snapshot_loses_ids,
        planted_bug::snapshot_loses_digest, planted_bug::read_answer_first_page})
    if (to_string(bug) == name) return bug;
  return std::nullopt;
}

std::string to_string(planted_bug bug) {
  switch (bug) {
    case planted_bug::none:
      return "none";
    case planted_bug::acceptor_forgets_promise:
      return "acceptor-forgets-promise";
    case planted_bug::leader_reuses_round:
      return "leader-reuses-round";
    case planted_bug::learner_skips_ahead:
      return "learner-skips-ahead";
    case planted_bug::snapshot_loses_ids:
      return "snapshot-loses-ids";
    case planted_bug::snapshot_loses_digest:
      return "snapshot-loses-digest";
    case planted_bug::read_answer_first_page:
      return "read-answer-first-page";
  }
  return "?";
}

namespace {

struct node_state {
  node_id id = 0;
  memory_storage disk;  // survives crashes: the node's stable storage
  std::optional<member> live;
  std::uint64_t down_until = 0;        // tick at which a crashed node recovers
  std::uint64_t paused_until = 0;      // tick at which a paused node resumes
  std::vector<message_id> owed;        // broadcast by the current incarnation
  std::set<message_id> skipped_ahead;  // learner-skips-ahead: reported early already
  node_id follows = 0;                 // the leader its failure detector names
};

struct event {
  std::uint64_t time = 0;
  std::uint64_t order = 0;  // ties in time run in scheduling order
  bool is_tick = false;
  envelope message;
};

struct later {
  bool operator()(const event& a, const event& b) const {
    return a.time != b.time ? a.time > b.time : a.order > b.order;
  }
};

class world {
 public:
  world(const sim_config& config, std::uint64_t seed) : config_(config), rng_(seed) {
    enable_invariant_checks();
    result_.seed = seed;
    for (node_id id = 1; id <= config_.nodes; ++id) group_.members.push_back(id);
    nodes_.resize(config_.nodes);
    for (node_id id = 1; id <= config_.nodes; ++id) {
      nodes_[id - 1].id = id;
      start(nodes_[id - 1]);
      // Members tick at staggered offsets, as real clocks do.
      schedule_tick(id, rng_.below(config_.tick));
    }
  }

  sim_result run() {
    const std::uint64_t last_tick = config_.fault_ticks + config_.settle_ticks;
    while (!queue_.empty()) {
      std::pop_heap(queue_.begin(), queue_.end(), later{});
      event e = std::move(queue_.back());
      queue_.pop_back();
      now_ = e.time;
      if (e.is_tick) {
        const std::uint64_t tick = now_ / config_.tick;
        if (tick >= last_tick) break;
        if (e.message.to == 1 && on_global_tick(tick)) break;
        on_tick(node(e.message.to), tick);
        schedule_tick(e.message.to, now_ + config_.tick);
      } else {
        on_message(std::move(e.message));
      }
    }
    run_end end;
    for (auto& n : nodes_) {
      if (!n.live) continue;
      end.up.insert(n.id);
      end.must_deliver.insert(n.owed.begin(), n.owed.end());
    }
    result_.violations = checker_.check(end);
    check_nothing_held();
    check_same_ledger();
    if (config_.max_leader_rounds > 0 &&
        result_.rounds_after_first_decision > config_.max_leader_rounds)
      result_.violations.push_back(
          "leader stability: " + std::to_string(result_.rounds_after_first_decision) +
          " rounds started after the first decision, at most " +
          std::to_string(config_.max_leader_rounds) + " allowed");
    result_.deliveries = checker_.delivered_count();
    for (const auto& [id, log] : checker_.deliveries()) {
      std::uint64_t digest = 14695981039346656037ULL;  // FNV-1a over (origin, seq) in order
      for (const auto& d : log)
        for (std::uint64_t word : {std::uint64_t{d.id.origin}, d.id.seq})
          for (int byte = 0; byte < 8; ++byte)
            digest = (digest ^ ((word >> (8 * byte)) & 0xff)) * 1099511628211ULL;
      result_.per_member[id] = {log.size(), digest};
    }
    return result_;
  }

 private:
  node_state& node(node_id id) { return nodes_[id - 1]; }
  bool faulty(std::uint64_t tick) const { return tick < config_.fault_ticks; }

  // Once per tick period: partitions start and heal; the faults end; the run may be settled.
  bool on_global_tick(std::uint64_t tick) {
    if (faulty(tick)) {
      if (partitioned_ && tick >= partition_until_) heal(tick);
      if (!partitioned_ && rng_.chance(config_.partition)) split(tick);
      if (deaf_.first && tick >= deaf_until_) deaf_ = {0, 0};
      if (!deaf_.first && config_.nodes > 1 && rng_.chance(config_.one_way)) cut_one_way(tick);
      if (slow_ && tick >= slow_until_) slow_ = 0;
      if (!slow_ && rng_.chance(config_.slow)) slow_down(tick);
      return false;
    }
    if (tick == config_.fault_ticks) {
      if (partitioned_) heal(tick);
      deaf_ = {0, 0};
      slow_ = 0;
      for (auto& n : nodes_)
        if (!n.live) start(n);
    }
    result_.settle_ticks_used = tick - config_.fault_ticks;
    return settled();
  }

  // Settled: everyone is up, every member delivered its own broadcasts, all delivered the same
  // slots, and no leader holds a message. Only then does stopping early not hide a termination
  // failure.
  bool settled() const {
    slot_t position = 0;
    for (const auto& n : nodes_) {
      if (!n.live || n.live->front().undelivered() > 0) return false;
      if (n.live->leader_core().held_count() > 0) return false;
      const slot_t here = n.live->learner_core().delivered_up_to();
      if (&n != &nodes_.front() && here != position) return false;
      position = here;
    }
    return true;
  }

  // Once every broadcast is delivered everywhere, no leader holds a message and no front has one
  // pending: a held set that keeps ids would, with enough traffic, stop ordering for good.
  void check_nothing_held() {
    for (const auto& n : nodes_) {
      if (!n.live) continue;
      const auto& l = n.live->leader_core();
      if (l.held_count() > 0)
        result_.violations.push_back("bounded: node " + std::to_string(n.id) +
                                     "'s leader still holds " + std::to_string(l.held_count()) +
                                     " message(s) after settling");
    }
  }

  // Members at the same position hold the same ledger, whether they built it by deliveries or
  // took part of it from a snapshot: equal digests (the application's state, here the delivery
  // sequence, folded).
  void check_same_ledger() {
    const member* first = nullptr;
    for (const auto& n : nodes_) {
      if (!n.live) continue;
      const auto& l = n.live->learner_core();
      if (!first) {
        first = &*n.live;
        continue;
      }
      const auto& f = first->learner_core();
      if (l.delivered_up_to() != f.delivered_up_to()) continue;
      if (l.digest() != f.digest() || l.delivered_messages() != f.delivered_messages())
        result_.violations.push_back("ledger: node " + std::to_string(n.id) + " and node " +
                                     std::to_string(first->self()) + " delivered up to slot " +
                                     std::to_string(l.delivered_up_to()) +
                                     " but their ledger digests differ");
    }
  }

  void split(std::uint64_t tick) {
    side_.assign(config_.nodes, false);
    for (auto&& s : side_) s = rng_.chance(0.5);
    partitioned_ = true;
    partition_until_ = tick + rng_.between(10, 100);
    ++result_.partitions;
    if (config_.trace) std::cout << now_ << " partition until tick " << partition_until_ << "\n";
  }

  // One member stops hearing another (a one-way partition): messages from `from` to `to` are
  // lost, those from `to` to `from` still arrive.
  void cut_one_way(std::uint64_t tick) {
    const node_id to = 1 + static_cast<node_id>(rng_.below(config_.nodes));
    node_id from = 1 + static_cast<node_id>(rng_.below(config_.nodes - 1));
    if (from >= to) ++from;
    deaf_ = {to, from};
    deaf_until_ = tick + rng_.between(10, 100);
    if (config_.trace)
      std::cout << now_ << " node " << to << " stops hearing node " << from << " until tick "
                << deaf_until_ << "\n";
  }

  // One member hears everything late for a while (its inbound stream crawls).
  void slow_down(std::uint64_t tick) {
    node_id who = 1 + static_cast<node_id>(rng_.below(config_.nodes));
    if (config_.spare_leader && node(who).live && node(who).live->leader() == who)
      who = who % config_.nodes + 1;
    slow_ = who;
    slow_until_ = tick + rng_.between(10, 100);
    if (config_.trace)
      std::cout << now_ << " node " << who << " hears late until tick " << slow_until_ << "\n";
  }

  void heal(std::uint64_t) {
    partitioned_ = false;
    if (config_.trace) std::cout << now_ << " partition healed\n";
  }

  void on_tick(node_state& n, std::uint64_t tick) {
    if (!n.live) {
      if (tick >= n.down_until) start(n);
      return;
    }
    if (tick < n.paused_until) return;
    if (faulty(tick)) {
      const bool leading = n.live->leader_core().leading();
      const bool spared = config_.spare_leader && (leading || n.live->leader() == n.id);
      if ((!spared && rng_.chance(config_.crash)) ||
          (leading && rng_.chance(config_.crash_leader))) {
        if (leading) ++result_.leader_crashes;
        crash(n, tick);
        return;
      }
      if (!spared && rng_.chance(config_.pause)) {
        n.paused_until = tick + rng_.between(5, 60);
        ++result_.pauses;
        if (config_.trace)
          std::cout << now_ << " pause " << n.id << " until tick " << n.paused_until << "\n";
        return;
      }
      if (rng_.chance(config_.broadcast_rate)) broadcast(n, tick);
    }
    n.live->tick();
    flush(n);
  }

  void broadcast(node_state& n, std::uint64_t tick) {
    auto id = n.live->broadcast("m" + std::to_string(tick) + "@" + std::to_string(n.id));
    if (!id) return;  // backpressure: the front is full
    checker_.on_broadcast(*id);
    n.owed.push_back(*id);
    ++result_.broadcasts;
  }

  void crash(node_state& n, std::uint64_t tick) {
    n.live.reset();
    n.paused_until = 0;
    n.owed.clear();  // a crashed incarnation's undelivered broadcasts are owed to nobody
    n.down_until = tick + rng_.between(1, 40);
    ++result_.crashes;
    if (config_.trace) std::cout << now_ << " crash " << n.id << "\n";
  }

  void start(node_state& n) {
    recovered_state state = n.disk.recover(config_.member.memory_slots);  // as a member does
    if (config_.bug == planted_bug::acceptor_forgets_promise) state.promised = round_t{};
    if (config_.bug == planted_bug::leader_reuses_round && state.round_counter > 0)
      --state.round_counter;  // as if the counter were logged after the round was used
    n.live.emplace(n.id, group_, config_.member, state);
    n.live->use_archive(n.disk);
    if (config_.trace) std::cout << now_ << " start " << n.id << "\n";
    flush(n);
  }

  void on_message(envelope m) {
    node_state& n = node(m.to);
    if (!n.live) return;                         // a down node receives nothing
    if (n.paused_until * config_.tick > now_) {  // a paused process: it waits in its socket
      schedule_message(std::move(m), n.paused_until * config_.tick + rng_.between(0, config_.tick));
      return;
    }
    if (config_.trace)
      std::cout << now_ << " " << m.from << "->" << m.to << " " << kind_name(m.body) << "\n";
    if (config_.bug == planted_bug::learner_skips_ahead) skip_ahead(n, m.body);
    if (auto* s = std::get_if<ledger_snapshot>(&m.body)) {
      if (config_.bug == planted_bug::snapshot_loses_ids) s->delivered = delivered_filter{};
      if (config_.bug == planted_bug::snapshot_loses_digest) s->digest = ledger_digest_start;
    }
    if (auto* a = std::get_if<read_ack>(&m.body);
        a && config_.bug == planted_bug::read_answer_first_page) {
      if (a->page > 0) return;
      a->pages = 1;
    }
    n.live->receive(m.from, m.body);
    flush(n);
  }

  // The planted learner bug: deliver a batch that arrives ahead of a gap at once.
  void skip_ahead(node_state& n, const wire_message& body) {
    const auto* d = std::get_if<decision>(&body);
    if (!d || d->slot <= n.live->learner_core().delivered_up_to() + 1) return;
    for (const auto& m : d->value.messages())
      if (n.skipped_ahead.insert(m.id).second) checker_.on_delivery(n.id, d->slot, m.id);
  }

  // Carries out a member's effects in order: commit, then send, then deliver.
  void flush(node_state& n) {
    if (n.live->leader() != n.follows) {
      n.follows = n.live->leader();
      if (config_.trace) std::cout << now_ << " node " << n.id << " follows " << n.follows << "\n";
    }
    effects e = n.live->take_effects();
    result_.max_held = std::max(result_.max_held, n.live->leader_core().held_count());
    for (const auto& r : e.durable)
      if (std::holds_alternative<round_counter_record>(r) && decided_anything_)
        ++result_.rounds_after_first_decision;
    if (!e.deliveries.empty()) decided_anything_ = true;
    if (!e.durable.empty()) n.disk.commit(e.durable);
    for (auto& out : e.messages) send(n.id, out.to, std::move(out.body));
    for (const auto& d : e.deliveries) {
      if (d.is_gap()) {
        checker_.on_gap(n.id, d.gap_from, d.slot);
        ++result_.gaps;
        if (config_.trace)
          std::cout << now_ << " node " << n.id << " skips slots " << d.gap_from << " to " << d.slot
                    << "\n";
      }
      for (const auto& m : d.messages())
        if (!n.skipped_ahead.count(m.id)) checker_.on_delivery(n.id, d.slot, m.id);
    }
    n.live->take_own_delivered();
  }

  void send(node_id from, node_id to, wire_message body) {
    ++result_.messages_sent;
    const bool faults = faulty(now_ / config_.tick);
    if (from == to) {  // a local hand-off is never lost, but as asynchronous as any other
      schedule_message({from, to, std::move(body)}, now_ + rng_.between(1, config_.max_delay));
      return;
    }
    if (faults && partitioned_ && side_[from - 1] != side_[to - 1]) return;
    if (faults && from == deaf_.second && to == deaf_.first) return;
    if (faults && rng_.chance(config_.loss)) return;
    std::uint64_t late = 0;
    if (faults && to == slow_) late = rng_.between(0, config_.slow_delay_ticks * config_.tick);
    if (faults && rng_.chance(config_.dup))
      schedule_message({from, to, body}, now_ + late + rng_.between(1, config_.max_delay));
    schedule_message({from, to, std::move(body)}, now_ + late + rng_.between(1, config_.max_delay));
  }

  void schedule_message(envelope m, std::uint64_t at) {
    queue_.push_back(event{at, order_++, false, std::move(m)});
    std::push_heap(queue_.begin(), queue_.end(), later{});
  }

  void schedule_tick(node_id id, std::uint64_t at) {
    queue_.push_back(event{at, order_++, true, envelope{0, id, {}}});
    std::push_heap(queue_.begin(), queue_.end(), later{});
  }

  sim_config config_;
  rng rng_;
  group_view group_;
  std::vector<node_state> nodes_;
  std::vector<event> queue_;
  std::uint64_t now_ = 0;
  std::uint64_t order_ = 0;
  bool partitioned_ = false;
  std::uint64_t partition_until_ = 0;
  std::vector<bool> side_;
  std::pair<node_id, node_id> deaf_{0, 0};  // (member, the member it cannot hear)
  std::uint64_t deaf_until_ = 0;
  node_id slow_ = 0;  // the member that hears late, if any
  std::uint64_t slow_until_ = 0;
  bool decided_anything_ = false;
  total_order_checker checker_;
  sim_result result_;
};

}  // namespace

sim_result run_simulation(const sim_config& config, std::uint64_t seed) {
  return world(config, seed).run();
}

}  // namespace synod::sim
