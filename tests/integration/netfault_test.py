#!/usr/bin/env python3
"""Real network faults under load: each member of a 3-member group runs in a network namespace of
its own, joined by a bridge, and iptables in a member's namespace drops what it receives (random
loss, a partition, a one-way partition). Every member broadcasts throughout. Asserted: each
member's resident memory stays under a bound during the fault, deliveries resume after it heals,
the leader changes at most as often as the scenario allows, and the total-order checker accepts
every member's log, with every acknowledged message delivered exactly once everywhere.

Needs root (namespaces, iptables); elsewhere every scenario says why in one line and is skipped
(exit 77, which ctest reports as skipped).

usage: netfault_test.py --synod PATH --check PATH SCENARIO   (see SCENARIOS below)
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from group_test import Group, run_scenario  # noqa: E402

SKIP = 77
SUBNET = "10.77.0"  # addresses inside this test's own namespaces only
MEMORY_BOUND_MIB = 512  # per member, under any of these faults


def run(*cmd, check=True):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check)


def unavailable():
    """Why this machine cannot run the test, or None."""
    if os.geteuid() != 0:
        return "not root: network namespaces and iptables need it"
    for tool in ("ip", "iptables"):
        if shutil.which(tool) is None:
            return f"no '{tool}' command (install iproute2 and iptables)"
    probe = f"synod-probe-{os.getpid()}"
    try:
        run("ip", "netns", "add", probe)
        run("ip", "netns", "exec", probe, "iptables", "-S")
    except subprocess.CalledProcessError as e:
        return f"cannot make a network namespace with iptables: {e.stderr.strip()}"
    finally:
        run("ip", "netns", "del", probe, check=False)
    return None


class Network:
    """A bridge in a namespace of its own, and one namespace per member on it."""

    def __init__(self, size):
        self.tag = f"sy{os.getpid() % 100000}"
        self.hub = f"{self.tag}-hub"
        self.size = size
        run("ip", "netns", "add", self.hub)
        self.made = [self.hub]
        self._in(self.hub, "ip", "link", "add", "br0", "type", "bridge")
        self._in(self.hub, "ip", "link", "set", "br0", "up")
        for i in range(1, size + 1):
            ns = self.ns(i)
            run("ip", "netns", "add", ns)
            self.made.append(ns)
            outer = f"{self.tag}v{i}"
            run("ip", "link", "add", outer, "type", "veth", "peer", "name", "eth0", "netns", ns)
            run("ip", "link", "set", outer, "netns", self.hub)
            self._in(self.hub, "ip", "link", "set", outer, "master", "br0", "up")
            self._in(ns, "ip", "addr", "add", f"{self.host(i)}/24", "dev", "eth0")
            self._in(ns, "ip", "link", "set", "eth0", "up")
            self._in(ns, "ip", "link", "set", "lo", "up")

    def ns(self, i):
        return f"{self.tag}-n{i}"

    @staticmethod
    def host(i):
        return f"{SUBNET}.{i}"

    def _in(self, ns, *cmd):
        return run("ip", "netns", "exec", ns, *cmd)

    def drop(self, at, source=None, probability=None):
        """Member `at` drops what it receives (from `source` only, or from everyone)."""
        rule = ["-A", "INPUT", "-i", "eth0"]
        if source:
            rule += ["-s", self.host(source)]
        if probability:
            rule += ["-m", "statistic", "--mode", "random", "--probability", str(probability)]
        self._in(self.ns(at), "iptables", *rule, "-j", "DROP")

    def heal(self):
        for i in range(1, self.size + 1):
            self._in(self.ns(i), "iptables", "-F", "INPUT")

    def close(self):
        for ns in reversed(self.made):
            run("ip", "netns", "del", ns, check=False)


class NetGroup(Group):
    def __init__(self, synod, check, net, workdir, whole_log=True):
        super().__init__(synod, check, net.size, workdir, "", host=Network.host,
                         whole_log=whole_log)
        self.net = net

    def wrap(self, i):
        return ["ip", "netns", "exec", self.net.ns(i)]

    def rss_mib(self, i):
        try:
            with open(f"/proc/{self.procs[i].pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def leader_lines(self):
        lines = 0
        for i in range(1, self.size + 1):
            with open(os.path.join(self.dir, f"node{i}.log")) as f:
                lines += sum(1 for l in f if ": leading round" in l)
        return lines


class Load:
    """Every member broadcasts batches of messages back to back until stopped; remembers which
    batches were acknowledged (delivered at their member) and when."""

    def __init__(self, g, batch=2000, size=64, pause=0.0):
        """`pause`: seconds between a member's batches (keeps the logs to judge small)."""
        self.g, self.batch, self.size, self.pause = g, batch, size, pause
        self.acknowledged = {}
        self.done_at = []  # (time, messages)
        self.stopping = False
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(1, g.size + 1)]
        for t in self.threads:
            t.start()

    def _run(self, i):
        n = 0
        while not self.stopping:
            tag = f"m{i}x{n}"
            n += 1
            p = self.g.broadcast(i, self.batch, tag, size=self.size)
            p.communicate(timeout=180)
            if p.returncode == 0:
                self.acknowledged[tag] = self.batch
                self.done_at.append((time.time(), self.batch))
            time.sleep(self.pause)

    def rate(self, start, end):
        return sum(m for t, m in self.done_at if start <= t < end) / max(end - start, 1e-9)

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(timeout=200)


def measure(g, seconds, peaks):
    end = time.time() + seconds
    while time.time() < end:
        for i in range(1, g.size + 1):
            peaks[i] = max(peaks.get(i, 0.0), g.rss_mib(i))
        time.sleep(0.2)


def run_fault(g, net, name, inject, fault_seconds, max_new_rounds):
    run_faults(g, net, [(name, inject, fault_seconds, max_new_rounds)])


def run_faults(g, net, phases):
    """Each phase (name, inject, seconds, most rounds it may start) in turn, healed between them,
    under one load; the logs are judged once at the end."""
    # Load all along, throttled so that judging the logs stays quick (./run soak saturates).
    load = Load(g, batch=1000, pause=0.1)
    time.sleep(2)
    failures = []
    for name, inject, fault_seconds, max_new_rounds in phases:
        rounds_before = g.leader_lines()
        peaks = {}
        began = time.time()
        inject(net)
        measure(g, fault_seconds, peaks)
        net.heal()
        healed = time.time()
        measure(g, 6, peaks)
        after = load.rate(healed + 2, healed + 6)
        during = load.rate(began, healed)
        before = load.rate(began - 2, began)
        new_rounds = g.leader_lines() - rounds_before
        print(f"{name}: peak resident memory " +
              ", ".join(f"node {i} {peaks[i]:.0f} MiB" for i in sorted(peaks)) +
              f"; acknowledged msgs/s before {before:.0f}, during {during:.0f}, after healing "
              f"{after:.0f}; rounds started {new_rounds}", flush=True)
        over = {i: m for i, m in peaks.items() if m > MEMORY_BOUND_MIB}
        if over:
            failures.append(f"{name}: resident memory above {MEMORY_BOUND_MIB} MiB: {over}")
        if after <= 0:
            failures.append(f"{name}: no broadcast was acknowledged after the fault healed")
        if new_rounds > max_new_rounds:
            failures.append(f"{name}: {new_rounds} rounds started, at most {max_new_rounds} "
                            "expected")
    load.stop()
    logs = g.settle(timeout=120)
    if failures:
        raise AssertionError("; ".join(failures))
    g.judge(logs, load.acknowledged)


def scenario_loss(g, net):
    leader = g.leader()
    assert leader is not None, "no member leads"
    follower = next(i for i in range(g.size, 0, -1) if i != leader)
    # 30 % of what a member receives is lost, for 10 s: TCP crawls, nothing may pile up. A
    # follower that hears everything late must not depose the leader the others hear (it asks
    # them first, and they do not consent); a leader that hears late may lose the lead once.
    run_faults(g, net, [
        (f"30% loss at follower {follower}", lambda n: n.drop(follower, probability=0.3), 10, 0),
        (f"30% loss at leader {leader}", lambda n: n.drop(leader, probability=0.3), 10, 1),
    ])


def scenario_leader_partition(g, net):
    leader = g.leader()
    assert leader is not None, "no member leads"

    def cut(n):
        n.drop(leader)
        for i in range(1, g.size + 1):
            if i != leader:
                n.drop(i, source=leader)

    # The leader is cut off for 10 s: one new leader, and the old one follows it on return.
    run_fault(g, net, f"leader {leader} partitioned for 10 s", cut, 10, 2)


def scenario_one_way(g, net):
    leader = g.leader()
    assert leader is not None, "no member leads"
    other = next(i for i in range(1, g.size + 1) if i != leader)
    # The leader can still send to `other` but hears nothing from it: no duel of two leaders.
    run_fault(g, net, f"leader {leader} deaf to member {other} for 10 s",
              lambda n: n.drop(leader, source=other), 10, 0)


SCENARIOS = {
    "loss": scenario_loss,
    "leader-partition": scenario_leader_partition,
    "one-way": scenario_one_way,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--synod", required=True)
    parser.add_argument("--check", required=True)
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    why = unavailable()
    if why:
        print(f"skipped: {why}")
        return SKIP
    net = Network(3)
    try:
        with tempfile.TemporaryDirectory(prefix="synod-net-") as workdir:
            g = NetGroup(args.synod, args.check, net, workdir)

            def run(g):
                g.start_all()
                time.sleep(1)
                SCENARIOS[args.scenario](g, net)
            return run_scenario(g, run)
    finally:
        net.close()


if __name__ == "__main__":
    sys.exit(main())
