#!/usr/bin/env bash
# Re-captures the SLURM text fixtures in this directory from a running cluster
# (deploy/slurm/start.sh). Takes ~90 s because one job must reach its one-minute TIMEOUT.
# Usage: bash Tests/FarmTests/Fixtures/slurm/capture.sh
# The formats below must stay identical to the ones in Sources/Farm/Executors/Slurm.
set -euo pipefail
out="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

SQ='%i|%T|%r|%N|%F|%K|%j|%k'
SA='JobID,JobName,State,ExitCode,NodeList,Start,End,Elapsed,Comment'
state_dir="${CALFARM_SLURM_DIR:-$HOME/.calfarm/slurm}"
# Fixtures must not carry this machine's paths.
scrub() { sed -e "s|$state_dir|<state>|g" -e "s|$work|<work>|g" -e "s|/[a-z]*/calfarm-munge-[0-9]*|<munge>|g"; }
sb() { sbatch --parsable --chdir="$work" -o /dev/null "$@"; }
start="$(date +%Y-%m-%dT%H:%M:%S)"

# Jobs that end in every state we can produce on one node.
ok=$(sb -J capture-ok --comment 'calfarm:token=ok-1' --wrap 'sleep 1')
fail=$(sb -J capture-fail --comment 'calfarm:token=fail-1' --wrap 'exit 1')
three=$(sb -J capture-exit3 --wrap 'exit 3')
sig=$(sb -J capture-signal --wrap 'kill -9 $$')
timeout=$(sb -J capture-timeout --time=1 --wrap 'sleep 300')
long=$(sb -J capture-cancel --wrap 'sleep 300')
arr=$(sb -J capture-array --comment 'calfarm:token=arr-1' --array=0-5%2 --wrap 'sleep 6')
never=$(sb -J capture-never --dependency="afterok:$fail" --wrap 'true')
killdep=$(sb -J capture-killdep --dependency="afterok:$fail" --kill-on-invalid-dep=yes --wrap 'true')
waits=$(sb -J capture-waits --dependency="afterok:$long" --wrap 'true')
anydep=$(sb -J capture-afterany --dependency="afterany:${arr}_1" --wrap 'true')
echo "$ok" >"$out/sbatch-parsable.txt"
ids="$ok,$fail,$three,$sig,$timeout,$long,$arr,$never,$killdep,$waits,$anydep"

sleep 4
squeue -h -r -t all -j "$ids" -o "$SQ" | scrub >"$out/squeue-in-flight.txt"
squeue -h -r -t all -n capture-array -o "$SQ" | scrub >"$out/squeue-by-name.txt"
sacct -X -n -P -j "$ids" --format="$SA" | scrub >"$out/sacct-in-flight.txt"

scancel "$long"
# TIMEOUT has minute granularity and is enforced on the next sweep: wait for it.
for _ in $(seq 1 90); do
    [ "$(sacct -X -n -P -j "$timeout" --format=State)" = TIMEOUT ] && break
    sleep 2
done
sleep 3
squeue -h -r -t all -j "$ids" -o "$SQ" | scrub >"$out/squeue-after.txt"
sacct -X -n -P -j "$ids" --format="$SA" | scrub >"$out/sacct-finished.txt"
sacct -X -n -P --name capture-array,capture-ok -S "$start" --format="$SA" | scrub >"$out/sacct-by-name.txt"
scancel "$never" "$waits"   # left pending forever by DependencyNeverSatisfied

# Error texts, with exit codes.
{ squeue -h -r -t all -j 999999999 -o "$SQ" 2>&1; echo "exit=$?"; } | scrub >"$out/squeue-unknown-id.txt" || true
# (22.05 accepts afterok on an unknown job id and leaves it pending; a malformed list is refused.)
{ sbatch --parsable --dependency=afterok:x --wrap true 2>&1; echo "exit=$?"; } \
    | scrub >"$out/sbatch-dependency-error.txt" || true
scontrol show config | scrub >"$out/scontrol-show-config.txt"

# Clients against a broken configuration: accounting disabled, slurmdbd and slurmctld unreachable.
conf="${SLURM_CONF:-/etc/slurm/slurm.conf}"
sed 's|^AccountingStorageType=.*|AccountingStorageType=accounting_storage/none|' "$conf" >"$work/noacct.conf"
{ SLURM_CONF="$work/noacct.conf" sacct -X -n -P -j "$ok" --format="$SA" 2>&1; echo "exit=$?"; } \
    | scrub >"$out/sacct-accounting-disabled.txt" || true
sed 's|^AccountingStoragePort=.*|AccountingStoragePort=1|' "$conf" >"$work/nodbd.conf"
{ SLURM_CONF="$work/nodbd.conf" sacct -X -n -P -j "$ok" --format="$SA" 2>&1; echo "exit=$?"; } \
    | scrub >"$out/sacct-slurmdbd-down.txt" || true
sed 's|^SlurmctldPort=.*|SlurmctldPort=1|' "$conf" >"$work/noctld.conf"
{ SLURM_CONF="$work/noctld.conf" timeout 120 squeue -h -o "$SQ" 2>&1; echo "exit=$?"; } \
    | scrub >"$out/squeue-controller-down.txt" || true
{ SLURM_CONF="$work/noctld.conf" timeout 120 sbatch --parsable --wrap true 2>&1; echo "exit=$?"; } \
    | scrub >"$out/sbatch-controller-down.txt" || true
echo "captured into $out (slurm $(sinfo -V))"
