#!/usr/bin/env bash
# make sweep-scale: a sweep of about 10,000 small runs (4-8 MiB, the four HPCC
# kernels, every scheme, on nine networks, with and without loss, two
# seeds), cut into two shards that run side by side (one worker each: the
# two cores), each killed with SIGKILL several times at random moments and
# resumed, then merged. It checks that the merge holds every run once and
# that a random sample of its records is byte-identical to the same runs
# done unsharded in one go, and prints the runs per second per core (from
# the workers' CPU, and from the wall time). A one-off measurement for the
# docs (docs/sweeps-slurm.md), not part of make test or make bench: it takes
# about ten minutes of CPU a core, and the kills' waits. OUT=dir keeps its
# output there (default a temp dir, kept); KILLS=n kills per shard (default 4); SAMPLE=n records re-run (100);
# KILL_GAP=s the longest gap between kills (default 200, at least 20).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "sweep-scale: $*"; }
OMEMU=(node dist/omemu.js)
OUT=${OUT:-$(mktemp -d /tmp/omemu-sweep-scale.XXXXXX)}
KILLS=${KILLS:-4}
SAMPLE=${SAMPLE:-100}
KILL_GAP=${KILL_GAP:-200}
for v in KILLS SAMPLE KILL_GAP; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { say "$v must be a whole number, got '${!v}'"; exit 2; }
done
KILL_GAP_MIN=$((KILL_GAP < 20 ? KILL_GAP : 20))
GRID=(--kernel stream,dgemm,randomaccess,fft --mib 4,5,6,7,8 --scheme all
  --bandwidth 10,100,1000 --latency 0.06,2,20 --loss 0,0.001 --seeds 1..2)
# GRID_ARGS="..." replaces the grid (a smaller one to try the script).
[ -z "${GRID_ARGS:-}" ] || read -ra GRID <<<"$GRID_ARGS"
mkdir -p "$OUT"
rm -rf "$OUT/sweep" "$OUT/check"
runs=$("${OMEMU[@]}" sweep "${GRID[@]}" --list | grep -c "^\* ")
say "$runs runs in 2 shards, each killed $KILLS times and resumed; output in $OUT"

# A shard: run it, and resume it until it ends on its own.
declare -A PID
start() { SLURM_CPUS_PER_TASK=1 "${OMEMU[@]}" sweep "${GRID[@]}" --shard "$1/2" --out "$OUT/sweep" >>"$OUT/shard-$1.log" 2>&1 & PID[$1]=$!; }
t0=$(date +%s.%N)
start 0
start 1
# Kill each shard KILLS times, a random 20 to KILL_GAP s apart (bash's $RANDOM: host
# timing only; nothing simulated depends on it), restarting it at once.
for k in $(seq "$KILLS"); do
  kill -0 "${PID[0]}" 2>/dev/null || kill -0 "${PID[1]}" 2>/dev/null || break
  for s in 0 1; do
    sleep $((KILL_GAP_MIN + RANDOM % (KILL_GAP - KILL_GAP_MIN + 1)))
    if kill -0 "${PID[$s]}" 2>/dev/null; then
      kill -9 "${PID[$s]}" 2>/dev/null || true
      wait "${PID[$s]}" 2>/dev/null || true
      done_now=$(cat "$OUT/sweep/runs-$s-of-2.jsonl" 2>/dev/null | wc -l)
      say "killed shard $s (kill $k; $done_now records so far); resuming"
      start "$s"
    fi
  done
done
status=0
for s in 0 1; do wait "${PID[$s]}" || status=$?; done
t1=$(date +%s.%N)
# Exit 1 from a shard means a run did not verify; the merge says which.
[ "$status" -le 1 ] || { say "a shard failed (exit $status): see $OUT/shard-*.log"; exit 1; }
"${OMEMU[@]}" sweep merge "$OUT/sweep" --out "$OUT/merged.jsonl" >"$OUT/merge.log" 2>&1 || { cat "$OUT/merge.log"; exit 1; }
merged=$(wc -l <"$OUT/merged.jsonl")
[ "$merged" = "$runs" ] || { say "merged $merged records, the grid has $runs"; exit 1; }

# A random sample, run again unsharded in one go: each record byte-identical.
node -e '
const fs = require("fs");
const [merged, n, out] = process.argv.slice(1);
const lines = fs.readFileSync(merged, "utf8").trimEnd().split("\n");
const pick = new Set();
while (pick.size < Math.min(+n, lines.length)) pick.add(Math.floor(Math.random() * lines.length));
const chosen = [...pick].sort((a, b) => a - b).map((i) => lines[i]);
fs.writeFileSync(out + ".grid.json", JSON.stringify(chosen.map((l) => JSON.parse(l).config)));
fs.writeFileSync(out + ".expect", chosen.join("\n") + "\n");
' "$OUT/merged.jsonl" "$SAMPLE" "$OUT/sample"
SLURM_CPUS_PER_TASK=2 "${OMEMU[@]}" sweep --grid "$OUT/sample.grid.json" --out "$OUT/check" >"$OUT/check.log" 2>&1 || true
node -e '
const fs = require("fs");
const [expect, got] = process.argv.slice(1);
const want = fs.readFileSync(expect, "utf8").trimEnd().split("\n");
const have = new Map(fs.readFileSync(got, "utf8").trimEnd().split("\n").map((l) => [JSON.parse(l).hash, l]));
const bad = want.filter((l) => have.get(JSON.parse(l).hash) !== l);
if (bad.length) { console.log(`sweep-scale: ${bad.length} of ${want.length} sampled records differ from an unsharded run, e.g. ${JSON.parse(bad[0]).hash}`); process.exit(1); }
console.log(`sweep-scale: ${want.length} sampled records byte-identical to an unsharded run`);
' "$OUT/sample.expect" "$OUT/check/runs.jsonl"

# Runs per second per core: from the workers' CPU (the runs a kill cut short
# are not counted, they ran again) and from the wall time on two cores.
node -e '
const fs = require("fs");
const [dir, runs, wall] = process.argv.slice(1);
let cpu = 0, n = 0;
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".host.jsonl")))
  for (const l of fs.readFileSync(dir + "/" + f, "utf8").trimEnd().split("\n")) { if (!l) continue; cpu += JSON.parse(l).cpu_s; n++; }
console.log(`sweep-scale: ${runs} runs, ${n} with a recorded cost: ${cpu.toFixed(0)} s of worker CPU, ${(n / cpu).toFixed(1)} runs a CPU-second; wall ${(+wall).toFixed(0)} s on 2 cores with the kills, ${(runs / wall / 2).toFixed(1)} runs a second a core`);
' "$OUT/sweep" "$runs" "$(echo "$t1 - $t0" | bc)"
