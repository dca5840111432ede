#!/usr/bin/env bash
# The cluster scripts for real: brings up a one-node Slurm cluster on this
# machine (munged, slurmctld and slurmd from Debian's munge and slurm-wlm, with
# their own configuration, state and ports under a temporary directory), runs
# scripts/slurm-sweep.sh on a 9-point grid in 3 shards, waits for the array
# and its merge job, and checks that the merged database equals the same sweep
# run locally (`lvsim export --no-host`, both tables). The same for
# scripts/parallel-sweep.sh with local job slots. Stops every daemon it
# started. Skips (exit 77) where it cannot run: not root, or no Slurm/munge.
#   tests/slurm_test.sh path/to/lvsim     (the lvsim the scripts use: build/lvsim)
set -u
lvsim=$1
here=$(cd "$(dirname "$0")/.." && pwd)
skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to start munged, slurmctld and slurmd"
for tool in munged slurmctld slurmd sbatch squeue parallel; do
  command -v "$tool" >/dev/null || skip "$tool not installed (apt-get install slurm-wlm munge parallel)"
done
[ -f /etc/munge/munge.key ] || skip "no /etc/munge/munge.key (the munge package creates it)"

tmp=$(mktemp -d)
chmod 755 "$tmp"
started_munged=""
cleanup() {
  local pids=()
  for pid_file in "$tmp/slurmd.pid" "$tmp/slurmctld.pid"; do
    [ -f "$pid_file" ] && pids+=("$(cat "$pid_file")")
  done
  [ -n "$started_munged" ] && pids+=($(pgrep -x munged))
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  for _ in $(seq 1 100); do  # until they are gone (they save state as they stop)
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.1
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
passes=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }
content() { "$lvsim" export "$1" --no-host && "$lvsim" export "$1" --table series --no-host; }

# munged needs /run/munge owned by the munge user.
if ! pgrep -x munged >/dev/null; then
  mkdir -p /run/munge && chown munge:munge /run/munge && chmod 755 /run/munge
  runuser -u munge -- munged || skip "munged would not start"
  started_munged=yes
fi
mkdir -p "$tmp/state" "$tmp/spool"
node=$(hostname)
cat >"$tmp/slurm.conf" <<CONF
ClusterName=lvsimtest
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -f "$SLURM_CONF" || skip "slurmctld would not start: $(tail -3 "$tmp/slurmctld.log")"
slurmd -f "$SLURM_CONF" || skip "slurmd would not start: $(tail -3 "$tmp/slurmd.log")"
for _ in $(seq 1 60); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o %t | grep -q idle || fail "the node never became idle: $(sinfo 2>&1)"

grid() {  # OUT_DIR: the grid, writing there
  cat <<INI
[workload]
images = 150
[fault]
preset = seed004
[weight_sram]
mitigation = zero
[controller]
images_per_stage = 50
[report]
out_dir = $1
[sweep]
fault.p = 0, 1e-4, 1e-3
refresh.interval_images = 0, 50, 100
INI
}
grid "$tmp/local" >"$tmp/local.ini"
grid "$tmp/slurm" >"$tmp/slurm.ini"
grid "$tmp/parallel" >"$tmp/parallel.ini"

"$lvsim" sweep --config "$tmp/local.ini" --quiet 2>"$tmp/err" || fail "local sweep: $(cat "$tmp/err")"
content "$tmp/local/sweep.db" >"$tmp/local.csv"

# Slurm: a 3-task array and its merge job.
(cd "$here" && scripts/slurm-sweep.sh "$tmp/slurm.ini" 3) >"$tmp/submit" 2>&1 ||
  fail "slurm-sweep.sh: $(cat "$tmp/submit")"
for _ in $(seq 1 600); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  # An array task that failed leaves the merge job waiting for ever: say so
  # now, with the tasks' logs, instead of after 10 minutes.
  if squeue -h -o %r 2>/dev/null | grep -q DependencyNeverSatisfied; then
    fail "an array task failed, the merge job can never run: $(squeue 2>&1; tail -5 "$tmp"/slurm/logs/*.log "$tmp"/slurmd.log 2>&1)"
    scancel --user="$(id -un)" 2>/dev/null || true
    break
  fi
  sleep 1
done
[ -z "$(squeue -h)" ] || fail "the Slurm jobs did not finish in 10 minutes: $(squeue)"
if [ -f "$tmp/slurm/sweep.db" ]; then
  content "$tmp/slurm/sweep.db" >"$tmp/slurm.csv"
  if cmp -s "$tmp/local.csv" "$tmp/slurm.csv"; then pass; else
    fail "Slurm's merged sweep differs from the local one"; diff "$tmp/local.csv" "$tmp/slurm.csv" | head; fi
  [ -s "$tmp/slurm/optimize.txt" ] && pass || fail "the merge job wrote no optimize.txt"
else
  fail "no merged database: $(cat "$tmp"/slurm/logs/*.log 2>/dev/null | tail -5)"
fi

# GNU parallel with local job slots.
(cd "$here" && scripts/parallel-sweep.sh "$tmp/parallel.ini" 3 :) >"$tmp/parallel.out" 2>&1 ||
  fail "parallel-sweep.sh: $(tail -5 "$tmp/parallel.out")"
content "$tmp/parallel/sweep.db" >"$tmp/parallel.csv" 2>/dev/null
if cmp -s "$tmp/local.csv" "$tmp/parallel.csv"; then pass; else
  fail "parallel-sweep.sh's merged sweep differs from the local one"; fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
