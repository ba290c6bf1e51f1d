#!/usr/bin/env bash
# The whole drspc pipeline (issue 9) against its references, in one run on the same data:
#   1. `cat` of the raw files (warm: they are read once before),
#   2. benchmarks/drspc_numpy.py: h5py + numpy computing the same constants, each raw file read once,
#   3. `calfarm submit --type drspc --executor local --wait` (release build): preprocess, gather,
#      process, join,
# and the process step against reading its own input (the gathered files) once with `cat`.
# Medians of REPEATS (default 3). Prints a table; the command and figures go to docs/performance.md.
#
# Usage: benchmarks/drspc_pipeline.sh   (from the repository root, after `swift build -c release`)
# Environment: WORK (default /tmp/calfarm-drspc-bench), REPEATS, TRAINS (default 100), CELLS (default 4).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(swift build -c release --show-bin-path)"
work="${WORK:-/tmp/calfarm-drspc-bench}"
repeats="${REPEATS:-3}"
trains="${TRAINS:-100}"
cells="${CELLS:-4}"
channel=3
detector=SPB_DET_AGIPD1M-1
runs=(101 102 103 104 105 106 107 108)
windows=(10,40 60,100)
export CALFARM_HOME="$work/home" CALFARM_DB="$work/calfarm.sqlite"

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if [ ! -f "$work/in/.complete" ]; then
    rm -rf "$work"; mkdir -p "$work"
    "$bin/calfarm" simulate --type drspc --output-dir "$work/in" --runs "${runs[@]}" --channels "$channel" \
        --trains "$trains" --cells "$cells" --sequences 2 --switch-steps 45-55 --detector-string "$detector" >/dev/null
    touch "$work/in/.complete"
fi
raw_bytes=$(du -cb "$work"/in/raw/*/*.h5 | tail -n1 | cut -f1)
echo "drspc pipeline: 1 channel ($channel), 8 runs × $trains trains × $cells cells × 2 sequences," \
     "$((raw_bytes / 1048576)) MiB raw; windows ${windows[*]}; $(nproc) cores; medians of $repeats"

cat_times=() numpy_times=() calfarm_times=() process_times=() gathered_cat_times=()
for _ in $(seq "$repeats"); do
    cat "$work"/in/raw/*/*.h5 >/dev/null
    t0=$(now); cat "$work"/in/raw/*/*.h5 >/dev/null; t1=$(now)
    cat_times+=("$(echo "$t1 - $t0" | bc)")

    t0=$(now)
    python3 benchmarks/drspc_numpy.py "$work/in" "$channel" "$detector" "$work/numpy.h5" --runs "${runs[@]}" \
        --windows "${windows[@]}" --cells "$cells" >"$work/numpy.json"
    t1=$(now)
    numpy_times+=("$(echo "$t1 - $t0" | bc)")

    rm -rf "$work/out" "$CALFARM_DB"
    t0=$(now)
    "$bin/calfarm" submit --type drspc --input-dir "$work/in" --output-dir "$work/out" --runs "${runs[@]}" \
        --channels "$channel" --executor local --wait --set local.workers=2 --set process.n_jobs=2 \
        --set "drspc.high_gain_window=${windows[0]}" --set "drspc.medium_gain_window=${windows[1]}" >/dev/null 2>"$work/submit.log"
    t1=$(now)
    calfarm_times+=("$(echo "$t1 - $t0" | bc)")

    # The process units' own step time (result files) against a warm cat of their input.
    process_times+=("$(python3 -c '
import glob, json, sys
print(sum(json.load(open(p))["metrics"].get("seconds", 0) for p in glob.glob(sys.argv[1] + "/out/calfarm/*/results/process.*.json")))' "$work")")
    cat "$work"/out/drspc/r*/gather/*.h5 >/dev/null
    t0=$(now); cat "$work"/out/drspc/r*/gather/*.h5 >/dev/null; t1=$(now)
    gathered_cat_times+=("$(echo "$t1 - $t0" | bc)")
done
joined=$(ls "$work"/out/drspc/r*/drspc_joined_constants_agipd.h5)
python3 benchmarks/drspc_numpy.py "$work/in" "$channel" "$detector" "$work/numpy.h5" --runs "${runs[@]}" \
    --windows "${windows[@]}" --cells "$cells" --compare "$joined" >"$work/compare.json"

c=$(printf '%s\n' "${cat_times[@]}" | median)
np=$(printf '%s\n' "${numpy_times[@]}" | median)
cf=$(printf '%s\n' "${calfarm_times[@]}" | median)
pr=$(printf '%s\n' "${process_times[@]}" | median)
gc=$(printf '%s\n' "${gathered_cat_times[@]}" | median)
printf '%-58s %8.3f s\n' "cat of the raw files (warm)" "$c"
printf '%-58s %8.3f s\n' "numpy + h5py, same constants, each raw file read once" "$np"
printf '%-58s %8.3f s   numpy / calfarm = %.2f (target >= 2)\n' "calfarm submit --type drspc --executor local --wait" "$cf" "$(echo "$np / $cf" | bc -l)"
printf '%-58s %8.3f s\n' "  process units, their own step time (sum)" "$pr"
printf '%-58s %8.3f s   process / cat = %.2f (target <= 2)\n' "  cat of the gathered files they read (warm)" "$gc" "$(echo "$pr / $gc" | bc -l)"
echo "numpy against calfarm's joined constants: $(cat "$work/compare.json")"
python3 - "$work" <<'PY'
import glob, json, sys
peaks = [json.load(open(p)).get("peakMemoryBytes", 0) for p in glob.glob(sys.argv[1] + "/out/calfarm/*/results/process.*.json")]
print("process units' peak memory: max %.0f MiB (compare TRAINS=N with TRAINS=2N: flat in the number of trains)" % (max(peaks) / 2**20))
PY
