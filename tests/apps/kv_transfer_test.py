#!/usr/bin/env python3
"""A large state transfer between real processes, cut off by kill -9 and resumed: three synod-kv
replicas keep 64 slots of log; replica 2 is down while 6 MB of values are written, so the others
cut their logs past it; when it starts again it fetches a peer's checkpoint of the store in
parts (1 MiB each, over links to it that lose 60 % of their frames), and is killed in
the middle. Its database then holds the parts that came; restarted, it goes on from them (its log
says how many bytes it had already), takes the checkpoint, and ends with the same store as the
others.

usage: kv_transfer_test.py --kv PATH --synod PATH
"""
import argparse
import os
import re
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kv_test import Replicas, run_showing_logs  # noqa: E402


def rows(r, table):
    db = sqlite3.connect(f"file:{r.dir}/data/node-2/synod.db?mode=ro", uri=True)
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


def run(r):
    for i in (1, 2, 3):
        r.start(i)
    time.sleep(0.5)
    r.kill(2)
    value = "v" * 2000
    out = r.client(1, stdin="".join(f"put key{n} {value}{n}\n" for n in range(3000)))
    assert out.returncode == 0 and out.stdout.count("ok") == 3000, out.stderr
    for attempt in range(50):  # until the others cut their logs past where replica 2 stopped
        if min(m["truncated_up_to"] for m in r.status()["members"] if m["id"] != 2) > 64:
            break
        r.client(3, stdin="".join(f"put small{n} {attempt}\n" for n in range(100)))
    log_path = os.path.join(r.dir, "replica2.log")
    r.start(2)
    deadline = time.time() + 30
    while "state transfer: fetching" not in open(log_path).read():
        assert time.time() < deadline, "replica 2 never started a state transfer"
        time.sleep(0.01)
    r.kill(2)
    kept = rows(r, "transfer")
    assert kept > 0, "the transfer ended before the kill: nothing to resume"
    print(f"replica 2 killed in the middle of a state transfer: {kept} part(s) on its disk")
    r.start(2)
    began = time.time()
    while True:
        dumps = {i: r.dump(i) for i in (1, 2, 3)}
        if len({(d["slot"], d["digest"]) for d in dumps.values()}) == 1:
            break
        assert time.time() < began + 60, f"replicas did not converge: {dumps}"
        time.sleep(0.3)
    log = open(log_path).read()
    fetches = re.findall(r"fetching a peer's checkpoint of slot (\d+) \((\d+) bytes, (\d+) here", log)
    assert len(fetches) >= 2 and int(fetches[-1][2]) > 0, fetches
    slot, size, had = fetches[-1]
    assert int(size) > 1 << 20, f"a checkpoint of {size} bytes: one part, not several"
    took = re.search(r"kv: took a peer's checkpoint at slot \d+.*", log)
    assert took, "no checkpoint taken"
    print(f"restarted, it went on from {had} of {size} bytes (checkpoint of slot {slot}) and "
          f"{took.group(0)}; {time.time() - began:.1f} s to converge")
    assert dumps[2]["keys"] >= 3000, dumps[2]
    print(f"all three stores equal: {dumps[2]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kv", required=True)
    parser.add_argument("--synod", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synod-kv-transfer-") as workdir:
        r = Replicas(args.kv, workdir)
        r.synod = args.synod
        with open(r.config, "a") as f:
            f.write('[synod.faults]\nlinks=["1-2", "3-2"]\nloss=0.6\n')
        run_showing_logs(r, run)
    print("passed")


if __name__ == "__main__":
    main()
