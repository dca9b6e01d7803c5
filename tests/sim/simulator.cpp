#include "tests/sim/simulator.hpp"

#include <algorithm>
#include <iostream>
#include <set>

#include "actors/composition/member_roles.hpp"
#include "actors/core/invariant.hpp"
#include "actors/retransmission/peer_admission.hpp"
#include "persistence/memory_storage.hpp"
#include "tests/sim/application.hpp"
#include "tests/sim/checker.hpp"
#include "tests/sim/random.hpp"

namespace synod::sim {

std::optional<planted_bug> parse_bug(const std::string& name) {
  for (auto bug :
       {planted_bug::none, planted_bug::acceptor_forgets_promise, planted_bug::leader_reuses_round,
        planted_bug::learner_skips_ahead, planted_bug::snapshot_loses_ids,
        planted_bug::snapshot_loses_digest, planted_bug::read_answer_first_page,
        planted_bug::send_before_commit, planted_bug::no_admission, planted_bug::stale_checkpoint})
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
    case planted_bug::send_before_commit:
      return "send-before-commit";
    case planted_bug::no_admission:
      return "no-admission";
    case planted_bug::stale_checkpoint:
      return "stale-checkpoint";
  }
  return "?";
}

namespace {

// A member as the simulator keeps it: its stable storage survives crashes, the rest does not.
struct node_state {
  node_id id = 0;
  memory_storage disk;
  std::optional<member_roles> live;
  std::optional<peer_admission> admission;  // the transport's identity checks
  std::uint64_t epoch = 0;             // grows at every crash: events of an earlier one are void
  std::uint64_t down_until = 0;        // tick at which a crashed node recovers
  std::uint64_t paused_until = 0;      // tick at which a paused node resumes
  bool stopped = false;                // refused by its group: it stays down
  std::vector<message_id> owed;        // broadcast by the current incarnation
  std::deque<std::string> retries;     // refused for backpressure, offered again by the client
  std::set<message_id> skipped_ahead;  // learner-skips-ahead: reported early already
  // The application, with its own position: the last slot it was handed. A member that crashed
  // after committing deliveries but before handing them on gives them at its next start, as an
  // application resuming its subscription from its position reads them.
  application app;
  slot_t carried = 0;   // the member's deliveries carried out (durable) so far
  node_id follows = 0;  // the leader its failure detector names
  // The storage actor: commits asked for by the roles, committed together.
  std::vector<role> commit_requests;
  std::vector<durable_record> commit_records;
  bool commit_scheduled = false;
  std::array<bool, role_count> flush_scheduled{};
  // Mailboxes are in order per sender and receiver: the time of the last note per pair.
  std::map<std::pair<role, role>, std::uint64_t> mailbox_at;
  std::uint64_t sent = 0;  // frames sent in this run
  // Per peer, its newest frame seen: links deliver a run's frames in order and end with it, so
  // a frame the simulator's network delays past later ones does not speak for the peer's
  // identity, and one of an earlier run of the peer is not taken at all.
  struct session {
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
    sender_identity sender;
  };
  std::map<node_id, session> sessions;
};

enum class event_kind { node_tick, role_tick, wire, note, flush, commit, storage_read };

struct event {
  event() = default;
  event(std::uint64_t at, event_kind what, node_id who, role r = role::acceptor,
        std::uint64_t of_epoch = 0)
      : time(at), kind(what), node(who), to(r), epoch(of_epoch) {}

  std::uint64_t time = 0;
  std::uint64_t order = 0;  // ties in time run in scheduling order
  event_kind kind = event_kind::node_tick;
  node_id node = 0;
  role to = role::acceptor;
  std::uint64_t epoch = 0;
  envelope message;  // wire
  // The sender's identity, as its frames carry it, and the frame's place in the sender's run.
  sender_identity sender;
  std::uint64_t sender_epoch = 0;
  std::uint64_t sender_seq = 0;
  note body;  // note, storage_read
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
      start(nodes_[id - 1], false);
      // Members tick at staggered offsets, as real clocks do.
      schedule(event(rng_.below(config_.tick), event_kind::node_tick, id));
    }
  }

  sim_result run() {
    const std::uint64_t last_tick = config_.fault_ticks + config_.settle_ticks;
    while (!queue_.empty()) {
      std::pop_heap(queue_.begin(), queue_.end(), later{});
      event e = std::move(queue_.back());
      queue_.pop_back();
      now_ = e.time;
      if (e.kind == event_kind::node_tick) {
        const std::uint64_t tick = now_ / config_.tick;
        if (tick >= last_tick) break;
        if (e.node == 1 && on_global_tick(tick)) break;
        on_node_tick(node(e.node), tick);
        schedule(event(now_ + config_.tick, event_kind::node_tick, e.node));
        continue;
      }
      on_event(std::move(e));
    }
    judge();
    return result_;
  }

 private:
  node_state& node(node_id id) { return nodes_[id - 1]; }
  const node_state& node(node_id id) const { return nodes_[id - 1]; }
  bool faulty(std::uint64_t tick) const { return tick < config_.fault_ticks; }
  bool faulty_now() const { return faulty(now_ / config_.tick); }

  void judge() {
    run_end end;
    for (auto& n : nodes_) {
      if (!n.live) continue;
      end.up.insert(n.id);
      end.must_deliver.insert(n.owed.begin(), n.owed.end());
    }
    // Members their group refused stay down: with fewer than a majority left, nothing more can be
    // decided, and only safety is judged.
    result_.violations =
        end.up.size() >= group_.quorum() ? checker_.check(end) : checker_.check_safety();
    check_nothing_held();
    check_same_ledger();
    if (config_.app_checkpoint_every > 0) check_application_states();
    for (const auto& n : nodes_)
      if (n.live) result_.state_transfers += n.live->learner().transfers_done();
    if (amnesiac_ != 0 && !node(amnesiac_).stopped)
      result_.violations.push_back("identity: node " + std::to_string(amnesiac_) +
                                   " came back without its database and was not refused");
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
  }

  // Once per tick period: partitions start and heal; the faults end; the run may be settled.
  bool on_global_tick(std::uint64_t tick) {
    if (faulty(tick)) {
      if (partitioned_ && tick >= partition_until_) heal(tick);
      if (!partitioned_ && rng_.chance(config_.partition)) split(tick);
      if (deaf_.first && tick >= deaf_until_) deaf_ = {0, 0};
      if (!deaf_.first && config_.nodes > 1 && rng_.chance(config_.one_way)) cut_one_way(tick);
      if (slow_ && tick >= slow_until_) slow_ = 0;
      if (!slow_ && rng_.chance(config_.slow)) slow_down(tick);
      if (rogue_ && tick >= rogue_until_) end_rogue();
      // Not while the group boots: forged consents would let two members take part before they
      // agreed on a group id (their identity checks would then rightly refuse each other).
      if (!rogue_ && decided_anything_ && rng_.chance(config_.rogue)) start_rogue(tick);
      if (slow_link_.first && tick >= slow_link_until_) slow_link_ = {0, 0};
      if (!slow_link_.first && config_.nodes > 1 && rng_.chance(config_.link_delay))
        slow_link(tick);
      return false;
    }
    if (tick == config_.fault_ticks) {
      if (partitioned_) heal(tick);
      if (rogue_) end_rogue();
      deaf_ = {0, 0};
      slow_ = 0;
      slow_link_ = {0, 0};
      for (auto& n : nodes_)
        if (!n.live && !n.stopped) start(n, false);
    }
    result_.settle_ticks_used = tick - config_.fault_ticks;
    return settled();
  }

  // Settled: everyone is up (but members their group refused), every member delivered its own
  // broadcasts and its client has nothing left to offer, all delivered the same slots, and no
  // leader holds a message. Only then does stopping early not hide a termination failure.
  bool settled() const {
    bool first = true;
    slot_t position = 0;
    node_id leader = 0;
    for (const auto& n : nodes_) {
      if (n.stopped) continue;
      // A leader runs phase 2 and everyone follows it: whatever was accepted before is decided
      // again by now (a group that lost the member which delivered it still owes it).
      if (!n.live) return false;
      if (leader == 0) leader = n.live->detector().leader();
      if (leader == 0 || n.live->detector().leader() != leader) return false;
      if (!n.live || n.live->front().undelivered() > 0 || !n.retries.empty()) return false;
      if (n.live->leader().held_count() > 0 || n.live->learner().waiting_slots() > 0) return false;
      // Nothing of it is still waiting for a commit: what its cores did is carried out.
      if (n.commit_scheduled) return false;
      if (n.app.waiting()) return false;
      for (role r : core_roles)
        if (n.live->queue(r).waiting() > 0 || n.flush_scheduled[static_cast<std::size_t>(r)])
          return false;
      const slot_t here = n.live->learner().delivered_up_to();
      if (!first && here != position) return false;
      position = here;
      first = false;
    }
    if (leader == 0 || !node(leader).live) return false;
    const auto& l = node(leader).live->leader();
    return l.leading() && l.in_flight() == 0;
  }

  // Once every broadcast is delivered everywhere, no leader holds a message and no front has one
  // pending: a held set that keeps ids would, with enough traffic, stop ordering for good.
  void check_nothing_held() {
    for (const auto& n : nodes_) {
      if (!n.live) continue;
      const auto& l = n.live->leader();
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
    const node_state* first = nullptr;
    for (const auto& n : nodes_) {
      if (!n.live) continue;
      if (!first) {
        first = &n;
        continue;
      }
      const auto& l = n.live->learner();
      const auto& f = first->live->learner();
      if (l.delivered_up_to() != f.delivered_up_to()) continue;
      if (l.digest() != f.digest() || l.delivered_messages() != f.delivered_messages())
        result_.violations.push_back("ledger: node " + std::to_string(n.id) + " and node " +
                                     std::to_string(first->id) + " delivered up to slot " +
                                     std::to_string(l.delivered_up_to()) +
                                     " but their ledger digests differ");
    }
  }

  // Every application that skipped nothing (or made it up with a checkpoint) holds what its
  // member delivered, folded: the member's ledger digest at its slot; so any two at the same
  // slot are equal, however they got there.
  void check_application_states() {
    const node_state* reference = nullptr;
    for (const auto& n : nodes_) {
      if (!n.live) continue;
      const std::string who = "application: node " + std::to_string(n.id);
      if (n.app.waiting()) {
        result_.violations.push_back(who + " still waits for a checkpoint for slots " +
                                     std::to_string(n.app.cut_from()) + " to " +
                                     std::to_string(n.app.cut_to()));
        continue;
      }
      if (!n.app.whole()) continue;  // it was handed a gap: it misses messages, as it was told
      const auto& l = n.live->learner();
      const auto& a = n.app.state();
      if (a.slot == l.delivered_up_to() &&
          (a.digest != l.digest() || a.applied != l.delivered_messages()))
        result_.violations.push_back(who + "'s state at slot " + std::to_string(a.slot) +
                                     " is not what its member delivered");
      if (!reference) {
        reference = &n;
        continue;
      }
      const auto& r = reference->app.state();
      if (r.slot == a.slot && !(r == a))
        result_.violations.push_back(who + " and node " + std::to_string(reference->id) +
                                     " are both at slot " + std::to_string(a.slot) +
                                     " but their states differ");
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

  // Two distinct members, at random.
  std::pair<node_id, node_id> two_members() {
    const node_id a = 1 + static_cast<node_id>(rng_.below(config_.nodes));
    node_id b = 1 + static_cast<node_id>(rng_.below(config_.nodes - 1));
    if (b >= a) ++b;
    return {a, b};
  }

  // One member stops hearing another (a one-way partition): messages from `from` to `to` are
  // lost, those from `to` to `from` still arrive.
  void cut_one_way(std::uint64_t tick) {
    const auto [to, from] = two_members();
    deaf_ = {to, from};
    deaf_until_ = tick + rng_.between(10, 100);
    if (config_.trace)
      std::cout << now_ << " node " << to << " stops hearing node " << from << " until tick "
                << deaf_until_ << "\n";
  }

  // One member hears everything late for a while (its inbound stream crawls).
  void slow_down(std::uint64_t tick) {
    node_id who = 1 + static_cast<node_id>(rng_.below(config_.nodes));
    if (config_.spare_leader && node(who).live && node(who).live->detector().leader() == who)
      who = who % config_.nodes + 1;
    slow_ = who;
    slow_until_ = tick + rng_.between(10, 100);
    if (config_.trace)
      std::cout << now_ << " node " << who << " hears late until tick " << slow_until_ << "\n";
  }

  // One link, one direction, turns slow for a while.
  void slow_link(std::uint64_t tick) {
    slow_link_ = two_members();
    slow_link_until_ = tick + rng_.between(10, 100);
    if (config_.trace)
      std::cout << now_ << " link " << slow_link_.first << "->" << slow_link_.second
                << " slow until tick " << slow_link_until_ << "\n";
  }

  // A member is told it leads, and every probe it sends is answered as if all consented.
  void start_rogue(std::uint64_t tick) {
    rogue_ = 1 + static_cast<node_id>(rng_.below(config_.nodes));
    rogue_until_ = tick + rng_.between(10, 50);
    if (config_.trace) std::cout << now_ << " node " << rogue_ << " goes rogue\n";
    node_state& n = node(rogue_);
    if (n.live) mail(n, role::detector, role::leader, leader_elected{rogue_});
  }

  // ...and hears its own failure detector again.
  void end_rogue() {
    node_state& n = node(rogue_);
    if (n.live) mail(n, role::detector, role::leader, leader_elected{n.live->detector().leader()});
    rogue_ = 0;
  }

  void heal(std::uint64_t) {
    partitioned_ = false;
    if (config_.trace) std::cout << now_ << " partition healed\n";
  }

  // A member's own clock: it may crash or pause, its client broadcasts, and each of its roles
  // ticks at some moment of the period (their timers are independent).
  void on_node_tick(node_state& n, std::uint64_t tick) {
    if (!n.live) {
      if (!n.stopped && tick >= n.down_until) start(n, faulty(tick));
      return;
    }
    if (tick < n.paused_until) return;
    make_up_cut(n);
    if (faulty(tick)) {
      const bool leading = n.live->leader().leading();
      const bool spared = config_.spare_leader && (leading || n.live->detector().leader() == n.id);
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
      if (rng_.chance(config_.broadcast_rate)) offer(n, "m" + std::to_string(tick));
      if (rng_.chance(config_.burst))
        for (std::size_t i = 0; i < config_.burst_size; ++i)
          offer(n, "b" + std::to_string(tick) + "." + std::to_string(i));
    }
    retry_refused(n);
    for (role r : core_roles)
      if (r != role::acceptor)
        schedule(event(now_ + rng_.below(config_.tick), event_kind::role_tick, n.id, r, n.epoch));
  }

  // A client's broadcast: taken by the front, or kept to offer again (backpressure).
  void offer(node_state& n, std::string payload) {
    if (!n.retries.empty() || !broadcast(n, payload)) n.retries.push_back(std::move(payload));
  }

  void retry_refused(node_state& n) {
    while (!n.retries.empty() && broadcast(n, n.retries.front())) n.retries.pop_front();
  }

  bool broadcast(node_state& n, const std::string& payload) {
    auto id = n.live->front().broadcast(payload + "@" + std::to_string(n.id));
    if (!id) {
      ++result_.busy_refusals;
      return false;
    }
    checker_.on_broadcast(*id);
    n.owed.push_back(*id);
    ++result_.broadcasts;
    stepped(n, role::front);
    return true;
  }

  void crash(node_state& n, std::uint64_t tick) {
    if (n.live) result_.state_transfers += n.live->learner().transfers_done();
    n.live.reset();
    n.admission.reset();
    ++n.epoch;
    n.paused_until = 0;
    n.owed.clear();  // a crashed incarnation's undelivered broadcasts are owed to nobody
    n.retries.clear();
    n.commit_requests.clear();
    n.commit_records.clear();
    n.commit_scheduled = false;
    n.flush_scheduled = {};
    n.mailbox_at.clear();
    n.sent = 0;
    n.sessions.clear();
    n.down_until = tick + rng_.between(1, 40);
    ++result_.crashes;
    if (config_.trace) std::cout << now_ << " crash " << n.id << "\n";
  }

  // The member's group refused it (another process or database under its id): it stops.
  void stop_refused(node_state& n, const std::string& why) {
    crash(n, 0);
    n.stopped = true;
    ++result_.refused_stops;
    if (config_.trace) std::cout << now_ << " node " << n.id << " stops: " << why << "\n";
  }

  // Hands the application the slots its member carried out that it has not been handed, read
  // back from the log, as a subscription from its position does; slots the log no longer has
  // are a cut.
  void feed_application(node_state& n) {
    while (!n.app.waiting() && n.app.slot() < n.carried) {
      const slot_t next = n.app.slot() + 1;
      const auto page = n.disk.read_delivered(next, std::size_t{1} << 20);
      if (page.empty() || page.front().first > next) {
        cut(n, next, page.empty() ? n.carried : page.front().first - 1);
        continue;
      }
      for (const auto& [slot, b] : page) {
        if (slot > n.carried) break;
        hand(n, slot, b);
      }
    }
  }

  // One delivered batch to the application, which checkpoints every so often.
  void hand(node_state& n, slot_t slot, const batch& b) {
    for (const auto& m : b.messages())
      if (!n.skipped_ahead.count(m.id)) checker_.on_delivery(n.id, slot, m.id);
    n.app.apply(slot, b);
    const slot_t every = config_.app_checkpoint_every;
    // One that was handed a gap misses messages: its state is no checkpoint for anyone.
    if (every == 0 || slot < n.app.checkpointed + every || !n.live || !n.app.whole()) return;
    n.app.checkpointed = slot;
    application_state state = n.app.state();
    if (config_.bug == planted_bug::stale_checkpoint) {
      state = n.app.previous();  // handed over before the last batch was applied
      state.slot = slot;
    }
    n.live->learner().offer_checkpoint(slot, state.encode());
    stepped(n, role::learner);
  }

  // Slots from `from` to `to` were cut from the member's log before the application was handed
  // them: an application that checkpoints waits for a checkpoint that covers them; one that
  // does not takes the gap.
  void cut(node_state& n, slot_t from, slot_t to) {
    if (config_.app_checkpoint_every == 0) {
      declare_gap(n, from, to);
      return;
    }
    n.app.wait_for_checkpoint(from, to);
    make_up_cut(n);
  }

  void declare_gap(node_state& n, slot_t from, slot_t to) {
    checker_.on_gap(n.id, from, to);
    n.app.skip_to(to);
    ++result_.app_gaps;
  }

  // An application waiting at a cut: it takes its member's checkpoint once it covers the cut
  // and its slot is carried out, or the gap once none is coming; then the slots after it.
  void make_up_cut(node_state& n) {
    auto& app = n.app;
    if (!app.waiting() || !n.live) return;
    auto& l = n.live->learner();
    const auto answer = l.answer_cut(app.cut_to(), n.carried, app.asked_peers_at);
    if (answer == learner::cut_answer::wait) return;  // one is coming (the peers were asked)
    if (answer == learner::cut_answer::checkpoint) {
      const auto& kept = l.checkpoint();
      // The messages of these slots are in the state it takes, as check_application_states
      // judges; for the total-order checker they are delivered here now, in their slots.
      for (slot_t slot = app.cut_from(); slot <= kept.slot; ++slot) {
        const auto it = delivered_slots_.find(slot);
        if (it == delivered_slots_.end()) {
          checker_.on_gap(n.id, slot, slot);
          continue;
        }
        for (const auto& m : it->second.messages()) checker_.on_delivery(n.id, slot, m.id);
      }
      if (!app.restore(kept.slot, kept.state)) {
        result_.violations.push_back("application: node " + std::to_string(n.id) +
                                     " was handed a checkpoint of slot " +
                                     std::to_string(kept.slot) + " that is not a state as of it");
        app.skip_to(kept.slot);
      }
      ++result_.app_checkpoints_taken;
      if (config_.trace)
        std::cout << now_ << " node " << n.id << "'s application takes the checkpoint of slot "
                  << kept.slot << " for slots " << app.cut_from() << " to " << app.cut_to() << "\n";
    } else {
      declare_gap(n, app.cut_from(), app.cut_to());
    }
    app.stop_waiting();
    feed_application(n);
  }

  bool known_to_all(node_id id) const {
    for (const auto& other : nodes_)
      if (other.id != id && (!other.admission || !other.admission->knows_history_of(id)))
        return false;
    return true;
  }

  void start(node_state& n, bool faults) {
    // One machine loses its disk (at most one a run: with every copy of what a member promised
    // gone, nobody could tell that it took part).
    // It strikes a member every other member knows took part: the fault model the identity
    // checks are built for (a member none of whose live peers saw it take part is beyond it).
    if (faults && !amnesia_struck_ && known_to_all(n.id) && rng_.chance(config_.amnesia)) {
      amnesia_struck_ = true;
      amnesiac_ = n.id;
      n.disk = memory_storage{};  // its disk was replaced
      n.app = application{};      // and the application's state with it
      checker_.on_lost_database(n.id);
      ++result_.amnesiac_restarts;
      if (config_.trace) std::cout << now_ << " node " << n.id << " lost its database\n";
    }
    recovered_state state = n.disk.recover(config_.member.learner.memory_slots);
    if (state.transfer.slot != 0 && !state.transfer.received.empty()) ++result_.transfers_resumed;
    if (state.group_id == 0) {  // a new database: a candidate id, until it meets its group
      state.group_id = rng_.next() | 1;
      state.database_id = rng_.next() | 1;
      n.disk.commit({group_record{state.group_id}, database_record{state.database_id}});
    }
    n.admission.emplace(config_.nodes, state.group_id, state.has_history(),
                        state.members_with_history, state.database_id, state.incarnation + 1);
    if (config_.bug == planted_bug::acceptor_forgets_promise) state.promised = round_t{};
    if (config_.bug == planted_bug::leader_reuses_round && state.round_counter > 0)
      --state.round_counter;  // as if the counter were logged after the round was used
    n.live.emplace(n.id, group_, config_.member, state, state.incarnation + 1);
    if (config_.trace) std::cout << now_ << " start " << n.id << "\n";
    n.carried = state.delivered_up_to();
    feed_application(n);
    make_up_cut(n);
    for (role r : core_roles) stepped(n, r);  // what the cores left while they were made
  }

  void on_event(event e) {
    node_state& n = node(e.node);
    if (e.kind != event_kind::wire && (e.epoch != n.epoch || !n.live)) return;
    if (!n.live) return;                         // a down node receives nothing
    if (n.paused_until * config_.tick > now_) {  // a paused process: it all waits
      if (e.kind == event_kind::role_tick) return;
      e.time = n.paused_until * config_.tick;
      schedule(std::move(e));
      return;
    }
    switch (e.kind) {
      case event_kind::role_tick:
        n.live->tick(e.to);
        if (e.to == role::detector) note_leader(n);
        stepped(n, e.to);
        return;
      case event_kind::wire:
        on_message(n, std::move(e));
        return;
      case event_kind::note:
        if (config_.trace)
          std::cout << now_ << " node " << n.id << " " << to_string(e.to) << " takes a note\n";
        n.live->take(e.to, e.body);
        stepped(n, e.to);
        return;
      case event_kind::flush:
        flush(n, e.to);
        return;
      case event_kind::commit:
        commit(n);
        return;
      case event_kind::storage_read:
        read_archive(n, std::get<archive_read>(e.body));
        return;
      case event_kind::node_tick:
        return;
    }
  }

  void on_message(node_state& n, event e) {
    envelope& m = e.message;
    if (config_.trace)
      std::cout << now_ << " " << m.from << "->" << m.to << " " << describe(m.body) << "\n";
    if (m.from != n.id && !admitted(n, e)) return;
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
    const role r = role_of(m.body);
    n.live->feed(r, m.from, m.body);
    if (r == role::detector) note_leader(n);
    stepped(n, r);
  }

  // The transport's identity checks, before a frame reaches a role (transport_actor.cpp).
  bool admitted(node_state& n, const event& e) {
    auto& s = n.sessions[e.message.from];
    if (e.sender_epoch < s.epoch) return false;  // that run's link session is over
    if (e.sender_epoch > s.epoch || e.sender_seq > s.seq)
      s = {e.sender_epoch, e.sender_seq, e.sender};
    auto out = n.admission->admit(e.message.from, s.sender);
    if (!out.store.empty()) n.disk.commit(out.store);  // before anything of the peer is taken
    if (config_.bug == planted_bug::no_admission) return true;  // whatever the verdict
    if (out.what == peer_admission::verdict::refuse) refused(e.message.from, n.id, out.reason);
    return out.what == peer_admission::verdict::take;
  }

  // `to` refused frames of `who`: the refusal reaches it (when it is up), and it may stop.
  void refused(node_id who, node_id by, refusal_reason reason) {
    node_state& n = node(who);
    if (!n.live) return;
    if (auto why = n.admission->refused_by(by, reason, node(by).admission->group_id()))
      stop_refused(n, *why);
  }

  void note_leader(node_state& n) {
    if (n.live->detector().leader() == n.follows) return;
    n.follows = n.live->detector().leader();
    if (config_.trace) std::cout << now_ << " node " << n.id << " follows " << n.follows << "\n";
  }

  // The planted learner bug: deliver a batch that arrives ahead of a gap at once.
  void skip_ahead(node_state& n, const wire_message& body) {
    const auto* d = std::get_if<decision>(&body);
    if (!d || d->slot <= n.live->learner().delivered_up_to() + 1) return;
    for (const auto& m : d->value.messages())
      if (n.skipped_ahead.insert(m.id).second) checker_.on_delivery(n.id, d->slot, m.id);
  }

  // After a role took an input: its drain ends with a flush, as a shell's mailbox drain does.
  void stepped(node_state& n, role r) {
    if (r == role::front) n.live->front().take_delivered();
    auto& scheduled = n.flush_scheduled[static_cast<std::size_t>(r)];
    if (scheduled) return;
    scheduled = true;
    schedule(event(now_, event_kind::flush, n.id, r, n.epoch));
  }

  void flush(node_state& n, role r) {
    n.flush_scheduled[static_cast<std::size_t>(r)] = false;
    effects e = n.live->outbox(r).take();
    result_.max_held = std::max(result_.max_held, n.live->leader().held_count());
    for (const auto& rec : e.durable)
      if (std::holds_alternative<round_counter_record>(rec) && decided_anything_)
        ++result_.rounds_after_first_decision;
    if (config_.bug == planted_bug::send_before_commit && !e.durable.empty()) {
      effects now;
      now.messages.swap(e.messages);
      now.notes.swap(e.notes);
      now.deliveries.swap(e.deliveries);
      carry_out(n, r, std::move(now));
    }
    std::vector<durable_record> records;
    auto ready = n.live->queue(r).push(std::move(e), records);
    if (!records.empty()) {
      n.commit_requests.push_back(r);
      for (auto& rec : records) n.commit_records.push_back(std::move(rec));
      if (!n.commit_scheduled) {
        n.commit_scheduled = true;
        schedule(event(now_ + rng_.between(1, config_.commit_delay), event_kind::commit, n.id,
                       role::storage, n.epoch));
      }
    }
    for (auto& done : ready) carry_out(n, r, std::move(done));
  }

  // The storage actor folds every request that queued up into one commit; then each role's
  // waiting effects go, oldest first. A crash can strike between the two.
  void commit(node_state& n) {
    n.commit_scheduled = false;
    const auto requests = std::move(n.commit_requests);
    n.commit_requests.clear();
    n.disk.commit(n.commit_records);
    n.commit_records.clear();
    if (faulty_now() && rng_.chance(config_.crash_after_commit)) {
      crash(n, now_ / config_.tick);
      return;
    }
    for (role r : requests)
      for (auto& done : n.live->queue(r).committed()) carry_out(n, r, std::move(done));
  }

  void read_archive(node_state& n, const archive_read& r) {
    mail(n, role::storage, role::learner,
         archive_page{r.peer, n.disk.read_delivered(r.from_slot, r.max_bytes)});
  }

  // Carries out one role's effects, once their records are durable: send, tell, deliver.
  void carry_out(node_state& n, role from, effects e) {
    for (auto& out : e.messages) send(n, out.to, std::move(out.body));
    for (auto& note : e.notes)
      for (role to : roles_of(note)) mail(n, from, to, note);
    if (!e.deliveries.empty()) decided_anything_ = true;
    for (const auto& d : e.deliveries) {
      n.carried = d.slot;
      if (config_.app_checkpoint_every > 0 && !d.is_gap()) {
        delivered_slots_.emplace(d.slot, d.value);
        for (const auto& m : d.messages()) checker_.on_decided(d.slot, m.id);
      }
      if (d.is_gap()) {
        ++result_.gaps;
        if (config_.trace)
          std::cout << now_ << " node " << n.id << " skips slots " << d.gap_from << " to " << d.slot
                    << "\n";
      }
      if (config_.trace && !d.is_gap()) {
        std::cout << now_ << " node " << n.id << " delivers slot " << d.slot << ":";
        for (const auto& m : d.messages()) std::cout << " " << m.id.origin << ":" << m.id.seq;
        std::cout << "\n";
      }
      // After the cut it waits at: read back once it goes on. A slot at or below the one it
      // has is handed all the same: without bugs none comes (what it has was durable), and the
      // checker is to see one that does.
      if (n.app.waiting()) continue;
      if (d.is_gap() && d.slot > n.app.slot())
        cut(n, n.app.slot() + 1, d.slot);
      else if (d.slot > n.app.slot() + 1)
        feed_application(n);
      else if (!d.is_gap())
        hand(n, d.slot, d.value);
    }
  }

  // A note from one role to another of the same member: a mailbox hand-off, in order per pair.
  void mail(node_state& n, role from, role to, note body) {
    auto& last = n.mailbox_at[{from, to}];
    last = std::max(last, now_ + rng_.between(1, config_.local_delay));
    event e(last, to == role::storage ? event_kind::storage_read : event_kind::note, n.id, to,
            n.epoch);
    e.body = std::move(body);
    schedule(std::move(e));
  }

  void send(node_state& n, node_id to, wire_message body) {
    ++result_.messages_sent;
    n.admission->on_sending(body);
    event e(0, event_kind::wire, to);
    e.sender = n.admission->identity();
    e.sender_epoch = n.epoch;
    e.sender_seq = ++n.sent;
    e.message = envelope{n.id, to, std::move(body)};
    const bool faults = faulty_now();
    if (faults && n.id == rogue_) {
      if (const auto* probe = std::get_if<lead_probe>(&e.message.body)) {
        if (!node(to).live) return;  // nobody there to seem to consent
        event yes(now_ + rng_.between(1, config_.max_delay), event_kind::wire, n.id);
        yes.message = envelope{to, n.id, lead_ack{probe->attempt}};
        yes.sender = node(to).admission->identity();
        yes.sender_epoch = node(to).epoch;
        yes.sender_seq = node(to).sent;  // not ahead of the consenting member's real frames
        schedule(std::move(yes));
        return;
      }
    }
    if (n.id == to) {  // a local hand-off is never lost, but as asynchronous as any other
      e.time = now_ + rng_.between(1, config_.max_delay);
      schedule(std::move(e));
      return;
    }
    if (faults && partitioned_ && side_[n.id - 1] != side_[to - 1]) return;
    if (faults && n.id == deaf_.second && to == deaf_.first) return;
    if (faults && rng_.chance(config_.loss)) return;
    if (faults && std::holds_alternative<heartbeat>(e.message.body) &&
        rng_.chance(config_.beat_loss))
      return;
    std::uint64_t late = 0;
    if (faults && to == slow_) late += rng_.between(0, config_.slow_delay_ticks * config_.tick);
    if (faults && n.id == slow_link_.first && to == slow_link_.second)
      late += rng_.between(0, config_.link_delay_ticks * config_.tick);
    if (faults && rng_.chance(config_.dup)) {
      event copy = e;
      copy.time = now_ + late + rng_.between(1, config_.max_delay);
      schedule(std::move(copy));
    }
    e.time = now_ + late + rng_.between(1, config_.max_delay);
    schedule(std::move(e));
  }

  void schedule(event e) {
    e.order = order_++;
    queue_.push_back(std::move(e));
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
  node_id rogue_ = 0;  // the member told it leads whatever Omega says, if any
  std::uint64_t rogue_until_ = 0;
  node_id slow_ = 0;  // the member that hears late, if any
  std::uint64_t slow_until_ = 0;
  std::pair<node_id, node_id> slow_link_{0, 0};  // (from, to) of the slow link, if any
  std::uint64_t slow_link_until_ = 0;
  bool decided_anything_ = false;
  bool amnesia_struck_ = false;
  node_id amnesiac_ = 0;  // the member that lost its database, if one did
  total_order_checker checker_;
  // What the members' learners delivered in each slot (the first to carry it out): the messages
  // an application took in a checkpoint instead of deliveries. Only kept with checkpoints on.
  std::map<slot_t, batch> delivered_slots_;
  sim_result result_;
};

}  // namespace

sim_result run_simulation(const sim_config& config, std::uint64_t seed) {
  return world(config, seed).run();
}

}  // namespace synod::sim
