// What each run of the bench costs the host, for `make profile` and for
// sizing the bench: every run of the plan in a child process of its own
// (one_run.ts), a few at a time, then a table of the costliest runs by CPU
// seconds with their peak RSS, and the totals by kernel and by scheme.
// Host figures only; nothing here feeds a result.
//
//   node dist/userland/bench/costs.js [--quick | --scale X] [--full] [--workers N] [--top N] [--json FILE]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { numberIn } from '../cli/usage.ts';
import { describe, type RunConfig } from '../sweep/config.ts';
import { expand_grid } from '../sweep/grid.ts';
import { by_weight } from '../sweep/pool.ts';
import { env_with_tunable } from '../malloc_env.ts';
import { script_argv } from './child.ts';
import { cluster_blocks } from './cluster_fig.ts';
import { bench_plan, config_of } from './plan.ts';

export interface RunCost {
  what: string;
  config: RunConfig;
  cpu_s: number;
  wall_s: number;
  rss_MB: number;
  heap_MB: number;
  array_buffers_MB: number;
  /**
   * At the highest RSS sampled during the run (every 20,000 events): that
   * RSS, the JS heap's resident size and its live part, and the events
   * then pending (zeros for a run too short to be sampled).
   */
  peak_sampled: { rss_MB: number; js_heap_MB: number; heap_used_MB: number; pending: number };
  /** Events the run dispatched, the most ever pending, and the pages it moved (a migration run; null for a cluster). */
  events: number;
  max_pending: number;
  pages_moved: number | null;
  verified: boolean;
}

/**
 * Run one configuration in a child process with these extra node flags (a
 * profile's), sampling its allocations into alloc_file if given. The child
 * has glibc's mmap threshold fixed, as the bench's workers have (malloc_env.ts).
 */
export function run_child(config: RunConfig, node_flags: string[] = [], alloc_file?: string): Promise<RunCost> {
  const argv = [...node_flags, ...script_argv(new URL('./one_run.ts', import.meta.url)), JSON.stringify(config), ...(alloc_file ? [alloc_file] : [])];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: env_with_tunable(process.env) });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${describe(config)}: exit ${code}`));
      resolve({ what: describe(config), config, ...(JSON.parse(out) as Omit<RunCost, 'what' | 'config'>) });
    });
  });
}

/** Run them all, `workers` at a time, the costliest first (as the bench does). */
export async function run_all(configs: RunConfig[], workers: number, on_one: (c: RunCost, done: number) => void): Promise<RunCost[]> {
  const out: RunCost[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < configs.length) {
      const c = await run_child(configs[next++]!);
      out.push(c);
      on_one(c, out.length);
    }
  };
  await Promise.all(Array.from({ length: workers }, lane));
  return out;
}

const row = (c: RunCost): string =>
  `${c.cpu_s.toFixed(2).padStart(8)} ${c.rss_MB.toFixed(0).padStart(7)} ${c.heap_MB.toFixed(0).padStart(6)} ${c.array_buffers_MB.toFixed(0).padStart(6)}  ${c.what}`;

export function cost_table(costs: RunCost[], top: number): string {
  const lines: string[] = [];
  const total = costs.reduce((a, c) => a + c.cpu_s, 0);
  lines.push(`${costs.length} runs, ${total.toFixed(1)} CPU s in all; the ${Math.min(top, costs.length)} costliest:`);
  lines.push(`   cpu s  peak MB heap MB  ab MB  run (heap and typed arrays still held at the run's end)`);
  for (const c of [...costs].sort((a, b) => b.cpu_s - a.cpu_s).slice(0, top)) lines.push(row(c));
  for (const key of ['kernel', 'scheme', 'kind'] as const) {
    const by = new Map<string, { cpu: number; n: number; rss: number }>();
    for (const c of costs) {
      const k = String(c.config[key]);
      const e = by.get(k) ?? { cpu: 0, n: 0, rss: 0 };
      e.cpu += c.cpu_s;
      e.n++;
      e.rss = Math.max(e.rss, c.rss_MB);
      by.set(k, e);
    }
    lines.push(`by ${key}: ` + [...by].sort((a, b) => b[1].cpu - a[1].cpu).map(([k, e]) => `${k} ${e.cpu.toFixed(1)} s (${e.n} runs, ${((100 * e.cpu) / total).toFixed(0)}%, peak ${e.rss.toFixed(0)} MB)`).join('; '));
  }
  return lines.join('\n');
}

/** The bench's distinct runs (what make bench, --quick or --full runs). */
export function bench_configs(scale: number, full: boolean, seed = 1): RunConfig[] {
  const tier = full ? 'full' : 'bench';
  const plan = bench_plan(scale, tier);
  const grid = expand_grid([...plan.map((j) => config_of(j, seed)), ...cluster_blocks(scale, seed, tier)], 'the bench plan');
  return by_weight(grid).map((r) => r.config);
}

if (import.meta.url.endsWith(process.argv[1]?.split('/').pop() ?? '\0')) {
  const o = new Command()
    .option('--quick', 'the bench at 1/8 of the sizes')
    .option('--scale <x>', 'every size times x', numberIn('--scale', 1 / 4096, 1))
    .option('--full', 'the ablation runs too')
    .option('--workers <n>', 'runs at a time', numberIn('--workers', 1, 64, true), 2)
    .option('--top <n>', 'rows of the table', numberIn('--top', 1, 10000, true), 25)
    .option('--json <file>', 'write every run\'s figures as JSON')
    .parse()
    .opts<{ quick?: boolean; scale?: number; full?: boolean; workers: number; top: number; json?: string }>();
  const configs = bench_configs(o.scale ?? (o.quick ? 1 / 8 : 1), !!o.full);
  const t0 = performance.now();
  const costs = await run_all(configs, o.workers, (c, n) => process.stderr.write(`[${n}/${configs.length}] ${row(c)}\n`));
  console.log(cost_table(costs, o.top));
  console.log(`wall ${((performance.now() - t0) / 1000).toFixed(1)} s with ${o.workers} at a time`);
  if (o.json) writeFileSync(o.json, JSON.stringify(costs, null, 1) + '\n');
}
