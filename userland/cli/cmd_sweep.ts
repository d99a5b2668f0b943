// `omemu sweep`: run a grid of experiments on worker threads into a
// directory of JSON Lines records and a CSV (resumable, shardable, Slurm
// array aware), and `omemu sweep merge` to join the shards.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { ConfigError, config_weight, FIELDS, HOST_S_PER_WEIGHT, type RunConfig } from '../sweep/config.ts';
import { expand_grid, extend_grid, read_grid_file, type GridBlock, type PlannedRun } from '../sweep/grid.ts';
import { merge_dirs } from '../sweep/merge.ts';
import { csv_path_of, GRID_FILE, grid_text, read_grid_jsonl, records_csv, write_atomic } from '../sweep/records.ts';
import { choose_shard, in_shard } from '../sweep/shard.ts';
import { make_out_dir, run_sweep } from '../sweep/sweep.ts';
import { plural, sig } from './format.ts';
import { exit_after, numberIn, UsageError } from './usage.ts';

/** Fields whose values hold commas of their own: alternatives are separated by ';'. */
const SEMI = new Set<keyof RunConfig>(['migrate_at', 'path', 'faults']);
const flag_of = (name: string): string => (name === 'seed' ? 'seeds' : name.replace(/_/g, '-'));
const opt_key = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** One flag's list: numbers (A..B an integer range) or strings. */
function parse_list(field: (typeof FIELDS)[number], v: string): unknown[] {
  const flag = `--${flag_of(field.name)}`;
  const items = v.split(SEMI.has(field.name) ? ';' : ',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag}: an empty item in '${v}'`);
  if (field.type.startsWith('string')) return items;
  const int = field.type.startsWith('int');
  return items.flatMap((s) => {
    const range = /^(-?\d+)\.\.(-?\d+)$/.exec(s);
    if (range && int) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 100_000) throw new UsageError(`${flag}: the range ${s} must go up, by at most 100000`);
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    }
    const n = Number(s);
    if (!Number.isFinite(n) || (int && !Number.isInteger(n))) throw new UsageError(`${flag}: '${s}' is not ${int ? 'an integer (or A..B)' : 'a number'}`);
    return [n];
  });
}

interface SweepOpts {
  grid?: string;
  out: string;
  shard?: string;
  workers?: number;
  list?: boolean;
  extend?: boolean;
  migrate: boolean;
  [flag: string]: unknown;
}

function plan_of(o: SweepOpts): PlannedRun[] {
  const block: GridBlock = {};
  for (const f of FIELDS) {
    const v = o[opt_key(flag_of(f.name))];
    if (typeof v === 'string') block[f.name] = parse_list(f, v);
  }
  if (!o.migrate) {
    if (block.migrate_at) throw new UsageError('--no-migrate and --migrate-at contradict each other');
    block.migrate_at = null;
  }
  if (o.grid !== undefined) {
    if (Object.keys(block).length > 0) throw new UsageError(`--grid ${o.grid} holds the whole grid: drop ${Object.keys(block).map((k) => `--${flag_of(k)}`).join(', ')}`);
    return read_grid_file(o.grid);
  }
  return expand_grid([block], 'the flags');
}

const default_workers = (): number => Number(process.env.SLURM_CPUS_PER_TASK) || availableParallelism();

/** Host time, in words: '40 s', '12 min', '3.5 h'. */
export function host_time(s: number): string {
  if (s < 90) return `${sig(Math.max(s, 1), 2)} s`;
  if (s < 90 * 60) return `${sig(s / 60, 2)} min`;
  return `${sig(s / 3600, 2)} h`;
}

/** Host seconds to start the workers, and each run's own start (loading a program, a cluster). */
const START_S = 2;
const PER_RUN_S = 0.5;

/** The rough host time of runs on `workers` workers: their weights spread over the workers (at least the longest run), and the start-up. */
export function estimate_s(runs: PlannedRun[], workers: number): number {
  if (runs.length === 0) return 0;
  const w = runs.map((r) => HOST_S_PER_WEIGHT * config_weight(r.config) + PER_RUN_S);
  const total = w.reduce((a, b) => a + b, 0);
  return START_S + Math.max(total / Math.max(1, workers), ...w);
}

/**
 * --extend: the directory's grid with this one's runs added (the old runs
 * keep their places, so the records of every shard stay valid; those this
 * grid does not name stay in it too). Written before the sweep starts.
 */
function extended(out: string, add: PlannedRun[]): PlannedRun[] {
  const old = read_grid_jsonl(out);
  if (old === null) throw new UsageError(`--extend: ${out} holds no sweep yet (no ${GRID_FILE}); drop --extend to start one`);
  const grid = extend_grid(old, add);
  process.stderr.write(`sweep: --extend adds ${plural(grid.length - old.length, 'run')} to the ${plural(old.length, 'run')} of ${out}\n`);
  make_out_dir(out);
  write_atomic(join(out, GRID_FILE), grid_text(grid));
  return grid;
}

async function do_sweep(o: SweepOpts): Promise<void> {
  const t0 = performance.now();
  const grid = o.extend && !o.list ? extended(o.out, plan_of(o)) : plan_of(o);
  const shard = choose_shard(o.shard, process.env);
  const mine = grid.filter((r) => in_shard(r.index, shard));
  if (o.list) {
    for (const r of grid) process.stdout.write(`${in_shard(r.index, shard) ? '*' : ' '} ${r.index} ${r.hash} ${JSON.stringify(r.config)}\n`);
    process.stdout.write(`${grid.length} runs; shard ${shard.index}/${shard.count} (${shard.from}) runs the ${mine.length} marked *\n`);
    return;
  }
  const workers = o.workers ?? default_workers();
  make_out_dir(o.out); // a bad --out before anything is said or run
  process.stderr.write(`sweep: ${plural(grid.length, 'run')} in the grid; shard ${shard.index}/${shard.count} (${shard.from}) has ${mine.length}; ${plural(workers, 'worker')}\n`);
  const res = await run_sweep(grid, {
    out: o.out, shard, workers,
    on_plan: (todo, reused) => {
      const done = reused > 0 ? ` (${reused} of ${mine.length} done already)` : '';
      process.stderr.write(`sweep: ${plural(todo.length, 'run')} to do${done} on ${plural(workers, 'worker')}: about ${host_time(estimate_s(todo, workers))} of host time (a rough estimate from the runs' sizes)\n`);
    },
  });
  const bad = res.records.filter((r) => !r.result.verified).length;
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  process.stderr.write(`sweep: ran ${res.ran}, reused ${res.reused} of ${res.planned} in ${s} s; wrote ${res.file} and ${csv_path_of(res.file)}\n`);
  if (bad > 0) process.stderr.write(`sweep: note: ${plural(bad, 'run')} did not verify (their records say why)\n`);
  if (shard.count > 1) process.stderr.write(`sweep: when every shard is done: omemu sweep merge ${o.out} --out ${o.out}/merged.jsonl\n`);
  exit_after(bad === 0);
}

function do_merge(dirs: string[], o: { out: string }): void {
  const m = merge_dirs(dirs, (msg) => process.stderr.write(`sweep merge: ${msg}\n`));
  writeFileSync(o.out, m.lines.join(''));
  writeFileSync(csv_path_of(o.out), records_csv(m.records));
  process.stderr.write(`sweep merge: ${m.lines.length} runs from ${m.files.length} files into ${o.out} and ${csv_path_of(o.out)}\n`);
}

/** ConfigError is the user's input: one line, exit status 2. */
const user_errors =
  <A extends unknown[]>(f: (...a: A) => unknown) =>
  async (...a: A): Promise<void> => {
    try {
      await f(...a);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(e.message);
      throw e;
    }
  };

export function register(program: Command): void {
  // `sweep merge --out` must reach merge, not sweep's own --out: options
  // belong to the command they follow (the root has none of its own).
  program.enablePositionalOptions();
  const cmd = program
    .command('sweep')
    .enablePositionalOptions()
    .description('run a grid of experiments (resumable; --shard I/N or a Slurm array task runs a part) into DIR/runs*.jsonl and .csv')
    .option('--grid <file>', 'a JSON grid: {field: value or [values], ...} or a list of such blocks (any field below)');
  for (const f of FIELDS) {
    if (f.name === 'kind') continue;
    const sep = SEMI.has(f.name) ? "';'" : 'comma';
    cmd.option(`--${flag_of(f.name)} <list>`, `${f.help} (${sep} list${f.type.startsWith('int') ? ', A..B' : ''}; default ${JSON.stringify(f.default)})`);
  }
  cmd
    .option('--no-migrate', 'run without migrating (migrate_at null)')
    .option('--out <dir>', 'output directory', 'sweep-out')
    .option('--shard <I/N>', 'run only the runs whose index modulo N is I (default: the Slurm array task, else all)')
    .option('--workers <n>', 'worker threads (default: SLURM_CPUS_PER_TASK, else the number of cores)', numberIn('--workers', 0, 256, true))
    .option('--list', 'print the expanded grid (index, hash, config; * this shard) and run nothing')
    .option('--extend', "add this grid's runs to the sweep already in --out (keeping its runs and records) and run what is not done")
    .action(user_errors((o: SweepOpts) => do_sweep(o)));
  cmd
    .command('merge')
    .description('merge shard outputs into the records of the whole grid, byte-identical to an unsharded run')
    .argument('<dirs...>', 'sweep output directories')
    .requiredOption('--out <file>', 'merged JSON Lines (the CSV goes next to it)')
    .action(user_errors((dirs: string[], o: { out: string }) => do_merge(dirs, o)));
}
