"""Cost columns for ref.py: rate lookup, volume tiers and Callbell budget.

Rates come from tariffs/rate-cards.csv (published cards), tariffs/derived-cards.csv (cards
derived by a stated rule) and any --tariff FILE in the layout of tariffs/rate-cards.csv (its
rows replace bundled published rows with the same currency, date and market, docs/rules.md,
Rate cards). Tier tables (--tiers FILE, waprice's layout
`currency,effective_from,market,category,threshold,rate`) refine utility and authentication list
rates from 2025-07-01 (docs/rules.md, Volume tiers).
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
RATE_COLS = ("marketing", "utility", "authentication", "authentication_international",
             "service", "business_initiated", "user_initiated")
_cards = {}


def _rows(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f)]


def _table(rows):
    table = {}
    for r in rows:
        for col in RATE_COLS:
            v = (r.get(col) or "").strip()
            if v == "" or v.lower() == "n/a":
                continue
            table.setdefault((r["currency"].strip(), r["market"].strip(), col), []).append(
                (r["effective_from"].strip(), Decimal(v)))
    for k in table:
        table[k].sort()
    return table


def cards(tariffs=()):
    """-> ({(currency, market, column): [(effective_from, Decimal), ...] sorted}, same for derived).
    A loaded row replaces the whole bundled published row of its currency, date and market
    (its empty cells are no value, not the bundled value)."""
    key = tuple((p, open(p, "rb").read()) for p in tariffs)
    if key not in _cards:
        rows = {}
        for r in _rows(CARDS_CSV):
            rows[(r["currency"], r["effective_from"], r["market"])] = r
        for path in tariffs:
            for r in _rows(path):
                rows[(r["currency"].strip(), r["effective_from"].strip(), r["market"].strip())] = r
        _cards[key] = (_table(rows.values()), _table(_rows(DERIVED_CSV)))
    return _cards[key]


def lookup(currency, market, col, date, lo=None, hi=None, tariffs=()):
    """Per-cell rule, restricted to cards with lo <= effective_from < hi: the latest published
    value on/before date from a card of the date's pricing model (per conversation before
    2025-07-01, per message from then); else the latest derived one of that model; else the
    latest value on/before date of either model, else the earliest later one (substitutes),
    published values before derived ones.
    -> (Decimal, 'published' | 'derived' | 'substitute') or None."""
    same_model = lambda d: (d >= SWITCH) == (date >= SWITCH)
    tables = []
    for table in cards(tariffs):
        tables.append([(d, v) for (d, v) in table.get((currency, market, col), [])
                       if (lo is None or d >= lo) and (hi is None or d < hi)])
    for vals, kind in zip(tables, ("published", "derived")):
        in_force = [x for x in vals if x[0] <= date and same_model(x[0])]
        if in_force:
            return in_force[-1][1], kind
    for vals in tables:
        before = [x for x in vals if x[0] <= date]
        if before:
            return before[-1][1], "substitute"
        if vals:
            return vals[0][1], "substitute"
    return None


def load_tiers(paths):
    """-> {(currency, market, category): [(effective_from, [(threshold, rate), ...]), ...]}"""
    tabs = {}
    for path in paths:
        for r in _rows(path):
            k = (r["currency"].strip(), r["market"].strip(), r["category"].strip())
            tabs.setdefault(k, {}).setdefault(r["effective_from"].strip(), []).append(
                (int(r["threshold"]), Decimal(r["rate"])))
    return {k: sorted((d, sorted(b)) for d, b in v.items()) for k, v in tabs.items()}


def tier_band(tiers, currency, market, col, date, n):
    """The n-th charged message of the month (1-based) -> (tier label, tier rate or None) from
    the latest table on or before date, or None when no table applies."""
    tabs = [b for (d, b) in tiers.get((currency, market, col), []) if d <= date]
    if not tabs:
        return None
    bands = tabs[-1]
    below = [(th, r) for (th, r) in bands if th < n]
    if not below:
        return "1:%d" % bands[0][0], None
    i = len(below)
    lo = below[-1][0] + 1
    if i == len(bands):
        return "%d+" % lo, below[-1][1]
    return "%d:%d" % (lo, bands[i][0]), below[-1][1]


def rate(eng, currency, col, t, m, tariffs=()):
    date = eng.rule_date(t)
    market = ref.market_of(m.iso2, date)
    era = eng.era(t)
    if col in RATE_COLS and col != "service":
        return lookup(currency, market, col, date, tariffs=tariffs)
    if col == "service":
        if era == "B":
            return lookup(currency, market, "service", date, hi="2024-11-01", tariffs=tariffs)
        if era == "D":
            r = lookup(currency, market, "service", date, lo="2026-10-01", tariffs=tariffs)
            if r is None:
                r = lookup(currency, market, "utility", date, tariffs=tariffs)
            return r
    raise ValueError("unexpected charged unit %s in era %s" % (col, era))


def budget_for(currency, agents, budget):
    if budget is not None:
        return Decimal(budget)
    per = {"EUR": Decimal(50), "USD": Decimal(54)}.get(currency)
    if per is None:
        raise SystemExit("error: --budget is required for currency %s" % currency)
    return per * math.ceil(agents / 10)


TIER_COUNTER = {"utility": "utility", "authentication": "authentication",
                "authentication_international": "authentication"}


def price_units(eng, currency="EUR", tariffs=(), tiers=None):
    """-> [(month, market, category, tier, billable, free, rate or None, kind)] per unit, in
    replay order. Tiers: charged utility/authentication messages from 2025-07-01 counted per
    (market, counter) and month over the whole log (one WABA), priced or not; authentication-
    international counts in the authentication counter."""
    tiers = tiers or {}
    counts = {}
    out = []
    for (t, mo, col, kind, m, cat) in eng.units:
        market = ref.market_of(m.iso2, eng.rule_date(t))
        if col == "free":
            out.append((mo, market, cat, "", 0, 1, Decimal(0), "free"))
            continue
        r = rate(eng, currency, col, t, m, tariffs)
        tier = ""
        if col in TIER_COUNTER and eng.era(t) in "CD":
            key = (mo, market, TIER_COUNTER[col])
            counts[key] = counts.get(key, 0) + 1
            band = tier_band(tiers, currency, market, col, eng.rule_date(t), counts[key])
            if band is not None and r is not None:
                # an unpriced message counts towards the tier but is shown without one
                tier = band[0]
                if r is not None and band[1] is not None:
                    # a tier's rate comes from the tier table, not from a derived or
                    # substitute card: the unit is neither `derived` nor `substituted`
                    r = (band[1], "tier")
        out.append((mo, market, cat, tier, 1, 0, r[0] if r else None, r[1] if r else "unpriced"))
    return out


def price(eng, currency="EUR", agents=10, budget=None, tariffs=(), tiers=None, per_unit=None):
    b = budget_for(currency, agents, budget)
    units = price_units(eng, currency, tariffs, tiers) if per_unit is None else per_unit
    out = {}
    for mo in eng.months:
        out[mo] = {"unpriced": 0, "cost": Decimal(0), "derived": 0, "substituted": 0}
    for (mo, market, cat, tier, billable, free, r, kind) in units:
        if not billable:
            continue
        if r is None:
            out[mo]["unpriced"] += 1
        else:
            out[mo]["cost"] += r
            if kind == "derived":
                out[mo]["derived"] += 1
            elif kind == "substitute":
                out[mo]["substituted"] += 1
    for mo, c in out.items():
        c["budget"] = str(b)
        c["overage"] = str(max(Decimal(0), c["cost"] - b))
        c["cost"] = str(c["cost"])
        c["currency"] = currency
    return out


def by_table(units, dims, currency):
    """--by market|category|market,category|tier -> {(month, market, category[, tier]):
    {billable, free, cost}}; the dimension left out is empty."""
    out = {}
    for (mo, market, cat, tier, billable, free, r, kind) in units:
        key = (mo, market if "market" in dims or dims == "tier" else "",
               cat if "category" in dims or dims == "tier" else "")
        if dims == "tier":
            key += (tier,)
        d = out.setdefault(key, {"billable": 0, "free": 0, "cost": Decimal(0), "currency": currency})
        d["billable"] += billable
        d["free"] += free
        if r is not None:
            d["cost"] += r
    return out
