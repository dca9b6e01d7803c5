#!/usr/bin/env python3
"""Long ledgers with real processes: a group of three with a small retention orders millions of
messages while one member stays down the whole time. The members are synod-kv replicas (a
member and its application, which checkpoints its store every 32 slots); the load is 64 B
messages from `synod broadcast` and, all along, key-value commands through replica 1. Each
running member's data directory stays under its bound; a read of slots that were truncated ends
with one line naming the first slot kept; the member that was down starts with an empty
database, skips the truncated slots to a peer's snapshot (saying so in its log), takes a peer's
checkpoint of the store by state transfer, and then has the same ledger digest and the same
store as the others; a restarted member reads only what follows its newest snapshot.

With --default-retention it runs the same under the default bounds (100,000 slots, 64 MiB),
where the replicas' checkpoints (every 1,024 slots) hold the cut back up to 1.5 x the bounds,
and checks every data directory stays under the 256 MiB the defaults promise.

With --restarts (./run bench ledger) it measures instead how long a member takes to restart
after 100,000 and after 10,000,000 messages with the default retention: medians of 3 restarts
each, and their ratio.

usage: retention_test.py --synod PATH --check PATH --kv PATH [--messages N]
                         [--default-retention | --restarts]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from group_test import Group, directory_mib, run_scenario  # noqa: E402

RETAIN_SLOTS = 20000
RETAIN_BYTES = 4 << 20
# What retention keeps is counted twice on disk (the delivered batch and the accepted value),
# plus row overhead, the WAL (checkpointed every 1,000 pages of 16 KiB) and free pages.
BOUND_MIB = 64


def wait_for(what, condition, timeout):
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


class Replicas(Group):
    """A group whose members are synod-kv replicas: each process is a member and its store."""

    def __init__(self, kv, checkpoint_every, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kv, self.checkpoint_every = kv, checkpoint_every

    def start(self, i, timeout=20):
        path = os.path.join(self.dir, f"node{i}.log")
        before = open(path).read().count("serving clients") if os.path.exists(path) else 0
        self.procs[i] = subprocess.Popen(
            [self.kv, "serve", "--config", self.config, "--id", str(i), "--checkpoint-every",
             str(self.checkpoint_every)], stdout=open(path, "a"), stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while open(path).read().count("serving clients") == before:
            if self.procs[i].poll() is not None or time.time() > deadline:
                raise AssertionError(f"replica {i} did not start: {open(path).read()[-500:]}")
            time.sleep(0.05)

    def store(self, i):
        out = subprocess.run([self.kv, "--config", self.config, "--id", str(i), "dump", "--json"],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError(f"dump of replica {i} failed: {out.stderr.strip()}")
        return json.loads(out.stdout)


def recovered_line(g, i):
    with open(os.path.join(g.dir, f"node{i}.log")) as f:
        lines = [l for l in f if "recovered " in l]
    return lines[-1] if lines else ""


def scenario(g, messages, bound_mib=BOUND_MIB, retain_slots=RETAIN_SLOTS):
    g.start(1)
    g.start(2)
    time.sleep(0.5)
    sizes = {1: [], 2: []}
    done = threading.Event()

    def sample():
        while not done.is_set():
            for i in sizes:
                sizes[i].append(directory_mib(os.path.join(g.dir, "data", f"node-{i}")))
            time.sleep(1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    began = time.time()
    # Commands for the stores all along the run, each written many times over.
    writer = subprocess.Popen([g.kv, "--config", g.config, "--id", "1"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    commands = 0
    answers = []
    reader = threading.Thread(target=lambda: answers.extend(writer.stdout.read().splitlines()))
    reader.start()
    try:
        b = g.broadcast(1, messages, "L")
        while b.poll() is None:
            writer.stdin.write("".join(f"put k{(commands + n) % 500} v{commands + n}\n"
                                       for n in range(50)))
            writer.stdin.flush()
            commands += 50
            time.sleep(0.05)
        out, err = b.communicate(timeout=600)
        writer.stdin.close()
        writer.wait(timeout=120)
        reader.join()
    finally:
        done.set()
        sampler.join()
    if b.returncode != 0:
        raise AssertionError(f"broadcast failed: {err.strip()}")
    if answers.count("ok") != commands:
        raise AssertionError(f"{answers.count('ok')} of {commands} commands acknowledged")
    print(f"{messages} messages of 64 B through node 1 and {commands} commands through replica 1 "
          f"in {time.time() - began:.1f} s")
    for i, seen in sizes.items():
        print(f"node {i} data directory over the run (MiB, one sample a second): max "
              f"{max(seen):.1f}, last {seen[-1]:.1f}; samples {[round(s) for s in seen]}")
        if max(seen) > bound_mib:
            raise AssertionError(f"node {i}'s data directory reached {max(seen):.1f} MiB, "
                                 f"over its {bound_mib} MiB bound")

    # Slots that are gone: one line naming the first slot the member has.
    tail = subprocess.run([g.synod, "tail", "--config", g.config, "--id", "1", "--from", "1",
                           "--count", "1"], capture_output=True, text=True, timeout=30)
    first_kept = re.search(r"no longer has slot 1: its log starts at slot (\d+)", tail.stderr)
    if tail.returncode != 1 or not first_kept or len(tail.stderr.strip().splitlines()) != 1:
        raise AssertionError(f"tail below the retained log: exit {tail.returncode}, "
                             f"stderr {tail.stderr!r}")
    print(f"tail --from 1: {tail.stderr.strip()}")
    tail = subprocess.run([g.synod, "tail", "--config", g.config, "--id", "1", "--from",
                           first_kept.group(1), "--count", "1"],
                          capture_output=True, text=True, errors="replace", timeout=30)
    if tail.returncode != 0 or not tail.stdout.startswith(f"slot {first_kept.group(1)} "):
        raise AssertionError(f"tail from the first slot kept: {tail.stdout!r} {tail.stderr!r}")

    # The member that was down the whole run: skips to a snapshot, takes a peer's checkpoint
    # of the store, then agrees, in its ledger and in its store.
    began = time.time()
    g.start(3)
    wait_for("node 3 to reach the others",
             lambda: g.digest(3) == g.digest(1) == g.digest(2), 120)
    wait_for("the stores to agree",
             lambda: len({(d["slot"], d["digest"]) for d in map(g.store, (1, 2, 3))}) == 1, 60)
    with open(os.path.join(g.dir, "node3.log")) as f:
        log = f.read()
    skipped = re.search(r"skipped slots \d+ to \d+.*", log)
    took = re.search(r"kv: took a peer's checkpoint at slot \d+.*", log)
    if not skipped or not took:
        raise AssertionError("node 3 caught up without skipping to a snapshot and taking a "
                             "peer's checkpoint")
    print(f"node 3 caught up in {time.time() - began:.1f} s: {skipped.group(0)}; "
          f"{took.group(0)}")
    print(f"ledger digests (messages, digest): {g.digest(1)} at every member")
    store = g.store(3)
    if store["keys"] != min(commands, 500):
        raise AssertionError(f"replica 3 holds {store['keys']} keys")
    print(f"stores equal at every replica: {store}")

    # A restart reads only what follows the newest snapshot.
    g.kill(2)
    began = time.time()
    g.start(2)
    line = recovered_line(g, 2)
    found = re.search(r"delivered up to slot (\d+) .*read from slot (\d+)\), truncated up to slot "
                      r"(\d+)", line)
    if not found:
        raise AssertionError(f"unexpected recovery line: {line}")
    delivered, read_from, truncated = (int(x) for x in found.groups())
    print(f"node 2 restarted in {time.time() - began:.2f} s: delivered up to slot {delivered}, "
          f"read from slot {read_from}, truncated up to slot {truncated}")
    if truncated == 0 or delivered - read_from + 1 > retain_slots // 16 + 1:
        raise AssertionError("recovery read more than what follows the newest snapshot")
    wait_for("node 2 to agree again", lambda: g.digest(2) == g.digest(1), 60)
    return 0


def restart_seconds(g, i):
    g.kill(i)
    began = time.time()
    g.start(i, timeout=600)
    return time.time() - began


def restarts(g, histories=(100000, 10000000)):
    g.start_all()
    sent = 0
    medians = {}
    for history in histories:
        b = g.broadcast(1, history - sent, f"H{history}")
        out, err = b.communicate(timeout=3600)
        if b.returncode != 0:
            raise AssertionError(f"broadcast failed: {err.strip()}")
        sent = history
        wait_for("the members to agree", lambda: g.digest(2) == g.digest(1), 120)
        times = sorted(restart_seconds(g, 2) for _ in range(3))
        medians[history] = times[1]
        print(f"after {history:,} messages: restart of node 2 in {times[1]:.2f} s "
              f"(median of {', '.join(f'{t:.2f}' for t in times)} s); data directory "
              f"{directory_mib(os.path.join(g.dir, 'data', 'node-2')):.0f} MiB; "
              f"{recovered_line(g, 2).split(': ', 1)[1].strip()}")
    first, last = histories[0], histories[-1]
    print(f"restart after {last:,} / after {first:,} messages: "
          f"{medians[last] / medians[first]:.2f}")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--synod", required=True)
    parser.add_argument("--check", required=True)
    parser.add_argument("--kv")
    parser.add_argument("--messages", type=int, default=3000000)
    parser.add_argument("--restarts", action="store_true")
    parser.add_argument("--default-retention", action="store_true")
    parser.add_argument("--checkpoint-every", type=int,
                        help="slots between the replicas' checkpoints (32; 1,024 with "
                             "--default-retention)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synod-ledger-") as workdir:
        if args.restarts:
            return run_scenario(Group(args.synod, args.check, 3, workdir, whole_log=False),
                                restarts, os.environ.get("SYNOD_KEEP"))
        if not args.kv:
            parser.error("--kv is required (the members are synod-kv replicas)")
        if args.default_retention:
            g = Replicas(args.kv, args.checkpoint_every or 1024, args.synod, args.check, 3, workdir, whole_log=False)
            return run_scenario(g, lambda g: scenario(g, args.messages, 256, 100000),
                                os.environ.get("SYNOD_KEEP"))
        g = Replicas(args.kv, args.checkpoint_every or 32, args.synod, args.check, 3, workdir,
                     f"retain-slots={RETAIN_SLOTS}\nretain-bytes={RETAIN_BYTES}\n",
                     whole_log=False)
        return run_scenario(g, lambda g: scenario(g, args.messages),
                            os.environ.get("SYNOD_KEEP"))


if __name__ == "__main__":
    sys.exit(main())
