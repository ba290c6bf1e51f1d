#!/usr/bin/env bash
# CFEL gather (issue 11) against reading its parts once, in one run on the same data:
#   1. `cat` of every part of the dark's three runs (warm page cache): the read floor; and `cp`
#      of them into new files: the read + write floor (gather writes as many bytes as it reads),
#   2. `calfarm submit --cfel --run-type gather --executor local --wait` (release build, one
#      worker): every (run, part) gather unit, each reading its part once, placing frames by
#      sequence number and writing the gathered layout; and the units' own step time summed,
#      with its reading/converting and writing phases.
# Medians of REPEATS (default 3). The command and figures go to docs/performance.md.
#
# Usage: benchmarks/cfel_gather.sh   (from the repository root, after `swift build -c release`)
# Environment: WORK (default /tmp/calfarm-cfel-bench), REPEATS, TRAINS (default 4), CELLS (default 352),
#              PARTS (default 3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(swift build -c release --show-bin-path)"
work="${WORK:-/tmp/calfarm-cfel-bench}"
repeats="${REPEATS:-3}"
trains="${TRAINS:-4}"
cells="${CELLS:-352}"
parts="${PARTS:-3}"
export CALFARM_HOME="$work/home" CALFARM_DB="$work/calfarm.sqlite"

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
metric() {  # output key: the gather units' metric, summed
    python3 -c '
import glob, json, sys
units = [json.load(open(p)) for p in glob.glob(sys.argv[1] + "/calfarm/*/results/gather.*.json")]
print(sum(u["metrics"][sys.argv[2]] for u in units))' "$1" "$2"
}

mkdir -p "$work"
if [ ! -f "$work/in/.complete" ]; then
    rm -rf "$work/in"
    "$bin/calfarm" simulate --facility cfel --type dark --output-dir "$work/in" --runs 1 2 3 --trains "$trains" \
        --cells "$cells" --parts "$parts" --lose-frames 3,1000 >/dev/null
    touch "$work/in/.complete"
fi
parts_glob="$work/in/temperature_m20C/dark/*.nxs"
raw_bytes=$(du -cb $parts_glob | tail -n1 | cut -f1)
echo "CFEL dark gather: 3 runs × $parts parts, $trains trains × $cells cells, $((raw_bytes / 1048576)) MiB of parts;" \
     "$(nproc) cores; medians of $repeats"

cat_times=() cp_times=() submit_times=() step_times=() read_times=() write_times=()
for _ in $(seq "$repeats"); do
    cat $parts_glob >/dev/null
    t0=$(now); cat $parts_glob >/dev/null; t1=$(now)
    cat_times+=("$(echo "$t1 - $t0" | bc)")
    rm -rf "$work/cp"; mkdir -p "$work/cp"
    t0=$(now); cp $parts_glob "$work/cp/"; t1=$(now)
    cp_times+=("$(echo "$t1 - $t0" | bc)")
    rm -rf "$work/cp"
    rm -rf "$work/out" "$CALFARM_DB"
    t0=$(now)
    "$bin/calfarm" submit --cfel --module M304 --temperature temperature_m20C --type dark --cells "$cells" \
        --input-dir "$work/in" --output-dir "$work/out" --run-type gather --executor local --wait \
        --set local.workers=1 >/dev/null 2>"$work/submit.log"
    t1=$(now)
    submit_times+=("$(echo "$t1 - $t0" | bc)")
    step_times+=("$(metric "$work/out" seconds)")
    read_times+=("$(metric "$work/out" secondsReadingConverting)")
    write_times+=("$(metric "$work/out" secondsWriting)")
done
ct=$(printf '%s\n' "${cat_times[@]}" | median)
cpt=$(printf '%s\n' "${cp_times[@]}" | median)
st=$(printf '%s\n' "${submit_times[@]}" | median)
gt=$(printf '%s\n' "${step_times[@]}" | median)
printf '%-64s %8.3f s  (%.0f MiB/s)\n' "cat of every part (warm)" "$ct" "$(echo "$raw_bytes / 1048576 / $ct" | bc -l)"
printf '%-64s %8.3f s\n' "cp of every part into new files (read + write floor)" "$cpt"
printf '%-64s %8.3f s   calfarm / cat = %.1f, / cp = %.1f\n' "calfarm submit --run-type gather --executor local --wait (1 worker)" "$st" "$(echo "$st / $ct" | bc -l)" "$(echo "$st / $cpt" | bc -l)"
printf '%-64s %8.3f s   step / cat = %.1f, / cp = %.1f\n' "  gather units, their own step time (sum)" "$gt" "$(echo "$gt / $ct" | bc -l)" "$(echo "$gt / $cpt" | bc -l)"
printf '%-64s %8.3f s\n' "    reading + placing frames" "$(printf '%s\n' "${read_times[@]}" | median)"
printf '%-64s %8.3f s\n' "    writing the gathered files" "$(printf '%s\n' "${write_times[@]}" | median)"
