#!/usr/bin/env python3
"""Run the probes/ (inputs where the rules are silent, or that only test input handling)
through ref.py and the binary, side by side.

    probe.py [--check]

A probe agrees when both give the same months and unit counts, or both refuse the input.
With --check (as CI runs it) a disagreement, or a missing binary, exits 1.
"""
import argparse
import glob
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("WAPRICE", os.path.join(HERE, "..", "..", "target", "release", "waprice"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="exit 1 when ref and binary disagree")
    a = ap.parse_args()
    if not os.path.exists(BIN):
        print("waprice binary not found at %s: build it (cargo build --release) or set WAPRICE" % BIN)
        sys.exit(1)
    different = []
    probes = sorted(glob.glob(os.path.join(HERE, "probes", "*.csv")))
    for f in probes:
        args = []
        if os.path.exists(f[:-4] + ".args"):
            args = shlex.split(open(f[:-4] + ".args").read())
        r = subprocess.run([sys.executable, os.path.join(HERE, "ref.py"), f] + args, capture_output=True, text=True)
        b = subprocess.run([BIN, "estimate", f, "--format", "csv", "--no-progress"] + args,
                           capture_output=True, text=True, timeout=120)
        cut = lambda s: "\n".join(",".join(l.split(",")[:10]) for l in s.strip().splitlines()[1:]) or "(no months)"
        ro = cut(r.stdout) if r.returncode == 0 else "rc=%d %s" % (r.returncode, r.stderr.strip()[-200:])
        bo = cut(b.stdout) if b.returncode == 0 else "rc=%d %s" % (b.returncode, b.stderr.strip()[-300:])
        if r.returncode and b.returncode:
            mark = "both reject (exit %d / %d)" % (r.returncode, b.returncode)
        else:
            mark = "same" if ro == bo else "DIFFERENT"
        if mark == "DIFFERENT":
            different.append(os.path.basename(f))
        print("== %s %s [%s]" % (os.path.basename(f), " ".join(args), mark))
        print("  ref: " + ro.replace("\n", "\n       "))
        print("  bin: " + bo.replace("\n", "\n       "))
    print("probes: %d, different: %d%s" % (len(probes), len(different),
                                           (" (" + ", ".join(different) + ")") if different else ""))
    if a.check and different:
        sys.exit(1)


if __name__ == "__main__":
    main()
