#!/usr/bin/env bash
# Runs an lvsim sweep over several hosts with GNU parallel (Debian `parallel`):
# one shard per host slot, each into its own database, then merges them here.
#
#   scripts/parallel-sweep.sh configs/seed004_fault_curves.ini 4 host1,host2
#   scripts/parallel-sweep.sh configs/seed004_fault_curves.ini 2 :      # this machine only
#
# Every host needs the same checkout at the same path (shared file system, or
# rsync it first), built, and MNIST under $LVSIM_DATA_DIR or data/mnist. The
# shard databases are written on a shared path, or fetched back with
# parallel's --return (used here). Running the same command again resumes.
set -euo pipefail
config=${1:?usage: scripts/parallel-sweep.sh CONFIG.ini SHARDS HOSTS}
shards=${2:?usage: scripts/parallel-sweep.sh CONFIG.ini SHARDS HOSTS}
hosts=${3:-:}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(sed -n 's/^[[:space:]]*out_dir[[:space:]]*=[[:space:]]*//p' "$config" | tail -1)
out=${out:-results/sweep}
mkdir -p "$out/shards"
cd "$here"
parallel --will-cite -S "$hosts" --workdir "$here" --return "$out/shards/shard-{}.db" \
  build/lvsim sweep --config "$config" --shard {}/"$shards" --db "$out/shards/shard-{}.db" \
  --quiet ::: $(seq 1 "$shards")
build/lvsim merge --out "$out/sweep.db" "$out"/shards/shard-*.db
build/lvsim optimize "$out/sweep.db"
