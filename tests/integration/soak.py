#!/usr/bin/env python3
"""./run soak: a 3-member group at saturation for --minutes, every member broadcasting, while the
leader is killed (kill -9, restarted 2 s later) every 2 minutes, a follower is paused
(SIGSTOP for 5 s, then SIGCONT) every 3 minutes and, where network namespaces can be made, a
follower loses 30 % of what it receives for 15 s every 4 minutes. Every 10 s it prints the
acknowledged messages per second and each member's resident memory; at the end the longest
stall, the rounds started per leader kill, memory at start, middle and end, and whether every
member's delivery sequence has the same digest. The members run with the default retention, and
the soak prints each member's data directory size every 10 s.

It fails if deliveries stop for more than 2 s (beyond the failover of a killed leader), a member's
memory or data directory passes its bound, or the members' sequences differ.

usage: soak.py --synod PATH --check PATH [--minutes M]
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from group_test import Group, directory_mib  # noqa: E402
from netfault_test import MEMORY_BOUND_MIB, Load, Network, NetGroup, unavailable  # noqa: E402

KILL_EVERY, PAUSE_EVERY, LOSS_EVERY = 120, 180, 240
MAX_STALL_S = 2.0
FAILOVER_ALLOWANCE_S = 1.0  # a killed leader: detection (300 ms) and a new round


class LocalGroup(Group):
    def rss_mib(self, i):
        return NetGroup.rss_mib(self, i)

    def leader_lines(self):
        return NetGroup.leader_lines(self)


def restart(g, i, restarts):
    """Restarts member i in the background: the soak goes on sampling and injecting faults
    meanwhile."""
    def run():
        began = time.time()
        g.start(i, timeout=600)
        restarts.append(time.time() - began)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


MIN_FREE_DISK_GIB = 5  # a safety net: retention keeps each member far below
DATA_BOUND_MIB = 256  # what the default retention promises per member


def disk(workdir):
    """({member: MiB its data directory uses}, GiB still free on their file system)."""
    used = {i: directory_mib(os.path.join(workdir, "data", f"node-{i}")) for i in range(1, 4)}
    st = os.statvfs(workdir)
    return used, st.f_bavail * st.f_frsize / 2**30


def plot_disk(sizes, path):
    """Each member's data directory size over the run, as a PNG (gnuplot, where installed)."""
    data = path + ".dat"
    with open(data, "w") as f:
        for t, used in sizes:
            f.write(f"{t / 60:.2f} " + " ".join(f"{used[i]:.1f}" for i in (1, 2, 3)) + "\n")
    script = (f"set terminal pngcairo size 800,360; set output '{path}';"
              "set xlabel 'minutes'; set ylabel 'MiB'; set yrange [0:*]; set key bottom right;"
              "set title 'data directory per member at saturation (default retention)';"
              f"plot for [i=2:4] '{data}' using 1:i with lines title 'node '.(i-1)")
    try:
        subprocess.run(["gnuplot", "-e", script], check=True)
        print(f"disk plot: {path}")
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"no disk plot ({e})")
    finally:
        os.remove(data)


def digests(g):
    """Every member's (messages delivered, ledger digest)."""
    return {i: g.digest(i, timeout=60) for i in range(1, g.size + 1)}


def main():
    # Stopped from outside (kill, ctest's timeout): still stop the members and free the disk.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--synod", required=True)
    parser.add_argument("--check", required=True)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--disk-plot", help="write the data directories' size over time here")
    parser.add_argument("--max-stall", type=float, default=MAX_STALL_S,
                        help="seconds without any delivery that fail the run")
    args = parser.parse_args()
    why = unavailable()
    net = None if why else Network(3)
    if why:
        print(f"no loss phases: {why}")
    workdir = tempfile.mkdtemp(prefix="synod-soak-")
    g = (NetGroup(args.synod, args.check, net, workdir, whole_log=False) if net
         else LocalGroup(args.synod, args.check, 3, workdir, whole_log=False))
    sizes = []  # (seconds, {member: MiB})
    failures = []
    try:
        g.start_all()
        time.sleep(1)
        load = Load(g, batch=4000)
        start = time.time()
        print(f"started at {time.strftime('%H:%M:%S')}", flush=True)
        end = start + args.minutes * 60
        rounds0 = g.leader_lines()
        kills, pauses, losses, restarts, restarting = [], [], [], [], []
        memory = []  # (t, {node: MiB})
        allowances = []  # (from, to): stalls that include a leader's failover
        next_kill, next_pause, next_loss = 30, 60, 90
        last_report = 0
        later = []  # (time, action): restarts, resumes and heals that are due
        while time.time() < end:
            t = time.time() - start
            for due in [a for a in later if a[0] <= t]:
                later.remove(due)
                due[1]()
            if t >= next_kill:
                leader = g.leader()
                if leader:
                    g.kill(leader)
                    kills.append(t)
                    allowances.append((time.time(), time.time() + FAILOVER_ALLOWANCE_S))
                    # A restart reads the member's whole history back (until long ledgers), so
                    # it is given time; how long it took is printed.
                    later.append((t + 2, lambda i=leader: restarting.append(
                        restart(g, i, restarts))))
                next_kill += KILL_EVERY
            if t >= next_pause:
                leader = g.leader()
                follower = next(i for i in range(1, 4) if i != leader)
                g.procs[follower].send_signal(signal.SIGSTOP)
                later.append((t + 5, lambda i=follower: g.procs[i].send_signal(signal.SIGCONT)))
                pauses.append((t, follower))
                next_pause += PAUSE_EVERY
            if net and t >= next_loss:
                leader = g.leader()
                follower = next(i for i in range(3, 0, -1) if i != leader)
                net.drop(follower, probability=0.3)
                later.append((t + 15, net.heal))
                losses.append((t, follower))
                next_loss += LOSS_EVERY
            used, free = disk(workdir)
            sizes.append((t, used))
            if free < MIN_FREE_DISK_GIB:
                failures.append(f"stopped at {t:.0f} s: only {free:.1f} GiB are free")
                break
            big = {i: m for i, m in used.items() if m > DATA_BOUND_MIB}
            if big:
                failures.append(f"at {t:.0f} s a data directory above {DATA_BOUND_MIB} MiB: {big}")
            sample = {i: g.rss_mib(i) for i in range(1, 4)}
            memory.append((t, sample))
            over = {i: m for i, m in sample.items() if m > MEMORY_BOUND_MIB}
            if over:
                failures.append(f"at {t:.0f} s resident memory above {MEMORY_BOUND_MIB} MiB: {over}")
            if t - last_report >= 10:
                last_report = t
                rate = load.rate(time.time() - 10, time.time())
                print(f"{t:6.0f} s  {rate:9.0f} msgs/s  memory " +
                      " ".join(f"{i}:{m:.0f}MiB" for i, m in sample.items()) +
                      "  data " + " ".join(f"{i}:{m:.0f}MiB" for i, m in used.items()),
                      flush=True)
            time.sleep(0.5)
        for _, action in later:
            action()
        for thread in restarting:
            thread.join(timeout=600)
        load.stop()
        # The longest stretch with no broadcast acknowledged anywhere, outside the failovers and
        # before the load stopped (afterwards only the broadcasts still under way finish, through
        # whatever fault is healing just then).
        stamps = sorted(t for t, _ in load.done_at if t <= end)
        longest, longest_at = 0.0, 0.0
        for a, b in zip(stamps, stamps[1:]):
            if any(lo <= b and a <= hi for lo, hi in allowances):
                continue
            if b - a > longest:
                longest, longest_at = b - a, a - start
        rounds = g.leader_lines() - rounds0
        events = []
        for i in range(1, 4):
            with open(os.path.join(workdir, f"node{i}.log")) as f:
                events += [l.split()[0] + " " + l.split(": ", 1)[1].strip()
                           for l in f if ": leading round" in l]
        print("rounds led: " + "; ".join(sorted(events)[-12:]))
        print("faults: " + "; ".join([f"leader killed at {k:.0f} s" for k in kills] +
                                     [f"node {n} paused at {p:.0f} s" for p, n in pauses] +
                                     [f"node {n} lossy at {p:.0f} s" for p, n in losses]))
        total = sum(m for _, m in load.done_at)
        n = len(memory)
        pick = lambda k: memory[min(k, n - 1)][1] if n else {}
        print(f"soak: {args.minutes:g} min, {total} messages acknowledged "
              f"({total / max(time.time() - start, 1):.0f}/s), leader kills {len(kills)}, "
              f"follower pauses {len(pauses)}, loss phases {len(losses)}")
        print("restart times: " + ", ".join(f"{r:.1f} s" for r in restarts))
        print(f"longest stall outside failovers: {longest:.2f} s (at {longest_at:.0f} s); "
              f"rounds started: {rounds} ({rounds / max(len(kills), 1):.1f} per leader kill)")
        if sizes:
            print("largest data directory: " + ", ".join(
                f"node {i} {max(s[i] for _, s in sizes):.0f} MiB" for i in range(1, 4)))
            if args.disk_plot:
                plot_disk(sizes, args.disk_plot)
        for label, k in (("start", 1), ("middle", n // 2), ("end", n - 1)):
            print(f"memory at {label}: " +
                  ", ".join(f"node {i} {m:.0f} MiB" for i, m in pick(k).items()))
        if longest > args.max_stall:
            failures.append(f"deliveries stopped for {longest:.2f} s at {longest_at:.0f} s")
        # Equal sequences: wait until every member delivered as much, then compare digests.
        deadline = time.time() + 120
        while True:
            d = digests(g)
            if len(set(d.values())) == 1 or time.time() > deadline:
                break
            time.sleep(1)
        print("digests: " + "; ".join(f"node {i} {v}" for i, v in d.items()))
        if len(set(d.values())) != 1:
            failures.append("the members' delivery sequences differ")
    finally:
        g.stop_all()
        if net:
            net.close()
        subprocess.run(["rm", "-rf", os.path.join(workdir, "data")])
    if failures:
        for f in failures:
            print(f"FAILED: {f}")
        print(f"logs kept in {workdir}")
        return 1
    subprocess.run(["rm", "-rf", workdir])
    print("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
