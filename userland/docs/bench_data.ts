// What the docs quote of `make bench`: docs/data/bench.json, a snapshot of
// one run of the whole plan at the paper's sizes (its records, the cluster
// experiments' points, and what the run cost), and the figures it drew,
// copied into docs/img/. `make docs-figures` takes them from bench-out/;
// the generated blocks read them from here, so the docs' numbers are the
// bench's, and a later bench updates them all at once.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterPoint } from '../bench/cluster_fig.ts';
import type { BenchTiming } from '../bench/output.ts';
import type { BenchRecord } from '../bench/record.ts';
import { ROOT } from './blocks.ts';

export interface BenchSnapshot {
  timing: BenchTiming;
  seed: number;
  scale: number;
  runs: BenchRecord[];
  cluster: ClusterPoint[];
}

export const DATA_FILE = 'docs/data/bench.json';
/** The figures the docs show, as make bench names them. */
export const DOC_FIGURES = ['fig5', 'fig6', 'fig7', 'fig8', 'fig9', 'fig10', 'fig11', 'schemes', 'frontier', 'cluster'];

const read_json = <T>(p: string, what: string): T => {
  if (!existsSync(p)) throw new Error(`${p} is missing: ${what}`);
  return JSON.parse(readFileSync(p, 'utf8')) as T;
};

let cached: BenchSnapshot | null = null;
/** The committed snapshot. */
export function snapshot(): BenchSnapshot {
  cached ??= read_json<BenchSnapshot>(join(ROOT, DATA_FILE), 'run `make bench`, then `make docs-figures`');
  return cached;
}

/** Take the snapshot and the figures from a bench-out/ of a whole `make bench` run at the paper's sizes. */
export function take_from_bench(dir: string): BenchSnapshot {
  const results = read_json<{ seed: number; scale: number; runs: BenchRecord[] }>(join(dir, 'results.json'), 'run `make bench` first');
  const timing = read_json<BenchTiming>(join(dir, 'timing.json'), 'it is written by a `make bench` that ran the whole plan from nothing (remove bench-out/runs-full/ and run it again)');
  const cluster = read_json<ClusterPoint[]>(join(dir, 'cluster.json'), 'run `make bench` (not --paper) first');
  if (results.scale !== 1) throw new Error(`${dir}/results.json is of sizes x${results.scale}: the docs quote \`make bench\` at the paper's sizes, not bench-quick`);
  if (timing.scale !== 1) throw new Error(`${dir}/timing.json is of a run at sizes x${timing.scale}: run \`make bench\` from nothing`);
  const snap: BenchSnapshot = { timing, seed: results.seed, scale: results.scale, runs: results.runs, cluster };
  mkdirSync(join(ROOT, 'docs/data'), { recursive: true });
  writeFileSync(join(ROOT, DATA_FILE), JSON.stringify(snap, null, 1) + '\n');
  mkdirSync(join(ROOT, 'docs/img'), { recursive: true });
  for (const f of DOC_FIGURES) copyFileSync(join(dir, `${f}.png`), join(ROOT, 'docs/img', `${f}.png`));
  cached = snap;
  return snap;
}
