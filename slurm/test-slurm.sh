#!/usr/bin/env bash
# make test-slurm: a one-node Slurm on this machine runs a small sweep as a
# 4-task job array (--array=1-4, so SLURM_ARRAY_TASK_MIN is 1, not 0), a merge
# job waits for it, and the merged records must be byte-identical to the same
# sweep run unsharded. Needs root: it installs Debian's slurm-wlm and munge
# if they are missing and starts munged (as the munge user), slurmctld and
# slurmd (as root) with a configuration, state and sockets of its own under a
# temp dir, on private ports. It stops every daemon it started, by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { echo "test-slurm: $*"; }

[ "$(id -u)" = 0 ] || { say "needs root (it installs packages and starts slurmctld, slurmd and munged)"; exit 2; }
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi
[ -s /etc/munge/munge.key ] || { say "creating /etc/munge/munge.key"; mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }

TMP=$(mktemp -d /tmp/omemu-slurm.XXXXXX)
chmod 755 "$TMP"
mkdir -p "$TMP/munge" "$TMP/state" "$TMP/spool" "$TMP/logs"
chown munge:munge "$TMP/munge"
chmod 755 "$TMP/munge"  # munged wants its socket directory searchable by all
PIDFILES=("$TMP/slurmd.pid" "$TMP/slurmctld.pid" "$TMP/munge/munged.pid")
ok=0
stop_all() {
  for f in "${PIDFILES[@]}"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  if [ "$ok" = 1 ] && [ -z "${KEEP:-}" ]; then rm -rf "$TMP"; else say "logs kept in $TMP"; fi
}
trap stop_all EXIT

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
HOST=$(hostname -s)
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
while [ "$SLURMD_PORT" = "$CTLD_PORT" ]; do SLURMD_PORT=$(free_port); done
NODE_LINE=$(slurmd -C | head -1)

setpriv --reuid=munge --regid=munge --init-groups munged \
  --socket="$TMP/munge/munge.socket" --pid-file="$TMP/munge/munged.pid" \
  --log-file="$TMP/munge/munged.log" --seed-file="$TMP/munge/munged.seed" --key-file=/etc/munge/munge.key

cat >"$TMP/slurm.conf" <<EOF
ClusterName=omemu-test
SlurmctldHost=$HOST
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$TMP/munge/munge.socket
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Schedule at once when a job is submitted or a dependency is met (the default main loop waits up to a minute).
SchedulerParameters=sched_interval=1,bf_interval=1,batch_sched_delay=0
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
$NODE_LINE State=UNKNOWN
PartitionName=omemu Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$TMP/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for i in $(seq 60); do
  state=$(sinfo -h -n "$HOST" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  [ "$i" = 60 ] && { say "the node never came up (state '$state'); see $TMP/slurmd.log"; exit 1; }
  sleep 1
done
say "one-node Slurm up on $HOST (slurmctld port $CTLD_PORT, slurmd port $SLURMD_PORT)"

# The sweep: 24 short runs (two programs, two sizes, every paper scheme, two seeds).
GRID=(--kernel seqtouch,stream --mib 1,2 --scheme paper --seeds 1..2)
ts=$(date +%s.%N)
node userland/cli/omemu.js sweep "${GRID[@]}" --out "$TMP/single" --workers 2 2>"$TMP/logs/single.err"
say "unsharded on this machine (2 workers): $(echo "$(date +%s.%N) - $ts" | bc) s"
t0=$(date +%s.%N)
jid=$(sbatch --parsable --array=1-4 --cpus-per-task=1 --chdir="$ROOT" --output="$TMP/logs/sweep-%A_%a.out" slurm/sweep.sbatch "${GRID[@]}" --out "$TMP/sharded")
say "submitted array job $jid (tasks 1-4)"
mid=$(sbatch --parsable --dependency=afterany:"$jid" --chdir="$ROOT" --output="$TMP/logs/merge-%j.out" slurm/merge.sbatch "$TMP/sharded")
# Wait for both (sbatch --wait would do, but it polls at growing intervals of up to half a minute).
for i in $(seq 1200); do
  [ -z "$(squeue -h -j "$jid,$mid" -o %i)" ] && break
  [ "$i" = 1200 ] && { say "the jobs did not end within 10 minutes"; squeue; exit 1; }
  sleep 0.5
done
t1=$(date +%s.%N)
scontrol -o show job "$mid" | grep -q 'JobState=COMPLETED.*ExitCode=0:0' || { say "the merge job failed:"; cat "$TMP"/logs/merge-*.out; exit 1; }
say "array and merge (job $mid) done in $(echo "$t1 - $t0" | bc) s from submission"
span() { scontrol -o show job "$1" | grep -o 'StartTime=[^ ]*\|EndTime=[^ ]*' | cut -d= -f2 | xargs -n1 date +%s -d | sort -n | sed -n '1p;$p' | paste -sd' ' | awk '{print $2 - $1}'; }
say "the 4 tasks ran from the first start to the last end in $(span "$jid") s (Slurm's clock, whole seconds); the merge job in $(span "$mid") s"

for t in 1 2 3 4; do
  log="$TMP/logs/sweep-${jid}_$t.out"
  shard=$((t - 1))
  grep -q "shard $shard/4 (SLURM_ARRAY_TASK_ID=$t, MIN=1, STEP=1, COUNT=4)" "$log" || { say "task $t did not run shard $shard/4:"; cat "$log"; exit 1; }
  grep -q "sweep: ran 6, reused 0 of 6" "$log" || { say "task $t did not run its 6 runs:"; cat "$log"; exit 1; }
done
say "each task ran its own shard (task ID - SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT)"
cmp "$TMP/sharded/merged.jsonl" "$TMP/single/runs.jsonl" || { say "merged records differ from the unsharded run's"; exit 1; }
cmp "$TMP/sharded/merged.csv" "$TMP/single/runs.csv" || { say "merged CSV differs from the unsharded run's"; exit 1; }
say "merged records ($(wc -l <"$TMP/single/runs.jsonl") runs) are byte-identical to the unsharded run's"
scontrol -o show job >"$TMP/logs/jobs.txt"
ok=1
