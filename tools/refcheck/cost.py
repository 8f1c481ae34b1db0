"""Cost columns for ref.py (spec section 8 and 9), from /work/shared/tariffs/rate-cards.csv.

No tier tables exist in the bundled data, so every charged unit pays its list rate.
Authentication-international is off (no --business-country/--auth-intl-since), so
authentication pays the authentication column.
"""
import csv
import datetime as dt
import math
import os
from decimal import Decimal

import ref

CARDS_CSV = os.environ.get("REF_CARDS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tariffs", "rate-cards.csv"))
_cards = None


def cards():
    """-> {(currency, market, column): [(effective_from, Decimal), ...] sorted}"""
    global _cards
    if _cards is None:
        _cards = {}
        with open(CARDS_CSV, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                for col in ("marketing", "utility", "authentication", "authentication_international",
                            "service", "business_initiated", "user_initiated"):
                    v = (r.get(col) or "").strip()
                    if v == "" or v.lower() == "n/a":
                        continue
                    _cards.setdefault((r["currency"], r["market"], col), []).append(
                        (r["effective_from"], Decimal(v)))
        for k in _cards:
            _cards[k].sort()
    return _cards


def lookup(currency, market, col, date, lo=None, hi=None):
    """Per-cell rule: latest value on/before date, else earliest later; restricted to cards with
    lo <= effective_from < hi.  -> (Decimal, substitute: bool) or None."""
    vals = [(d, v) for (d, v) in cards().get((currency, market, col), [])
            if (lo is None or d >= lo) and (hi is None or d < hi)]
    before = [x for x in vals if x[0] <= date]
    if before:
        return before[-1][1], False
    if vals:
        return vals[0][1], True
    return None


def rate(eng, currency, col, t, m):
    date = dt.datetime.fromtimestamp(t / 1000, eng.tz).strftime("%Y-%m-%d")
    market = ref.market_of(m.iso2, date)
    era = eng.era(t)
    if col in ("marketing", "utility", "authentication", "user_initiated", "business_initiated"):
        return lookup(currency, market, col, date)
    if col == "service":
        if era == "B":
            return lookup(currency, market, "service", date, hi="2024-11-01")
        if era == "D":
            r = lookup(currency, market, "service", date, lo="2026-10-01")
            if r is None:
                r = lookup(currency, market, "utility", date)
            return r
    raise ValueError("unexpected charged unit %s in era %s" % (col, era))


def budget_for(currency, agents, budget):
    if budget is not None:
        return Decimal(budget)
    per = {"EUR": Decimal(50), "USD": Decimal(54)}.get(currency)
    if per is None:
        raise SystemExit("error: --budget is required for currency %s" % currency)
    return per * math.ceil(agents / 10)


def price(eng, currency="EUR", agents=10, budget=None):
    b = budget_for(currency, agents, budget)
    out = {}
    for mo in eng.months:
        out[mo] = {"unpriced": 0, "cost": Decimal(0)}
    for (t, mo, col, kind, m) in eng.units:
        if col == "free":
            continue
        r = rate(eng, currency, col, t, m)
        if r is None:
            out[mo]["unpriced"] += 1
        else:
            out[mo]["cost"] += r[0]
    for mo, c in out.items():
        c["budget"] = str(b)
        c["overage"] = str(max(Decimal(0), c["cost"] - b))
        c["cost"] = str(c["cost"])
        c["currency"] = currency
    return out
