#!/usr/bin/env bash
# drscs process (issue 12) against a vectorised numpy implementation of the same interval
# detection and fits (benchmarks/drscs_numpy.py), in one run on the same gathered files:
#   1. `calfarm submit --cfel --type drscs` of one current (release build, local executor) makes
#      the gathered files and the process product of ASIC 1;
#   2. the process unit is run again REPEATS times with `calfarm-worker run`, on one thread and on
#      two (CALFARM_THREADS, as `process.cpus=2` gives it): wall time and the result's peak memory;
#   3. drscs_numpy.py on the same gathered files, REPEATS times, checked against the product.
# Then the same at twice the scan steps: the worker's memory must not grow with the steps.
# Medians of REPEATS (default 3). The command and figures go to docs/performance.md.
#
# Usage: benchmarks/drscs_process.sh   (from the repository root, after `swift build -c release`)
# Environment: WORK (default /tmp/calfarm-drscs-bench), REPEATS, CELLS (default 32), STEPS (default 210).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(swift build -c release --show-bin-path)"
work="${WORK:-/tmp/calfarm-drscs-bench}"
repeats="${REPEATS:-3}"
cells="${CELLS:-32}"
base_steps="${STEPS:-210}"
now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

run_case() {  # steps
    local steps="$1" dir="$work/steps$1"
    export CALFARM_HOME="$dir/home" CALFARM_DB="$dir/calfarm.sqlite"
    rm -rf "$dir" && mkdir -p "$dir"
    "$bin/calfarm" simulate --facility cfel --type drscs --output-dir "$dir/in" --currents itestc80 --runs 1 2 3 4 \
        --trains "$steps" --cells "$cells" --parts 1 --asics 1 >/dev/null
    "$bin/calfarm" submit --cfel --type drscs --input-dir "$dir/in" --output-dir "$dir/out" --module M304 \
        --temperature temperature_m20C --cells "$cells" --asics 1 --set 'drscs.currents=[itestc80]' \
        --set process.n_jobs=1 --set local.workers=1 --executor local --wait >/dev/null 2>&1
    local workspace spec product gathered
    workspace="$(ls -d "$dir"/out/calfarm/drscs-*)"
    spec="$(grep -l '"process.itestc80.a01"' "$workspace"/specs/*.jsonl)"
    product="$(ls "$dir"/out/M304/temperature_m20C/drscs/itestc80/*/process/*_asic01_processed.h5)"
    gathered="$dir/out/M304/temperature_m20C/drscs/itestc80/r*/gather/*_gathered.h5"
    cat $gathered >/dev/null
    local calfarm_times=() two_times=() numpy_times=() peak=0 numpy_peak=0 differing=0
    for _ in $(seq "$repeats"); do
        local t0; t0="$(now)"
        CALFARM_THREADS=2 "$bin/calfarm-worker" run --specs "$spec" --index 0 >/dev/null 2>&1
        two_times+=("$(echo "$(now) - $t0" | bc)")
        t0="$(now)"
        CALFARM_THREADS=1 "$bin/calfarm-worker" run --specs "$spec" --index 0 >/dev/null 2>&1
        calfarm_times+=("$(echo "$(now) - $t0" | bc)")
        peak="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["peakMemoryBytes"])' "$workspace/results/process.itestc80.a01.json")"
        local line; line="$(python3 benchmarks/drscs_numpy.py "$gathered" 1 1000 --compare "$product")"
        numpy_times+=("$(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')")
        numpy_peak="$(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peakRSSBytes"])')"
        differing="$(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["differing"])')"
    done
    local c c2 n
    c="$(printf '%s\n' "${calfarm_times[@]}" | median)"; c2="$(printf '%s\n' "${two_times[@]}" | median)"
    n="$(printf '%s\n' "${numpy_times[@]}" | median)"
    printf '%5d steps × %d cells, ASIC 1 (%d MiB of it): numpy %.2f s (peak %d MiB, %s entries differ); calfarm 1 thread %.3f s (%.1f×, peak %d MiB), 2 threads %.3f s (%.1f×)\n' \
        "$steps" "$cells" "$((4 * steps * cells * 4096 * 4 / 1048576))" "$n" "$((numpy_peak / 1048576))" "$differing" \
        "$c" "$(echo "$n / $c" | bc -l)" "$((peak / 1048576))" "$c2" "$(echo "$n / $c2" | bc -l)"
}

echo "drscs process, one current, medians of $repeats:"
run_case "$base_steps"
run_case "$((2 * base_steps))"
