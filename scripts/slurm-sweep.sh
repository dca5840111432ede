#!/usr/bin/env bash
# Runs an lvsim sweep as a Slurm job array: task i of N runs shard i+1/N of the
# grid into its own database; a final job merges them and runs optimize.
#
#   scripts/slurm-sweep.sh configs/seed004_fault_curves.ini 8
#
# submits an 8-task array (one shard each, all cores of its node) and a merge
# job that waits for it (afterok). Results: <out_dir>/sweep.db (merged),
# <out_dir>/shards/shard-K.db, <out_dir>/optimize.txt. A failed or killed task
# is resumed by submitting the same command again: finished points are skipped.
# Extra sbatch options (partition, time limit) come from $SBATCH_OPTIONS.
set -euo pipefail
config=${1:?usage: scripts/slurm-sweep.sh CONFIG.ini SHARDS}
shards=${2:?usage: scripts/slurm-sweep.sh CONFIG.ini SHARDS}
here=$(cd "$(dirname "$0")/.." && pwd)
lvsim="$here/build/lvsim"
out=$(sed -n 's/^[[:space:]]*out_dir[[:space:]]*=[[:space:]]*//p' "$config" | tail -1)
out=${out:-results/sweep}
mkdir -p "$out/shards" "$out/logs"

# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_OPTIONS:-} --array=0-$((shards - 1)) \
  --job-name=lvsim-sweep --output="$out/logs/shard-%a.log" --wrap \
  "\"$lvsim\" sweep --config \"$config\" --shard \$((SLURM_ARRAY_TASK_ID + 1))/$shards \
   --db \"$out/shards/shard-\$((SLURM_ARRAY_TASK_ID + 1)).db\" --jobs \${SLURM_CPUS_ON_NODE:-0} --quiet")
# shellcheck disable=SC2086
sbatch ${SBATCH_OPTIONS:-} --dependency=afterok:"$array" --job-name=lvsim-merge \
  --output="$out/logs/merge.log" --wrap \
  "\"$lvsim\" merge --out \"$out/sweep.db\" \"$out\"/shards/shard-*.db && \
   \"$lvsim\" optimize \"$out/sweep.db\" > \"$out/optimize.txt\""
echo "submitted array $array ($shards shards) and its merge; results in $out"
