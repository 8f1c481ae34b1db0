"""Shared helpers: run ref.py / the waprice binary, parse their CSV into unit-count tables."""
import csv
import io
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("WAPRICE", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "release", "waprice"))
UNIT_COLS = ["marketing", "utility", "authentication", "authentication_international", "service",
             "user_initiated", "business_initiated", "free", "billable"]
COST_COLS = ["unpriced", "cost", "budget", "overage", "currency"]


class RunError(Exception):
    def __init__(self, who, rc, err):
        super().__init__("%s exited %s: %s" % (who, rc, err.strip()[-500:]))
        self.who, self.rc, self.err = who, rc, err


def parse_units(text, cost=False):
    """CSV text -> {month: {col: int}} (cost columns too if cost=True)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    out = {}
    for r in rows:
        d = {c: int(r[c]) for c in UNIT_COLS}
        if cost:
            for c in COST_COLS:
                d[c] = r.get(c, "")
        out[r["month"]] = d
    return out


def run_ref(log, args, cost=False):
    cmd = [sys.executable, os.path.join(HERE, "ref.py"), log] + list(args)
    if cost:
        cmd.append("--cost")
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RunError("ref", p.returncode, p.stderr)
    return p.stdout


def run_bin(log, args, timeout=120):
    cmd = [BIN, "estimate", log, "--format", "csv", "--no-progress"] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RunError("waprice", p.returncode, p.stderr)
    return p.stdout


def first_diff(a, b, cols=UNIT_COLS):
    """-> (month, {col: (a, b)}) for the first month whose columns differ, else None."""
    zero = {c: 0 for c in cols}
    for mo in sorted(set(a) | set(b)):
        ra, rb = a.get(mo, zero), b.get(mo, zero)
        d = {c: (ra.get(c), rb.get(c)) for c in cols if ra.get(c) != rb.get(c)}
        if d:
            return mo, d
    return None
