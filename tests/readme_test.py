#!/usr/bin/env python3
"""Runs every command of the README's `sh` blocks, in order, as a reader would, so the README
cannot drift from the programs. A command ending in `&` (a member, a replica) runs in the
background until the end; a `tail` without --count or --snapshot follows deliveries in the
background and must have printed what was broadcast; every other command must exit with 0.
`./run demo` and `./run sim` are the programs `./run` starts after building; `./run build` and
`./run test` are what runs this test (CI calls `./run test`). Then the README's C++ program,
compiled from the README's text, runs against the group.

usage: readme_test.py --readme README.md --build BUILD_DIR --example PATH
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time

RUN_JOBS = {"demo": "build/apps/synod demo", "sim": "build/tests/sim/synod-sim"}
READY = {" node ": "listening on", " serve ": "serving clients"}


def commands(readme):
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                yield line


def translate(line):
    """The command to run for a README line, or None when the test itself is that command."""
    m = re.match(r"\./run (\w+)(.*)$", line)
    if not m:
        return line
    job, rest = m.groups()
    if job in ("build", "test"):
        return None
    if job not in RUN_JOBS:
        raise AssertionError(f"the README shows ./run {job}, which this test does not know")
    return RUN_JOBS[job] + rest


def start_background(cmd, log_path, cwd):
    log = open(log_path, "w")
    proc = subprocess.Popen(["bash", "-c", "exec " + cmd], cwd=cwd, stdout=log,
                            stderr=subprocess.STDOUT)
    for marker, ready in READY.items():
        if marker in f" {cmd} ":
            deadline = time.time() + 20
            while ready not in open(log_path).read():
                if proc.poll() is not None or time.time() > deadline:
                    raise AssertionError(f"'{cmd}' did not start: {open(log_path).read()[-400:]}")
                time.sleep(0.05)
    return proc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--readme", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--example", required=True)
    args = parser.parse_args()
    readme = open(args.readme).read()
    background, followers = [], []
    with tempfile.TemporaryDirectory(prefix="synod-readme-") as work:
        os.symlink(os.path.abspath(args.build), os.path.join(work, "build"))
        shutil.copytree(os.path.join(os.path.dirname(os.path.abspath(args.readme)), "config"),
                        os.path.join(work, "config"))
        try:
            ran = 0
            for line in commands(readme):
                cmd = translate(line)
                if cmd is None:
                    print(f"(run by CI, not here) {line}")
                    continue
                ran += 1
                log = os.path.join(work, f"command{ran}.log")
                if cmd.endswith("&"):
                    print(f"[background] {line}")
                    background.append(start_background(cmd[:-1].strip(), log, work))
                elif " tail " in cmd and "--count" not in cmd and "--snapshot" not in cmd:
                    print(f"[following] {line}")
                    background.append(start_background(cmd, log, work))
                    followers.append((cmd, log))
                    time.sleep(0.5)  # subscribed before the broadcasts that follow
                else:
                    print(f"$ {line}")
                    out = subprocess.run(["bash", "-c", cmd], cwd=work, capture_output=True,
                                         text=True, timeout=300)
                    shown = out.stdout.strip().splitlines()
                    for l in shown[:6] + (["..."] if len(shown) > 6 else []):
                        print("    " + l)
                    if out.returncode != 0:
                        raise AssertionError(f"exit code {out.returncode}: {line}\n{out.stderr}")
            for cmd, log in followers:
                text = open(log).read()
                assert "hello" in text and "world" in text, f"'{cmd}' did not see the broadcast"
            print("$ build/apps/synod-readme-example   (the README's C++ program)")
            out = subprocess.run([args.example], cwd=work, capture_output=True, text=True,
                                 timeout=60)
            assert out.returncode == 0 and "2 delivered" in out.stdout, out.stdout + out.stderr
            print("    " + out.stdout.strip().splitlines()[-1])
            print(f"ran {ran} README commands and the README's program")
        finally:
            for p in background:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
