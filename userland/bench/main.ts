// make bench / make bench-quick: the paper's experiments as a sweep (its plan
// is the grid), then bench-out/ (results.json, CSVs, plots, REPORT.md) and a
// summary. Being a sweep, it resumes from bench-out/runs-full/ (or
// runs-quick/) and runs a shard with --shard I/N (make bench SHARD=I/N);
// --merge renders bench-out/ from the shards' records.
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { numberIn } from '../cli/usage.ts';
import type { RunResult } from '../experiment.ts';
import { ConfigError, config_hash, normalize } from '../sweep/config.ts';
import { expand_grid, type PlannedRun } from '../sweep/grid.ts';
import { merge_dirs } from '../sweep/merge.ts';
import { grid_text, type SweepRecord } from '../sweep/records.ts';
import { choose_shard } from '../sweep/shard.ts';
import { run_sweep } from '../sweep/sweep.ts';
import { bench_plan, config_of } from './plan.ts';
import { cluster_blocks, cluster_points, cluster_runs } from './cluster_fig.ts';
import { make_record, type BenchRecord } from './record.ts';
import { print_summary, write_bench_out, write_timing } from './output.ts';
import { relaunch_with_mmap_threshold } from '../malloc_env.ts';

// One emulation after another in each worker: keep glibc from holding on to their frames (malloc_env.ts).
await relaunch_with_mmap_threshold();

const cmd = new Command()
  .name('bench')
  .description("Reproduce the paper's Table 1 and Figures 5-11 in emulation and write bench-out/.")
  .option('--quick', 'every size at 1/8 (bench-quick)')
  .option('--scale <x>', 'every size times x (tests; --quick is 0.125)', numberIn('--scale', 1 / 4096, 1))
  .option('--out <dir>', 'output directory', 'bench-out')
  .option('--seed <n>', 'seed of every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
  .option('--workers <n>', 'worker threads (default: the number of cores)', numberIn('--workers', 1, 64, true))
  .option('--shard <I/N>', 'run only shard I of N of the plan (default: the Slurm array task, else all)')
  .option('--full', "the ablation of the model's changes too (make bench-full)")
  .option('--paper', "only the paper's figures")
  .option('--merge [dirs...]', 'run nothing: render bench-out/ from the records in these directories (default: the bench\'s own)')
  .parse();
const o = cmd.opts<{ quick?: boolean; scale?: number; out: string; seed: number; workers?: number; shard?: string; merge?: true | string[]; full?: boolean; paper?: boolean }>();
const scale = o.scale ?? (o.quick ? 1 / 8 : 1);
const t_start = performance.now();
// Other work on the machine slows the bench: the docs quote the load it started under.
const load_at_start = loadavg()[0]!;
const fail = (msg: string): never => {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
};

const plan = bench_plan(scale, o.full ? 'full' : o.paper ? 'paper' : 'bench');
// The paper's figures and the schemes, then the cluster figure's runs (not with --paper).
const cblocks = o.paper ? [] : cluster_blocks(scale, o.seed);
const grid: PlannedRun[] = expand_grid([...plan.map((j) => config_of(j, o.seed)), ...cblocks], 'the bench plan');
const runs_dir = join(o.out, scale === 1 ? 'runs-full' : scale === 1 / 8 ? 'runs-quick' : `runs-x${scale}`);
const nworkers = o.workers ?? availableParallelism();

/** The records of the whole plan: merged from shards, or run here (all of it, or one shard and stop). */
async function records_of_plan(): Promise<{ records: SweepRecord[]; how: string; ran: number; reused: number }> {
  if (o.merge) {
    const dirs = o.merge === true ? [runs_dir] : o.merge;
    const m = merge_dirs(dirs, (msg) => process.stderr.write(`bench: ${msg}\n`), { latest_split: true });
    if (grid_text(m.grid) !== grid_text(grid)) fail(`${dirs.join(', ')} hold another plan than this bench's (a different --seed, --quick or plan)`);
    return { records: m.records, how: `merged from ${m.files.length} shard files`, ran: 0, reused: 0 };
  }
  const shard = choose_shard(o.shard, process.env);
  if (shard.count > 1) process.stderr.write(`bench: shard ${shard.index}/${shard.count} (${shard.from})\n`);
  const res = await run_sweep(grid, {
    out: runs_dir,
    shard,
    workers: nworkers,
    name: 'bench',
    on_stale: 'restart',
    line: ({ config: c }, r) => {
      if (c.kind === 'cluster') return `cluster ${c.nodes} nodes ${c.scheme} balancer ${c.balancer} threshold ${c.balance_threshold}: mean slowdown ${(r as { mean_slowdown: number }).mean_slowdown}`;
      const ws = c.working_set !== null ? `/${c.working_set}` : '';
      return `${c.kernel} ${c.mib}${ws} MB ${c.scheme} ${c.bandwidth ?? c.profile}: runtime ${(r as RunResult).runtime_s.toFixed(2)} s`;
    },
  });
  if (shard.count > 1) {
    const merge = `make bench${o.quick ? '-quick' : ''}-merge`;
    process.stderr.write(`bench: shard ${shard.index}/${shard.count}: ${res.records.length} runs in ${res.file}; when every shard is done: ${merge}\n`);
    process.exit(0);
  }
  if (res.ran === 0) return { records: res.records, how: `all ${res.reused} runs reused from ${runs_dir}`, ran: 0, reused: res.reused };
  const reused = res.reused > 0 ? `, ${res.reused} runs reused from ${runs_dir}` : '';
  return { records: res.records, how: `${Math.min(nworkers, res.ran)} workers${reused}`, ran: res.ran, reused: res.reused };
}

let got: Awaited<ReturnType<typeof records_of_plan>>;
try {
  got = await records_of_plan();
} catch (e) {
  if (e instanceof ConfigError) fail(e.message);
  throw e;
}
// The plan's runs are of kind 'migration'; the cluster figure's of kind 'cluster'.
const results = new Map<string, RunResult>(got.records.map((r) => [r.hash, r.result as RunResult]));
const cluster = cblocks.length > 0 ? cluster_points(cluster_runs(scale, o.seed), results) : [];
const runs: BenchRecord[] = plan.map((j) => make_record(j, results.get(config_hash(normalize(config_of(j, o.seed))))!));
const wall_s = (performance.now() - t_start) / 1000;
const checks = await write_bench_out(o.out, runs, { seed: o.seed, scale, wall_s: o.merge ? null : wall_s, how: got.how }, cluster);
print_summary(runs, checks, { out: o.out, quick: !!o.quick });
const rss_MB = process.resourceUsage().maxRSS / 1024;
if (o.merge) console.log(`merged and rendered in ${((performance.now() - t_start) / 1000).toFixed(1)} s, peak RSS ${rss_MB.toFixed(0)} MB`);
else {
  const per = (rss_MB / nworkers).toFixed(0);
  const line = `wall time ${wall_s.toFixed(1)} s, peak RSS ${rss_MB.toFixed(0)} MB for the process with ${nworkers} workers (${per} MB a worker)`;
  console.log(line);
  // What the docs quote as the bench's cost: only a run of the whole plan from nothing says it.
  if (got.ran > 0 && got.reused === 0) write_timing(o.out, { line, wall_s, rss_MB, workers: nworkers, runs: got.ran, scale, load_at_start });
}
const unverified = runs.filter((r) => !r.verified).length + cluster.filter((p) => !p.verified).length;
if (unverified > 0) {
  console.error(`bench: ${unverified} runs were not verified (see REPORT.md)`);
  process.exitCode = 1;
}
