#!/usr/bin/env python3
"""Differential check: ref.py vs `waprice estimate LOG --format csv` on generated logs.

    diff.py [--seeds 1..300 | --seeds 5,9,12] [--era mixed] [--rows N] [--no-shrink]
            [--bin PATH] [--out DIR]

For each seed: generate a log (gen.py), replay it with ref.py (in process) and the binary (with
the same --timezone and --free-service-allowance), compare the unit columns month by month.
On a disagreement: print the first differing month, shrink the log (drop rows while the same
disagreement persists) and write DIR/seed-N.csv (+ .args, .ref.csv, .bin.csv, .ledger) for the
minimal reproducer.  Exit status 1 if any seed disagrees.
"""
import argparse
import contextlib
import io
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import ref  # noqa: E402
from common import UNIT_COLS, first_diff, parse_units  # noqa: E402

BIN = os.environ.get("WAPRICE", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "release", "waprice"))


def opt(args, name, default):
    return args[args.index(name) + 1] if name in args else default


COST = False


def run_ref_inproc(path, args):
    try:
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            tz = ref.ZoneInfo(opt(args, "--timezone", "UTC"))
            msgs, _ = ref.read_log(path, tz)
            eng = ref.Engine(tz, int(opt(args, "--free-service-allowance", "0")),
                             starts_clean="--log-starts-clean" in args)
            eng.run(msgs)
        out = {m: dict(v) for m, v in eng.months.items()}
        if COST:
            import cost
            c = cost.price(eng, opt(args, "--currency", "EUR"))
            for m in out:
                out[m].update(c[m])
        return ("ok", out)
    except SystemExit as e:
        return ("error", "%s %s" % (e, err.getvalue().strip()))


def run_bin(path, args, binpath):
    cmd = [binpath, "estimate", path, "--format", "csv", "--no-progress"] + args
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return ("error", "timeout")
    if p.returncode != 0:
        return ("error", "rc=%d %s" % (p.returncode, p.stderr.strip()[-400:]))
    try:
        return ("ok", parse_units(p.stdout, cost=COST))
    except Exception as e:  # unparsable output
        return ("error", "bad output: %s: %r" % (e, p.stdout[:300]))


def verdict(path, args, binpath):
    """-> (signature or None, detail, ref_result, bin_result)"""
    r = run_ref_inproc(path, args)
    b = run_bin(path, args, binpath)
    if r[0] == "error" and b[0] == "error":
        return ("both_error",), "ref: %s | bin: %s" % (r[1], b[1]), r, b
    if r[0] == "error":
        return ("ref_error",), r[1], r, b
    if b[0] == "error":
        return ("bin_error",), b[1], r, b
    d = first_diff(r[1], b[1])
    if d is None and COST:
        d = cost_diff(r[1], b[1])
    if d is None:
        return None, "", r, b
    return ("diff",) + tuple(sorted(d[1])), "%s %s" % (d[0], {k: "ref %s bin %s" % v for k, v in d[1].items()}), r, b


def cost_diff(a, b):
    from decimal import Decimal
    for mo in sorted(set(a) & set(b)):
        d = {}
        for c in ("unpriced", "cost", "budget", "overage"):
            x, y = a[mo].get(c), b[mo].get(c)
            try:
                same = Decimal(str(x)) == Decimal(str(y))
            except Exception:
                same = str(x) == str(y)
            if not same:
                d[c] = (x, y)
        if a[mo].get("currency") != b[mo].get("currency"):
            d["currency"] = (a[mo].get("currency"), b[mo].get("currency"))
        if d:
            return mo, d
    return None


def shrink(header, rows, args, binpath, sig, tmpdir, budget_s=240):
    path = os.path.join(tmpdir, "shrink.csv")
    t0 = time.time()

    def test(cand):
        with open(path, "w", newline="") as f:
            f.write(header + "".join(cand))
        s, *_ = verdict(path, args, binpath)
        return s == sig

    n = 2
    while len(rows) >= 2 and time.time() - t0 < budget_s:
        chunk = (len(rows) + n - 1) // n
        reduced = False
        for i in range(0, len(rows), chunk):
            cand = rows[:i] + rows[i + chunk:]
            if cand and test(cand):
                rows = cand
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            if n >= len(rows):
                break
            n = min(len(rows), n * 2)
    # drop options that are not needed
    for o in ("--free-service-allowance", "--timezone", "--currency"):
        if o in args:
            i = args.index(o)
            cand_args = args[:i] + args[i + 2:]
            with open(path, "w", newline="") as f:
                f.write(header + "".join(rows))
            if verdict(path, cand_args, binpath)[0] == sig:
                args = cand_args
    if "--log-starts-clean" in args:
        cand_args = [x for x in args if x != "--log-starts-clean"]
        with open(path, "w", newline="") as f:
            f.write(header + "".join(rows))
        if verdict(path, cand_args, binpath)[0] == sig:
            args = cand_args
    return rows, args


def fmt_table(res):
    if res[0] != "ok":
        return "ERROR " + res[1]
    lines = ["month," + ",".join(UNIT_COLS)]
    for m in sorted(res[1]):
        lines.append(m + "," + ",".join(str(res[1][m][c]) for c in UNIT_COLS))
    return "\n".join(lines)


def parse_seeds(s):
    if ".." in s:
        a, b = s.split("..")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in s.split(",")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1..100")
    ap.add_argument("--era", default="mixed")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--bin", default=BIN)
    ap.add_argument("--out", default=os.path.join(HERE, "failures"))
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--bulk-prob", type=float, default=0.9)
    ap.add_argument("--cost", action="store_true",
                    help="also compare unpriced/cost/budget/overage/currency (EUR or USD by seed)")
    a = ap.parse_args()
    global COST
    COST = a.cost
    os.makedirs(a.out, exist_ok=True)
    seeds = parse_seeds(a.seeds)
    agree = 0
    sigs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            text, args = gen.generate(seed, a.era, a.rows, None, a.bulk_prob)
            if COST:
                args += ["--currency", ["EUR", "USD"][seed % 2]]
            path = os.path.join(tmp, "log.csv")
            with open(path, "w", newline="") as f:
                f.write(text)
            sig, detail, r, b = verdict(path, args, a.bin)
            if sig is None:
                agree += 1
                if not a.quiet:
                    print("seed %d: agree (%d rows, %s)%s" % (seed, text.count("\n") - 1, " ".join(args),
                                                            " [both error: %s]" % r[1] if detail else ""))
                continue
            print("seed %d: DISAGREE %s: %s" % (seed, sig[0], detail))
            lines = text.splitlines(keepends=True)
            header, rows = lines[0], lines[1:]
            if not a.no_shrink:
                rows, args = shrink(header, rows, args, a.bin, sig, tmp)
            base = os.path.join(a.out, "seed-%d" % seed)
            with open(base + ".csv", "w", newline="") as f:
                f.write(header + "".join(rows))
            with open(base + ".args", "w") as f:
                f.write(" ".join(args) + "\n")
            _, detail2, r2, b2 = verdict(base + ".csv", args, a.bin)
            ledger = []
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    ref.compute(base + ".csv", opt(args, "--timezone", "UTC"),
                                int(opt(args, "--free-service-allowance", "0")), ledger,
                                "--log-starts-clean" in args)
            except SystemExit as e:
                ledger.append(str(e))
            with open(base + ".ledger", "w") as f:
                f.write("\n".join(ledger) + "\n")
            print("  minimal log (%d rows) %s  args: %s" % (len(rows), base + ".csv", " ".join(args)))
            print("    " + (header + "".join(rows)).rstrip("\n").replace("\n", "\n    "))
            print("  first difference: %s" % detail2)
            print("  ref:\n    " + fmt_table(r2).replace("\n", "\n    "))
            print("  bin:\n    " + fmt_table(b2).replace("\n", "\n    "))
            print("  ref ledger:\n    " + "\n    ".join(ledger))
            sigs.setdefault(sig, []).append(seed)
            sys.stdout.flush()
    print("\nseeds compared: %d, agree: %d, disagree: %d" % (len(seeds), agree, len(seeds) - agree))
    for sig, ss in sigs.items():
        print("  %s: seeds %s" % (" ".join(sig), ",".join(map(str, ss))))
    sys.exit(0 if agree == len(seeds) else 1)


if __name__ == "__main__":
    main()
