#!/usr/bin/env bash
# Stops the private SLURM cluster started by deploy/slurm/start.sh: exactly the daemons named
# by its pid files (slurmd, slurmctld, slurmdbd, mariadbd, munged), nothing else.
# State (config, accounting DB, logs) stays for the next start.
#
# Usage: deploy/slurm/stop.sh     (honours CALFARM_SLURM_DIR like start.sh)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"

started_at=$(date +%s.%N)
stopped_any=no
for (( i=${#DAEMONS[@]}-1; i>=0; i-- )); do
    name="${DAEMONS[$i]}"
    pid="$(daemon_pid "$name")" || continue
    kill -TERM "$pid" 2>/dev/null || continue
    stopped_any=yes
    # Daemons flush state on TERM (slurmctld takes a few seconds); KILL only as a last resort.
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "slurm: $name ($pid) ignored TERM for 15s; sending KILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$name.pid"
    echo "slurm: stopped $name ($pid)"
done
[ "$stopped_any" = yes ] || echo "slurm: nothing running (state $STATE)"
awk -v a="$started_at" -v b="$(date +%s.%N)" 'BEGIN { printf "slurm: stop took %.1fs\n", b - a }'
