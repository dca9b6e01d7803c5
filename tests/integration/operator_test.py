#!/usr/bin/env python3
"""What operators and typos do to a group, with real processes: a member that cannot start
(port taken, host unknown, address not here) exits 1 at once with one line and disturbs no one;
a second process claiming a running member's id, another group's database, a member whose
database was lost, and a data directory deleted under a running member are each refused with a
clear line while the group keeps its leader and its order; every command answers --help and
refuses nonsense.

usage: operator_test.py --synod PATH --check PATH [--kv PATH --counter PATH] SCENARIO
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from group_test import Group, finish, free_base_port, run_scenario  # noqa: E402


def rounds(g):
    """Every 'leading round' line so far, from every member."""
    lines = []
    for i in range(1, g.size + 1):
        path = os.path.join(g.dir, f"node{i}.log")
        if os.path.exists(path):
            with open(path) as f:
                lines += [l for l in f if ": leading round" in l]
    return len(lines)


def run_member(g, config, i, timeout=15):
    """Starts member i with `config` and expects it to exit on its own; returns (code, output,
    seconds)."""
    began = time.time()
    out = subprocess.run([g.synod, "node", "--config", config, "--id", str(i)],
                         capture_output=True, text=True, timeout=timeout)
    return out.returncode, (out.stderr + out.stdout).strip(), time.time() - began


def expect_exit(code, output, seconds, want, limit):
    last = output.splitlines()[-1] if output else ""
    print(f"  exit {code} after {seconds:.2f} s: {last}")
    if code != 1:
        raise AssertionError(f"exit code {code}, expected 1: {output[-400:]}")
    if want not in last:
        raise AssertionError(f"the last line does not say '{want}': {output[-400:]}")
    if seconds > limit:
        raise AssertionError(f"took {seconds:.1f} s to give up (at most {limit} s)")


def variant(g, name, replace):
    """A copy of the group's config with one text replaced."""
    text = open(g.config).read()
    path = os.path.join(g.dir, name)
    with open(path, "w") as f:
        f.write(replace(text))
    return path


def member_address(g, i):
    text = open(g.config).read()
    start = text.index(f'"{i}@') + len(f'"{i}@')
    return text[start:text.index('"', start)]


def load_and_check(g, tag, count=2000, via=1):
    finish(g.broadcast(via, count, tag), f"broadcast {tag} via {via}")


def scenario_startup(g):
    g.start(2)
    g.start(3)
    time.sleep(1)
    load_and_check(g, "before", via=2)
    before = rounds(g)
    host, port = member_address(g, 1).rsplit(":", 1)
    # The port taken by another program.
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind((host, int(port)))
    blocker.listen()
    try:
        expect_exit(*run_member(g, g.config, 1), f"cannot listen on {host}:{port}", 3)
    finally:
        blocker.close()
    unknown = variant(g, "unknown-host.ini",
                      lambda t: t.replace(f"1@{host}:{port}", f"1@no-such-host.invalid:{port}"))
    expect_exit(*run_member(g, unknown, 1), "cannot listen on no-such-host.invalid", 3)
    far = variant(g, "far.ini", lambda t: t.replace(f"1@{host}:{port}", f"1@192.0.2.1:{port}"))
    expect_exit(*run_member(g, far, 1), "cannot listen on 192.0.2.1", 3)
    time.sleep(1)
    if rounds(g) != before:
        raise AssertionError("the failed starts made the group start new rounds")
    load_and_check(g, "after", via=3)
    print("  the group kept its leader and went on")
    # SIGTERM right after the start, while the member is still connecting and catching up.
    proc = subprocess.Popen([g.synod, "node", "--config", g.config, "--id", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.05)
    sent = time.time()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=10)
    print(f"  SIGTERM 50 ms after the start: exit {code} after {time.time() - sent:.2f} s")
    if time.time() - sent > 2:
        raise AssertionError("SIGTERM took more than 2 s to stop a starting member")


def scenario_duplicate(g):
    g.start_all()
    load_and_check(g, "before")
    before = rounds(g)
    # Another process that calls itself member 1: same group, its own address and data.
    host, port = member_address(g, 1).rsplit(":", 1)
    other = free_base_port(1)
    impostor = variant(
        g, "impostor.ini",
        lambda t: t.replace(f"1@{host}:{port}", f"1@{host}:{other}").replace(
            "/data", "/impostor-data"))
    expect_exit(*run_member(g, impostor, 1), "another process already is this member", 10)
    refused = [i for i in (2, 3)
               if "claiming to be node 1" in open(os.path.join(g.dir, f"node{i}.log")).read()]
    if not refused:
        raise AssertionError("no member logged that it refused the second node 1")
    if rounds(g) != before:
        raise AssertionError("the second node 1 made the group start new rounds")
    load_and_check(g, "after")
    g.judge(g.settle(), {"before": 2000, "after": 2000})


def scenario_foreign_database(g):
    # Group A, same name and same member ids, in a directory of its own.
    a_dir = os.path.join(g.dir, "group-a")
    os.makedirs(a_dir)
    a = Group(g.synod, g.check_bin, 3, a_dir)
    try:
        a.start_all()
        load_and_check(a, "a-msgs")
        a.settle()
    finally:
        a.stop_all()
    g.start_all()
    load_and_check(g, "b-msgs")
    g.settle()
    before = rounds(g)
    g.kill(1)
    b1 = os.path.join(g.dir, "data", "node-1")
    shutil.rmtree(b1)
    shutil.copytree(os.path.join(a_dir, "data", "node-1"), b1)
    code, output, seconds = run_member(g, g.config, 1, timeout=30)
    expect_exit(code, output, seconds, "this member's database belongs to another group", 15)
    load_and_check(g, "b-after", via=2)
    logs = {i: g.snapshot(i) for i in (2, 3)}
    if any(e["payload"].startswith("a-msgs") for log in logs.values() for e in log):
        raise AssertionError("group A's messages reached group B")
    if rounds(g) > before + 1:
        raise AssertionError(f"{rounds(g) - before} rounds after the stranger came")
    print("  group B never saw group A's messages")


def scenario_lost_database(g):
    g.start_all()
    load_and_check(g, "before")
    g.settle()
    g.kill(3)
    shutil.rmtree(os.path.join(g.dir, "data", "node-3"))
    expect_exit(*run_member(g, g.config, 3, timeout=30), "this member took part in the group before", 15)
    load_and_check(g, "after")


def scenario_memory_restart(g):
    """Without forced logs a restarted member has forgotten everything by design: it is not
    taken for a lost database, it rejoins and catches up."""
    g.start_all()
    load_and_check(g, "before")
    g.settle()
    g.kill(3)
    g.start(3)
    load_and_check(g, "after", via=3)
    g.judge(g.settle(), {"before": 2000, "after": 2000})


def scenario_deleted_directory(g):
    g.start_all()
    load_and_check(g, "before")
    g.settle()
    shutil.rmtree(os.path.join(g.dir, "data", "node-3"))
    load_and_check(g, "after")
    deadline = time.time() + 10
    while g.procs[3].poll() is None and time.time() < deadline:
        time.sleep(0.1)
    log = open(os.path.join(g.dir, "node3.log")).read()
    if g.procs[3].poll() is None:
        raise AssertionError("member 3 goes on without its data directory")
    if "database file is gone" not in log:
        raise AssertionError(f"member 3 stopped without saying why: {log[-400:]}")
    print("  member 3 stopped: " + next(l for l in log.splitlines() if "is gone" in l))
    load_and_check(g, "later", via=2)


def parse_ranges(text):
    """'1-256, 300' -> {1, ..., 256, 300}; 'none' -> set()."""
    numbers = set()
    for part in text.split(", "):
        if part == "none":
            continue
        lo, _, hi = part.partition("-")
        numbers.update(range(int(lo), int(hi or lo) + 1))
    return numbers


def scenario_client_truth(g):
    """A broadcast whose member dies says exactly which messages were delivered: every one it
    calls delivered is delivered at the others; none is both delivered and unconfirmed."""
    g.start_all()
    proc = subprocess.Popen([g.synod, "broadcast", "--config", g.config, "--id", "3", "--count",
                             "3000000", "--tag", "truth"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    g.kill(3)
    _, err = proc.communicate(timeout=60)
    print(f"  exit {proc.returncode}: {err.strip()[:300]}")
    if proc.returncode != 1 or "lost the connection" not in err:
        raise AssertionError(f"the broadcast did not report the loss: {err[-300:]}")
    report = err.strip().splitlines()[-1]
    delivered = parse_ranges(
        report.split("delivered ", 1)[1].split(", unconfirmed")[0].split(", not delivered")[0])
    unconfirmed = parse_ranges(report.split("unconfirmed ", 1)[1].split(" (")[0]) \
        if "unconfirmed " in report else set()
    if not delivered or delivered & unconfirmed:
        raise AssertionError(f"confused report: {report[:300]}")
    deadline = time.time() + 60
    while g.digest(1) != g.digest(2) and time.time() < deadline:
        time.sleep(0.5)
    seen = {int(e["payload"].rstrip(".").rsplit("-", 1)[1]) for e in g.snapshot(1)
            if e["payload"].startswith("truth")}
    missing = delivered - seen
    if missing:
        raise AssertionError(f"{len(missing)} messages reported delivered are not, e.g. "
                             f"{sorted(missing)[:5]}")
    extra = seen - delivered - unconfirmed
    if extra:
        raise AssertionError(f"{len(extra)} delivered messages were reported neither delivered "
                             f"nor unconfirmed, e.g. {sorted(extra)[:5]}")
    print(f"  {len(delivered)} reported delivered, all delivered; {len(unconfirmed)} unconfirmed, "
          f"of which {len(seen & unconfirmed)} were in fact delivered")


def scenario_cli(g, kv, counter):
    def run(argv, want_code, want_text=None, stdin=None):
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20, input=stdin)
        text = out.stdout + out.stderr
        if out.returncode != want_code or (want_text and want_text not in text):
            raise AssertionError(f"{' '.join(argv[1:]) or argv[0]}: exit {out.returncode}, "
                                 f"expected {want_code} and '{want_text}': {text[-300:]}")
        return text

    s, c = g.synod, ["--config", g.config]
    run([s, "--help"], 0, "commands:")
    for command in ("node", "broadcast", "tail", "status", "chat", "demo", "bench",
                    "check-config"):
        run([s, command, "--help"], 0, f"usage: synod {command}")
    run([kv, "--help"], 0, "usage: synod-kv")
    run([kv, "serve", "--help"], 0, "usage: synod-kv serve")
    run([counter, "--help"], 0, "usage: synod-example-counter")
    run([s, "broadcast"] + c + ["--id", "1", "--count", "-1"], 2, "--count: '-1'")
    run([s, "broadcast"] + c + ["--id", "1", "--batch", "0"], 2, "--batch: '0'")
    run([s, "broadcast"] + c + ["--id", "1", "--cuont", "10"], 2, "unknown option --cuont")
    run([s, "node"] + c + ["--id", "4294967297"], 2, "--id: '4294967297'")
    run([s, "tail"] + c + ["--id", "1", "--from", "-5"], 2, "--from: '-5'")
    run([s, "tail"] + c + ["--id", "1", "--from", "3", "--from-checkpoint"], 2, "choose one")
    run([s, "status"] + c + ["--timeout-ms", "-1"], 2, "--timeout-ms: '-1'")
    run([s, "frobnicate"], 2, "unknown command")
    run([kv, "--config", g.config, "--id", "x", "get", "k"], 2, "--id: 'x'")
    run([counter, "--port", "70000"], 2, "--port: '70000'")
    text = run([s, "check-config", g.config], 0, "max-message-bytes = ")
    print("  check-config: " + " / ".join(text.splitlines()[:2]))
    bad = variant(g, "bad.ini", lambda t: t.replace('"1@', '"1x@'))
    run([s, "check-config", bad], 1, "the id must be")
    two = variant(g, "two.ini", lambda t: t.replace(", \"3@" + member_address(g, 3) + '"', ""))
    run([s, "check-config", two], 0, "a group of 2 members")
    print("  every command answers --help; nonsense is refused with exit 2")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--synod", required=True)
    parser.add_argument("--check", required=True)
    parser.add_argument("--kv")
    parser.add_argument("--counter")
    parser.add_argument("scenario", choices=["startup", "duplicate", "foreign-database",
                                             "lost-database", "deleted-directory",
                                             "client-truth", "memory-restart", "cli"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synod-op-") as workdir:
        extra = 'storage="memory"\n' if args.scenario == "memory-restart" else ""
        g = Group(args.synod, args.check, 3, workdir, extra)
        if args.scenario == "cli":
            return run_scenario(g, lambda g: scenario_cli(g, args.kv, args.counter))
        return run_scenario(g, {
            "startup": scenario_startup, "duplicate": scenario_duplicate,
            "foreign-database": scenario_foreign_database,
            "lost-database": scenario_lost_database,
            "deleted-directory": scenario_deleted_directory,
            "client-truth": scenario_client_truth,
            "memory-restart": scenario_memory_restart}[args.scenario])


if __name__ == "__main__":
    sys.exit(main())
