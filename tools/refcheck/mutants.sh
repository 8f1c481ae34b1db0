#!/bin/sh
# Sensitivity check of gen.py + diff.py: plant one rule change in a copy of ref.py, use that copy
# as the "binary", count how many of the seeds catch it.   [ONLY=TEXT] [DIFF_OPTS=...] ./mutants.sh [SEEDS, default 1..200]
cd "$(dirname "$0")"
# The copies live in a temporary directory: point them at this repository's tariffs.
export REF_MARKETS="$PWD/../../tariffs/markets.csv" REF_CARDS="$PWD/../../tariffs/rate-cards.csv"
S=${1:-1..200}
T=$(mktemp -d)
cp ref.py cost.py common.py "$T"/
cat > "$T/bin" <<EOT
#!/bin/sh
shift; log=\$1; shift; shift; shift; shift
exec python3 $T/mutant.py "\$log" "\$@"
EOT
chmod +x "$T/bin"
m() {  # m 'description' 'sed expression' [extra diff.py options]; $ONLY: run only descriptions containing it
  case "$1" in *"${ONLY:-}"*) ;; *) return ;; esac
  sed "$2" ref.py > "$T/mutant.py"
  if cmp -s "$T/mutant.py" ref.py; then echo "sed did not apply: $1"; return; fi
  n=$(python3 diff.py $3 ${DIFF_OPTS:-} --seeds $S --bin "$T/bin" --quiet --no-shrink --out "$T/f" 2>&1 | grep -c DISAGREE)
  printf '%4s seeds catch: %s\n' "$n" "$1"
}
m "CSW closed interval (t <= end)"           's/t < p.csw_until/t <= p.csw_until/'
m "FEP closed interval"                      's/t < p.fep_until/t <= p.fep_until/'
m "FEP 48h instead of 72h"                   's/p.fep_until = t + 3 \* DAY/p.fep_until = t + 2 * DAY/'
m "entry point valid at exactly +24h"        's/if t < ep + DAY:/if t <= ep + DAY:/'
m "first entry point kept (not re-armed)"    's/                p.ep_pending = t/                p.ep_pending = p.ep_pending if p.ep_pending is not None else t/'
m "entry point during FEP re-arms"           '345s/if p.fep_until is not None and t < p.fep_until:/if False:/'
m "era A conversation closed interval"       's/if p.convA_until is not None and t < p.convA_until:/if p.convA_until is not None and t <= p.convA_until:/'
m "era B free-form rides only on service"    's/        if open_cats:/        if "service" in open_cats:/'
m "no switch-over"                           's/elif u is not None and t < u:/elif False:/'
m "era C utility in CSW charged"             's/            if csw:/            if False:/'
m "era A tier 999"                           's/        if n < 1000:/        if n < 999:/' "--bulk-prob 1"
m "era A/B tier per business"                's/        n = self.eraA_tier.get(mo, 0)/        mo = (m.biz, mo); n = self.eraA_tier.get(mo, 0)/' "--bulk-prob 1"
m "allowance per WABA, not per number"       's/key = (m.biz, self.month(t))/key = self.month(t)/'
m "FEP unit not counted in era A/B"          's/self.unit(t, "free", "fep_open", m)/pass/'
m "free-form not rejected outside CSW"       's/if m.cat is None and not csw:/if False:/'
m "failed rows counted"                      's/        if not m.delivered:/        if False:/'
m "delivered_at ignored"                     's/m.t = ts if m.inbound else dat/m.t = ts/'
m "windows per customer, not per business"   's/p = self.pairs.get((m.biz, m.cust))/p = self.pairs.get(("", m.cust)); m.biz = ""/'
m "month in UTC instead of --timezone"       's/d = dt.datetime.fromtimestamp(t \/ 1000, self.tz)/d = dt.datetime.fromtimestamp(t \/ 1000, dt.timezone.utc)/'
m "era boundaries in UTC"                    's/mid = lambda y, m, d: int(dt.datetime(y, m, d, tzinfo=tz)/mid = lambda y, m, d: int(dt.datetime(y, m, d, tzinfo=dt.timezone.utc)/'
m "file order ignored for equal times"       's/key=lambda m: (m.t, m.idx)/key=lambda m: (m.t, m.inbound)/'
m "free service from 2024-10-31"            's/self.T_FREE_SERVICE = mid(2024, 11, 1)/self.T_FREE_SERVICE = mid(2024, 10, 31)/'
m "free service from 2024-11-02"            's/self.T_FREE_SERVICE = mid(2024, 11, 1)/self.T_FREE_SERVICE = mid(2024, 11, 2)/'
m "era A/B tier 999 (default mix)"            's/        if n < 1000:/        if n < 999:/'
rm -rf "$T"
