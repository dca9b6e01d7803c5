#!/usr/bin/env python3
"""etcd on this machine, as the peer every synod figure is compared with: a 3-member cluster on
loopback (Debian's etcd-server, durable: its WAL is fsynced before every answer), started and
stopped here, loaded with wrk through the v3 JSON gateway (PUT of one key per request).

usage: etcd_baseline.py [--sizes 64,1024,16384] [--duration 5] [--runs 3]   (JSON on stdout)
"""
import argparse
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

CLIENT, PEER = 23790, 23800


def start_cluster(work):
    cluster = ",".join(f"e{i}=http://127.0.0.1:{PEER + i}" for i in (1, 2, 3))
    procs = []
    for i in (1, 2, 3):
        procs.append(subprocess.Popen(
            ["etcd", "--name", f"e{i}", "--data-dir", f"{work}/e{i}",
             "--listen-client-urls", f"http://127.0.0.1:{CLIENT + i}",
             "--advertise-client-urls", f"http://127.0.0.1:{CLIENT + i}",
             "--listen-peer-urls", f"http://127.0.0.1:{PEER + i}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{PEER + i}",
             "--initial-cluster", cluster, "--initial-cluster-state", "new",
             "--log-level", "error"],
            stdout=open(f"{work}/e{i}.log", "w"), stderr=subprocess.STDOUT))
    deadline = time.time() + 30
    while True:
        try:
            put(1, "warm", "up")
            return procs
        except OSError:
            if time.time() > deadline:
                raise RuntimeError("etcd did not start: " + open(f"{work}/e1.log").read()[-500:])
            time.sleep(0.2)


def put(member, key, value):
    body = json.dumps({"key": base64.b64encode(key.encode()).decode(),
                       "value": base64.b64encode(value.encode()).decode()}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{CLIENT + member}/v3/kv/put", data=body,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5).read()


def wrk(work, size, connections, duration):
    script = os.path.join(work, f"put{size}.lua")
    body = json.dumps({"key": base64.b64encode(b"bench").decode(),
                       "value": base64.b64encode(b"x" * size).decode()})
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = '{body}'\n")
    out = subprocess.run(
        ["wrk", "-t", "1" if connections == 1 else "2", "-c", str(connections), "-d",
         f"{duration}s", "--latency", "-s", script, f"http://127.0.0.1:{CLIENT + 1}/v3/kv/put"],
        capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if re.search(r"Non-2xx", out):
        raise RuntimeError("etcd refused requests:\n" + out)

    def latency(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 1, "ms": 1e3, "s": 1e6}[unit]
    return {"writes_per_s": rate, "p50_us": latency(50), "p90_us": latency(90),
            "p99_us": latency(99)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="64,1024,16384")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for tool in ("etcd", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"etcd_baseline: '{tool}' is not installed (./run bench installs it)")
    results = []
    with tempfile.TemporaryDirectory(prefix="synod-etcd-") as work:
        procs = start_cluster(work)
        try:
            for size in map(int, args.sizes.split(",")):
                for load, connections in (("single", 1), ("saturation", 64)):
                    runs = [wrk(work, size, connections, args.duration) for _ in range(args.runs)]
                    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                    results.append({"what": "etcd", "nodes": 3, "size": size, "load": load,
                                    "connections": connections, "runs": runs, **median})
                    print(f"etcd {size} B {load}: {median['writes_per_s']:.0f} writes/s, "
                          f"p50 {median['p50_us'] / 1000:.2f} ms", file=sys.stderr)
        finally:
            for p in procs:
                p.kill()
                p.wait()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
