#!/usr/bin/env bash
# The main job on simulated data: sets up everything (packages, the private SLURM cluster, a
# release build), simulates a small European XFEL dark (three runs, four channels from both
# wings, two sequences per run), submits it through SLURM, waits, prints the status table and
# compares the computed constants with the simulator's truth.
#
# Usage: deploy/run-demo.sh
# Environment: CALFARM_DEMO_DIR (default ~/calfarm-demo; emptied first),
#              CALFARM_DEMO_EXECUTOR (slurm or local; default slurm).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"
step() { echo; echo "==> $*"; }

demo="${CALFARM_DEMO_DIR:-$HOME/calfarm-demo}"
executor="${CALFARM_DEMO_EXECUTOR:-slurm}"

step "setup"
bash "$here/setup.sh"
if [ "$executor" = slurm ]; then
    step "SLURM"
    bash "$here/slurm/start.sh"
fi

step "swift build -c release"
swift build -c release
bin="$(swift build -c release --show-bin-path)"

step "simulate an SPB dark: runs 1 2 3 (high, medium, low gain), channels 0,1,8,9"
rm -rf "$demo"
mkdir -p "$demo"
export CALFARM_DB="$demo/calfarm.sqlite"
"$bin/calfarm" simulate --facility xfel --type dark --output-dir "$demo/raw-root" \
    --runs 1 2 3 --channels 0,1,8,9 --trains 24 --cells 16 --sequences 2 --seed 42 \
    --detector-string SPB_DET_AGIPD1M-1

# No detector is configured: submit finds SPB_DET_AGIPD1M-1 in the files and checks every raw
# file before it queues a single job.

step "submit to $executor and wait"
"$bin/calfarm" submit --type dark --input-dir "$demo/raw-root" --output-dir "$demo/calib" \
    --runs 1 2 3 --channels 0,1,8,9 --set process.n_jobs=4 --executor "$executor" --wait

step "status"
"$bin/calfarm" status

step "computed constants against the simulator's truth"
"$bin/calfarm" compare-truth --truth "$demo/raw-root/truth.h5"

step "the request's report"
"$bin/calfarm" report --output "$demo/report.html"

echo
echo "Products under $demo/calib/dark/; the request's logs, specs and results under $demo/calib/calfarm/;"
echo "its report (open in any browser, offline): $demo/report.html"
