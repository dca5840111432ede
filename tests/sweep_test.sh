#!/usr/bin/env bash
# Sweeps as a cluster user meets them, checked on their database content:
#  1. an uninterrupted sweep on 2 workers is the reference;
#  2. a sweep whose whole worker pool is SIGKILLed mid-run, then run again,
#     gives exactly the reference's content;
#  3. three shards run by GNU parallel (loopback only) and merged give exactly
#     the reference's content;
#  4. optimize answers from it;
#  5. two sweeps of one grid writing one database at once store each point once;
#  6. a sweep without room to write fails with one line and keeps what was stored.
# Content = `lvsim export --no-host` of both tables (host wall-clock columns
# are the only thing allowed to differ).
#   tests/sweep_test.sh path/to/lvsim
set -u
lvsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }
content() { "$lvsim" export "$1" --no-host && "$lvsim" export "$1" --table series --no-host; }

cat >"$tmp/grid.ini" <<'INI'
[workload]
images = 150
[fault]
preset = seed004
[weight_sram]
mitigation = zero
[controller]
images_per_stage = 50
[sweep]
fault.p = 0, 1e-4, 1e-3
refresh.interval_images = 0, 50, 100
INI

# 1. The reference.
"$lvsim" sweep --config "$tmp/grid.ini" --out "$tmp/ref" --jobs 2 --quiet 2>"$tmp/err" ||
  fail "reference sweep: $(cat "$tmp/err")"
content "$tmp/ref/sweep.db" >"$tmp/ref.csv"
if [ "$(grep -c ',done,' "$tmp/ref.csv")" -eq 9 ]; then pass; else fail "reference has not 9 runs"; fi

# 2. Kill the whole pool (parent and workers) once some points are stored.
setsid "$lvsim" sweep --config "$tmp/grid.ini" --out "$tmp/killed" --jobs 2 --quiet \
  >/dev/null 2>&1 &
leader=$!
done_rows=0
for _ in $(seq 1 600); do
  if [ -e "$tmp/killed/sweep.db" ]; then
    done_rows=$("$lvsim" export "$tmp/killed/sweep.db" 2>/dev/null | grep -c ',done,')
    [ "$done_rows" -ge 1 ] && break
  fi
  sleep 0.05
done
kill -KILL -- "-$leader" 2>/dev/null
wait "$leader" 2>/dev/null
left=$("$lvsim" export "$tmp/killed/sweep.db" | grep -c ',done,')
echo "killed with $left of 9 points stored"
if [ "$left" -ge 1 ] && [ "$left" -lt 9 ]; then pass; else
  fail "the kill did not land mid-sweep ($left of 9 stored)"; fi
"$lvsim" sweep --config "$tmp/grid.ini" --out "$tmp/killed" --jobs 2 --quiet 2>"$tmp/err" ||
  fail "resumed sweep: $(cat "$tmp/err")"
content "$tmp/killed/sweep.db" >"$tmp/killed.csv"
if cmp -s "$tmp/ref.csv" "$tmp/killed.csv"; then pass; else
  fail "killed + resumed differs from uninterrupted"; diff "$tmp/ref.csv" "$tmp/killed.csv" | head; fi

# 3. Shards with GNU parallel, merged.
if command -v parallel >/dev/null; then
  parallel --will-cite -j 3 "$lvsim" sweep --config "$tmp/grid.ini" --out "$tmp/shards" \
    --shard {}/3 --db "$tmp/shards/shard{}.db" --jobs 1 --threads 1 --quiet ::: 1 2 3 \
    2>"$tmp/err" || fail "sharded sweeps: $(cat "$tmp/err")"
  "$lvsim" merge --out "$tmp/merged.db" "$tmp"/shards/shard*.db >/dev/null 2>"$tmp/err" ||
    fail "merge: $(cat "$tmp/err")"
  content "$tmp/merged.db" >"$tmp/merged.csv"
  if cmp -s "$tmp/ref.csv" "$tmp/merged.csv"; then pass; else
    fail "merged shards differ from the unsharded sweep"; diff "$tmp/ref.csv" "$tmp/merged.csv" | head; fi
  # Merging again adds nothing.
  "$lvsim" merge --out "$tmp/merged.db" "$tmp/shards/shard1.db" >/dev/null
  content "$tmp/merged.db" >"$tmp/merged2.csv"
  if cmp -s "$tmp/merged.csv" "$tmp/merged2.csv"; then pass; else fail "merge is not idempotent"; fi
else
  fail "GNU parallel is not installed (scripts/setup installs it)"
fi

# A rerun of a finished sweep runs nothing.
"$lvsim" sweep --config "$tmp/grid.ini" --out "$tmp/ref" --jobs 2 >"$tmp/out" 2>&1
if grep -q "(9 already done, 0 run" "$tmp/out"; then pass; else fail "rerun: $(cat "$tmp/out")"; fi

# 5. Two sweeps of the same grid writing one database at once: no point lost
# or stored twice.
"$lvsim" sweep --config "$tmp/grid.ini" --out "$tmp/twice" --jobs 1 --quiet 2>"$tmp/err1" &
first=$!
"$lvsim" sweep --config "$tmp/grid.ini" --out "$tmp/twice" --jobs 1 --quiet 2>"$tmp/err2" ||
  fail "second concurrent sweep: $(cat "$tmp/err2")"
wait "$first" || fail "first concurrent sweep: $(cat "$tmp/err1")"
content "$tmp/twice/sweep.db" >"$tmp/twice.csv"
if cmp -s "$tmp/ref.csv" "$tmp/twice.csv"; then pass; else
  fail "two sweeps at once differ from one"; diff "$tmp/ref.csv" "$tmp/twice.csv" | head; fi

# 6. No room to write (a file-size limit; SIGXFSZ ignored so writes fail with
# EFBIG, as on a full disk): one clear line, and the points stored before intact.
cp -r "$tmp/ref" "$tmp/full"
sed 's/^fault.p = .*/fault.p = 0, 1e-4, 1e-3, 1e-2/' "$tmp/grid.ini" >"$tmp/more.ini"
(trap '' XFSZ; ulimit -f 20; "$lvsim" sweep --config "$tmp/more.ini" --out "$tmp/full" --jobs 1 \
  --quiet) >/dev/null 2>"$tmp/err"
rc=$?
content "$tmp/full/sweep.db" >"$tmp/full.csv"
if [ "$rc" -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
   grep -q "sweep.db: .*expected room to write the results" "$tmp/err" &&
   cmp -s "$tmp/ref.csv" "$tmp/full.csv"; then pass; else
  fail "sweep without room to write: exit $rc, '$(cat "$tmp/err")'"; fi

# 4. Optimize.
"$lvsim" optimize "$tmp/ref/sweep.db" >"$tmp/opt" 2>&1 || fail "optimize: $(cat "$tmp/opt")"
if grep -q "Operating point" "$tmp/opt" && grep -q "Pareto front" "$tmp/opt"; then pass; else
  fail "optimize output: $(cat "$tmp/opt")"; fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
