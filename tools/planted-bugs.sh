#!/usr/bin/env bash
# Plants known wrong-bill bugs one at a time and checks that `cargo test` fails on each.
#
#   tools/planted-bugs.sh            every bug
#   tools/planted-bugs.sh NAME...    only these (names below)
#
# Each bug is a one-line edit of the source, applied to the working tree, built and tested with
# `cargo test`, then reverted (also on Ctrl-C). The script prints, per bug, the tests that
# failed; a bug that no test catches is reported as SURVIVED and the script exits 1.
# Needs a clean working tree for the files it edits. Takes about 1.5 minutes per bug on two cores.
set -uo pipefail
cd "$(dirname "$0")/.."

# name | file | perl substitution (must change the file)
BUGS=$(cat <<'EOF'
midnight-early|src/calendar.rs|s/let local = t_ms \+ self\.offset_ms\(t_ms\);/let local = t_ms + self.offset_ms(t_ms) + i64::from(!self.utc);/
midnight-late|src/calendar.rs|s/let local = t_ms \+ self\.offset_ms\(t_ms\);/let local = t_ms + self.offset_ms(t_ms) - i64::from(!self.utc);/
era-b-23h|src/engine/cbp_v2.rs|s/= m\.t \+ DAY;/= m.t + DAY - 3_600_000;/g
era-b-24h-minus-1ms|src/engine/cbp_v2.rs|s/= m\.t \+ DAY;/= m.t + DAY - 1;/g
era-b-24h-plus-1ms|src/engine/cbp_v2.rs|s/= m\.t \+ DAY;/= m.t + DAY + 1;/g
fep-72h-minus-1ms|src/engine/windows.rs|s/ENTRY_POINT_WINDOW: i64 = 3 \* MS_PER_DAY;/ENTRY_POINT_WINDOW: i64 = 3 * MS_PER_DAY - 1;/
fep-72h-plus-1ms|src/engine/windows.rs|s/ENTRY_POINT_WINDOW: i64 = 3 \* MS_PER_DAY;/ENTRY_POINT_WINDOW: i64 = 3 * MS_PER_DAY + 1;/
free-tier-999|src/era.rs|s/FREE_TIER_CONVERSATIONS: u32 = 1_000;/FREE_TIER_CONVERSATIONS: u32 = 999;/
free-tier-1001|src/era.rs|s/FREE_TIER_CONVERSATIONS: u32 = 1_000;/FREE_TIER_CONVERSATIONS: u32 = 1_001;/
marketing-utility-swapped|src/price.rs|s/UnitCategory::Marketing => Column::Marketing,\n(\s*)UnitCategory::Utility => Column::Utility,/UnitCategory::Marketing => Column::Utility,\n$1UnitCategory::Utility => Column::Marketing,/
failed-is-delivered|src/input/reader/row.rs|s/b"delivered" \| b"read" \| b"played" => Some\(\(true, true\)\),\n(\s*)b"failed" \| /b"delivered" | b"read" | b"played" | b"failed" => Some((true, true)),\n$1/
auth-intl-rate-dropped|src/price.rs|s/UnitCategory::AuthenticationInternational => Column::AuthenticationInternational,/UnitCategory::AuthenticationInternational => Column::Authentication,/
auth-intl-start-exclusive|src/engine/mod.rs|s/if date >= \*from\)/if date > *from)/
quote-cache-any-date|src/price.rs|s/let key = \(market, e\.category, e\.date\);/let key = (market, e.category, NaiveDate::default());/
account-count-overflow-short|src/report/mod.rs|s/\+= Counts::COUNT_MAX;/+= Counts::COUNT_MAX - 1;/
merge-ties-later-run-first|src/input/time_order.rs|s/\| i as u128,/| (usize::MAX - i) as u128,/
lagging-left-behind|src/input/time_order.rs|s/if back\.message\.time <= placed\.message\.time \{/if back.message.time >= placed.message.time {/
separator-past-the-line-end|src/input/records.rs|s/push_bits\(seps & \(\(1 << stop\) - 1\), at, ends\);/push_bits(seps, at, ends);/
cut-inside-quotes-joined|src/pipeline/split.rs|s/\(!cut\)\.then_some\(line\)/(cut || !cut).then_some(line)/
second-half-first|src/pipeline/split.rs|s/let \[mut runs, later\] = runs;/let [later, mut runs] = runs;/
future-tie-to-second-half|src/input/reader/mod.rs|s/is_none_or\(\|own\| f\.2 < own\.2\)/is_none_or(|own| f.2 <= own.2)/
rejected-opens-service|src/engine/mod.rs|s/return \(category, Charge::Rejected\);/st.conversation_until[windows::SERVICE] = m.t + windows::DAY;\n        return (category, Charge::Rejected);/
short-swallowed-rows-missed|src/input/unclosed_quote.rs|s/\n        short,\n    \};/\n        short: short.filter(|_| false),\n    };/
null-cell-read|src/input/table.rs|s/bits\.get\(at \/ 8\)\.is_none_or\(\|b\| b >> \(at % 8\) & 1 == 0\)/bits.get(at \/ 8).is_some_and(|_| false)/
EOF
)

want=("$@")
survived=0
restore() { [ -n "${file:-}" ] && [ -f "/tmp/planted-bug.$$" ] && cp "/tmp/planted-bug.$$" "$file" && rm -f "/tmp/planted-bug.$$"; }
trap 'restore; exit 130' INT TERM

while IFS='|' read -r name file subst; do
  [ -z "$name" ] && continue
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then continue; fi
  if ! git diff --quiet -- "$file"; then
    echo "$name: $file has uncommitted changes; commit or stash them first" >&2
    exit 2
  fi
  cp "$file" "/tmp/planted-bug.$$"
  perl -0pi -e "$subst" "$file"
  if cmp -s "$file" "/tmp/planted-bug.$$"; then
    echo "$name: the edit did not apply to $file (the code moved: update this script)"
    restore; file=
    survived=1
    continue
  fi
  out=$(cargo test --quiet --no-fail-fast 2>&1)
  restore; file=
  if echo "$out" | grep -q "error\[E"; then
    echo "$name: the planted code does not compile (update this script)"
    survived=1
    continue
  fi
  failed=$(echo "$out" | sed -n 's/^    \([a-z_:0-9]*\)$/\1/p; s/^test \(.*\) \.\.\. FAILED$/\1/p' | sort -u | tr '\n' ' ')
  if [ -z "$failed" ]; then
    echo "$name: SURVIVED (cargo test passed)"
    survived=1
  else
    echo "$name: caught by $failed"
  fi
done <<<"$BUGS"
exit $survived
