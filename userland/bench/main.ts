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
import { host_path_of, read_host, thread_cpu_s, type HostCost } from '../sweep/host_cost.ts';
import { merge_dirs } from '../sweep/merge.ts';
import { grid_text, type SweepRecord } from '../sweep/records.ts';
import { choose_shard } from '../sweep/shard.ts';
import { run_sweep } from '../sweep/sweep.ts';
import { bench_plan, config_of } from './plan.ts';
import { cluster_blocks, cluster_points, cluster_runs } from './cluster_fig.ts';
import { make_record, type BenchRecord } from './record.ts';
import { groups_of, host_summary, host_table, top_lines } from './host_time.ts';
import { print_summary, write_bench_out, write_timing } from './output.ts';
import { relaunch_tuned } from '../relaunch.ts';

// One emulation after another in each worker: keep glibc from holding on to
// their frames (malloc_env.ts), and V8 off the cores the workers need (v8_flags.ts).
await relaunch_tuned();

const cmd = new Command()
  .name('bench')
  .description("Reproduce the paper's Table 1 and Figures 5-11 in emulation and write bench-out/.")
  .option('--quick', 'every size at 1/8 (bench-quick)')
  .option('--scale <x>', 'every size times x (tests; --quick is 0.125)', numberIn('--scale', 1 / 4096, 1))
  .option('--out <dir>', 'output directory', 'bench-out')
  .option('--seed <n>', 'seed of every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
  .option('--workers <n>', 'worker threads (default: the number of cores)', numberIn('--workers', 1, 64, true))
  .option('--shard <I/N>', 'run only shard I of N of the plan (default: the Slurm array task, else all)')
  .option('--full', "the ablation of the model's changes, the other networks at the largest sizes and the question for 64-512 MiB processes too (make bench-full)")
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

const tier = o.full ? 'full' : o.paper ? 'paper' : 'bench';
const plan = bench_plan(scale, tier);
// The paper's figures and the schemes, then the cluster figure's runs (not with --paper).
const cblocks = cluster_blocks(scale, o.seed, tier);
const grid: PlannedRun[] = expand_grid([...plan.map((j) => config_of(j, o.seed)), ...cblocks], 'the bench plan');
const runs_dir = join(o.out, scale === 1 ? 'runs-full' : scale === 1 / 8 ? 'runs-quick' : `runs-x${scale}`);
const nworkers = o.workers ?? availableParallelism();

/** The records of the whole plan: merged from shards, or run here (all of it, or one shard and stop). */
async function records_of_plan(): Promise<{ records: SweepRecord[]; how: string; ran: number; reused: number; host: Map<string, HostCost> }> {
  if (o.merge) {
    const dirs = o.merge === true ? [runs_dir] : o.merge;
    const m = merge_dirs(dirs, (msg) => process.stderr.write(`bench: ${msg}\n`), { latest_split: true });
    if (grid_text(m.grid) !== grid_text(grid)) fail(`${dirs.join(', ')} hold another plan than this bench's (a different --seed, --quick or plan)`);
    // What the shards' runs cost, from their sidecars (of the records' build).
    const build = m.records[0]?.build ?? '';
    const host = new Map(m.files.flatMap((f) => [...read_host(host_path_of(f), build)]));
    return { records: m.records, how: `merged from ${m.files.length} shard files`, ran: 0, reused: 0, host };
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
  if (res.ran === 0) return { records: res.records, how: `all ${res.reused} runs reused from ${runs_dir}`, ran: 0, reused: res.reused, host: res.host };
  const reused = res.reused > 0 ? `, ${res.reused} runs reused from ${runs_dir}` : '';
  return { records: res.records, how: `${Math.min(nworkers, res.ran)} workers${reused}`, ran: res.ran, reused: res.reused, host: res.host };
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
const cluster_runs_of = (): PlannedRun[] => (cblocks.length > 0 ? cluster_runs(scale, o.seed, tier) : []);
const cluster = cblocks.length > 0 ? cluster_points(cluster_runs_of(), results) : [];
const runs: BenchRecord[] = plan.map((j) => make_record(j, results.get(config_hash(normalize(config_of(j, o.seed))))!));
const wall_s = (performance.now() - t_start) / 1000;
// Where the host time went: the runs' costs by group; the whole process's CPU only when every run ran in it.
const spent = host_summary(grid, groups_of(plan, o.seed, cluster_runs_of()), got.host);
const cpu_now = process.cpuUsage();
const process_cpu_s = got.ran > 0 && got.reused === 0 ? (cpu_now.user + cpu_now.system) / 1e6 : null;
const render0 = thread_cpu_s();
const main_cpu_s = process_cpu_s === null ? null : render0;
const checks = await write_bench_out(o.out, runs, { seed: o.seed, scale, wall_s: o.merge ? null : wall_s, how: got.how, host: host_table(spent, { render_s: null, process_cpu_s, main_cpu_s }, 'md') }, cluster);
const render_s = render0 === null ? null : thread_cpu_s()! - render0;
print_summary(runs, checks, { out: o.out, quick: !!o.quick });
console.log(`\nwhere the host time went (${spent.measure}${spent.unmeasured > 0 ? `; ${spent.unmeasured} runs without a recorded cost` : ''}):`);
for (const l of host_table(spent, { render_s, process_cpu_s, main_cpu_s }, 'text')) console.log(`  ${l}`);
console.log('dearest runs:');
for (const l of top_lines(spent)) console.log(`  ${l}`);
const rss_MB = process.resourceUsage().maxRSS / 1024;
if (o.merge) console.log(`merged and rendered in ${((performance.now() - t_start) / 1000).toFixed(1)} s, peak RSS ${rss_MB.toFixed(0)} MB`);
else {
  const per = (rss_MB / nworkers).toFixed(0);
  const line = `wall time ${wall_s.toFixed(1)} s, peak RSS ${rss_MB.toFixed(0)} MB for the process with ${nworkers} workers (${per} MB a worker)`;
  console.log(line);
  // What the docs quote as the bench's cost: only a run of the whole plan from nothing says it.
  if (got.ran > 0 && got.reused === 0) write_timing(o.out, { line, wall_s, rss_MB, workers: nworkers, runs: got.ran, scale, load_at_start, host: { ...spent, process_cpu_s: process_cpu_s!, main_cpu_s, render_s, runs: Object.fromEntries(grid.flatMap((r) => (got.host.has(r.hash) ? [[r.hash, got.host.get(r.hash)!]] : []))) } });
}
const unverified = runs.filter((r) => !r.verified).length + cluster.filter((p) => !p.verified).length;
if (unverified > 0) {
  console.error(`bench: ${unverified} runs were not verified (see REPORT.md)`);
  process.exitCode = 1;
}
