#!/usr/bin/env python3
"""Run the worked examples in examples/ through ref.py and the waprice binary.

    run_examples.py [--only PREFIX] [--ref-only]

Each example is NAME.csv + NAME.expected + optional NAME.args (shell words; `@FILE` is a file of
examples/, such as a tier table NAME.tiers or a rate card NAME.card). NAME.expected is the
`estimate --format csv` output to expect, with the columns to check: per month the unit columns
and the money (`unpriced`, `cost`, `currency`, the currency both programs are run in, and
`derived`/`substituted` where given); or the `--by` long format, or the `--as-of` comparison.
ex* are the worked examples of docs/rules.md; x* are extra cases derived from the rules; b* are
the rules' edges to the millisecond (local midnight in several zones, +24h and +72h windows).

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

from common import BIN, RunError, run_bin, run_ref

HERE = os.path.dirname(os.path.abspath(__file__))


KEYS = ("month", "market", "category", "tier")


def table(text):
    """estimate CSV (plain, --by or --as-of) -> {(key columns): {column: text}}"""
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        out[tuple(r[k] for k in KEYS if k in r)] = {c: v for c, v in r.items() if c not in KEYS}
    return out


def same(x, y):
    try:
        return Decimal(x) == Decimal(y)
    except Exception:
        return x == y


def first_diff(exp, got):
    """Compares the columns the expected file has (counts, and money where it gives them)."""
    for key in sorted(set(exp) | set(got)):
        mo = ",".join(key)
        if key not in got:
            return mo, "missing row"
        if key not in exp:
            return mo, "unexpected row"
        d = {c: "exp %s got %s" % (v, got[key].get(c))
             for c, v in exp[key].items() if got[key].get(c) is None or not same(v, got[key][c])}
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
        # file options name files beside the example: @NAME
        args = [os.path.join(HERE, "examples", x[1:]) if x.startswith("@") else x for x in args]
        currencies = {r["currency"] for r in exp.values() if r.get("currency")}
        money = bool(currencies)
        if len(currencies) > 1:
            print("%-40s expected file mixes currencies %s" % (name, sorted(currencies)))
            bad += 1
            continue
        if money:
            args = args + ["--currency", currencies.pop()]
            money_checked += 1
        runs = [("ref", lambda f, x: run_ref(f, x, cost=money))]
        if use_bin:
            runs.append(("bin", run_bin))
        res = []
        for who, fn in runs:
            try:
                got = table(fn(csvf, args))
                d = first_diff(exp, got)
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
