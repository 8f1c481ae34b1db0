#!/usr/bin/env python3
"""Run the worked examples in examples/ through ref.py and the waprice binary.

    run_examples.py [--only PREFIX] [--ref-only]

Each example is NAME.csv + NAME.expected + optional NAME.args. NAME.expected holds, per month,
the unit columns and the money: `unpriced`, `cost` and `currency` (the currency both programs
are run in). ex* are the worked examples of docs/rules.md; x* are extra cases derived from the rules.

Both ref.py and the binary must give the expected counts and cost. A missing binary is a
failure (build it with `cargo build --release`, or point $WAPRICE at one); --ref-only checks
the reference alone, on purpose.
"""
import argparse
import csv
import glob
import io
import os
import shlex
import sys
from decimal import Decimal

from common import BIN, UNIT_COLS, RunError, run_bin, run_ref

HERE = os.path.dirname(os.path.abspath(__file__))
MONEY_COLS = ["unpriced", "cost"]


def table(text):
    """CSV text -> {month: {col: value}} with counts as int, cost as Decimal, currency as text."""
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        d = {c: int(r[c]) for c in UNIT_COLS}
        if r.get("cost") not in (None, ""):
            d["unpriced"] = int(r["unpriced"])
            d["cost"] = Decimal(r["cost"])
            d["currency"] = r["currency"]
        out[r["month"]] = d
    return out


def first_diff(exp, got, cols):
    for mo in sorted(set(exp) | set(got)):
        if mo not in got:
            return mo, "missing month"
        if mo not in exp:
            return mo, "unexpected month"
        d = {c: "exp %s got %s" % (exp[mo].get(c), got[mo].get(c))
             for c in cols if exp[mo].get(c) != got[mo].get(c)}
        if d:
            return mo, d
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="store_true", help="(default) run the waprice binary too")
    ap.add_argument("--ref-only", action="store_true", help="check only ref.py")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    bad = 0
    use_bin = not a.ref_only
    if use_bin and not os.path.exists(BIN):
        print("waprice binary not found at %s: build it (cargo build --release) or set WAPRICE;"
              " --ref-only checks the reference alone" % BIN)
        print("failures: 1")
        sys.exit(1)
    examples = sorted(glob.glob(os.path.join(HERE, "examples", a.only + "*.csv")))
    if not examples:
        print("no examples match %r" % a.only)
        sys.exit(1)
    money_checked = 0
    for csvf in examples:
        name = os.path.basename(csvf)[:-4]
        base = csvf[:-4]
        with open(base + ".expected") as f:
            exp = table(f.read())
        args = []
        if os.path.exists(base + ".args"):
            with open(base + ".args") as f:
                args = shlex.split(f.read())
        currencies = {r["currency"] for r in exp.values() if "currency" in r}
        money = bool(currencies)
        if len(currencies) > 1:
            print("%-40s expected file mixes currencies %s" % (name, sorted(currencies)))
            bad += 1
            continue
        if money:
            args = args + ["--currency", currencies.pop()]
            money_checked += 1
        cols = UNIT_COLS + (MONEY_COLS + ["currency"] if money else [])
        runs = [("ref", lambda f, x: run_ref(f, x, cost=money))]
        if use_bin:
            runs.append(("bin", run_bin))
        res = []
        for who, fn in runs:
            try:
                got = table(fn(csvf, args))
                d = first_diff(exp, got, cols)
                if d is None:
                    res.append("%s ok" % who)
                else:
                    bad += 1
                    res.append("%s DIFF %s %s" % (who, d[0], d[1]))
            except RunError as e:
                bad += 1
                res.append("%s ERROR %s" % (who, e))
        print("%-40s %s" % (name, " | ".join(res)))
    print("examples: %d (%d with money), %s; failures: %d"
          % (len(examples), money_checked, "ref and binary" if use_bin else "ref only", bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
