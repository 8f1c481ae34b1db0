#!/bin/sh
# Sensitivity check of gen.py + diff.py: plant one rule change in a copy of ref.py or cost.py, use
# that copy as the "binary", count how many of the seeds catch it.
#   [ONLY='TEXT|TEXT'] [DIFF_OPTS=...] ./mutants.sh [SEEDS, default 1..300]
# DIFF_OPTS defaults to --cost (counts and money, with every pricing option gen.py draws).
cd "$(dirname "$0")"
# The copies live in a temporary directory: point them at this repository's tariffs.
export REF_MARKETS="$PWD/../../tariffs/markets.csv" REF_CARDS="$PWD/../../tariffs/rate-cards.csv"
S=${1:-1..300}
T=$(mktemp -d)
cat > "$T/bin" <<EOT
#!/bin/sh
# called as: bin estimate LOG --format csv --no-progress [options]
shift; log=\$1; shift; shift; shift; shift
exec python3 $T/ref.py "\$log" --cost "\$@"
EOT
chmod +x "$T/bin"
m() {  # m 'description' 'sed expression' [extra diff.py options] [file, default ref.py]
  # $ONLY: run only descriptions containing it (or one of its |-separated parts)
  if [ -n "${ONLY:-}" ]; then
    hit=; old_ifs=$IFS; IFS='|'
    for part in $ONLY; do case "$1" in *"$part"*) hit=1 ;; esac; done
    IFS=$old_ifs
    [ -n "$hit" ] || return
  fi
  cp ref.py cost.py common.py "$T"/
  f=${4:-ref.py}
  sed "$2" "$f" > "$T/$f"
  if cmp -s "$T/$f" "$f"; then echo "sed did not apply: $1"; return; fi
  n=$(python3 diff.py $3 ${DIFF_OPTS:---cost} --seeds $S --bin "$T/bin" --quiet --no-shrink --out "$T/f" 2>&1 | grep -c DISAGREE)
  printf '%4s seeds catch: %s\n' "$n" "$1"
}
# windows, eras and free tiers (ref.py)
m "CSW closed interval (t <= end)"           's/t < p.csw_until/t <= p.csw_until/'
m "FEP closed interval"                      's/t < p.fep_until/t <= p.fep_until/'
m "FEP 48h instead of 72h"                   's/p.fep_until = t + (DAY if era == "A" else 3 \* DAY)/p.fep_until = t + (DAY if era == "A" else 2 * DAY)/'
m "entry point valid at exactly +24h"        's/if t < ep + DAY:/if t <= ep + DAY:/'
m "first entry point kept (not re-armed)"    's/                p.ep_pending = t/                p.ep_pending = p.ep_pending if p.ep_pending is not None else t/'
m "entry point during FEP re-arms"           '/def inbound/,/def outbound/s/if p.fep_until is not None and t < p.fep_until:/if False:/'
m "era A conversation closed interval"       's/if p.convA_until is not None and t < p.convA_until:/if p.convA_until is not None and t <= p.convA_until:/'
m "era B free-form rides only on service"    's/        if open_cats:/        if "service" in open_cats:/'
m "no switch-over"                           's/elif u is not None and t < u:/elif False:/'
m "era C utility in CSW charged"             's/            if csw:/            if False:/'
m "era A tier 999"                           's/        if n < 1000:/        if n < 999:/' "--bulk-prob 1"
m "era A/B tier per business"                's/        n = self.eraA_tier.get(mo, 0)/        mo = (m.biz, mo); n = self.eraA_tier.get(mo, 0)/' "--bulk-prob 1"
m "allowance per WABA, not per number"       's/key = (m.biz, self.month(t))/key = self.month(t)/'
m "FEP unit not counted in era A/B"          's/                self.unit(t, "free", "fep_open", m, .*/                pass/'
m "free-form not rejected outside CSW"       's/if m.cat is None and not csw:/if False:/'
m "failed rows counted"                      's/        if not m.delivered:/        if False:/'
m "delivered_at ignored"                     's/m.t = ts if m.inbound else dat/m.t = ts/'
m "windows per customer, not per business"   's/p = self.pairs.get((m.biz, m.cust))/p = self.pairs.get(("", m.cust)); m.biz = ""/'
m "month in UTC instead of --timezone"       's/d = dt.datetime.fromtimestamp(t \/ 1000, self.tz)/d = dt.datetime.fromtimestamp(t \/ 1000, dt.timezone.utc)/'
m "era boundaries in UTC"                    's/mid = lambda y, m, d: int(dt.datetime(y, m, d, tzinfo=tz)/mid = lambda y, m, d: int(dt.datetime(y, m, d, tzinfo=dt.timezone.utc)/'
m "file order ignored for equal times"       's/key=lambda m: (m.t, m.idx)/key=lambda m: (m.t, m.inbound)/'
m "free service from 2024-10-31"             's/self.T_FREE_SERVICE = mid(2024, 11, 1)/self.T_FREE_SERVICE = mid(2024, 10, 31)/'
m "free service from 2024-11-02"             's/self.T_FREE_SERVICE = mid(2024, 11, 1)/self.T_FREE_SERVICE = mid(2024, 11, 2)/'
m "era A/B tier 999 (default mix)"           's/        if n < 1000:/        if n < 999:/'
# authentication-international (ref.py, cost.py)
m "auth-intl rate dropped (authentication rate)" 's/        return lookup(currency, market, col, date, tariffs=tariffs)/        return lookup(currency, market, "authentication" if col == "authentication_international" else col, date, tariffs=tariffs)/' "" cost.py
m "auth-intl start date exclusive"           's/        return self.rule_date(t) >= start/        return self.rule_date(t) > start/'
m "auth-intl start one day early"            's/        return self.rule_date(t) >= start/        return self.rule_date(t + DAY) >= start/'
m "auth-intl for the business's own country" 's/        if start is None or m.iso2 == bc:/        if start is None:/'
m "auth-intl country start date ignored"     's/        start = max(start, exc.get(m.iso2, since))/        start = exc.get(m.iso2, since)/'
m "auth-intl exception ignored"              's/        start = max(start, exc.get(m.iso2, since))/        start = max(start, since)/'
# volume tiers (cost.py)
m "tier band off by one (threshold inside)"  's/    below = \[(th, r) for (th, r) in bands if th < n\]/    below = [(th, r) for (th, r) in bands if th <= n]/' "" cost.py
m "auth-intl has its own tier counter"       's/"authentication_international": "authentication"}/"authentication_international": "authentication_international"}/' "" cost.py
m "unpriced messages do not count for tiers" 's/            counts\[key\] = counts.get(key, 0) + 1/            counts[key] = counts.get(key, 0) + (r is not None)/' "" cost.py
m "tier count not reset monthly"             's/            key = (mo, market, TIER_COUNTER\[col\])/            key = ("", market, TIER_COUNTER[col])/' "" cost.py
m "first tier table, not the latest"         's/    bands = tabs\[-1\]/    bands = tabs[0]/' "" cost.py
# currencies and cards (cost.py)
m "EUR and USD cards swapped"                's/table.get((currency, market, col), \[\])/table.get(({"EUR": "USD", "USD": "EUR"}.get(currency, currency), market, col), [])/' "" cost.py
m "marketing and utility rates swapped"      's/        return lookup(currency, market, col, date, tariffs=tariffs)/        return lookup(currency, market, {"marketing": "utility", "utility": "marketing"}.get(col, col), date, tariffs=tariffs)/' "" cost.py
m "derived rates reported as published"      's/zip(tables, ("published", "derived"))/zip(tables, ("published", "published"))/' "" cost.py
m "loaded card ignored"                      's/        for path in tariffs:/        for path in ():/' "" cost.py
m "loaded card merged into the bundled row"  's/                rows\[(r\["currency"\].strip(), r\["effective_from"\].strip(), r\["market"\].strip())\] = r/                k = (r["currency"].strip(), r["effective_from"].strip(), r["market"].strip()); rows[k] = {c: (v if (v or "").strip() else rows.get(k, {}).get(c)) for c, v in r.items()}/' "" cost.py
# --as-of (ref.py)
m "as-of keeps each message's own era"       's/        return t if self.T_AS_OF is None else self.T_AS_OF/        return t/'
m "as-of keeps each message's own cards"     's/            return self.as_of$/            pass/'
rm -rf "$T"
