#!/usr/bin/env python3
"""Integration tests with real synod processes on loopback: concurrent broadcasts from every
member, kill -9 of the leader and of a follower under load and their restart, injected message
loss and duplication, and a partition of the leader that heals. Every member's deliveries are
judged by the simulator's total-order checker (synod-check), and every message acknowledged to a
broadcaster that stayed up must be delivered by every member.

usage: group_test.py --synod PATH --check PATH SCENARIO   (see SCENARIOS below)
"""
import argparse
import collections
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_base_port(count, shifted=0):
    """A base port such that base .. base+count-1 are free on 127.0.0.1 right now (and, with
    `shifted`, the same ports plus `shifted` too)."""
    for _ in range(200):
        # Below Linux's ephemeral range (32768 on): members retry connecting to a peer that is
        # not listening yet, and such a connect can be given the very port the peer is about to
        # bind as its own source port (a TCP self-connect), leaving the peer unable to listen.
        base = random.randint(20000, 32000)
        ports = list(range(base, base + count))
        if shifted:
            ports += [p + shifted for p in ports]
        sockets = []
        try:
            for p in ports:
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                sockets.append(s)
            return base
        except OSError:
            pass
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


def directory_mib(path):
    """MiB the files below `path` take (files that vanish meanwhile, e.g. a WAL, count 0)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except FileNotFoundError:
                pass
    return total / (1 << 20)


class Group:
    def __init__(self, synod, check, size, workdir, extra="", host=None, whole_log=True):
        """`host(i)`: member i's address (default: 127.0.0.1, each on its own port).
        `whole_log`: nothing is truncated, so the checks can read every log from slot 1."""
        self.synod, self.check_bin, self.size, self.dir = synod, check, size, workdir
        base = free_base_port(size)
        if host is None:
            host = lambda i: "127.0.0.1"
        members = ", ".join(f'"{i}@{host(i)}:{base + i - 1}"' for i in range(1, size + 1))
        self.config = os.path.join(workdir, "group.ini")
        with open(self.config, "w") as f:
            # Before `extra`, which may open a section of its own ([synod.faults]).
            keep = "retain-slots=0\nretain-bytes=0\n" if whole_log else ""
            f.write(f'[synod]\ngroup="it"\nmembers=[{members}]\n'
                    f'data-dir="{workdir}/data"\n{keep}{extra}\n')
        self.procs = {}

    def print_logs(self, lines=15):
        """The last lines of every member's log, after a failure."""
        for i in range(1, self.size + 1):
            path = os.path.join(self.dir, f"node{i}.log")
            if os.path.exists(path):
                print(f"--- node{i}.log (last lines)")
                with open(path) as f:
                    print("".join(f.readlines()[-lines:]))

    def wrap(self, i):
        """The command prefix that runs a program where member i lives (its network)."""
        return []

    def start(self, i, timeout=20):
        path = os.path.join(self.dir, f"node{i}.log")
        before = open(path).read().count("listening on") if os.path.exists(path) else 0
        log = open(path, "a")
        self.procs[i] = subprocess.Popen(
            self.wrap(i) + [self.synod, "node", "--config", self.config, "--id", str(i)],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while open(path).read().count("listening on") == before:
            if self.procs[i].poll() is not None or time.time() > deadline:
                raise AssertionError(f"node {i} did not start: {open(path).read()[-500:]}")
            time.sleep(0.05)

    def start_all(self):
        for i in range(1, self.size + 1):
            self.start(i)
        time.sleep(0.5)

    def kill(self, i):
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait()

    def stop_all(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()

    def leader(self):
        """The member that most recently logged that it leads a round."""
        best = ("", None)
        for i in self.procs:
            if self.procs[i].poll() is not None:
                continue
            with open(os.path.join(self.dir, f"node{i}.log")) as f:
                for line in f:
                    if ": leading round" in line:
                        stamp = line.split()[0]
                        if stamp > best[0]:
                            best = (stamp, i)
        return best[1]

    def broadcast(self, i, count, tag, size=64):
        return subprocess.Popen(
            self.wrap(i) + [self.synod, "broadcast", "--config", self.config, "--id", str(i),
                            "--count",
             str(count), "--size", str(size), "--tag", tag],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def snapshot(self, i):
        out = subprocess.run(
            self.wrap(i) + [self.synod, "tail", "--config", self.config, "--id", str(i),
                            "--snapshot", "--json"],
            capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError(f"tail of node {i} failed: {out.stderr.strip()}")
        return [json.loads(line) for line in out.stdout.splitlines()]

    def digest(self, i, timeout=120):
        """How many messages member i delivered so far, and a digest of their sequence."""
        out = subprocess.run(
            self.wrap(i) + [self.synod, "tail", "--config", self.config, "--id", str(i),
                            "--digest"], capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise AssertionError(f"digest of node {i} failed: {out.stderr.strip()}")
        return out.stdout.strip()

    def settle(self, timeout=60):
        """Waits until every member delivered the same messages (cheaply, by digest), then
        returns their logs."""
        deadline = time.time() + timeout
        while True:
            digests = {i: self.digest(i) for i in range(1, self.size + 1)}
            if len(set(digests.values())) == 1:
                break
            if time.time() > deadline:
                raise AssertionError(f"members did not converge: {digests}")
            time.sleep(0.5)
        logs = {i: self.snapshot(i) for i in range(1, self.size + 1)}
        counts = {i: len(l) for i, l in logs.items()}
        if len(set(counts.values())) != 1:
            raise AssertionError(f"members' logs differ in length: {counts}")
        return logs

    def judge(self, logs, acknowledged):
        paths = []
        for i, log in logs.items():
            path = os.path.join(self.dir, f"deliveries-{i}.json")
            with open(path, "w") as f:
                for entry in log:
                    f.write(json.dumps(entry) + "\n")
            paths.append(path)
        result = subprocess.run([self.check_bin] + paths, capture_output=True, text=True)
        print(result.stdout.strip())
        if result.returncode != 0:
            raise AssertionError("the total-order checker found violations")
        for i, log in logs.items():
            # Payloads are TAG-N, padded: counted once per log (a scan per tag was quadratic).
            per_tag = collections.Counter(e["payload"].rsplit("-", 1)[0] for e in log)
            for tag, count in acknowledged.items():
                got = per_tag[tag]
                if got != count:
                    raise AssertionError(
                        f"node {i} delivered {got} of the {count} acknowledged messages {tag}")
        print(f"every acknowledged message ({sum(acknowledged.values())}) is delivered "
              f"exactly once at all {len(logs)} members")


def run_scenario(g, run, keep_to=None):
    """Runs a scenario on group g; on a failure prints it and the members' last log lines (and
    copies the work directory to `keep_to`). Stops every member either way. The exit code."""
    try:
        run(g)
    except Exception as e:
        print(f"FAILED: {e}")
        g.print_logs()
        if keep_to:
            os.system(f"cp -r {g.dir} {keep_to}")
        return 1
    finally:
        g.stop_all()
    print("passed")
    return 0


def finish(proc, what):
    out, err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"{what} failed: {err.strip() or out.strip()}")
    print(f"{what}: {out.strip()}")


class DeliveryClock:
    """Follows one member's live deliveries and timestamps them, to measure failover."""

    def __init__(self, group, member):
        self.stamps = []
        self.proc = subprocess.Popen(
            [group.synod, "tail", "--config", group.config, "--id", str(member), "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for _ in self.proc.stdout:
            self.stamps.append(time.time())

    def failover_after(self, t, window=5.0):
        """Time from t to the end of the longest pause in deliveries within `window` after t:
        batches decided before t may still trickle in, so the first delivery after t says
        little; the pause is the failover."""
        stamps = [s for s in self.stamps if t < s < t + window]
        best_gap, best_end = 0.0, None
        previous = t
        for s in stamps:
            if s - previous > best_gap:
                best_gap, best_end = s - previous, s
            previous = s
        return None if best_end is None else best_end - t

    def stop(self):
        self.proc.kill()


def scenario_kill_leader(g, count=30000):
    g.start_all()
    leader = g.leader()
    assert leader is not None, "no member leads"
    followers = [i for i in range(1, g.size + 1) if i != leader]
    clock = DeliveryClock(g, followers[0])
    time.sleep(0.5)
    senders = {i: g.broadcast(i, count, f"a{i}") for i in range(1, g.size + 1)}
    time.sleep(0.7)
    killed_at = time.time()
    g.kill(leader)
    # Load that surely outlives the crash, whatever the machine's speed: the failover is
    # measured on deliveries after it.
    late = g.broadcast(followers[0], 2000, "late")
    time.sleep(1.5)
    failover = clock.failover_after(killed_at, window=1.5)
    print(f"failover: leader {leader} killed -> deliveries resumed at node {followers[0]} after "
          f"{failover * 1000:.0f} ms" if failover else "failover: no delivery within 1.5 s")
    g.start(leader)
    acknowledged = {}
    for i, p in senders.items():
        if i == leader:
            p.communicate(timeout=120)  # its node died under it: nothing is owed
            continue
        finish(p, f"broadcaster at node {i}")
        acknowledged[f"a{i}"] = count
    finish(late, f"broadcaster at node {followers[0]} started after the crash")
    acknowledged["late"] = 2000
    # Now a follower dies under load and comes back.
    victim = followers[-1]
    survivors = [i for i in range(1, g.size + 1) if i != victim]
    senders = {i: g.broadcast(i, count // 2, f"b{i}") for i in survivors}
    time.sleep(0.5)
    g.kill(victim)
    time.sleep(1.0)
    g.start(victim)
    for i, p in senders.items():
        finish(p, f"broadcaster at node {i}")
        acknowledged[f"b{i}"] = count // 2
    logs = g.settle()
    clock.stop()
    g.judge(logs, acknowledged)
    assert failover is not None, "no delivery after the leader was killed"


def scenario_lossy(g):
    g.start_all()
    senders = {i: g.broadcast(i, 5000, f"l{i}") for i in range(1, g.size + 1)}
    acknowledged = {}
    for i, p in senders.items():
        finish(p, f"broadcaster at node {i}")
        acknowledged[f"l{i}"] = 5000
    g.judge(g.settle(), acknowledged)


def scenario_partition(g):
    g.start_all()  # node 1 leads, then is cut off 2 s after its start, for 2 s
    senders = {i: g.broadcast(i, 30000, f"p{i}", size=32) for i in range(1, g.size + 1)}
    acknowledged = {}
    for i, p in senders.items():
        finish(p, f"broadcaster at node {i}")
        acknowledged[f"p{i}"] = 30000
    logs = g.settle()
    with open(os.path.join(g.dir, "node2.log")) as f:
        changes = [l.strip() for l in f if "leader is now" in l]
    print("leader changes seen by node 2:", "; ".join(c.split(": ", 1)[1] for c in changes))
    g.judge(logs, acknowledged)


def status(g, *extra):
    return subprocess.run([g.synod, "status", "--config", g.config, *extra],
                          capture_output=True, text=True, timeout=60)


def scenario_status(g):
    g.start_all()
    finish(g.broadcast(2, 3000, "s"), "broadcaster at node 2")
    g.settle()
    time.sleep(0.3)  # a heartbeat or two, so every member knows its peers' progress
    out = status(g, "--json")
    assert out.returncode == 0, out.stderr
    members = json.loads(out.stdout)["members"]
    assert [m["reachable"] for m in members] == [True] * 3, members
    assert {m["leader"] for m in members} == {1}, "members disagree on the leader"
    assert len({m["delivered_up_to"] for m in members}) == 1, members
    assert all(m["lag"] == 0 and m["delivered_messages"] == 3000 for m in members), members
    assert all(l["connected"] for m in members for l in m["links"]), members
    assert all(m["held"] == 0 and m["undelivered"] == 0 and m["waiting_slots"] == 0
               for m in members), "something is still held after everything was delivered"
    print("status with every member up: all reachable, leader 1, same slot, no lag")
    g.kill(3)
    time.sleep(1.0)
    out = status(g, "--json")
    assert out.returncode == 0, "a majority is up: status should succeed"
    members = json.loads(out.stdout)["members"]
    assert not members[2]["reachable"], members[2]
    assert not [l for l in members[0]["links"] if l["peer"] == 3][0]["connected"]
    g.kill(2)
    out = status(g)
    assert out.returncode == 1, "only a minority is up: status should fail"
    assert out.stdout.count("unreachable") == 2, out.stdout
    print("status with a minority up: exit 1, two members unreachable")


def scenario_limits(g):
    """A message above max-message-bytes is refused at once with a line naming the limit, and
    nothing of it is taken; the group keeps ordering."""
    g.start_all()
    big = g.broadcast(2, 1, "big", size=5 * 1024 * 1024)
    out, err = big.communicate(timeout=60)
    assert big.returncode != 0, f"a 5 MiB message was not refused: {out}"
    assert "too large" in err and "max-message-bytes of 4194304" in err, err
    print(f"5 MiB broadcast: {err.strip()}")
    finish(g.broadcast(3, 1, "fits", size=3 * 1024 * 1024), "a 3 MiB broadcast")
    finish(g.broadcast(1, 2000, "after"), "broadcaster at node 1")
    logs = g.settle()
    assert not any(e["payload"].startswith("big-") for log in logs.values() for e in log)
    g.judge(logs, {"fits": 1, "after": 2000})


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def scenario_hostile(g):
    """32 bytes claiming a ~4 GiB frame made a member allocate it (two such connections killed
    it); garbage and a connection that never sends must cost nothing either. Each offending
    connection is closed with one line, and the group keeps ordering under load."""
    import struct
    g.start_all()
    port = int(open(g.config).read().split('"2@127.0.0.1:')[1].split('"')[0])
    load = g.broadcast(1, 20000, "h")
    before = rss_mib(g.procs[2].pid)
    attackers = []
    for _ in range(2):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(struct.pack(">BBBBIQQQ", 1, 0, 0, 0, 0xFFFFFFF0, 3, 0, 0))
        attackers.append(s)
    garbage = socket.create_connection(("127.0.0.1", port))
    garbage.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(4096))
    silent = socket.create_connection(("127.0.0.1", port))
    time.sleep(3)
    after = rss_mib(g.procs[2].pid)
    print(f"member 2 resident memory: {before:.0f} MiB before, {after:.0f} MiB after the attack")
    assert g.procs[2].poll() is None, "member 2 died"
    assert after < before + 200, f"member 2 grew by {after - before:.0f} MiB"
    with open(os.path.join(g.dir, "node2.log")) as f:
        closed = [l.strip() for l in f if "closed the connection" in l]
    assert closed and "above the limit" in closed[0], f"no refusal logged: {closed}"
    print(f"member 2 logged: {closed[0].split(': ', 1)[1]}")
    for s in attackers + [garbage, silent]:
        s.close()
    finish(load, "broadcaster at node 1 during the attack")
    finish(g.broadcast(2, 2000, "after"), "broadcaster at node 2 after it")
    g.judge(g.settle(), {"h": 20000, "after": 2000})


def scenario_slow_subscriber(g, per_member=400000):
    """A subscriber that stops reading (a remote `synod tail` stopped with Ctrl-Z) made its
    member buffer every batch for it: +275 MiB for 2 M messages. Now at most a few MiB go
    unanswered; the rest waits in the log, and the tail, resumed, prints every message in the
    member's order."""
    g.start_all()
    out_path = os.path.join(g.dir, "tail.out")
    with open(out_path, "w") as out:
        tail = subprocess.Popen(
            [g.synod, "tail", "--config", g.config, "--id", "2", "--count", str(2 * per_member),
             "--json"],
            stdout=out, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        tail.send_signal(signal.SIGSTOP)
        try:
            loads = [g.broadcast(i, per_member, f"s{i}") for i in (1, 3)]
            peak = {2: 0.0, 3: 0.0}
            while any(p.poll() is None for p in loads):
                for i in peak:
                    peak[i] = max(peak[i], rss_mib(g.procs[i].pid))
                time.sleep(0.2)
            for i, p in zip((1, 3), loads):
                finish(p, f"broadcaster at node {i}")
            print(f"tail of member 2 stopped: resident memory peaks at {peak[2]:.0f} MiB at "
                  f"member 2, {peak[3]:.0f} MiB at member 3 (no subscriber)")
            assert peak[2] < peak[3] + 64, \
                f"member 2 buffered for its stopped subscriber: {peak[2]:.0f} MiB"
        finally:
            tail.send_signal(signal.SIGCONT)
        _, err = tail.communicate(timeout=120)
        assert tail.returncode == 0, f"tail failed: {err}"
    logs = g.settle()
    with open(out_path) as f:
        printed = [(e["slot"], e["payload"]) for e in map(json.loads, f)]
    expected = [(e["slot"], e["payload"]) for e in logs[2]][-2 * per_member:]
    assert printed == expected, "the resumed tail did not print member 2's deliveries in order"
    print(f"resumed tail printed all {len(printed)} messages in member 2's order")
    g.judge(logs, {"s1": per_member, "s3": per_member})


SCENARIOS = {
    "slow-subscriber": (scenario_slow_subscriber, 3, ""),
    "status": (scenario_status, 3, ""),
    "limits": (scenario_limits, 3, ""),
    "hostile": (scenario_hostile, 3, ""),
    "kill-leader": (scenario_kill_leader, 3, "memory-slots=16\n"),  # catch-up from the database
    "kill-leader-5": (lambda g: scenario_kill_leader(g, 10000), 5, ""),
    "lossy-5": (scenario_lossy, 5, "[synod.faults]\nloss=0.2\ndup=0.1\n"),
    "lossy-link": (scenario_lossy, 3, '[synod.faults]\nlinks=["1-2"]\nloss=0.3\ndup=0.2\n'),
    "partition": (scenario_partition, 3,
                  "[synod.faults]\nisolate=[1]\nisolate-after=2s\nisolate-for=2s\n"),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--synod", required=True)
    parser.add_argument("--check", required=True)
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    run, size, extra = SCENARIOS[args.scenario]
    with tempfile.TemporaryDirectory(prefix="synod-it-") as workdir:
        g = Group(args.synod, args.check, size, workdir, extra)
        return run_scenario(g, run, os.environ.get("SYNOD_KEEP"))


if __name__ == "__main__":
    sys.exit(main())
