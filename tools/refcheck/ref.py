#!/usr/bin/env python3
"""Independent reference implementation of waprice's billing-unit rules.

Written from the billing rules (docs/rules.md) and the input format (README) only.

    ref.py LOG [--timezone TZ] [--free-service-allowance N] [--log-starts-clean] [--currency C]
           [--cost] [--ledger]

Prints the `waprice estimate LOG --format csv` table.  The unit columns (marketing .. billable)
are always computed; unpriced/cost/budget/overage/currency are filled only with --cost
(see cost.py), otherwise left empty.  --ledger prints one line per unit/decision to stderr
(useful when explaining a disagreement).
"""
import argparse
import csv
import datetime as dt
import gzip
import io
import os
import re
import sys
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
MARKETS_CSV = os.environ.get("REF_MARKETS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tariffs", "markets.csv"))

H = 3600 * 1000  # one hour in ms
DAY = 24 * H

HEADER = ("month,marketing,utility,authentication,authentication_international,service,"
          "user_initiated,business_initiated,free,billable,unpriced,cost,budget,overage,currency,"
          "derived,substituted")
UNIT_COLS = ["marketing", "utility", "authentication", "authentication_international", "service",
             "user_initiated", "business_initiated", "free", "billable"]

ALIASES = {
    "timestamp": ["timestamp", "time", "date", "datetime", "created_at", "sent_at"],
    "delivered_at": ["delivered_at"],
    "direction": ["direction", "dir"],
    "category": ["category", "template_category", "type"],
    "recipient": ["recipient", "customer", "contact", "phone", "wa_id", "to"],
    "entry_point": ["entry_point", "referral"],
    "status": ["status"],
    "business": ["business", "business_number", "from_number", "phone_number_id"],
}
REQUIRED = ["timestamp", "direction", "recipient"]

DIR_IN = {"inbound", "in", "incoming", "received", "user", "customer"}
DIR_OUT = {"outbound", "out", "outgoing", "sent", "business", "outbound-api", "outbound-reply"}
CAT_TEMPLATE = {"marketing": "marketing", "marketing_lite": "marketing", "utility": "utility",
                "authentication": "authentication"}
CAT_FREEFORM = {"", "service", "text", "free_form", "session"}
EP_TRUE = {"ctwa", "page_cta", "true", "yes", "1"}
EP_FALSE = {"", "false", "no", "0", "none"}
ST_OK = {"", "delivered", "read", "played", "sent"}
# these statuses (or a delivery time) prove the message was delivered
ST_PROOF = {"delivered", "read", "played"}
ST_FAIL = {"failed", "undelivered", "rejected"}


class RowError(Exception):
    pass


# ---------------------------------------------------------------- time parsing
RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
NAIVE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$")


def parse_time(s, tz):
    """-> int milliseconds since the Unix epoch (UTC)."""
    s = s.strip()
    if s.isdigit():
        n = int(s)
        # Unix seconds (10 digits for our dates) or milliseconds (13 digits)
        return n if len(s) >= 12 else n * 1000
    m = RFC3339.match(s)
    if m:
        y, mo, d, hh, mi, ss = (int(x) for x in m.group(1, 2, 3, 4, 5, 6))
        frac = m.group(7)
        ms = int(round(float(frac) * 1000)) if frac else 0
        off = m.group(8)
        if off in ("Z", "z"):
            tzinfo = dt.timezone.utc
        else:
            sign = 1 if off[0] == "+" else -1
            tzinfo = dt.timezone(sign * dt.timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
        t = dt.datetime(y, mo, d, hh, mi, ss, tzinfo=tzinfo)
        return int(t.timestamp()) * 1000 + ms
    m = NAIVE.match(s)
    if m:
        y, mo, d, hh, mi = (int(x) for x in m.group(1, 2, 3, 4, 5))
        ss = int(m.group(6) or 0)
        t = dt.datetime(y, mo, d, hh, mi, ss, tzinfo=tz)  # fold=0: earlier instant in a DST fold
        # A wall-clock time the zone skipped (clocks going forward) is refused, not shifted.
        if t.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None) != t.replace(tzinfo=None):
            raise RowError("local time %r does not exist in %s (clocks went forward)" % (s, tz))
        return int(t.timestamp()) * 1000
    raise RowError("bad timestamp %r" % s)


# ---------------------------------------------------------------- phone numbers
def normalise_number(s):
    x = s.strip()
    if x.lower().startswith("whatsapp:"):
        x = x[len("whatsapp:"):]
    x = re.sub(r"[\s\-\.\(\)\[\]]", "", x)
    if x.startswith("+"):
        x = x[1:]
    elif x.startswith("00"):
        x = x[2:]
    return x


_markets = None


def load_markets():
    global _markets
    if _markets is None:
        rows = []
        with open(MARKETS_CSV, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                rows.append(r)
        _markets = rows
    return _markets


def calling_codes():
    return {r["calling_code"] for r in load_markets()}


def country_of(digits):
    """-> (iso2 rows) for the number, or raise RowError."""
    if not digits.isdigit() or not (7 <= len(digits) <= 15):
        raise RowError("bad number %r" % digits)
    codes = calling_codes()
    for n in (1, 2, 3):
        cc = digits[:n]
        if cc in codes:
            national = digits[n:]
            cands = [r for r in load_markets() if r["calling_code"] == cc]
            with_pref = [r for r in cands if r["prefixes"].strip()]
            for r in with_pref:
                if any(national.startswith(p) for p in r["prefixes"].split()):
                    return r["iso2"]
            defaults = [r for r in cands if not r["prefixes"].strip()]
            if defaults:
                return defaults[0]["iso2"]
            raise RowError("unassigned code %r" % digits)
    raise RowError("unassigned calling code %r" % digits)


def market_of(iso2, local_date):
    """market name for the country on a date (YYYY-MM-DD string compare)."""
    for r in load_markets():
        if r["iso2"] != iso2:
            continue
        if r["from"] and local_date < r["from"]:
            continue
        if r["until"] and local_date >= r["until"]:
            continue
        return r["market"]
    return "Other"


def normalise_business(s):
    s = s.strip()
    if s == "":
        return ""
    d = normalise_number(s)
    if d.isdigit():
        return d
    return s


# ---------------------------------------------------------------- reading
class Msg:
    __slots__ = ("idx", "line", "t", "inbound", "cat", "cust", "biz", "ep", "delivered", "proof",
                 "iso2")


def read_log(path, tz, skip_invalid=False):
    if path == "-":
        text = sys.stdin.read()
    elif path.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            text = f.read()
    else:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    rdr = csv.reader(io.StringIO(text))
    header = None
    colidx = {}
    msgs = []
    errors = 0
    for lineno, row in enumerate(rdr, start=1):
        if not row or all(c.strip() == "" for c in row):
            continue
        if header is None:
            header = [h.strip().lower() for h in row]
            for canon, names in ALIASES.items():
                for n in names:
                    if n in header:
                        colidx[canon] = header.index(n)
                        break
            for req in REQUIRED:
                if req not in colidx:
                    sys.stderr.write("error: missing required column %s\n" % req); raise SystemExit(2)
            continue

        def get(c):
            i = colidx.get(c)
            if i is None or i >= len(row):
                return ""
            return row[i].strip()
        try:
            m = Msg()
            m.idx = len(msgs)
            m.line = lineno
            direction = get("direction").lower()
            if direction in DIR_IN:
                m.inbound = True
            elif direction in DIR_OUT:
                m.inbound = False
            else:
                raise RowError("bad direction %r" % direction)
            ts = parse_time(get("timestamp"), tz)
            da = get("delivered_at")
            # rule 1.5: a *business* message's time is its delivery time when the log has one.
            # Inbound rows keep their timestamp (the rules are silent on delivered_at for inbound rows).
            if da:
                dat = parse_time(da, tz)
                m.t = ts if m.inbound else dat
            else:
                m.t = ts
            cat = get("category").lower()
            if m.inbound:
                m.cat = None
            elif cat in CAT_TEMPLATE:
                m.cat = CAT_TEMPLATE[cat]
            elif cat in CAT_FREEFORM:
                m.cat = None
            else:
                raise RowError("bad category %r" % cat)
            m.cust = normalise_number(get("recipient"))
            m.iso2 = country_of(m.cust)
            ep = get("entry_point").lower()
            # docs/input.md: ctwa/page_cta/true/yes/1 = entry point; empty/false/no/0/none =
            # none; any other value on an inbound row could mean either and is refused
            if m.inbound and ep not in EP_TRUE and ep not in EP_FALSE:
                raise RowError("bad entry_point %r" % ep)
            m.ep = m.inbound and ep in EP_TRUE
            st = get("status").lower()
            if st in ST_OK:
                m.delivered = True
            elif st in ST_FAIL:
                m.delivered = False
            else:
                raise RowError("bad status %r" % st)
            # a delivered/read/played status or a delivery time proves delivery
            m.proof = (not m.inbound) and m.delivered and (st in ST_PROOF or da != "")
            m.biz = normalise_business(get("business"))
            msgs.append(m)
        except RowError as e:
            if skip_invalid:
                errors += 1
                continue
            sys.stderr.write("error: %s line %d: %s\n" % (path, lineno, e)); raise SystemExit(2)
    if header is None:
        raise SystemExit("error: empty log")
    return msgs, errors


# ---------------------------------------------------------------- engine
class Pair:
    __slots__ = ("csw_until", "ep_pending", "fep_until", "convA_until", "convA_type", "convB")

    def __init__(self):
        self.csw_until = None
        self.ep_pending = None
        self.fep_until = None
        self.convA_until = None
        self.convA_type = None
        self.convB = {}


# docs/rules.md, Authentication-international: each country's own start date
AUTH_INTL_START = {"ID": "2024-06-01", "IN": "2024-07-01"}
for _c in ("EG", "MY", "NG", "PK", "SA", "ZA", "AE"):
    AUTH_INTL_START[_c] = "2025-02-01"
for _c in ("BD", "IQ", "NP", "LK", "KZ", "KW", "MA", "OM", "UA"):
    AUTH_INTL_START[_c] = "2026-10-01"


class Engine:
    def __init__(self, tz, allowance=0, ledger=None, starts_clean=False, auth=None, as_of=None):
        self.tz = tz
        # auth = (business country, --auth-intl-since, {CC: --auth-intl-except date}) or None
        self.auth = auth
        # --as-of YYYY-MM-DD: the rules, market map and cards of that date for every message
        self.as_of = as_of
        self.allowance = allowance
        self.starts_clean = starts_clean   # --log-starts-clean: no window before the log
        self.log_start = None              # earliest time in the log
        self.presumed = {"delivered": 0, "before_log": 0}
        self.ledger = ledger
        mid = lambda y, m, d: int(dt.datetime(y, m, d, tzinfo=tz).timestamp()) * 1000
        self.T_START = mid(2022, 2, 1)
        self.T_B = mid(2023, 6, 1)
        self.T_FREE_SERVICE = mid(2024, 11, 1)
        self.T_C = mid(2025, 7, 1)
        self.T_D = mid(2026, 10, 1)
        self.T_AS_OF = mid(*map(int, as_of.split("-"))) if as_of else None
        self.pairs = {}
        self.months = {}
        self.eraA_tier = {}     # month -> UIC+BIC opened
        self.eraB_tier = {}     # month -> service conversations opened
        self.allow_used = {}    # (biz, month) -> free service messages in era D
        self.rejected = 0
        self.undelivered = 0
        self.units = []         # (t, month, column, kind, msg) for cost.py

    def rule_t(self, t):
        """The instant whose rules apply to a message at t (--as-of: that date's)."""
        return t if self.T_AS_OF is None else self.T_AS_OF

    def rule_date(self, t):
        """Local date (YYYY-MM-DD) of the rules, market map and cards for a message at t."""
        if self.as_of is not None:
            return self.as_of
        return dt.datetime.fromtimestamp(t / 1000, self.tz).strftime("%Y-%m-%d")

    def auth_intl(self, t, m):
        """docs/rules.md, Authentication-international: (a) eligible (the options given),
        (b) customer in another country than the business, (c) on or after the later of the
        country's start date and the business's (or the country's exception) date."""
        if self.auth is None:
            return False
        bc, since, exc = self.auth
        start = AUTH_INTL_START.get(m.iso2)
        if start is None or m.iso2 == bc:
            return False
        start = max(start, exc.get(m.iso2, since))
        return self.rule_date(t) >= start

    def era(self, t):
        t = self.rule_t(t)
        if t < self.T_B:
            return "A"
        if t < self.T_C:
            return "B"
        if t < self.T_D:
            return "C"
        return "D"

    def month(self, t):
        d = dt.datetime.fromtimestamp(t / 1000, self.tz)
        return "%04d-%02d" % (d.year, d.month)

    def unit(self, t, col, kind, m, cat=None):
        # cat: the category --by reports the unit under (a free unit's too)
        if cat is None:
            cat = col if col != "free" else (m.cat or "service")
        if cat == "authentication" and self.auth_intl(t, m):
            cat = "authentication_international"
            if col == "authentication":
                col = cat
        mo = self.month(t)
        row = self.months.setdefault(mo, {c: 0 for c in UNIT_COLS})
        row[col] += 1
        if col != "free":
            row["billable"] += 1
        self.units.append((t, mo, col, kind, m, cat))
        if self.ledger is not None:
            self.ledger.append("%s line %d %s %s %s" % (
                dt.datetime.fromtimestamp(t / 1000, self.tz).isoformat(), m.line, col, kind,
                m.cust))

    def note(self, m, what):
        if self.ledger is not None:
            self.ledger.append("%s line %d %s" % (
                dt.datetime.fromtimestamp(m.t / 1000, self.tz).isoformat(), m.line, what))

    def run(self, msgs):
        for m in msgs:
            if m.t < self.T_START:
                sys.stderr.write("error: line %d: row before 2022-02-01\n" % m.line); raise SystemExit(2)
        if msgs:
            self.log_start = min(m.t for m in msgs)
        for m in sorted(msgs, key=lambda m: (m.t, m.idx)):
            p = self.pairs.get((m.biz, m.cust))
            if p is None:
                p = self.pairs[(m.biz, m.cust)] = Pair()
            if m.inbound:
                self.inbound(p, m)
            else:
                self.outbound(p, m)

    def inbound(self, p, m):
        t = m.t
        p.csw_until = t + DAY
        if m.ep:
            if p.fep_until is not None and t < p.fep_until:
                self.note(m, "entry point ignored (FEP open)")
            else:
                p.ep_pending = t

    def outbound(self, p, m):
        t = m.t
        if not m.delivered:
            self.undelivered += 1
            self.note(m, "undelivered")
            return
        csw = p.csw_until is not None and t < p.csw_until
        if m.cat is None and not csw:
            # a log is a window onto a longer history: proof of delivery, or the log's first 24h
            if m.proof:
                self.presumed["delivered"] += 1
                self.note(m, "delivered: inside a CSW the log does not show")
                csw = True
            elif (not self.starts_clean and p.csw_until is None
                  and t < self.log_start + DAY):
                self.presumed["before_log"] += 1
                self.note(m, "first 24h of the log: CSW opened before the log")
                csw = True
            else:
                self.rejected += 1
                self.note(m, "rejected 131047")
                return
        # (csw here only decides this message's fate; p.csw_until is untouched)
        era = self.era(t)
        # free entry point window
        if p.ep_pending is not None:
            ep = p.ep_pending
            p.ep_pending = None
            if t < ep + DAY:
                # era A: every conversation, the free entry point one too, is a fixed 24h
                # session; from 2023-06-01 the window lasts 72h. The length is fixed at opening.
                p.fep_until = t + (DAY if era == "A" else 3 * DAY)
                p.convA_until = None
                p.convB = {}
                self.unit(t, "free", "fep_open", m, "user_initiated" if era == "A" else None)
                return
            self.note(m, "entry point lapsed")
        if p.fep_until is not None and t < p.fep_until:
            if era in "CD":
                self.unit(t, "free", "fep", m)
            else:
                self.note(m, "inside FEP")
            return
        getattr(self, "era_" + era)(p, m, csw)

    def era_A(self, p, m, csw):
        t = m.t
        if p.convA_until is not None and t < p.convA_until:
            self.note(m, "inside %s conversation" % p.convA_type)
            return
        typ = "user_initiated" if csw else "business_initiated"
        p.convA_until = t + DAY
        p.convA_type = typ
        mo = self.month(t)
        n = self.eraA_tier.get(mo, 0)
        self.eraA_tier[mo] = n + 1
        if n < 1000:
            self.unit(t, "free", "free_tier_" + typ, m, typ)
        else:
            self.unit(t, typ, "conversation", m)

    def era_B(self, p, m, csw):
        t = m.t
        open_cats = [c for c, u in p.convB.items() if t < u]
        if m.cat is not None:
            if m.cat in open_cats:
                self.note(m, "inside %s conversation" % m.cat)
                return
            p.convB[m.cat] = t + DAY
            self.unit(t, m.cat, "conversation", m)
            return
        if open_cats:
            self.note(m, "free-form rides on %s" % ",".join(open_cats))
            return
        p.convB["service"] = t + DAY
        if self.rule_t(t) >= self.T_FREE_SERVICE:
            self.unit(t, "free", "free_service", m)
            return
        mo = self.month(t)
        n = self.eraB_tier.get(mo, 0)
        self.eraB_tier[mo] = n + 1
        if n < 1000:
            self.unit(t, "free", "free_tier_service", m)
        else:
            self.unit(t, "service", "conversation", m)

    def era_C(self, p, m, csw):
        t = m.t
        if m.cat is None:
            self.unit(t, "free", "free_customer_service", m)
        elif m.cat == "utility":
            u = p.convB.get("utility")
            if csw:
                self.unit(t, "free", "free_customer_service", m)
            elif u is not None and t < u:
                self.unit(t, "free", "switch_over", m, "utility")
            else:
                self.unit(t, "utility", "message", m)
        else:
            self.unit(t, m.cat, "message", m)

    def era_D(self, p, m, csw):
        t = m.t
        if m.cat is None:
            key = (m.biz, self.month(t))
            n = self.allow_used.get(key, 0)
            if n < self.allowance:
                self.allow_used[key] = n + 1
                self.unit(t, "free", "free_allowance", m)
            else:
                self.unit(t, "service", "message", m)
        else:
            self.unit(t, m.cat, "message", m)


def compute(path, timezone="UTC", allowance=0, ledger=None, starts_clean=False):
    """In-process API: -> {month: {unit column: int}}."""
    tz = ZoneInfo(timezone)
    msgs, _ = read_log(path, tz)
    eng = Engine(tz, allowance, ledger, starts_clean)
    eng.run(msgs)
    return eng.months


def parser():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--timezone", default="UTC")
    ap.add_argument("--free-service-allowance", type=int, default=0)
    ap.add_argument("--skip-invalid", action="store_true")
    ap.add_argument("--log-starts-clean", action="store_true")
    ap.add_argument("--ledger", action="store_true")
    ap.add_argument("--cost", action="store_true", help="fill cost columns (cost.py)")
    ap.add_argument("--currency", default="EUR")
    ap.add_argument("--agents", type=int, default=10)
    ap.add_argument("--budget", default=None)
    ap.add_argument("--business-country", default=None)
    ap.add_argument("--auth-intl-since", default=None)
    ap.add_argument("--auth-intl-except", action="append", default=[])
    ap.add_argument("--as-of", default=None)
    ap.add_argument("--by", default=None, choices=["market", "category", "market,category", "tier"])
    ap.add_argument("--tariff", action="append", default=[])
    ap.add_argument("--tiers", action="append", default=[])
    return ap


def auth_of(a):
    if a.business_country is None and a.auth_intl_since is None and not a.auth_intl_except:
        return None
    if a.business_country is None or a.auth_intl_since is None:
        sys.stderr.write("error: --business-country and --auth-intl-since go together\n")
        raise SystemExit(2)
    exc = {}
    for e in a.auth_intl_except:
        cc, d = e.split("=", 1)
        cc = cc.strip().upper()
        if cc == a.business_country.upper() or cc not in AUTH_INTL_START:
            sys.stderr.write("error: --auth-intl-except %s: no authentication-international rate\n" % e)
            raise SystemExit(2)
        exc[cc] = d.strip()
    return (a.business_country.upper(), a.auth_intl_since, exc)


def replay(a, msgs, tz, ledger=None, as_of=None):
    eng = Engine(tz, a.free_service_allowance, ledger, a.log_starts_clean, auth_of(a), as_of)
    eng.run(msgs)
    return eng


def render(a, ledger=None):
    """The `waprice estimate LOG --format csv` output ref.py prints for the options `a`."""
    import cost as costmod
    tz = ZoneInfo(a.timezone)
    msgs, _ = read_log(a.log, tz, a.skip_invalid)
    eng = replay(a, msgs, tz, ledger)
    tiers = costmod.load_tiers(a.tiers)
    priced = a.cost or a.by or a.as_of
    units = costmod.price_units(eng, a.currency, a.tariff, tiers) if priced else None
    costs = costmod.price(eng, a.currency, a.agents, a.budget, per_unit=units) if priced else None
    out = []
    if a.as_of:
        eng2 = replay(a, msgs, tz, None, a.as_of)
        units2 = costmod.price_units(eng2, a.currency, a.tariff, tiers)
        costs2 = costmod.price(eng2, a.currency, a.agents, a.budget, per_unit=units2)
        out.append("month,actual_billable,actual_free,actual_cost,as_of_billable,as_of_free,"
                   "as_of_cost,difference,currency")
        zero = {c: 0 for c in UNIT_COLS}
        for mo in sorted(set(eng.months) | set(eng2.months)):
            r1, r2 = eng.months.get(mo, zero), eng2.months.get(mo, zero)
            c1 = costs.get(mo, {}).get("cost", "0")
            c2 = costs2.get(mo, {}).get("cost", "0")
            out.append(",".join([mo, str(r1["billable"]), str(r1["free"]), c1, str(r2["billable"]),
                                 str(r2["free"]), c2, str(costmod.Decimal(c2) - costmod.Decimal(c1)),
                                 a.currency]))
    elif a.by:
        tab = costmod.by_table(units, a.by, a.currency)
        out.append("month,market,category," + ("tier," if a.by == "tier" else "")
                   + "billable,free,cost,currency")
        order = UNIT_COLS + ["user_initiated", "business_initiated"]
        for k in sorted(tab, key=lambda k: (k[0], k[1], order.index(k[2]) if k[2] in order else -1,
                                            k[3:])):
            d = tab[k]
            out.append(",".join(list(k) + [str(d["billable"]), str(d["free"]), str(d["cost"]),
                                           d["currency"]]))
    else:
        out.append(HEADER)
        for mo in sorted(eng.months):
            r = eng.months[mo]
            cells = [mo] + [str(r[c]) for c in UNIT_COLS]
            if costs:
                c = costs[mo]
                cells += [str(c["unpriced"]), c["cost"], c["budget"], c["overage"], c["currency"],
                          str(c["derived"]), str(c["substituted"])]
            else:
                cells += ["", "", "", "", "", "", ""]
            out.append(",".join(cells))
    return "\n".join(out) + "\n", eng


def main(argv=None):
    a = parser().parse_args(argv)
    ledger = [] if a.ledger else None
    text, eng = render(a, ledger)
    sys.stdout.write(text)
    if ledger is not None:
        sys.stderr.write("\n".join(ledger) + "\n")
        sys.stderr.write("rejected=%d undelivered=%d presumed_delivered=%d presumed_before_log=%d\n"
                         % (eng.rejected, eng.undelivered, eng.presumed["delivered"],
                            eng.presumed["before_log"]))


if __name__ == "__main__":
    main()
