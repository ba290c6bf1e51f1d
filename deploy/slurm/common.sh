# Paths and pid-file helpers shared by start.sh and stop.sh (sourced, not run).

STATE="${CALFARM_SLURM_DIR:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.calfarm/slurm}"
ETC="$STATE/etc"
RUN="$STATE/run"
LOG="$STATE/log"
MUNGE_DIR="$STATE/munge"
# munged refuses a socket below a directory others cannot enter (such as /root), and socket
# paths are limited to ~100 bytes, so the socket lives in a short runtime directory named after
# the state directory (two state directories never share one).
if [ -w /run ]; then RUNTIME_BASE=/run; else RUNTIME_BASE=/tmp; fi
MUNGE_SOCKET_DIR="$RUNTIME_BASE/calfarm-munge-$(printf '%s' "$STATE" | cksum | cut -d' ' -f1)"
MUNGE_SOCKET="$MUNGE_SOCKET_DIR/munge.socket"
DB_DIR="$STATE/mariadb"
DB_SOCKET="$DB_DIR/mariadbd.sock"
SLURM_CONF="$ETC/slurm.conf"

# The daemons in start order; stop.sh walks them backwards.
DAEMONS=(munged mariadbd slurmdbd slurmctld slurmd)

fail() { echo "error: $*" >&2; exit 1; }

# daemon_pid NAME: prints the pid from NAME's pid file when that process is alive and really
# is NAME (a stale pid file may name a recycled pid belonging to something else).
daemon_pid() {
    local name="$1" pid comm
    [ -s "$RUN/$name.pid" ] || return 1
    pid="$(tr -dc '0-9' <"$RUN/$name.pid")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    [ "$comm" = "$name" ] || return 1
    echo "$pid"
}

daemon_alive() { daemon_pid "$1" >/dev/null; }

all_daemons_alive() {
    local d
    for d in "${DAEMONS[@]}"; do daemon_alive "$d" || return 1; done
}

any_daemon_alive() {
    local d
    for d in "${DAEMONS[@]}"; do daemon_alive "$d" && return 0; done
    return 1
}
