#!/usr/bin/env bash
# The project's test entry point (CI runs it through .ci/run): installs the prerequisites,
# starts the private SLURM cluster, builds, and runs every test with SLURM required, so a
# missing cluster fails the run instead of skipping its tests.
#
# Usage: deploy/run-tests.sh [extra swift test arguments, e.g. --filter FarmTests]
# Environment: SWIFT_SCRATCH_PATH (optional) build directory passed as --scratch-path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

step() { echo; echo "==> $*"; }
scratch=()
[ -n "${SWIFT_SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SWIFT_SCRATCH_PATH")

step "setup"
bash "$here/setup.sh"
# The report test renders the page in a real headless browser (tests only; the demo needs none).
# shellcheck source=lib/apt.sh
. "$here/lib/apt.sh"
apt_install_missing chromium

step "layers"
bash "$here/check-layers.sh"

step "SLURM"
bash "$here/slurm/start.sh"

step "swift build"
swift build "${scratch[@]}"

step "swift test (CALFARM_REQUIRE_SLURM=1)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
CALFARM_REQUIRE_SLURM=1 swift test "${scratch[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

step "summary"
# XCTest and Swift Testing each print their own closing lines.
grep -E '^(Test Suite .*(passed|failed)|Executed [0-9]+ tests?|.*Test run with [0-9]+ tests?)' "$log" \
    | tail -n 6 || true
if [ "$status" -ne 0 ]; then
    echo "run-tests: swift test failed (exit $status)" >&2
    exit "$status"
fi
echo "run-tests: all tests passed"
