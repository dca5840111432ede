#!/usr/bin/env bash
# The command line as a user meets it: bad input gives one clear line on
# stderr, a non-zero exit and no output; good input gives a report; a pipe gets
# no progress line; a sweep resumes where it stopped.
#   tests/cli_test.sh path/to/lvsim
set -u
lvsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }

# expect_error NAME PATTERN ARGS...: exit 1, one stderr line matching PATTERN, no output dir.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  rm -rf "$tmp/out"
  "$lvsim" run --images 10 --out "$tmp/out" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/stderr")
  if [ "$rc" -ne 1 ]; then fail "$name: exit $rc, expected 1"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$name: $lines stderr lines, expected 1: $(cat "$tmp/stderr")"; return; fi
  if ! grep -q -- "$pattern" "$tmp/stderr"; then fail "$name: '$(cat "$tmp/stderr")' lacks '$pattern'"; return; fi
  if [ -e "$tmp/out" ]; then fail "$name: wrote $tmp/out despite the error"; return; fi
  pass
}

expect_error "negative voltage" "weight_sram.vdd_v" --set weight_sram.vdd_v=-1
expect_error "voltage above the model's range" "expected a voltage inside the range of the relative-vmin" --set weight_sram.vdd_v=4.9
expect_error "p above one" "fault.p = '2'" --set fault.model=constant --set fault.p=2
expect_error "unknown fault model" "expected one of constant gaussian-vmin log-linear relative-vmin table" --set fault.model=weibull
expect_error "unknown fault preset" "fault.preset = 'hbm': expected one of ibm-14nm" --set fault.preset=hbm
expect_error "unknown mitigation" "weight_sram.mitigation" --set weight_sram.mitigation=hamming
printf 'vdd_v,p\n0.5,1e-2\n0.6,oops\n' >"$tmp/bad.csv"
expect_error "malformed fault table" "bad.csv:3" --set fault.model=table --set "fault.table=$tmp/bad.csv"
# ONNX models: a truncated file, another format, an unsupported operator.
head -c 300 "$(dirname "$0")/fuzz/corpus/onnx/cnn_bn.onnx" >"$tmp/truncated.onnx"
expect_error "truncated ONNX" "truncated.onnx: not an ONNX model" --set "workload.network=$tmp/truncated.onnx"
expect_error "DRAM too small for the weights" "dram.capacity_mib = .8.: expected at least 13 MiB, what the network.s weights need" --set dram.capacity_mib=8
expect_error "SRAM without room for the stream buffers" "weight_sram.capacity_kib = .128.: expected more than the two stream buffers of dma.stream_tile_kib" --set weight_sram.capacity_kib=128
printf 'lvsim' >"$tmp/text.onnx"
expect_error "not ONNX" "text.onnx: " --set "workload.network=$tmp/text.onnx"
sed 's/Sigmoid/Sinewav/' "$(dirname "$0")/fuzz/corpus/onnx/graph_ops.onnx" >"$tmp/op.onnx"
expect_error "unsupported ONNX operator" "operator Sinewav not supported" --set "workload.network=$tmp/op.onnx"
printf '[mac_array]\nrowz = 4\n' >"$tmp/bad.ini"
expect_error "unknown key in a config file" "bad.ini: unrecognised option 'mac_array.rowz'" --config "$tmp/bad.ini"
expect_error "missing data" "no mnist test set found" --data-dir "$tmp/nowhere"
expect_error "unknown --set key" "unknown key 'sram.vdd'" --set sram.vdd=0.5
# Memory-model plug-ins: the example one runs; broken ones are one line each.
plugins=$(dirname "$lvsim")
expect_error "missing plug-in" "fault.plugin = '$tmp/none.so': expected a shared library" \
  --set "fault.plugin=$tmp/none.so"
expect_error "plug-in of another version" "expected a plug-in of interface version 1, not 2" \
  --set "fault.plugin=$plugins/libflawed_plugin_1.so"
expect_error "plug-in without the symbol" "exporting the function lvsim_memory_model" \
  --set "fault.plugin=$plugins/libflawed_plugin_2.so"
expect_error "plug-in giving p > 1" "upset_probability(0.5 V) = 1.5, expected a probability in" \
  --set "fault.plugin=$plugins/libflawed_plugin_3.so" --set weight_sram.vdd_v=0.5
expect_error "plug-in function that throws" \
  "fault.plugin $plugins/libflawed_plugin_4.so: upset_probability(0.5 V) threw 'no calibration below 0.55 V'; expected it to return a value" \
  --set "fault.plugin=$plugins/libflawed_plugin_4.so" --set weight_sram.vdd_v=0.5
# A fault table beside a plug-in would never be read (the plug-in replaces fault.model).
expect_error "fault table beside a plug-in" \
  "fault.table = '$tmp/bad.csv': expected empty when fault.plugin is set (the plug-in replaces" \
  --set "fault.plugin=$plugins/libexample_memory_model.so" --set "fault.table=$tmp/bad.csv"
# .npy files given while the dataset is not npy would never be read.
expect_error "npy images without the npy dataset" \
  "workload.npy_images = '$tmp/x.npy': expected empty unless workload.dataset = npy (it is mnist" \
  --set "workload.npy_images=$tmp/x.npy"
expect_error "npy labels without the npy dataset" \
  "workload.npy_labels = '$tmp/y.npy': expected empty unless workload.dataset = npy" \
  --set workload.dataset=fashion-mnist --set "workload.npy_labels=$tmp/y.npy"
# Config files as editors write them: a UTF-8 byte-order mark is skipped (it
# once made an invisible "invalid line '[mac_array]'"); a NUL, which once cut
# the message quoting its line, is refused by line number, escaped.
printf '\xef\xbb\xbf[mac_array]\nrowz = 4\n' >"$tmp/bom.ini"
expect_error "config with a byte-order mark" "bom.ini: unrecognised option 'mac_array.rowz'" \
  --config "$tmp/bom.ini"
printf '[mac_array]\nro\0ws = 4\n' >"$tmp/nul.ini"
expect_error "config with a NUL byte" \
  'nul.ini:2: control character \\x00 in .ro\\x00ws = 4.; expected a text INI file' \
  --config "$tmp/nul.ini"
expect_error "a --set value with a newline" 'fault.model = .con\\x0astant.: expected one of' \
  --set "fault.model=$(printf 'con\nstant')"
# Input files that are not regular files, or cannot be followed, are named as such.
ln -s loop "$tmp/loop"
expect_error "weights file a link loop" \
  "$tmp/loop: cannot open the weights file (Too many levels of symbolic links)" \
  --set "workload.network=$tmp/loop"
expect_error "data directory a link loop" \
  "$tmp/loop/t10k-images-idx3-ubyte: cannot open the IDX file (Too many levels of symbolic links)" \
  --data-dir "$tmp/loop"
mkdir "$tmp/idx"
printf 'labels' >"$tmp/idx/t10k-labels-idx1-ubyte"
mkfifo "$tmp/idx/t10k-images-idx3-ubyte"
expect_error "IDX images a FIFO" \
  "$tmp/idx/t10k-images-idx3-ubyte: the IDX file is not a regular file" --data-dir "$tmp/idx"
rm "$tmp/idx/t10k-images-idx3-ubyte"
ln -s /dev/zero "$tmp/idx/t10k-images-idx3-ubyte"
expect_error "IDX images a link to a device" \
  "$tmp/idx/t10k-images-idx3-ubyte: the IDX file is not a regular file" --data-dir "$tmp/idx"
expect_error "npy images a directory" "$tmp/idx: the .npy file is not a regular file" \
  --set workload.dataset=npy --set "workload.npy_images=$tmp/idx" \
  --set "workload.npy_labels=$tmp/idx"
if "$lvsim" run --images 32 --out "$tmp/plugin" --set weight_sram.vdd_v=0.55 \
  --set "fault.plugin=$plugins/libexample_memory_model.so" >"$tmp/stdout" 2>"$tmp/stderr" &&
  grep -q '"plugin": ".*libexample_memory_model.so"' "$tmp/plugin/report.json" &&
  grep -q '^faults       plugin .*libexample_memory_model.so: weak cells' "$tmp/stdout"; then
  pass
else
  fail "run with the example plug-in: $(cat "$tmp/stderr")"
fi

# A good run: report and curve, and no progress characters in a pipe.
if "$lvsim" run --images 48 --out "$tmp/good" --set fault.preset=seed004 --set fault.p=1e-5 \
     >"$tmp/stdout" 2>"$tmp/stderr" &&
   [ -s "$tmp/good/report.json" ] && [ -s "$tmp/good/curve.csv" ] &&
   grep -q '"accuracy"' "$tmp/good/report.json" && grep -q '^accuracy ' "$tmp/stdout"; then
  pass
else
  fail "good run: $(cat "$tmp/stderr")"
fi
if grep -q $'\r' "$tmp/stdout" "$tmp/stderr"; then fail "progress line written into a pipe"; else pass; fi

# A run's files (curve.csv, report.json) are one unit. Under a file-size limit
# lvsim once died of SIGXFSZ, leaving a new curve.csv beside the old report
# and a partial report.json.tmp: now one line naming the file and the reason,
# and the earlier run's files as they were, no new or partial file.
listing() { (cd "$1" && ls -A && sha256sum ./*); }
"$lvsim" run --images 16 --out "$tmp/unit" --quiet 2>"$tmp/stderr" ||
  fail "run into $tmp/unit: $(cat "$tmp/stderr")"
printf '<html>a page of this run</html>\n' >"$tmp/unit/report.html"
before=$(listing "$tmp/unit")
(ulimit -f 1; "$lvsim" run --images 16 --out "$tmp/unit" --set sim.seed=2 --quiet) 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] &&
   grep -q "$tmp/unit/report.json: cannot write (File too large); expected room for the run's files" \
     "$tmp/stderr" && [ "$(listing "$tmp/unit")" = "$before" ]; then pass; else
  fail "run under ulimit -f 1: exit $rc, '$(cat "$tmp/stderr")', left: $(ls -A "$tmp/unit")"; fi
(ulimit -f 1; "$lvsim" run --images 16 --out "$tmp/fresh" --quiet) 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/fresh" ]; then pass; else
  fail "run under ulimit -f 1 into a new directory: exit $rc, left: $(ls -A "$tmp/fresh" 2>&1)"; fi
# A rerun replaces the report and removes the page (`lvsim report`'s) of the
# earlier one, which would no longer match it.
if "$lvsim" run --images 16 --out "$tmp/unit" --set sim.seed=2 --quiet 2>"$tmp/stderr" &&
   [ ! -e "$tmp/unit/report.html" ] && [ "$(listing "$tmp/unit")" != "$before" ] &&
   [ "$(ls -A "$tmp/unit" | tr '\n' ' ')" = "curve.csv report.json " ]; then pass; else
  fail "rerun into $tmp/unit: $(cat "$tmp/stderr"), left: $(ls -A "$tmp/unit")"; fi
# An --out lvsim cannot write is refused before the run (once only after it):
# a run of 10,000 images that would take minutes ends at once.
printf 'x' >"$tmp/regular"
for out in /dev/full "$tmp/regular" "$tmp/loop" "$tmp/regular/sub"; do
  start=$(date +%s)
  timeout 60 "$lvsim" run --images 10000 --trials 8 --out "$out" >/dev/null 2>"$tmp/stderr"
  rc=$?
  if [ "$rc" -eq 1 ] && [ $(($(date +%s) - start)) -lt 10 ] &&
     [ "$(wc -l <"$tmp/stderr")" -eq 1 ] &&
     grep -q "report.out_dir = '$out': expected a directory lvsim can create and write report.json and curve.csv in (--out DIR); " \
       "$tmp/stderr" && [ -c /dev/full ] && [ "$(cat "$tmp/regular")" = x ]; then pass; else
    fail "--out $out: exit $rc after $(($(date +%s) - start)) s, '$(cat "$tmp/stderr")'"; fi
done
grep -q "regular/sub': expected .*; cannot create it (Not a directory)" "$tmp/stderr" ||
  fail "--out under a regular file: '$(cat "$tmp/stderr")'"

# A shorthand flag that disagrees with a --set of the same key.
"$lvsim" run --images 10 --set workload.images=20 --out "$tmp/conflict" >/dev/null 2>"$tmp/stderr"
if [ $? -eq 1 ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] &&
   grep -q -- "--images 10 and --set workload.images=20 disagree" "$tmp/stderr" &&
   [ ! -e "$tmp/conflict" ]; then pass; else
  fail "--images against --set workload.images: $(cat "$tmp/stderr")"; fi

# A [sweep] value out of range is blamed on its file and sweep key (once on --set).
printf '[workload]\nimages = 16\n[sweep]\nfault.p = 0, 2\n' >"$tmp/range.ini"
"$lvsim" sweep --config "$tmp/range.ini" --out "$tmp/range" --quiet >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] &&
   grep -qF "$tmp/range.ini: sweep.fault.p = '2': expected a number in [0, 1]" "$tmp/stderr"; then
  pass; else fail "[sweep] value out of range: exit $rc, '$(cat "$tmp/stderr")'"; fi

# Sweep input errors: one line, exit 1.
printf '[workload]\nimages = 16\n[report]\nout_dir = %s\n[sweep]\nfault.p = 0, 1e-5\n' \
  "$tmp/sweep" >"$tmp/sweep.ini"
for bad in "--shard 4/3" "--shard x" "--jobs -1"; do
  # shellcheck disable=SC2086
  "$lvsim" sweep --config "$tmp/sweep.ini" $bad --quiet >/dev/null 2>"$tmp/stderr"
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] && [ ! -e "$tmp/sweep/sweep.db" ]; then
    pass
  else
    fail "sweep $bad: exit $rc, stderr '$(cat "$tmp/stderr")'"
  fi
done
"$lvsim" export "$tmp/none.db" >/dev/null 2>"$tmp/stderr"
if [ $? -eq 1 ] && grep -q "none.db: no such database" "$tmp/stderr"; then pass; else
  fail "export of a missing database: $(cat "$tmp/stderr")"; fi
printf 'not a database' >"$tmp/junk.db"
"$lvsim" optimize "$tmp/junk.db" >/dev/null 2>"$tmp/stderr"
if [ $? -eq 1 ] && grep -q "junk.db" "$tmp/stderr"; then pass; else
  fail "optimize of a junk file: $(cat "$tmp/stderr")"; fi

# Databases lvsim refuses (another program's, a newer lvsim's) keep every byte:
# export, optimize and merge check them read-only before anything is written,
# and a refused merge leaves no --out behind.
/usr/bin/python3 - "$tmp" <<'PY'
import sqlite3, sys
for name, sql in [("foreign.db", "CREATE TABLE t (x); INSERT INTO t VALUES (1);"),
                  ("newer.db", "PRAGMA application_id = 1819702125; PRAGMA user_version = 99;"
                               "CREATE TABLE runs (config_hash TEXT PRIMARY KEY);")]:
    db = sqlite3.connect(f"{sys.argv[1]}/{name}")
    db.executescript(sql)
    db.close()
PY
for db in foreign newer; do
  sum=$(sha256sum <"$tmp/$db.db")
  for command in "export $tmp/$db.db" "optimize $tmp/$db.db" "merge --out $tmp/merged.db $tmp/$db.db"; do
    # shellcheck disable=SC2086
    "$lvsim" $command >/dev/null 2>"$tmp/stderr"
    rc=$?
    if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] && grep -q "$db.db: " "$tmp/stderr" &&
       [ "$(sha256sum <"$tmp/$db.db")" = "$sum" ] && [ ! -e "$tmp/merged.db" ]; then pass; else
      fail "$command: exit $rc, '$(cat "$tmp/stderr")', the file changed or merged.db was left"; fi
  done
done
# A sweep's database: merged into itself by another spelling of its path,
# refused at once (it once waited 60 s on its own lock); merged with a refused
# input, left as it was, and a new --out not created.
"$lvsim" sweep --config "$tmp/sweep.ini" --quiet >/dev/null 2>"$tmp/stderr" ||
  fail "sweep: $(cat "$tmp/stderr")"
# A report page of the sweep is kept while the database is unchanged, removed
# once points are added; an export to a FIFO is refused and the FIFO kept.
printf '<html>' >"$tmp/sweep/report.html"
"$lvsim" sweep --config "$tmp/sweep.ini" --quiet >/dev/null 2>"$tmp/stderr" &&
  [ -e "$tmp/sweep/report.html" ] || fail "sweep with nothing to run: $(cat "$tmp/stderr")"
if "$lvsim" sweep --config "$tmp/sweep.ini" --set sim.seed=2 --quiet >/dev/null 2>"$tmp/stderr" &&
   [ ! -e "$tmp/sweep/report.html" ] && [ -s "$tmp/sweep/summary.csv" ]; then pass; else
  fail "sweep adding points beside a report page: $(cat "$tmp/stderr")"; fi
mkfifo "$tmp/fifo"
"$lvsim" export "$tmp/sweep/sweep.db" --out "$tmp/fifo" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "$tmp/fifo: is not a regular file" "$tmp/stderr" &&
   [ -p "$tmp/fifo" ]; then pass; else fail "export to a FIFO: exit $rc, '$(cat "$tmp/stderr")'"; fi
sum=$(sha256sum <"$tmp/sweep/sweep.db")
start=$(date +%s)
timeout 30 "$lvsim" merge --out "$tmp/sweep/sweep.db" "$tmp/sweep/./sweep.db" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 1 ] && [ $(($(date +%s) - start)) -lt 10 ] &&
   grep -q "is the input $tmp/sweep/./sweep.db; expected an output database other than the inputs" \
     "$tmp/stderr"; then pass; else
  fail "merge --out A A: exit $rc, '$(cat "$tmp/stderr")'"; fi
for command in "--out $tmp/sweep/sweep.db $tmp/foreign.db" \
               "--out $tmp/merged.db $tmp/sweep/sweep.db $tmp/foreign.db"; do
  # shellcheck disable=SC2086
  "$lvsim" merge $command >/dev/null 2>"$tmp/stderr"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q "foreign.db: not an lvsim results database" "$tmp/stderr" &&
     [ "$(sha256sum <"$tmp/sweep/sweep.db")" = "$sum" ] && [ ! -e "$tmp/merged.db" ]; then pass; else
    fail "merge $command: exit $rc, '$(cat "$tmp/stderr")'"; fi
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
