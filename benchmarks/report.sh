#!/usr/bin/env bash
# The request report (issue 13) of a 16-channel dark: `calfarm report` wall time and page size,
# beside `calfarm status` of the same request (the controller's start-up and one refresh) and a
# warm `cat` of the joined file the maps are drawn from. Medians of REPEATS (default 3).
#
# Usage: benchmarks/report.sh   (from the repository root, after `swift build -c release`)
# Environment: WORK (default /tmp/calfarm-report-bench), REPEATS, TRAINS (default 10), CELLS (default 16).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(swift build -c release --show-bin-path)"
work="${WORK:-/tmp/calfarm-report-bench}"
repeats="${REPEATS:-3}"
export CALFARM_HOME="$work/home" CALFARM_DB="$work/calfarm.sqlite"
now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if [ ! -f "$work/.complete" ]; then
    rm -rf "$work" && mkdir -p "$work"
    "$bin/calfarm" simulate --type dark --output-dir "$work/in" --runs 1 2 3 --channels 0-15 \
        --trains "${TRAINS:-10}" --cells "${CELLS:-16}" >/dev/null
    "$bin/calfarm" submit --type dark --input-dir "$work/in" --output-dir "$work/out" --runs 1 2 3 --channels 0-15 \
        --set process.n_jobs=4 --executor local --wait >/dev/null 2>&1
    touch "$work/.complete"
fi
joined="$(ls "$work"/out/dark/*/dark_joined_constants_agipd.h5)"
cat "$joined" >/dev/null
report=() status=() reads=()
for _ in $(seq "$repeats"); do
    t0="$(now)"; cat "$joined" >/dev/null; reads+=("$(echo "$(now) - $t0" | bc)")
    t0="$(now)"; "$bin/calfarm" status >/dev/null; status+=("$(echo "$(now) - $t0" | bc)")
    t0="$(now)"; "$bin/calfarm" report --output "$work/report.html" >/dev/null 2>&1; report+=("$(echo "$(now) - $t0" | bc)")
done
bytes="$(stat -c %s "$work/report.html")"
maps="$(grep -o '<img' "$work/report.html" | wc -l)"
printf '16-channel dark (%s cells, joined file %d MiB): report %.2f s, %.1f MB, %d maps; status %.3f s; cat of the joined file %.3f s\n' \
    "${CELLS:-16}" "$(( $(stat -c %s "$joined") / 1048576 ))" "$(printf '%s\n' "${report[@]}" | median)" \
    "$(echo "$bytes / 1000000" | bc -l)" "$maps" "$(printf '%s\n' "${status[@]}" | median)" "$(printf '%s\n' "${reads[@]}" | median)"
