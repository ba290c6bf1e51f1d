#!/usr/bin/env bash
# xray (issue 10) against its references, in one run on the same data:
#   1. benchmarks/xray_numpy.py: h5py + numpy, the same likelihood fit vectorised over pixels,
#      each raw file read once (the reference of the speed target),
#   2. `calfarm submit --type xray --executor local --wait` (release build): preprocess, gather,
#      process, join; and its process units' own step time (summed: one core's work),
#   3. accuracy: compare-truth's z-scores and numpy's differences from CalFarm's constants,
#   4. memory: the process units' peak resident memory for 1, 2 and 4 times the trains.
# Medians of REPEATS (default 3). Prints a table; the command and figures go to docs/performance.md.
#
# Usage: benchmarks/xray_pipeline.sh   (from the repository root, after `swift build -c release`)
# Environment: WORK (default /tmp/calfarm-xray-bench), REPEATS, TRAINS (default 500), CELLS (default 2),
#              ELEMENT (default Cu).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(swift build -c release --show-bin-path)"
work="${WORK:-/tmp/calfarm-xray-bench}"
repeats="${REPEATS:-3}"
trains="${TRAINS:-500}"
cells="${CELLS:-2}"
element="${ELEMENT:-Cu}"
channel=3
detector=SPB_DET_AGIPD1M-1
export CALFARM_HOME="$work/home" CALFARM_DB="$work/calfarm.sqlite"

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
simulate() {  # dir trains
    if [ ! -f "$1/.complete" ]; then
        rm -rf "$1"
        "$bin/calfarm" simulate --type xray --element "$element" --output-dir "$1" --runs 1 --channels "$channel" \
            --trains "$2" --cells "$cells" --sequences 2 --detector-string "$detector" >/dev/null
        touch "$1/.complete"
    fi
}
submit() {  # input output
    rm -rf "$2" "$CALFARM_DB"
    "$bin/calfarm" submit --type xray --input-dir "$1" --output-dir "$2" --runs 1 --channels "$channel" \
        --executor local --wait --set local.workers=2 --set process.n_jobs=16 --set "xray.element=$element" \
        >/dev/null 2>"$work/submit.log"
}
process_metric() {  # output key: sum (seconds) or max (peakMemoryBytes) over the process units
    python3 -c '
import glob, json, sys
units = [json.load(open(p)) for p in glob.glob(sys.argv[1] + "/calfarm/*/results/process.*.json")]
print(sum(u["metrics"]["seconds"] for u in units) if sys.argv[2] == "seconds" else max(u["peakMemoryBytes"] for u in units))' "$1" "$2"
}

mkdir -p "$work"
simulate "$work/in" "$trains"
raw_bytes=$(du -cb "$work"/in/raw/*/*.h5 | tail -n1 | cut -f1)
echo "xray: 1 channel ($channel), $element, $trains trains × $cells cells × 2 sequences, $((raw_bytes / 1048576)) MiB raw;" \
     "$(nproc) cores; medians of $repeats"

numpy_times=() calfarm_times=() process_times=()
for _ in $(seq "$repeats"); do
    cat "$work"/in/raw/*/*.h5 >/dev/null
    t0=$(now)
    python3 benchmarks/xray_numpy.py "$work/in" "$channel" "$detector" "$work/numpy.h5" --runs 1 --cells "$cells" \
        --element "$element" >"$work/numpy.json"
    t1=$(now)
    numpy_times+=("$(echo "$t1 - $t0" | bc)")

    t0=$(now); submit "$work/in" "$work/out"; t1=$(now)
    calfarm_times+=("$(echo "$t1 - $t0" | bc)")
    process_times+=("$(process_metric "$work/out" seconds)")
done
joined=$(ls "$work"/out/xray/r*/xray_joined_constants_agipd.h5)
python3 benchmarks/xray_numpy.py "$work/in" "$channel" "$detector" "$work/numpy.h5" --runs 1 --cells "$cells" \
    --element "$element" --compare "$joined" >"$work/compare.json"
"$bin/calfarm" compare-truth --truth "$work/in/truth.h5" --constants "$joined" --json >"$work/truth.json" || true

np=$(printf '%s\n' "${numpy_times[@]}" | median)
cf=$(printf '%s\n' "${calfarm_times[@]}" | median)
pr=$(printf '%s\n' "${process_times[@]}" | median)
printf '%-62s %8.3f s\n' "numpy + h5py, same fit, each raw file read once" "$np"
printf '%-62s %8.3f s   numpy / calfarm = %.1f\n' "calfarm submit --type xray --executor local --wait (2 workers)" "$cf" "$(echo "$np / $cf" | bc -l)"
printf '%-62s %8.3f s   numpy / process = %.1f (target >= 10)\n' "  process units, their own step time (sum: one core)" "$pr" "$(echo "$np / $pr" | bc -l)"
python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["channels"][0]
print("accuracy against the truth: %d fits, %d failed, mean z %+.4f, RMS z %.4f, max |z| %.2f, median |spacing - truth| %.3f ADU"
      % (t["fitted"], t["failed"], t["zMean"], t["zRMS"], t["zMaxAbs"], t["spacingMedianAbsDifference"]))' "$work/truth.json"
echo "numpy against calfarm's joined constants: $(cat "$work/compare.json")"

# Memory in trains: the same cells and pixels, 1×, 2× and 4× the trains.
for factor in 1 2 4; do
    n=$((trains * factor))
    simulate "$work/in-$n" "$n"
    submit "$work/in-$n" "$work/out-$n"
    printf '%-62s %8.1f MiB\n' "peak memory of a process unit, $n trains" "$(echo "$(process_metric "$work/out-$n" peak) / 1048576" | bc -l)"
    rm -rf "$work/out-$n"
done
