#!/usr/bin/env python3
"""The replicated key-value store example under a crash: three replicas (synod-kv serve) take
writes through different members; one is killed with kill -9 while writes continue and is
restarted; it rebuilds its store from its member's log and catches up, and all three replicas
end with the same contents, which hold every acknowledged write. The members keep 64 slots of
log: the restarted replica starts from its own checkpoint, finds the others cut past it, and
takes a peer's checkpoint (state transfer) before the slots after it.

usage: kv_test.py --kv PATH
"""
import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from group_test import free_base_port  # noqa: E402


class Replicas:
    def __init__(self, kv, workdir):
        self.kv, self.dir = kv, workdir
        base = free_base_port(3, shifted=1000)  # members, and their replicas' client ports
        members = ", ".join(f'"{i}@127.0.0.1:{base + i - 1}"' for i in (1, 2, 3))
        self.config = os.path.join(workdir, "kv.ini")
        with open(self.config, "w") as f:
            # Few slots in memory: the restarted replica's replay and catch-up read the database.
            # A short log: while a replica is down the others cut past it, and it comes back
            # by state transfer (a peer's checkpoint, then the slots after it).
            f.write(f'[synod]\ngroup="kv-test"\nmembers=[{members}]\ndata-dir="{workdir}/data"\n'
                    'memory-slots=8\nretain-slots=64\n')
        self.procs = {}

    def start(self, i):
        path = os.path.join(self.dir, f"replica{i}.log")
        before = open(path).read().count("serving clients") if os.path.exists(path) else 0
        # A checkpoint every 64 slots: a restarted replica starts from one.
        self.procs[i] = subprocess.Popen([self.kv, "serve", "--config", self.config, "--id", str(i),
                                          "--checkpoint-every", "64"],
                                         stdout=open(path, "a"), stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while open(path).read().count("serving clients") == before:
            assert self.procs[i].poll() is None and time.time() < deadline, \
                f"replica {i} did not start:\n" + open(path).read()[-2000:]
            time.sleep(0.05)

    def kill(self, i):
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait()

    def client(self, i, *words, stdin=None):
        return subprocess.run([self.kv, "--config", self.config, "--id", str(i), *words],
                              input=stdin, capture_output=True, text=True, timeout=120)

    def writer(self, i):
        return subprocess.Popen([self.kv, "--config", self.config, "--id", str(i)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def dump(self, i):
        out = self.client(i, "dump", "--json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def status(self):
        out = subprocess.run([self.synod, "status", "--config", self.config, "--json"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def stop_all(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()


def run_showing_logs(r, scenario):
    """Runs `scenario(r)`; on a failure prints the replicas' last log lines. Stops them."""
    try:
        scenario(r)
    except Exception:
        for i in (1, 2, 3):
            path = os.path.join(r.dir, f"replica{i}.log")
            if os.path.exists(path):
                print(f"--- replica{i}.log\n" + "".join(open(path).readlines()[-10:]))
        raise
    finally:
        r.stop_all()


def run(r):
    for i in (1, 2, 3):
        r.start(i)
    time.sleep(0.5)
    # Writes through every replica, then a crash of replica 2 while replica 1 keeps writing.
    first = "".join(f"put k{n} v{n}\n" for n in range(300))
    out = r.client(2, stdin=first)
    assert out.returncode == 0 and out.stdout.count("ok") == 300, out.stderr or out.stdout
    writer = r.writer(1)
    for n in range(300, 1300):
        writer.stdin.write(f"put k{n % 400} w{n}\n")
    writer.stdin.write("cas guard - taken\ncas guard - again\n")
    writer.stdin.close()
    time.sleep(0.2)
    r.kill(2)
    print("replica 2 killed while replica 1 writes")
    out = r.client(3, "put", "written-while-2-was-down", "yes")
    assert out.returncode == 0, out.stderr
    results = writer.stdout.read().splitlines()
    writer.wait(timeout=120)
    assert results.count("ok") == 1001, f"{results.count('ok')} of 1001 writes acknowledged"
    assert results[-1] == "failed: the value is 'taken'", results[-1]
    assert writer.returncode == 1, "a failed cas makes the exit code 1"
    db = sqlite3.connect(f"file:{r.dir}/data/node-2/synod.db?mode=ro", uri=True)
    stopped_at = db.execute("SELECT max(slot) FROM delivered").fetchone()[0] or 0
    db.close()
    if r.synod:
        # Its restart is to need a state transfer: the others cut their logs past where it
        # stopped (more writes until they did; how many slots the writes take varies).
        for attempt in range(50):
            cuts = [m["truncated_up_to"] for m in r.status()["members"] if m["id"] != 2]
            if min(cuts) > stopped_at:
                break
            out = r.client(3, stdin="".join(f"put k{n} x{attempt}\n" for n in range(0, 400, 4)))
            assert out.returncode == 0, out.stderr
        else:
            raise AssertionError(f"the others never cut their logs past slot {stopped_at}")
        print(f"replica 2 stopped at slot {stopped_at}; the others' logs start after {cuts}")
    r.start(2)
    print("replica 2 restarted")
    deadline = time.time() + 60
    while True:
        dumps = {i: r.dump(i) for i in (1, 2, 3)}
        if len({(d["slot"], d["digest"]) for d in dumps.values()}) == 1:
            break
        assert time.time() < deadline, f"replicas did not converge: {dumps}"
        time.sleep(0.3)
    print(f"all three replicas equal: {dumps[1]}")
    assert dumps[1]["keys"] == 400 + 2, dumps[1]  # k0..k399, guard, written-while-2-was-down
    out = r.client(2, "get", "written-while-2-was-down")
    assert out.stdout.strip() == "yes", out.stdout
    out = r.client(2, "get", "k299")
    assert out.stdout.strip() == "w1099", out.stdout  # the last write of k299
    out = r.client(2, "get", "guard")
    assert out.stdout.strip() == "taken", out.stdout
    print("replica 2 answers with the writes it missed while down")
    log = open(os.path.join(r.dir, "replica2.log")).read()
    if stopped_at >= 64:  # it handed its member a checkpoint before it was killed
        assert "kv: starting from the checkpoint at slot" in log, log
        print("replica 2 started from its checkpoint: " +
              log[log.index("kv: starting from the checkpoint"):].splitlines()[0])
    else:
        print(f"replica 2 stopped at slot {stopped_at}, before its first checkpoint")
    if r.synod:
        # The others cut their logs past where replica 2 stopped: it took a peer's checkpoint.
        assert "kv: took a peer's checkpoint at slot" in log, "no state transfer:\n" + log
        print("replica 2 caught up by state transfer: " +
              log[log.index("kv: took a peer's checkpoint"):].splitlines()[0])
    if r.synod:
        # synod tail --from-checkpoint names the member's checkpoint, then the slots after it.
        out = subprocess.run([r.synod, "tail", "--config", r.config, "--id", "2",
                              "--from-checkpoint", "--snapshot", "--json"],
                             capture_output=True, text=True, timeout=60)
        lines = [json.loads(line) for line in out.stdout.splitlines()]
        assert out.returncode == 0 and lines and "checkpoint" in lines[0], out
        slot = lines[0]["checkpoint"]
        later = [line["slot"] for line in lines[1:]]
        assert slot >= 64 and all(s > slot for s in later), (lines[0], later[:3])
        lines[0] = f"checkpoint slot {slot}: {lines[0]['bytes']} bytes"
        print(f"synod tail --from-checkpoint: {lines[0]}, then {len(later)} messages after it")
        out = subprocess.run([r.synod, "status", "--config", r.config, "--json"],
                             capture_output=True, text=True, timeout=60)
        kept = [m["checkpoint_slot"] for m in json.loads(out.stdout)["members"]]
        assert all(k >= 64 for k in kept), kept
        print(f"synod status --json: checkpoint_slot {kept}")

    # A client whose replica dies moves on to another one at once, and nothing applies twice:
    # every command of this writer adds one element to a counter key through cas.
    writer = r.writer(3)
    steps = 400
    for n in range(steps):
        writer.stdin.write(f"cas counter {'-' if n == 0 else n - 1} {n}\n")
    writer.stdin.close()
    time.sleep(0.3)
    killed = time.time()
    r.kill(3)
    results = writer.stdout.read().splitlines()
    writer.wait(timeout=60)
    took = time.time() - killed
    errors = writer.stderr.read()
    assert writer.returncode == 0, f"the writer failed over badly: {results[-3:]} {errors}"
    assert results.count("ok") == steps, f"{results.count('ok')} of {steps} cas succeeded"
    out = r.client(1, "get", "counter")
    assert out.stdout.strip() == str(steps - 1), out.stdout
    print(f"replica 3 killed under a writer: it went on through another replica "
          f"({took:.1f} s to finish), every cas applied exactly once")
    out = r.client(3, "get", "counter")
    assert out.returncode == 0 and out.stdout.strip() == str(steps - 1), (out.returncode, out.stdout, out.stderr)
    print("a client given the dead replica 3 is answered by another one")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kv", required=True)
    parser.add_argument("--synod")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synod-kv-") as workdir:
        r = Replicas(args.kv, workdir)
        r.synod = args.synod
        run_showing_logs(r, run)
    print("passed")


if __name__ == "__main__":
    main()
