#!/usr/bin/env python3
"""The group chat example: three participants, each through another member, type lines at
once; every participant must see the same conversation in the same order, with each one's
lines in the order they were typed.

usage: chat_test.py --synod PATH
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from group_test import Group  # noqa: E402

NAMES = {1: "alice", 2: "bob", 3: "carol"}
LINES = 25


class Participant:
    def __init__(self, synod, config, member, name):
        self.name, self.seen, self.joined, self.errors = name, [], threading.Event(), []
        self.proc = subprocess.Popen(
            [synod, "chat", "--config", config, "--id", str(member), "--name", name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._out, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _out(self):
        for line in self.proc.stdout:
            self.seen.append(line.rstrip("\n"))

    def _err(self):
        for line in self.proc.stderr:
            self.errors.append(line)
            if line.startswith("joined"):
                self.joined.set()


def run(synod, workdir):
    g = Group(synod, None, 3, workdir)
    try:
        g.start_all()
        people = {i: Participant(synod, g.config, i, n) for i, n in NAMES.items()}
        for p in people.values():
            assert p.joined.wait(20), f"{p.name} did not join"
        for k in range(LINES):  # everyone types at once
            for p in people.values():
                p.proc.stdin.write(f"line {k} from {p.name}\n")
                p.proc.stdin.flush()
        deadline = time.time() + 60
        while any(len(p.seen) < 3 * LINES for p in people.values()):
            assert time.time() < deadline, {p.name: len(p.seen) for p in people.values()}
            time.sleep(0.1)
        for p in people.values():
            p.proc.stdin.close()
            assert p.proc.wait(timeout=30) == 0, f"{p.name}'s chat failed"
        conversation = people[1].seen
        for p in people.values():
            assert p.seen == conversation, f"{p.name} saw another order"
        for name in NAMES.values():
            own = [l for l in conversation if l.startswith(name + ":")]
            assert own == [f"{name}: line {k} from {name}" for k in range(LINES)], own
        print(f"all three saw the same {len(conversation)} lines; each one's lines in typing order")

        # A latecomer with --history and nothing to say prints the whole conversation, then leaves.
        late = subprocess.run(
            [synod, "chat", "--config", g.config, "--id", "2", "--name", "dave", "--history"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        assert late.returncode == 0, late.stderr
        assert late.stdout.splitlines() == conversation, late.stdout[-300:]
        print(f"--history with no input printed the {len(conversation)} lines and left")

        # A participant whose member dies is told so at once, even while it waits for input.
        idle = Participant(synod, g.config, 3, "erin")
        assert idle.joined.wait(20), "erin did not join"
        g.kill(3)
        killed = time.time()
        code = idle.proc.wait(timeout=10)
        took = time.time() - killed
        time.sleep(0.2)
        assert code == 1, f"exit code {code}"
        assert any("lost the connection" in l for l in idle.errors), idle.errors
        assert took < 3, f"noticed after {took:.1f} s"
        print(f"the chat of a killed member exited 1 after {took:.2f} s")
    finally:
        g.stop_all()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--synod", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synod-chat-") as workdir:
        run(args.synod, workdir)
    print("passed")


if __name__ == "__main__":
    main()
