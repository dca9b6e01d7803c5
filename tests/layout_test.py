#!/usr/bin/env python3
"""Checks that the code's dependencies point one way (docs/architecture.md, "Layout").

Every source file belongs to a layer; a file may include files of its own layer and of the
layers below it, never above. The pure protocol (the cores, the composition, the link) includes
no CAF header at all. Prints one line per violation and exits 1 if there is any.

--plant FILE:HEADER pretends FILE also includes HEADER, so a test can prove the check bites.
"""
import argparse
import pathlib
import re
import sys

# Lowest first.
LAYERS = ["wire", "core", "shell", "roles", "node", "api", "apps"]
CORE_ROLES = ["acceptor", "leader", "learner", "failure_detector", "front"]
PURE_RETRANSMISSION = ["link", "peer_admission"]
API_HEADERS = ["group"]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(path):
    """The layer of a file given by its path from the repository root, or None (not checked)."""
    parts = path.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    if parts[0] in ("messaging", "persistence"):
        return "wire"
    if parts[0] == "include":
        return "api"
    if parts[0] == "apps":
        return "apps"
    if parts[0] != "actors" or len(parts) < 2:
        return None
    folder = parts[1]
    if folder == "node" and parts[-1].endswith(".cpp") and stem in API_HEADERS:
        return "api"  # the implementation of a public header
    if folder in ("core", "composition"):
        return "core"
    if folder in CORE_ROLES:
        return "core" if stem == folder else "roles"
    if folder == "retransmission":
        return "core" if stem in PURE_RETRANSMISSION else "roles"
    if folder == "shell":
        return "shell"
    if folder == "node":
        return "node"
    return None


def target_of(header):
    """The repository path an include names, if it is one of ours."""
    if header.startswith("synod/"):
        return "include/" + header
    if header.split("/")[0] in ("actors", "messaging", "persistence", "apps"):
        return header
    return None


def violations(root, planted):
    found = []
    files = [p for p in root.rglob("*") if p.suffix in (".hpp", ".cpp") and "build" not in p.parts]
    for path in sorted(files):
        rel = path.relative_to(root).as_posix()
        layer = layer_of(rel)
        if layer is None:
            continue
        includes = [m.group(2) for m in INCLUDE.finditer(path.read_text(errors="replace"))]
        includes += [h for f, h in planted if f == rel]
        for header in includes:
            if layer in ("core", "wire") and header.startswith("caf/"):
                # messaging's CAF type list is the one wire file that names CAF's types.
                if not (layer == "wire" and rel == "messaging/caf_types.hpp"):
                    found.append(f"{rel}: includes <{header}>, but the {layer} layer is CAF-free")
                continue
            target = target_of(header)
            if target is None:
                continue
            if target == "messaging/caf_types.hpp" and layer == "core":
                found.append(f"{rel}: includes {header}, but the core layer is CAF-free")
                continue
            to = layer_of(target)
            if to is not None and LAYERS.index(to) > LAYERS.index(layer):
                found.append(f"{rel} ({layer}) includes {header} ({to}), a layer above it")
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parent.parent,
                        type=pathlib.Path)
    parser.add_argument("--plant", action="append", default=[])
    args = parser.parse_args()
    planted = [tuple(p.split(":", 1)) for p in args.plant]
    found = violations(args.root, planted)
    for line in found:
        print(line)
    if found:
        return 1
    print("layout: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
