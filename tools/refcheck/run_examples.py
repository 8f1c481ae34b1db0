#!/usr/bin/env python3
"""Run the worked examples in examples/ through ref.py (and the waprice binary if it exists).

    run_examples.py [--bin] [--only PREFIX]

Each example is NAME.csv + NAME.expected (month + unit columns) + optional NAME.args.
ex* are the worked examples of docs/rules.md; x* are extra cases derived from the rules.
"""
import argparse
import glob
import os
import shlex
import sys

from common import BIN, UNIT_COLS, RunError, first_diff, parse_units, run_bin, run_ref

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="store_true", help="also run the waprice binary")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    use_bin = a.bin or os.path.exists(BIN)
    bad = 0
    for csvf in sorted(glob.glob(os.path.join(HERE, "examples", a.only + "*.csv"))):
        name = os.path.basename(csvf)[:-4]
        base = csvf[:-4]
        with open(base + ".expected") as f:
            exp = parse_units(f.read())
        args = []
        if os.path.exists(base + ".args"):
            with open(base + ".args") as f:
                args = shlex.split(f.read())
        res = []
        for who, fn in [("ref", run_ref)] + ([("bin", run_bin)] if use_bin else []):
            try:
                got = parse_units(fn(csvf, args))
                d = first_diff(exp, got)
                if d is None:
                    res.append("%s ok" % who)
                else:
                    bad += 1
                    res.append("%s DIFF %s %s" % (who, d[0], {k: "exp %s got %s" % v for k, v in d[1].items()}))
            except RunError as e:
                bad += 1
                res.append("%s ERROR %s" % (who, e))
        print("%-40s %s" % (name, " | ".join(res)))
    print("failures: %d" % bad)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
