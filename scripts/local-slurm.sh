#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests and for trying `--submit slurm` by hand:
# munged, slurmctld and slurmd as root, without systemd, every file under one folder.
#
#   scripts/local-slurm.sh start DIR   # installs the packages if missing, starts, waits until the node is idle
#   scripts/local-slurm.sh stop DIR    # stops what `start DIR` started
#
# After `start`, `export SLURM_CONF=DIR/slurm.conf` points sbatch, squeue and sacct at it.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop_pidfile() {
    local file=$1
    [ -f "$file" ] || return 0
    local pid
    pid=$(cat "$file")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

if [ "$action" = stop ]; then
    stop_pidfile "$dir/slurmd.pid"
    stop_pidfile "$dir/slurmctld.pid"
    stop_pidfile "$dir/munged.pid"
    exit 0
fi
if [ "$action" != start ]; then
    echo "error: unknown action '$action' (start or stop)" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "error: a local Slurm cluster runs its daemons as root; run this as root" >&2
    exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STUDIO_WITH_SLURM=1 bash "$here/install-system-packages.sh"

host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"

# munge: its own key and socket, so that a system munged (if any) is left alone.
if [ ! -f "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
fi
chmod 400 "$dir/munge/munge.key"
socket="$dir/munge/munge.socket"
munged --force --key-file="$dir/munge/munge.key" --socket="$socket" --pid-file="$dir/munged.pid" \
    --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed" </dev/null >>"$dir/daemons.out" 2>&1

# Two free TCP ports for slurmctld and slurmd, so that several such clusters (a test's beside a
# long experiment's) run side by side; a restart of the same folder keeps its ports.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -f "$dir/ports" ]; then
    read -r controller_port node_port < "$dir/ports"
else
    controller_port=6817
    while port_in_use "$controller_port" || port_in_use "$((controller_port + 1))"; do
        controller_port=$((controller_port + 2))
    done
    node_port=$((controller_port + 1))
    echo "$controller_port $node_port" > "$dir/ports"
fi

cat > "$dir/slurm.conf" <<EOF
# Written by scripts/local-slurm.sh: a one-node cluster on $host.
ClusterName=studio
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmctldPort=$controller_port
SlurmdPort=$node_port
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=studio Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"

stop_pidfile "$dir/slurmd.pid"
stop_pidfile "$dir/slurmctld.pid"
# The daemons get no descriptor of the caller's, so that a caller reading this script's output to
# its end is not kept waiting by them.
slurmctld -f "$SLURM_CONF" -i </dev/null >>"$dir/daemons.out" 2>&1
slurmd -f "$SLURM_CONF" </dev/null >>"$dir/daemons.out" 2>&1

for _ in $(seq 1 60); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -q '^idle'; then
        echo "slurm: node $host idle ($cpus CPUs); export SLURM_CONF=$SLURM_CONF"
        exit 0
    fi
    sleep 0.5
done
echo "error: the local Slurm node did not come up within 30 s; see $dir/slurmctld.log and $dir/slurmd.log" >&2
sinfo -N >&2 || true
exit 1
