"""Cost columns for ref.py (rate lookup and Callbell budget), from tariffs/rate-cards.csv (published cards)
and tariffs/derived-cards.csv (cards derived by a stated rule).

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
DERIVED_CSV = os.environ.get("REF_DERIVED", os.path.join(os.path.dirname(CARDS_CSV), "derived-cards.csv"))
SWITCH = "2025-07-01"
_cards = None


def _read(path, table):
    if not os.path.exists(path):
        return
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for col in ("marketing", "utility", "authentication", "authentication_international",
                        "service", "business_initiated", "user_initiated"):
                v = (r.get(col) or "").strip()
                if v == "" or v.lower() == "n/a":
                    continue
                table.setdefault((r["currency"], r["market"], col), []).append(
                    (r["effective_from"], Decimal(v)))


def cards():
    """-> ({(currency, market, column): [(effective_from, Decimal), ...] sorted}, same for derived)"""
    global _cards
    if _cards is None:
        published, derived = {}, {}
        _read(CARDS_CSV, published)
        _read(DERIVED_CSV, derived)
        for t in (published, derived):
            for k in t:
                t[k].sort()
        _cards = (published, derived)
    return _cards


def lookup(currency, market, col, date, lo=None, hi=None):
    """Per-cell rule, restricted to cards with lo <= effective_from < hi: the latest published
    value on/before date from a card of the date's pricing model (per conversation before
    2025-07-01, per message from then); else the latest derived one of that model; else the
    latest value on/before date of either model, else the earliest later one (substitutes),
    published values before derived ones.  -> (Decimal, substitute: bool) or None."""
    same_model = lambda d: (d >= SWITCH) == (date >= SWITCH)
    tables = []
    for table in cards():
        tables.append([(d, v) for (d, v) in table.get((currency, market, col), [])
                       if (lo is None or d >= lo) and (hi is None or d < hi)])
    for vals in tables:
        in_force = [x for x in vals if x[0] <= date and same_model(x[0])]
        if in_force:
            return in_force[-1][1], False
    for vals in tables:
        before = [x for x in vals if x[0] <= date]
        if before:
            return before[-1][1], True
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
