#!/usr/bin/env python3
"""Writes tariffs/derived-cards.csv: rate cards derived from another currency's published card
by a stated rule, for dates where Meta's card in that currency was not found.

    python3 tools/tariffs/derive_cards.py [--check]

Rules (evidence in tariffs/SOURCES.md, "Derived cards"):
- EUR 2023-06-01 .. 2025-12-31: marketing, utility, authentication and
  authentication_international = round(USD in force x 0.8283, 4) (half up), from the USD cards
  of the same pricing model (conversation cards before 2025-07-01, per-message cards from then);
  a cell is written on each date its USD value changed. Service (conversation era) = the
  market's EUR 2022-02-01 user_initiated rate.
- A cell is not derived where a published EUR value of the same pricing model is in force on
  that date (a derived rate never replaces a published one).
--check exits 1 when the file on disk differs from what the rule gives.
"""
import csv
import io
import os
import sys
from decimal import Decimal, ROUND_HALF_UP

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CARDS = os.path.join(ROOT, "tariffs", "rate-cards.csv")
OUT = os.path.join(ROOT, "tariffs", "derived-cards.csv")
HEADER = ["currency", "effective_from", "market", "marketing", "utility", "authentication",
          "authentication_international", "service", "business_initiated", "user_initiated",
          "confidence", "source"]
RATE_COLS = ["marketing", "utility", "authentication", "authentication_international"]
SWITCH = "2025-07-01"

RULES = [
    # (currency, from, until, base currency, factor, service rule: (currency, date, column))
    ("EUR", "2023-06-01", "2025-12-31", "USD", Decimal("0.8283"), ("EUR", "2022-02-01", "user_initiated")),
]


def side(date):
    return date >= SWITCH


def load():
    with open(CARDS, newline="") as f:
        return list(csv.DictReader(f))


def cell(row, col):
    v = (row.get(col) or "").strip()
    if v == "" or v.lower() == "n/a":
        return None
    return Decimal(v)


def derive(rows):
    out = []
    for cur, start, until, base, factor, service_rule in RULES:
        base_rows = [r for r in rows if r["currency"] == base]
        dates = sorted({r["effective_from"] for r in base_rows if start <= r["effective_from"] <= until})
        markets = sorted({r["market"] for r in base_rows})
        published = {}  # (market, col) -> [(date, value)]
        for r in rows:
            if r["currency"] != cur:
                continue
            for col in RATE_COLS + ["service"]:
                v = cell(r, col)
                if v is not None:
                    published.setdefault((r["market"], col), []).append((r["effective_from"], v))
        usd = {}
        for r in base_rows:
            for col in RATE_COLS:
                v = cell(r, col)
                if v is not None:
                    usd.setdefault((r["market"], col), []).append((r["effective_from"], v))
        svc = {r["market"]: cell(r, service_rule[2]) for r in rows
               if r["currency"] == service_rule[0] and r["effective_from"] == service_rule[1]}

        def published_in_force(market, col, d):
            return any(pd <= d and side(pd) == side(d) for pd, _ in published.get((market, col), []))

        for d in dates:
            for m in markets:
                cells = {}
                bases = set()
                for col in RATE_COLS:
                    vals = [(vd, v) for vd, v in usd.get((m, col), []) if side(vd) == side(d)]
                    here = [v for vd, v in vals if vd == d]
                    if not here:
                        continue
                    before = [v for vd, v in vals if vd < d]
                    if before and before[-1] == here[0]:
                        continue  # unchanged: the earlier derived value stays in force
                    if published_in_force(m, col, d):
                        continue
                    cells[col] = (here[0] * factor).quantize(Decimal("0.0001"), ROUND_HALF_UP)
                    bases.add(d)
                if d == start and not side(d) and svc.get(m) is not None \
                        and not published_in_force(m, "service", d):
                    cells["service"] = svc[m]
                if not cells:
                    continue
                parts = []
                if any(c in cells for c in RATE_COLS):
                    parts.append("round(%s %s x %s, 4)" % (base, d, factor))
                if "service" in cells:
                    parts.append("service = %s %s %s" % service_rule)
                row = {h: "" for h in HEADER}
                row.update(currency=cur, effective_from=d, market=m, confidence="derived",
                           source="derived: %s; rule and evidence in tariffs/SOURCES.md" % "; ".join(parts))
                for col, v in cells.items():
                    row[col] = str(v)
                out.append(row)
    return out


def render(rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def main():
    text = render(derive(load()))
    if "--check" in sys.argv:
        with open(OUT) as f:
            if f.read() != text:
                print("tariffs/derived-cards.csv is not what the rule gives; run tools/tariffs/derive_cards.py")
                sys.exit(1)
        return
    with open(OUT, "w") as f:
        f.write(text)
    print("wrote %d derived rows" % (text.count("\n") - 1))


if __name__ == "__main__":
    main()
