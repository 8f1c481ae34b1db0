#!/usr/bin/env python3
"""Random WhatsApp message logs aimed at the edge cases of the billing rules.

    gen.py --seed N [--era A|B|C|D|mixed] [--rows N] [--timezone TZ] [--out FILE] [--print-args]

Writes the CSV log to stdout (or --out).  The time zone and the extra waprice options the log is
meant to be replayed with are chosen from the seed; --print-args prints them (one line, shell
words) to stderr, e.g. `--timezone Europe/Paris --free-service-allowance 2`.

Edge cases aimed at: few customers with many messages; times exactly at +24h / +72h of earlier
messages (CSW, conversation, entry-point and FEP boundaries) and +-1 s; entry points (incl. a
second one inside an FEP and lapsing ones); failed/undelivered rows; several business numbers;
shuffled row order; era boundaries (2023-06-01, 2024-11-01, 2025-07-01, 2026-10-01) and month
ends in the WABA time zone; delivered_at later than timestamp (crossing boundaries); the same
customer written in different phone formats; column aliases and header case; several timestamp
formats (RFC 3339 Z/offset, naive local, Unix s/ms); in most logs (--bulk-prob, default 0.9) a month
of era A or B with 995 to 1,030 conversations, so the free tier runs out, half the time on the
month's last day.
All rows are valid: nothing before 2022-02-01 local, numbers from countries in markets.csv, naive
local times only where they are unambiguous (no DST gap/fold).
"""
import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
from zoneinfo import ZoneInfo

S = 1
M = 60
H = 3600
DAY = 86400

TZS = ["UTC", "Europe/Paris", "America/Sao_Paulo", "Asia/Kolkata"]
ERA_START = {"A": (2022, 2, 1), "B": (2023, 6, 1), "C": (2025, 7, 1), "D": (2026, 10, 1)}
ERA_END = {"A": (2023, 6, 1), "B": (2025, 7, 1), "C": (2026, 10, 1), "D": (2027, 7, 1)}
BOUNDARIES = [(2023, 6, 1), (2024, 11, 1), (2025, 7, 1), (2026, 10, 1)]

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
DIR_IN = ["inbound", "in", "incoming", "received", "user", "customer"]
DIR_OUT = ["outbound", "out", "outgoing", "sent", "business", "outbound-api", "outbound-reply"]
FREEFORM = ["", "service", "text", "free_form", "session"]
EP_TRUE = ["ctwa", "page_cta", "true", "yes", "1"]
ST_OK = ["", "delivered", "read", "sent"]
ST_FAIL = ["failed", "undelivered", "rejected"]

# (calling code, national-number generator) from countries in markets.csv
COUNTRIES = [
    ("33", lambda r: "6" + "".join(r.choice("0123456789") for _ in range(8))),       # FR
    ("49", lambda r: "15" + "".join(r.choice("0123456789") for _ in range(9))),      # DE
    ("55", lambda r: "11" + "9" + "".join(r.choice("0123456789") for _ in range(8))),  # BR
    ("91", lambda r: "98" + "".join(r.choice("0123456789") for _ in range(8))),      # IN
    ("1", lambda r: r.choice(["212", "415", "809", "876", "787", "242", "416"]) + "555" +
     "".join(r.choice("0123456789") for _ in range(4))),                            # NANP
    ("7", lambda r: r.choice(["99", "77", "60"]) + "".join(r.choice("0123456789") for _ in range(8))),
    ("44", lambda r: "7" + "".join(r.choice("0123456789") for _ in range(9))),       # GB
    ("263", lambda r: "77" + "".join(r.choice("0123456789") for _ in range(7))),     # ZW
    ("20", lambda r: "10" + "".join(r.choice("0123456789") for _ in range(8))),      # EG
    ("880", lambda r: "17" + "".join(r.choice("0123456789") for _ in range(8))),     # BD
    ("62", lambda r: "812" + "".join(r.choice("0123456789") for _ in range(8))),     # ID
    ("34", lambda r: "6" + "".join(r.choice("0123456789") for _ in range(8))),       # ES
    ("52", lambda r: "1" + "".join(r.choice("0123456789") for _ in range(10))),      # MX
    ("48", lambda r: "5" + "".join(r.choice("0123456789") for _ in range(8))),       # PL
    ("65", lambda r: "8" + "".join(r.choice("0123456789") for _ in range(7))),       # SG
    ("971", lambda r: "5" + "".join(r.choice("0123456789") for _ in range(8))),      # AE
]


def fmt_phone(r, cc, nat, allow_fancy=True):
    d = cc + nat
    if not allow_fancy:
        return r.choice(["+" + d, d])
    k = r.randrange(9)
    if k == 0:
        return "+" + d
    if k == 1:
        return d
    if k == 2:
        return "00" + d
    if k == 3:
        return "whatsapp:+" + d
    if k == 4:
        return "+%s %s %s" % (cc, nat[:3], nat[3:])
    if k == 5:
        return "+%s (%s) %s-%s" % (cc, nat[:3], nat[3:6], nat[6:])
    if k == 6:
        return "%s.%s.%s" % (cc, nat[:4], nat[4:])
    if k == 7:
        return "+%s-%s-%s" % (cc, nat[:2], nat[2:])
    return "whatsapp:%s" % d


class Gen:
    def __init__(self, seed, era="mixed", rows=None, tz=None, bulk_prob=0.9, options=False):
        self.r = random.Random(seed)
        self.o = random.Random(seed * 1000003 + 17)
        self.with_options = options
        self.bulk_prob = bulk_prob
        r = self.r
        self.era_mode = era
        self.tzname = tz or r.choice(TZS)
        self.tz = ZoneInfo(self.tzname)
        self.target_rows = rows if rows else r.choice([15, 30, 60, 120, 250, 500])
        self.min_t = self.local(2022, 2, 1) + (DAY if r.random() < 0.95 else 0)
        self.p_in = r.choice([0.1, 0.25, 0.38, 0.38, 0.6])

    # -- time helpers (all times are int Unix seconds)
    def local(self, y, m, d, hh=0, mi=0, ss=0):
        return int(dt.datetime(y, m, d, hh, mi, ss, tzinfo=self.tz).timestamp())

    def naive_ok(self, t):
        """True if the local wall time of t maps back to t unambiguously."""
        loc = dt.datetime.fromtimestamp(t, self.tz).replace(tzinfo=None)
        a = int(loc.replace(tzinfo=self.tz, fold=0).timestamp())
        b = int(loc.replace(tzinfo=self.tz, fold=1).timestamp())
        return a == b == t

    def fmt_time(self, t, style):
        r = self.r
        u = dt.datetime.fromtimestamp(t, dt.timezone.utc)
        if style is None:
            style = r.choice(["z", "z", "off", "off_other", "naive", "naive_t", "unix", "unix_ms"])
        if style in ("naive", "naive_t") and not self.naive_ok(t):
            style = "z"
        if style == "z":
            return u.strftime("%Y-%m-%dT%H:%M:%SZ")
        if style == "off":
            loc = dt.datetime.fromtimestamp(t, self.tz)
            s = loc.isoformat()
            return s.replace("+00:00", "Z") if r.random() < 0.5 else s
        if style == "off_other":
            off = r.choice([-3 * 60, 60, 120, 330, -5 * 60])
            loc = u.astimezone(dt.timezone(dt.timedelta(minutes=off)))
            return loc.isoformat()
        if style in ("naive", "naive_t"):
            loc = dt.datetime.fromtimestamp(t, self.tz)
            sep = " " if style == "naive" else "T"
            if loc.second == 0 and r.random() < 0.5:
                return loc.strftime("%Y-%m-%d" + sep + "%H:%M")
            return loc.strftime("%Y-%m-%d" + sep + "%H:%M:%S")
        if style == "unix":
            return str(t)
        return str(t * 1000)

    # -- scenario pieces
    def pick_anchor(self):
        r = self.r
        era = self.era_mode
        if era == "mixed":
            k = r.random()
            if k < 0.6:
                y, m, d = r.choice(BOUNDARIES)
                return self.local(y, m, d)
            if k < 0.8:  # some month start
                y = r.randrange(2022, 2027)
                m = r.randrange(1, 13)
                if (y, m) < (2022, 3):
                    m = 3
                return self.local(y, m, 1)
            a, b = self.local(2022, 2, 5), self.local(2027, 3, 1)
            return r.randrange(a, b)
        a = self.local(*ERA_START[era])
        b = self.local(*ERA_END[era])
        k = r.random()
        if k < 0.5:  # a month start inside the era
            cands = []
            y, m = ERA_START[era][0], ERA_START[era][1]
            while self.local(y, m, 1) < b:
                if self.local(y, m, 1) > a:
                    cands.append(self.local(y, m, 1))
                m += 1
                if m == 13:
                    y, m = y + 1, 1
            return r.choice(cands)
        if k < 0.65 and era != "A":
            return a
        return r.randrange(a + 3 * DAY, b - 3 * DAY)

    def clamp(self, t):
        lo, hi = self.min_t, self.local(2027, 12, 1)
        if self.era_mode != "mixed":
            lo = max(lo, self.local(*ERA_START[self.era_mode]))
            hi = self.local(*ERA_END[self.era_mode]) - 1
        return min(max(t, lo), hi)

    def customers(self, n):
        r = self.r
        out = []
        seen = set()
        while len(out) < n:
            cc, natf = r.choice(COUNTRIES)
            nat = natf(r)
            if cc + nat in seen:
                continue
            seen.add(cc + nat)
            out.append((cc, nat))
        return out

    def businesses(self, n):
        r = self.r
        kind = r.random()
        out = []
        for i in range(n):
            if kind < 0.5:
                out.append(("1", "555010%04d" % r.randrange(10000)))
            elif kind < 0.8:
                out.append(("44", "2079460%03d" % r.randrange(1000)))
            else:
                out.append((None, "%015d" % r.randrange(10 ** 14, 10 ** 15)))
        return out

    def pair_events(self, start, n):
        """A stream of n events for one (business, customer) pair, billing times in seconds."""
        r = self.r
        evs = []
        t = start
        marks = []  # times whose +24h/+72h are interesting
        for _ in range(n):
            k = r.random()
            if k < 0.35 and marks:
                base = r.choice(marks)
                t2 = base + r.choice([DAY, DAY, 3 * DAY, 3 * DAY, DAY - 1, DAY + 1, 3 * DAY - 1, 3 * DAY + 1, 2 * DAY])
                t = max(t, t2) if r.random() < 0.3 else t2
            elif k < 0.65:
                t = t + r.choice([0, 0, 1, 60, 3600, 2 * H, 5 * H, 12 * H, DAY - 1, DAY, DAY + 1, 25 * H,
                                  2 * DAY, 3 * DAY - 1, 3 * DAY, 3 * DAY + 1, 4 * DAY])
            elif k < 0.75:
                t = r.choice(self.boundary_times) + r.choice([-DAY, -1, 0, 0, 1, H, -H])
            else:
                t = t + r.randrange(0, 30 * H) // 60 * 60
            t = self.clamp(t)
            d = r.random()
            if d < self.p_in:
                kind = ("in", r.random() < 0.3)
            elif d < self.p_in + (1 - self.p_in) * 0.55:
                kind = ("tpl", r.choice(["marketing", "utility", "utility", "authentication", "marketing_lite"]))
            else:
                kind = ("ff", None)
            evs.append((t, kind))
            marks.append(t)
            if len(marks) > 6:
                marks.pop(0)
        return evs

    def bulk(self, n):
        """n conversations in one month (era A: UIC/BIC, era B: service/other)."""
        r = self.r
        if self.era_mode in ("A", "B"):
            era = self.era_mode
        else:
            era = r.choice(["A", "B"])
        if era == "A":
            y, m = r.choice([(2022, 10), (2023, 1), (2023, 5)])
        else:
            # The tier is used by service conversations until 2024-10; 2024-11 checks it is not.
            y, m = r.choice([(2023, 8), (2024, 3), (2024, 10), (2024, 10), (2024, 11)])
        span = 26 * DAY
        if (y, m) == (2024, 11) and r.random() < 0.5:
            # All on 2024-11-01, the first day of free service conversations: past the
            # 1,000th they are free only if that day is counted as free service.
            start, span = self.local(y, m, 1), DAY
        elif r.random() < 0.5:
            start = self.local(y, m, 1) + r.choice([0, 0, 6 * H])
        else:
            # Ending at the month's last local minute: the conversations past the 1,000th fall
            # on its last day, next to the month boundary (and, in October 2024, next to the
            # first day of free service conversations).
            ny, nm = (y + (m == 12), m % 12 + 1)
            start = self.local(ny, nm, 1) - span
        evs = []
        for (cc, nat) in self.customers(n):
            t = start + r.randrange(span) // 60 * 60
            if era == "B" or r.random() < 0.5:
                evs.append((t, ("in", False), cc, nat))
                evs.append((t + r.choice([60, 3600]), ("ff", "bulk"), cc, nat))
            else:
                evs.append((t, ("tpl", r.choice(["marketing", "utility"]), "bulk"), cc, nat))
        return evs

    def switch_over(self, n):
        """utility conversation opened shortly before 2025-07-01, utility templates after it."""
        r = self.r
        b = self.local(2025, 7, 1)
        t0 = b - r.choice([1, 60, H, 5 * H, 20 * H, DAY - 1, DAY])
        evs = [(t0, ("tpl", "utility"))]
        if r.random() < 0.3:
            evs.insert(0, (t0 - r.choice([0, H, 30 * H]), ("in", False)))
        for _ in range(n):
            t = r.choice([t0 + DAY - 1, t0 + DAY, t0 + DAY + 1, b, b + 1, b + r.randrange(0, 26 * H)])
            k = r.random()
            kind = ("tpl", "utility") if k < 0.6 else ("tpl", r.choice(["marketing", "authentication"])) if k < 0.8 else ("in", r.random() < 0.3) if k < 0.9 else ("ff", None)
            evs.append((t, kind))
        return evs

    def generate(self):
        r = self.r
        self.boundary_times = []
        for (y, m, d) in BOUNDARIES:
            self.boundary_times.append(self.local(y, m, d))
        anchors = [self.pick_anchor() for _ in range(r.choice([1, 1, 2, 3]))]
        for a in anchors:
            self.boundary_times.append(a)
            dd = dt.datetime.fromtimestamp(a, self.tz)
            # next local month start
            ny, nm = (dd.year + (dd.month == 12), dd.month % 12 + 1)
            self.boundary_times.append(self.local(ny, nm, 1))
        n_biz = r.choice([1, 1, 1, 2, 3])
        if self.bulk_prob >= 1 and r.random() < 0.6:
            n_biz = r.choice([2, 3])
        biz_col = n_biz > 1 or r.random() < 0.4
        bizs = self.businesses(n_biz) if biz_col else [("", "")]
        biz_text = {}
        for b in bizs:
            if b[0] is None:
                biz_text[b] = [b[1]]
            elif b == ("", ""):
                biz_text[b] = [""]
            else:
                # the same business number written in a few ways
                biz_text[b] = [fmt_phone(r, b[0], b[1]) for _ in range(r.choice([1, 2, 3]))]
        n_cust = r.choice([1, 1, 2, 3, 4, 6, 10])
        custs = self.customers(n_cust)
        events = []  # (billing_t, kind, cc, nat, biz)
        if r.random() < self.bulk_prob and self.era_mode in ("A", "B", "mixed"):
            b = r.choice(bizs)
            spread = r.random() < 0.5
            owner = {}
            for (t, kind, cc, nat) in self.bulk(r.choice([995, 999, 1000, 1001, 1001, 1003, 1030, 1030])):
                if (cc, nat) not in owner:
                    owner[(cc, nat)] = r.choice(bizs) if spread else b
                events.append((t, kind, cc, nat, owner[(cc, nat)]))
        if self.era_mode == "mixed" and r.random() < 0.25:
            for _ in range(r.choice([1, 2, 3])):
                cc, nat = r.choice(custs)
                b = r.choice(bizs)
                for (t, kind) in self.switch_over(r.choice([1, 2, 4])):
                    events.append((t, kind, cc, nat, b))
        rows_left = self.target_rows
        while rows_left > 0:
            cc, nat = r.choice(custs)
            b = r.choice(bizs)
            n = min(rows_left, r.choice([2, 4, 8, 16, 30]))
            start = self.clamp(r.choice(anchors) + r.randrange(-4 * DAY, 3 * DAY) // 60 * 60)
            for (t, kind) in self.pair_events(start, n):
                events.append((t, kind, cc, nat, b))
            rows_left -= n

        opts = self.plan_options(events, custs, bizs) if self.with_options else None

        # columns
        has_del = r.random() < 0.5
        has_ep = any(k[0] == "in" and k[1] for (_, k, *_rest) in events) or r.random() < 0.5
        has_status = r.random() < 0.6
        cols = ["timestamp", "direction", "category", "recipient"]
        if has_del:
            cols.append("delivered_at")
        if has_ep:
            cols.append("entry_point")
        if has_status:
            cols.append("status")
        if biz_col:
            cols.append("business")
        if r.random() < 0.7:
            r.shuffle(cols)
        case = r.choice([str.lower, str.lower, str.upper, str.title])
        header = [case(r.choice(ALIASES[c]) if r.random() < 0.5 else c) for c in cols]
        ts_style = r.choice([None, None, "z", "off", "naive", "unix"])  # None = mixed per row
        fancy_phones = r.random() < 0.7

        out_rows = []
        for (t, kind, cc, nat, b) in events:
            row = {}
            inbound = kind[0] == "in"
            ok = True
            delay = 0
            if not inbound:
                if has_status and r.random() < 0.12 and kind[-1] != "bulk":
                    ok = False
                if has_del and ok and r.random() < 0.5:
                    delay = r.choice([0, 1, 5, 90, 600, H, 3 * H, DAY, DAY + 1, 25 * H, 3 * DAY])
            ts = self.clamp(t - delay)
            row["timestamp"] = self.fmt_time(ts, ts_style)
            if has_del:
                row["delivered_at"] = self.fmt_time(t, ts_style) if (delay or (not inbound and ok and r.random() < 0.3)) else ""
                if delay and ts != t - delay:   # clamped: keep billing time = delivered_at
                    pass
            row["direction"] = r.choice(DIR_IN) if inbound else r.choice(DIR_OUT)
            if inbound:
                row["category"] = r.choice(["", "", "text"])
            elif kind[0] == "tpl":
                row["category"] = kind[1]
            else:
                row["category"] = r.choice(FREEFORM)
            row["recipient"] = fmt_phone(r, cc, nat, fancy_phones)
            if has_ep:
                row["entry_point"] = r.choice(EP_TRUE) if (inbound and kind[1]) else r.choice(["", "", "false"])
            if has_status:
                row["status"] = (r.choice(ST_OK) if ok else r.choice(ST_FAIL)) if not inbound else ""
            if biz_col:
                row["business"] = r.choice(biz_text[b])
            out_rows.append((t, row))

        k = r.random()
        if k < 0.5:
            r.shuffle(out_rows)
        elif k < 0.8:
            out_rows.sort(key=lambda x: x[0])
        else:
            out_rows.sort(key=lambda x: x[0])
            for i in range(len(out_rows) // 5):
                a = r.randrange(len(out_rows))
                b2 = min(len(out_rows) - 1, a + r.randrange(1, 4))
                out_rows[a], out_rows[b2] = out_rows[b2], out_rows[a]

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        for (_, row) in out_rows:
            w.writerow([row[c] for c in cols])
        args = ["--timezone", self.tzname]
        # allowance for era D logs
        if any(t >= self.local(2026, 10, 1) for (t, *_x) in events) and r.random() < 0.6:
            args += ["--free-service-allowance", str(r.choice([0, 1, 2, 3, 5, 20]))]
        # no window before the log for some logs (drawn last, so the log itself does not change)
        if r.random() < 0.25:
            args.append("--log-starts-clean")
        if opts is None:
            return buf.getvalue(), args
        return buf.getvalue(), args + opts[0], opts[1], opts[2]

    # -- pricing options (drawn from their own generator, so a log without them is unchanged)
    def new_customer(self, cc):
        gen_nat = dict(COUNTRIES)[cc]
        return cc, gen_nat(self.o)

    def local_date(self, t):
        return dt.datetime.fromtimestamp(t, self.tz).strftime("%Y-%m-%d")

    def at_date(self, d):
        return self.local(*map(int, d.split("-")))

    def plan_options(self, events, custs, bizs):
        """-> (extra args, extra runs [[args], ...], files {name: text}); may add events.
        Options: --currency (every bundled one, --budget where Callbell's rule has none),
        authentication-international, a synthetic tier table with a burst of charged utility
        and authentication messages in one month that crosses its thresholds, a loaded card,
        and an extra run with --as-of or --by."""
        o = self.o
        args, runs, files = [], [], {}
        cur = o.choice(["EUR", "EUR", "EUR", "USD", "USD", "INR", "BRL", "AED", "GBP", "IDR"])
        args += ["--currency", cur]
        if cur not in ("EUR", "USD"):
            args += ["--budget", o.choice(["0", "10", "250.5"])]
        elif o.random() < 0.2:
            args += ["--agents", str(o.choice([1, 10, 11, 35]))]
        lo, hi = self.min_t, self.local(2027, 12, 1)
        if self.era_mode != "mixed":
            lo = max(lo, self.local(*ERA_START[self.era_mode]))
            hi = self.local(*ERA_END[self.era_mode]) - 1
        ok = lambda t: lo <= t <= hi
        b = o.choice(bizs)
        auth_ccs = ["91", "62", "20", "971", "880"]
        if o.random() < 0.5:
            bc = o.choice(["FR", "FR", "US", "GB", "DE", "IN", "ID"])
            t0 = o.choice(events)[0] if events and o.random() < 0.6 else o.choice(
                [self.local(2024, 6, 1), self.local(2024, 7, 1), self.local(2025, 2, 1),
                 self.local(2025, 7, 1), self.local(2026, 10, 1), self.local(2023, 9, 1)])
            since = self.local_date(t0)
            args += ["--business-country", bc, "--auth-intl-since", since]
            starts = {"91": "2024-07-01", "62": "2024-06-01", "20": "2025-02-01",
                      "971": "2025-02-01", "880": "2026-10-01"}
            auth_start = None
            for cc in o.sample(auth_ccs, o.choice([1, 2, 3])):
                if auth_start is None:
                    auth_start = (self.at_date(max(since, starts[cc])), cc)
                # authentication templates to new customers 1 s before, at and 1 s after local
                # midnight of the later of the business's and the country's start dates
                start = self.at_date(max(since, starts[cc]))
                for dtt in (-1, 0, 0, 1, 3600):
                    if ok(start + dtt):
                        events.append((start + dtt, ("tpl", "authentication"), *self.new_customer(cc), b))
            if o.random() < 0.25:
                cc = o.choice(auth_ccs)
                iso = {"91": "IN", "62": "ID", "20": "EG", "971": "AE", "880": "BD"}[cc]
                if iso != bc:
                    # around the date the country would start without the exception
                    exc = self.local_date(self.at_date(max(since, starts[cc]))
                                          + o.choice([-40, -1, 1, 20]) * DAY)
                    args += ["--auth-intl-except", "%s=%s" % (iso, exc)]
                    start = self.at_date(exc)
                    for dtt in (-1, 0):
                        if ok(start + dtt):
                            events.append((start + dtt, ("tpl", "authentication"), *self.new_customer(cc), b))
        else:
            auth_start = None
        if o.random() < 0.8 and self.era_mode in ("C", "D", "mixed"):
            # a burst of charged utility/authentication messages in one month of eras C/D
            y, mth = o.choice([(2025, 7), (2025, 10), (2026, 2), (2026, 9), (2026, 10), (2026, 12)])
            if self.era_mode == "C":
                y, mth = o.choice([(2025, 7), (2025, 10), (2026, 2), (2026, 9)])
            if self.era_mode == "D":
                y, mth = o.choice([(2026, 10), (2026, 12), (2027, 3)])
            ccs = o.sample([c for c, _ in COUNTRIES], 2) + [o.choice(auth_ccs)]
            if auth_start is not None and auth_start[0] >= self.local(2025, 7, 1) \
                    and ok(auth_start[0]) and o.random() < 0.7:
                # the month authentication-international starts in: authentication and
                # authentication-international messages share one tier counter
                d = dt.datetime.fromtimestamp(auth_start[0], self.tz)
                y, mth = d.year, d.month
                ccs.append(auth_start[1])
            m0 = self.local(y, mth, 1)
            m1 = self.local(y + (mth == 12), mth % 12 + 1, 1)
            # and a country the currency's bundled cards price, so that the tiers apply
            ccs.append(o.choice({"BRL": ["55"], "IDR": ["62"], "AED": ["20", "880", "55"],
                                 "GBP": ["44", "34"]}.get(cur, ["33", "91", "49", "55"])))
            for cc in ccs:
                for i in range(o.randrange(3, 14)):
                    t = o.choice([m0, m0 + o.randrange(0, m1 - m0) // 60 * 60, m1 - 1, m1,
                                  m1 + o.randrange(0, 5 * DAY)])
                    cat = o.choice(["utility", "utility", "authentication", "authentication",
                                    "marketing"])
                    if ok(t):
                        events.append((t, ("tpl", cat), *self.new_customer(cc), b))
            files["tiers.csv"] = self.tier_table(o, cur, events, m0)
            args += ["--tiers", "@tiers.csv"]
        if o.random() < 0.25:
            files["card.csv"] = self.loaded_card(o, cur, events)
            args += ["--tariff", "@card.csv"]
        k = o.random()
        if k < 0.25:
            d = o.choice(["2022-02-01", "2023-05-31", "2023-06-01", "2024-06-01", "2024-10-31",
                          "2024-11-01", "2025-02-01", "2025-06-30", "2025-07-01", "2026-09-30",
                          "2026-10-01", self.local_date(o.randrange(self.local(2022, 2, 1),
                                                                    self.local(2027, 6, 1)))])
            runs.append(["--as-of", d])
        elif k < 0.5:
            runs.append(["--by", o.choice(["market", "category", "market,category", "tier"])])
        return args, runs, files

    def markets_of(self, events, dates):
        import ref
        out = set()
        for (t, kind, cc, nat, b) in events:
            iso = ref.country_of(cc + nat)
            for d in dates:
                out.add(ref.market_of(iso, d))
        return sorted(out)

    def tier_table(self, o, cur, events, m0):
        """Synthetic tiers for every market of the log: small thresholds, so that a month's
        count crosses them; sometimes a second table from a date inside the burst month."""
        dates = ["2025-07-01", self.local_date(m0 + o.choice([0, 9 * DAY, 14 * DAY + 3 * H]))]
        dates = sorted(set(dates))
        lines = ["currency,effective_from,market,category,threshold,rate,source"]
        for market in self.markets_of(events, ["2025-07-01", "2026-10-01", dates[-1]]):
            for cat in ("utility", "authentication", "authentication_international"):
                for d in (dates if o.random() < 0.5 else dates[:1]):
                    if o.random() < 0.15:
                        continue
                    ths = sorted(o.sample(range(1, 9), o.choice([1, 2, 3])))
                    for th in ths:
                        lines.append("%s,%s,%s,%s,%d,0.%04d,SYNTHETIC" % (
                            cur, d, market, cat, th, o.randrange(1, 3000)))
        return "\n".join(lines) + "\n"

    def loaded_card(self, o, cur, events):
        """A card in the layout of tariffs/rate-cards.csv: rows on a bundled card's date (they
        replace its rows for their market) or on a new date, some cells empty."""
        import ref
        bundled = sorted({r["effective_from"] for r in csv.DictReader(open(
            __import__("cost").CARDS_CSV, newline="", encoding="utf-8")) if r["currency"] == cur})
        lines = ["currency,effective_from,market,marketing,utility,authentication,"
                 "authentication_international,service,business_initiated,user_initiated,"
                 "confidence,source"]
        seen = set()
        for _ in range(o.choice([1, 2, 4, 8])):
            t = o.choice(events)[0]
            d = o.choice(bundled + [self.local_date(t), self.local_date(t)[:8] + "01"])
            (t2, kind, cc, nat, b) = o.choice(events)
            market = ref.market_of(ref.country_of(cc + nat), d)
            if (d, market) in seen:
                continue
            seen.add((d, market))
            v = lambda: "" if o.random() < 0.25 else "0.%04d" % o.randrange(1, 2000)
            if d < "2023-06-01":
                cells = ["", "", "", "", "", v(), v()]
            else:
                cells = [v(), v(), v(), v(), v(), "", ""]
            lines.append(",".join([cur, d, '"%s"' % market] + cells + ["high", "refcheck gen.py"]))
        return "\n".join(lines) + "\n"


def generate(seed, era="mixed", rows=None, tz=None, bulk_prob=0.9, options=False):
    """-> (log text, args), or with options=True (log text, args, extra runs, files): file
    arguments are written `@NAME`, NAME a key of files."""
    return Gen(seed, era, rows, tz, bulk_prob, options).generate()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--era", default="mixed", choices=["A", "B", "C", "D", "mixed"])
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--timezone", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--bulk-prob", type=float, default=0.9,
                    help="probability of a >=995-conversation month (era A/B/mixed)")
    ap.add_argument("--print-args", action="store_true")
    ap.add_argument("--options", action="store_true",
                    help="also draw the pricing options (currency, authentication-international, "
                         "tiers, a loaded card; --as-of or --by runs); their files go beside --out")
    a = ap.parse_args()
    runs = []
    if a.options:
        text, args, runs, files = generate(a.seed, a.era, a.rows, a.timezone, a.bulk_prob, True)
        base = os.path.splitext(a.out)[0] if a.out else "seed-%d" % a.seed
        for name, content in files.items():
            with open(base + "." + name, "w", newline="") as f:
                f.write(content)
        args = [base + "." + x[1:] if x.startswith("@") else x for x in args]
    else:
        text, args = generate(a.seed, a.era, a.rows, a.timezone, a.bulk_prob)
    if a.out:
        with open(a.out, "w", newline="") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    if a.print_args:
        sys.stderr.write(" ".join(args) + "\n")
        for run in runs:
            sys.stderr.write("and a run with: %s\n" % " ".join(run))


if __name__ == "__main__":
    main()
