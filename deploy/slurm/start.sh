#!/usr/bin/env bash
# Starts a private single-node SLURM cluster for development and CI, from Debian packages.
#
# Usage: deploy/slurm/start.sh          (stop it again with deploy/slurm/stop.sh)
#
# Environment (all optional):
#   CALFARM_SLURM_DIR      state directory (config, logs, pids, DB); default $HOME/.calfarm/slurm.
#                          Never inside the repository.
#   CALFARM_SLURM_CPUS     CPUs the node advertises (default 16; oversubscribes the real cores so
#                          several tasks run at once).
#   CALFARM_SLURM_DB_PORT  port of the private MariaDB on 127.0.0.1 (default 3307).
#   CALFARM_SLURM_PORT_BASE  slurmctld port; slurmd and slurmdbd use the next two (default 6817).
#
# What it runs, each with its own pid file under the state directory, addresses on 127.0.0.1:
# munged (own key and socket), mariadbd (own datadir/socket/port), slurmdbd, slurmctld, slurmd.
# Accounting goes through slurmdbd, so `sacct` works. No systemd, no cgroups.
#
# Clients find the configuration through <state>/env.sh (exports SLURM_CONF); when run as root
# this script also points /etc/slurm/slurm.conf at the private config with a symlink, so
# sbatch/squeue/sacct work without any environment. An existing regular file there is kept as
# /etc/slurm/slurm.conf.calfarm-backup.
#
# Idempotent: when every daemon is alive and `sinfo` answers, it does nothing. It returns once
# the node is idle and `sacct` answers; on failure it names the daemon and prints its log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib/apt.sh
. "$here/../lib/apt.sh"
# shellcheck source=common.sh
. "$here/common.sh"

started_at=$(date +%s.%N)
elapsed() { awk -v a="$started_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

case "$(realpath -m "$STATE")/" in
    "$repo"/*) fail "CALFARM_SLURM_DIR ($STATE) is inside the repository; choose a path outside it" ;;
esac

# --- packages -----------------------------------------------------------------------------
apt_install_missing slurmctld slurmd slurm-client munge slurmdbd mariadb-server

host="$(hostname -s)"
cpus="${CALFARM_SLURM_CPUS:-16}"
db_port="${CALFARM_SLURM_DB_PORT:-3307}"
port_base="${CALFARM_SLURM_PORT_BASE:-6817}"
ctld_port="$port_base"
slurmd_port=$((port_base + 1))
dbd_port=$((port_base + 2))
# Real memory from slurmd -C (config_overrides would accept any value; the real one keeps
# memory requests honest).
real_mem="$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n1)"
real_mem="${real_mem:-1024}"

mkdir -p "$STATE" "$ETC" "$RUN" "$LOG" "$STATE/ctld" "$STATE/spool" "$MUNGE_DIR" "$DB_DIR" \
    "$MUNGE_SOCKET_DIR"
chmod 0700 "$MUNGE_DIR" "$DB_DIR"   # the munge key and the database stay private
chmod 0755 "$MUNGE_SOCKET_DIR"      # munged insists on a 0755 socket directory

# write_if_changed FILE MODE: replaces FILE with stdin only when the content differs (and then
# sets config_changed), so running daemons keep a config that is still current.
config_changed=no
write_if_changed() {
    local file="$1" mode="$2" tmp
    tmp="$(mktemp "$file.XXXXXX")"
    cat >"$tmp"
    chmod "$mode" "$tmp"
    if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$file"
        config_changed=yes
    fi
}

# --- configuration ------------------------------------------------------------------------
db_pass_file="$ETC/db-password"
if [ ! -s "$db_pass_file" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$db_pass_file")
fi
db_pass="$(cat "$db_pass_file")"

write_if_changed "$SLURM_CONF" 0644 <<CONF
# Private single-node cluster written by deploy/slurm/start.sh; edits are overwritten.
ClusterName=calfarm
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET,cred_expire=10
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
# No cgroups on these machines.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Fast scheduling so tests do not wait for the default intervals.
SchedulerParameters=batch_sched_delay=0,bf_interval=2,sched_interval=10
# Lets the node advertise more CPUs than the machine has without being drained.
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
MinJobAge=300
MaxArraySize=1001
MaxJobCount=20000
InactiveLimit=0
# No mail on this box; the default MailProg does not exist.
MailProg=/bin/true
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG/jobcomp.txt
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$dbd_port
AccountingStoragePass=$MUNGE_SOCKET
JobAcctGatherType=jobacct_gather/linux
# Keep job comments in the accounting DB: CalFarm puts its idempotency token there.
AccountingStoreFlags=job_comment
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

write_if_changed "$ETC/slurmdbd.conf" 0600 <<CONF
# Written by deploy/slurm/start.sh; edits are overwritten.
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
DbdAddr=127.0.0.1
DbdHost=$host
DbdPort=$dbd_port
SlurmUser=root
PidFile=$RUN/slurmdbd.pid
LogFile=$LOG/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=$db_pass
StorageLoc=slurm_acct_db
CONF

write_if_changed "$STATE/env.sh" 0644 <<ENV
# Source this to point SLURM clients at the private CalFarm cluster.
export SLURM_CONF="$SLURM_CONF"
ENV

if [ "$(id -u)" -eq 0 ]; then
    mkdir -p /etc/slurm
    if [ -f /etc/slurm/slurm.conf ] && [ ! -L /etc/slurm/slurm.conf ]; then
        mv -f /etc/slurm/slurm.conf /etc/slurm/slurm.conf.calfarm-backup
        echo "slurm: moved the existing /etc/slurm/slurm.conf to slurm.conf.calfarm-backup"
    fi
    ln -sfn "$SLURM_CONF" /etc/slurm/slurm.conf
fi

# --- already running? ---------------------------------------------------------------------
if [ "$config_changed" = no ] && all_daemons_alive && sinfo -h >/dev/null 2>&1; then
    echo "slurm: already running (state $STATE); nothing to do"
    exit 0
fi
if [ "$config_changed" = yes ] && any_daemon_alive; then
    echo "slurm: configuration changed; restarting the daemons"
    bash "$here/stop.sh"
fi

# --- daemons ------------------------------------------------------------------------------
export SLURM_CONF   # slurmdbd finds slurmdbd.conf beside it

# wait_for WHAT SECONDS CMD...: polls CMD every 0.2 s.
wait_for() {
    local what="$1" limit="$2"; shift 2
    local deadline=$(( $(date +%s) + limit ))
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            daemon_failed "$what" "timed out after ${limit}s"
        fi
        sleep 0.2
    done
}

daemon_failed() {
    echo "error: $1: $2" >&2
    echo "logs are in $LOG:" >&2
    local f
    for f in "$LOG"/*.log; do
        [ -f "$f" ] || continue
        echo "---- last lines of $f" >&2
        tail -n 15 "$f" >&2
    done
    exit 1
}

if ! daemon_alive munged; then
    if [ ! -s "$MUNGE_DIR/munge.key" ]; then
        (umask 077; head -c 1024 /dev/urandom >"$MUNGE_DIR/munge.key")
    fi
    chmod 0600 "$MUNGE_DIR/munge.key"
    rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
    munged --socket="$MUNGE_SOCKET" --key-file="$MUNGE_DIR/munge.key" \
        --pid-file="$RUN/munged.pid" --log-file="$LOG/munged.log" \
        --seed-file="$MUNGE_DIR/munged.seed" \
        || daemon_failed munged "did not start"
    wait_for munged 10 sh -c "munge -S '$MUNGE_SOCKET' -n | unmunge -S '$MUNGE_SOCKET'"
fi

db_sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u root "$@"; }
if ! daemon_alive mariadbd; then
    if [ ! -d "$DB_DIR/data/mysql" ]; then
        echo "slurm: initialising the accounting database in $DB_DIR/data"
        mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$DB_DIR/data" \
            --auth-root-authentication-method=socket >"$LOG/mariadb-install.log" 2>&1 \
            || daemon_failed mariadb-install-db "failed (see $LOG/mariadb-install.log)"
    fi
    rm -f "$DB_SOCKET"
    # mariadbd stays in the foreground; setsid detaches it from this script's session.
    setsid mariadbd --no-defaults --user="$(id -un)" --datadir="$DB_DIR/data" \
        --bind-address=127.0.0.1 --port="$db_port" --socket="$DB_SOCKET" \
        --pid-file="$RUN/mariadbd.pid" --log-error="$LOG/mariadbd.log" --skip-name-resolve \
        --innodb-buffer-pool-size=64M --innodb-lock-wait-timeout=900 \
        </dev/null >>"$LOG/mariadbd.log" 2>&1 &
    wait_for mariadbd 60 db_sql -e 'SELECT 1'
fi
db_sql <<SQL || daemon_failed mariadbd "could not create the slurm database user"
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$db_pass';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$db_pass';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
SQL

if ! daemon_alive slurmdbd; then
    slurmdbd || daemon_failed slurmdbd "did not start"
    wait_for slurmdbd 30 sh -c "[ -s '$RUN/slurmdbd.pid' ] && kill -0 \$(cat '$RUN/slurmdbd.pid')"
    wait_for slurmdbd 30 sacctmgr -n show cluster
fi

if ! daemon_alive slurmctld; then
    slurmctld || daemon_failed slurmctld "did not start"
    wait_for slurmctld 30 scontrol ping
fi

if ! daemon_alive slurmd; then
    slurmd || daemon_failed slurmd "did not start"
fi

# A node left DRAIN/DOWN by an earlier run is put back into service.
node_state() { sinfo -h -n "$host" -o %t 2>/dev/null | head -n1; }
deadline=$(( $(date +%s) + 60 ))
while :; do
    state="$(node_state || true)"
    case "$state" in
        idle|mix|alloc) break ;;
        drain*|drng|down*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    [ "$(date +%s)" -lt "$deadline" ] || daemon_failed slurmd "node $host is '$state', not idle, after 60s"
    sleep 0.3
done
wait_for "slurmdbd (sacct)" 30 sacct -X -n -S now

echo "slurm: running (node $host with $cpus CPUs, partition debug) in $(elapsed)s"
echo "slurm: state $STATE, logs $LOG, config $SLURM_CONF"
[ "$(id -u)" -eq 0 ] || echo "slurm: not root: run '. $STATE/env.sh' before using the clients"
