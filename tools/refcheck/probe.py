#!/usr/bin/env python3
"""Run the probes/ (ambiguous or input-edge cases) through ref.py and the binary, side by side."""
import os
import glob, os, shlex, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("WAPRICE", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "release", "waprice"))
for f in sorted(glob.glob(os.path.join(HERE, "probes", "*.csv"))):
    args = []
    if os.path.exists(f[:-4] + ".args"):
        args = shlex.split(open(f[:-4] + ".args").read())
    r = subprocess.run([sys.executable, os.path.join(HERE, "ref.py"), f] + args, capture_output=True, text=True)
    b = subprocess.run([BIN, "estimate", f, "--format", "csv"] + args, capture_output=True, text=True)
    cut = lambda s: "\n".join(",".join(l.split(",")[:10]) for l in s.strip().splitlines()[1:]) or "(no months)"
    ro = cut(r.stdout) if r.returncode == 0 else "rc=%d %s" % (r.returncode, r.stderr.strip()[-200:])
    bo = cut(b.stdout) if b.returncode == 0 else "rc=%d %s" % (b.returncode, b.stderr.strip()[-300:])
    if r.returncode and b.returncode:
        mark = "both reject (exit %d / %d)" % (r.returncode, b.returncode)
    else:
        mark = "same" if ro == bo else "DIFFERENT"
    print("== %s %s [%s]" % (os.path.basename(f), " ".join(args), mark))
    print("  ref: " + ro.replace("\n", "\n       "))
    print("  bin: " + bo.replace("\n", "\n       "))
