#!/usr/bin/env python3
"""The benchmark behind `./run bench`: synod groups of 3 and 5 members on loopback, for every
message size, storage, load and broadcaster choice, several runs each; in the same run the
machine's limits (fsync rate, CAF round trip) and etcd. Writes every run as JSON, the medians as
tables in docs/benchmarks.md (between its result markers) and the plots as PNGs next to it.

usage: run_bench.py --synod PATH [--quick] [--runs N] [--no-etcd] [--out DIR]
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
PLOTS = os.path.join(ROOT, "docs", "benchmarks")
TARGETS = {"durable": 500_000, "memory": 1_000_000, "p50_ms": 1.5, "p99_ms": 4.0, "failover_s": 0.5}


def log(text):
    print(text, file=sys.stderr, flush=True)


def synod_bench(synod, *args):
    out = subprocess.run([synod, "bench", *map(str, args)], capture_output=True, text=True,
                         timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"synod bench {' '.join(map(str, args))}: {out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(runs, *path):
    values = []
    for r in runs:
        v = r
        for p in path:
            v = v[p]
        values.append(v)
    return statistics.median(values)


def matrix(quick):
    nodes = (3,) if quick else (3, 5)
    sizes = (64, 1024) if quick else (64, 1024, 16384)
    for n in nodes:
        for storage in ("sqlite", "memory"):
            for size in sizes:
                for load in ("single", "saturation"):
                    for source in ("one", "all"):
                        yield {"nodes": n, "storage": storage, "size": size, "load": load,
                               "from": source}


def run_all(args):
    tmp = os.environ.get("TMPDIR", "/tmp")
    results = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "commit": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip(),
               "cores": os.cpu_count(), "runs": args.runs}
    log(f"baselines: fsync in {tmp}, CAF round trip")
    results["fsync"] = [synod_bench(args.synod, "--what", "fsync", "--dir", tmp) for _ in range(args.runs)]
    results["caf_rtt"] = [synod_bench(args.synod, "--what", "rtt") for _ in range(args.runs)]
    results["groups"] = []
    configs = list(matrix(args.quick))
    for k, c in enumerate(configs, 1):
        runs = []
        for _ in range(args.runs):
            runs.append(synod_bench(args.synod, "--nodes", c["nodes"], "--storage", c["storage"],
                                    "--size", c["size"], "--load", c["load"], "--from", c["from"],
                                    "--duration-ms", args.duration_ms))
        summary = dict(c, msgs_per_s=median_of(runs, "msgs_per_s"), mb_per_s=median_of(runs, "mb_per_s"),
                       p50_us=median_of(runs, "latency", "p50_us"),
                       p99_us=median_of(runs, "latency", "p99_us"),
                       p999_us=median_of(runs, "latency", "p999_us"), runs=runs)
        results["groups"].append(summary)
        log(f"[{k}/{len(configs)}] {c['nodes']} nodes {c['storage']} {c['size']} B {c['load']} from "
            f"{c['from']}: {summary['msgs_per_s']:,.0f} msgs/s, p50 {summary['p50_us'] / 1000:.2f} ms")
    log("failover: 3 members, sqlite, every member at saturation, the leader killed at 3 s")
    results["failover"] = [synod_bench(args.synod, "--nodes", 3, "--duration-ms", 7000,
                                       "--kill-leader-at-ms", 3000, "--sample-ms", 50)
                           for _ in range(args.runs)]
    log(f"memory: 3 members, sqlite, 64 B at saturation for {args.memory_s} s")
    results["memory"] = synod_bench(args.synod, "--nodes", 3, "--duration-ms",
                                    args.memory_s * 1000, "--sample-ms", 1000)
    if not args.no_etcd:
        log("etcd: 3 members on loopback, wrk through the JSON gateway")
        sizes = "64,1024" if args.quick else "64,1024,16384"
        out = subprocess.run([sys.executable, os.path.join(HERE, "etcd_baseline.py"), "--sizes",
                              sizes, "--runs", str(args.runs)], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("etcd baseline: " + out.stderr.strip())
        results["etcd"] = json.loads(out.stdout)
    return results


def find(results, **key):
    for g in results["groups"]:
        if all(g[k] == v for k, v in key.items()):
            return g
    return None


def etcd(results, size, load):
    for e in results.get("etcd", []):
        if e["size"] == size and e["load"] == load:
            return e
    return None


def fmt(x, digits=0):
    return f"{x:,.{digits}f}"


def tables(results):
    lines = []
    fs = median_of(results["fsync"], "fsyncs_per_s")
    rtt50 = median_of(results["caf_rtt"], "latency", "p50_us")
    rtt99 = median_of(results["caf_rtt"], "latency", "p99_us")
    lines += [f"Measured {results['started']} at commit `{results['commit']}` on {results['cores']} cores; "
              f"every figure is the median of {results['runs']} runs.", "",
              "### The machine and etcd, measured in the same run", "",
              "| baseline | median |", "|---|---|",
              f"| fsync (4 KiB append + fdatasync) in the data directory | {fmt(fs)} /s |",
              f"| CAF request/response round trip between two processes, 100 B | p50 {rtt50 / 1000:.3f} ms, p99 {rtt99 / 1000:.3f} ms |"]
    for e in results.get("etcd", []):
        lines.append(f"| etcd, 3 members, PUT {e['size']} B, {e['load']} ({e['connections']} connection(s)) | "
                     f"{fmt(e['writes_per_s'])} writes/s, p50 {e['p50_us'] / 1000:.2f} ms, p99 {e['p99_us'] / 1000:.2f} ms |")
    durable = find(results, nodes=3, storage="sqlite", size=64, load="saturation", **{"from": "all"})
    memory = find(results, nodes=3, storage="memory", size=64, load="saturation", **{"from": "all"})
    single = find(results, nodes=3, storage="sqlite", size=64, load="single", **{"from": "one"})
    e_sat, e_single = etcd(results, 64, "saturation"), etcd(results, 64, "single")
    failovers = [r["failover_s"] for r in results["failover"] if r["failover_s"] >= 0]
    failover = statistics.median(failovers) if failovers else float("nan")
    # Bounded: the last third of the run holds no more than the middle third (caches and the
    # memory window fill during the first third), within 10 %.
    rss = [p["rss_kib"] / 1024 for p in results["memory"]["timeline"]]
    third = max(len(rss) // 3, 1)
    rss_middle = statistics.mean(rss[third:2 * third] or rss)
    rss_end = statistics.mean(rss[2 * third:] or rss)

    def ratio(ours, theirs, higher_is_better=True):
        if not theirs:
            return "n/a"
        return f"{ours / theirs:.1f}x etcd" if higher_is_better else f"{theirs / ours:.2f}x etcd's"

    def met(ok):
        return "met" if ok else "**missed**"
    etcd_p50 = f"etcd p50 {e_single['p50_us'] / 1000:.2f} ms" if e_single else "n/a"
    etcd_p99 = f"etcd p99 {e_single['p99_us'] / 1000:.2f} ms" if e_single else "n/a"
    lines += ["", "### The targets (3 members, this machine)", "",
              "| figure | target | measured (median) | against etcd | |", "|---|---|---|---|---|",
              f"| durable throughput, 64 B, all members broadcasting | ≥ 500,000 msgs/s | {fmt(durable['msgs_per_s'])} msgs/s | "
              f"{ratio(durable['msgs_per_s'], e_sat and e_sat['writes_per_s'])} | {met(durable['msgs_per_s'] >= TARGETS['durable'])} |",
              f"| memory-storage throughput, 64 B | ≥ 1,000,000 msgs/s | {fmt(memory['msgs_per_s'])} msgs/s | "
              f"{ratio(memory['msgs_per_s'], e_sat and e_sat['writes_per_s'])} | {met(memory['msgs_per_s'] >= TARGETS['memory'])} |",
              f"| latency p50, 1 outstanding, durable | ≤ 1.5 ms | {single['p50_us'] / 1000:.2f} ms | "
              f"{etcd_p50} | {met(single['p50_us'] / 1000 <= TARGETS['p50_ms'])} |",
              f"| latency p99, 1 outstanding, durable | ≤ 4 ms | {single['p99_us'] / 1000:.2f} ms | "
              f"{etcd_p99} | {met(single['p99_us'] / 1000 <= TARGETS['p99_ms'])} |",
              f"| failover: leader killed → deliveries resume | ≤ 0.5 s | {failover:.2f} s ({', '.join(f'{f:.2f}' for f in failovers)}) | | {met(failover <= TARGETS['failover_s'])} |",
              f"| memory per member at saturation over {results['memory']['seconds']:.0f} s | bounded | largest member: {rss[0]:,.0f} MiB at the start, "
              f"{rss_middle:,.0f} MiB over the middle third, {rss_end:,.0f} MiB over the last third | | {met(rss_end <= rss_middle * 1.1)} |"]
    lines += ["", "### Every configuration", "",
              "Throughput is what the slowest member delivered; latency is from a broadcast request to "
              "its delivery at the member it was sent to (at saturation a request carries up to 256 "
              "messages and 16 are in flight per broadcaster).", "",
              "| members | storage | size | load | from | msgs/s | MB/s | p50 ms | p99 ms | p99.9 ms |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for g in results["groups"]:
        lines.append(f"| {g['nodes']} | {g['storage']} | {g['size']} | {g['load']} | {g['from']} | "
                     f"{fmt(g['msgs_per_s'])} | {g['mb_per_s']:.1f} | {g['p50_us'] / 1000:.2f} | "
                     f"{g['p99_us'] / 1000:.2f} | {g['p999_us'] / 1000:.2f} |")
    lines += ["", "![throughput by message size](benchmarks/throughput.png)",
              "![latency CDF](benchmarks/latency.png)",
              "![throughput with the leader killed](benchmarks/failover.png)",
              "![memory per member](benchmarks/memory.png)"]
    return "\n".join(lines)


def plots(results, work):
    os.makedirs(PLOTS, exist_ok=True)

    def data(name, rows):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            for r in rows:
                f.write(" ".join(map(str, r)) + "\n")
        return path
    series = []
    for storage, n in (("sqlite", 3), ("memory", 3), ("sqlite", 5)):
        rows = [(g["size"], g["msgs_per_s"]) for g in results["groups"]
                if g["nodes"] == n and g["storage"] == storage and g["load"] == "saturation" and g["from"] == "all"]
        if rows:
            series.append((data(f"tp-{storage}-{n}.dat", rows), f"synod {n} members, {storage}"))
    if results.get("etcd"):
        rows = [(e["size"], e["writes_per_s"]) for e in results["etcd"] if e["load"] == "saturation"]
        series.append((data("tp-etcd.dat", rows), "etcd 3 members (writes)"))
    cdfs = []
    for storage in ("sqlite", "memory"):
        g = find(results, nodes=3, storage=storage, size=64, load="single", **{"from": "one"})
        if g:
            cdfs.append((data(f"cdf-{storage}.dat", [(v / 1000, q) for q, v in g["runs"][0]["latency"]["cdf"]]),
                         f"synod 3 members, {storage}, 1 outstanding", "lines"))
    e = etcd(results, 64, "single")
    if e:
        cdfs.append((data("cdf-etcd.dat", [(e["p50_us"] / 1000, 0.5), (e["p90_us"] / 1000, 0.9),
                                           (e["p99_us"] / 1000, 0.99)]), "etcd 3 members, 1 connection", "linespoints"))
    runs = sorted(results["failover"], key=lambda r: r["failover_s"])
    fo = runs[len(runs) // 2]
    tl = fo["timeline"]
    rate_rows = [(b["t"], (b["delivered"] - a["delivered"]) / max(b["t"] - a["t"], 1e-9))
                 for a, b in zip(tl, tl[1:])]
    mem_rows = [(p["t"], p["rss_kib"] / 1024) for p in results["memory"]["timeline"]]
    script = [
        "set terminal pngcairo size 900,540 noenhanced" if has_cairo() else "set terminal png size 900,540 noenhanced",
        "set grid",
        f"set output '{PLOTS}/throughput.png'",
        "set title 'Throughput at saturation by message size (64 B to 16 KB)'",
        "set logscale xy", "set xlabel 'message size (bytes)'", "set ylabel 'messages/s delivered at every member'",
        "plot " + ", ".join(f"'{p}' using 1:2 with linespoints title '{t}'" for p, t in series),
        "unset logscale", f"set output '{PLOTS}/latency.png'",
        "set title 'Latency from broadcast to local delivery, 64 B, 1 outstanding (CDF)'",
        "set logscale x", "set xlabel 'latency (ms)'", "set ylabel 'share of messages'",
        "plot " + ", ".join(f"'{p}' using 1:2 with {w} title '{t}'" for p, t, w in cdfs),
        "unset logscale", f"set output '{PLOTS}/failover.png'",
        f"set title 'Deliveries per second, leader (member {fo['killed']}) killed at {fo['killed_at_s']:.1f} s: failover {fo['failover_s']:.2f} s'",
        "set xlabel 'time (s)'", "set ylabel 'messages/s delivered at every member'",
        f"set arrow from {fo['killed_at_s']},graph 0 to {fo['killed_at_s']},graph 1 nohead dt 2",
        f"plot '{data('failover.dat', rate_rows)}' using 1:2 with lines title 'synod 3 members, sqlite, 64 B'",
        "unset arrow", f"set output '{PLOTS}/memory.png'",
        "set title 'Resident memory of the largest member at saturation'",
        "set xlabel 'time (s)'", "set ylabel 'MiB'",
        f"plot '{data('memory.dat', mem_rows)}' using 1:2 with lines title 'synod 3 members, sqlite, 64 B'",
    ]
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


def has_cairo():
    out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in out.stdout + out.stderr


def write_doc(results):
    begin, end = "<!-- results begin -->", "<!-- results end -->"
    text = open(DOC).read()
    if begin not in text or end not in text:
        raise RuntimeError(f"{DOC}: result markers missing")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(DOC, "w") as f:
        f.write(head + begin + "\n" + tables(results) + "\n" + end + tail)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--synod", required=True)
    parser.add_argument("--quick", action="store_true",
                        help="3 members, 64 B and 1 KB, for a look: printed, docs left alone")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration-ms", type=int, default=4000)
    parser.add_argument("--memory-s", type=int, default=60)
    parser.add_argument("--no-etcd", action="store_true")
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "bench-results"))
    parser.add_argument("--from-json", help="redo the tables and plots from an earlier run's JSON")
    args = parser.parse_args()
    if args.from_json:
        results = json.load(open(args.from_json))
    else:
        results = run_all(args)
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, f"bench-{results['started'].replace(':', '')}.json")
        with open(path, "w") as f:
            json.dump(results, f)
        log(f"every run: {path}")
    if args.quick:  # a look: the documented results stay those of the last full run
        print(tables(results))
        return
    with tempfile.TemporaryDirectory() as work:
        plots(results, work)
    write_doc(results)
    log(f"tables: {DOC}; plots: {PLOTS}/")
    print(tables(results))


if __name__ == "__main__":
    main()
