// Run a shard of a grid into a directory, resuming from what is already
// there. The directory holds grid.jsonl (the whole expanded grid, the same
// for every shard) and one records file per shard (runs.jsonl unsharded,
// runs-I-of-N.jsonl for shard I of N). Records are appended as runs finish,
// so an interrupted sweep loses at most the runs in flight; at the end the
// file is rewritten in grid order, so its bytes depend only on the grid.
// What each run cost the host goes to the records file's sidecar
// (host_cost.ts), never into a record.
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build_id } from './build.ts';
import { host_line, host_path_of, HOST_FILE_RE, read_host, type HostCost } from './host_cost.ts';
import { plural } from '../cli/format.ts';
import { ConfigError, describe } from './config.ts';
import type { PlannedRun } from './grid.ts';
import { run_pool } from './pool.ts';
import { Progress } from './progress.ts';
import { Appender, csv_path_of, GRID_FILE, grid_text, read_records, record_line, records_csv, RUNS_FILE_RE, runs_file, write_atomic, type SweepRecord } from './records.ts';
import type { SweepResult } from './run.ts';
import { in_shard, type Shard } from './shard.ts';

export interface SweepOptions {
  out: string;
  shard: Shard;
  workers: number;
  /** Label of the progress bar and lines. */
  name?: string;
  /**
   * What to do with a directory holding another grid or records of another
   * build: 'error' (omemu sweep: the user decides) or 'restart' (make bench:
   * its directory is its own, and stale results must never be reused).
   */
  on_stale?: 'error' | 'restart';
  /** Progress output (default: on). */
  progress?: boolean;
  /** Leave Ctrl-C to the caller (tests). */
  keep_sigint?: boolean;
  log?: (msg: string) => void;
  /** What a progress line says of a finished run. */
  line?: (run: PlannedRun, r: SweepResult, host: HostCost) => string;
  /** Told, before any run starts, what is left to run and how many runs were done already. */
  on_plan?: (todo: PlannedRun[], reused: number) => void;
}

export interface SweepOutcome {
  /** The shard's records file. */
  file: string;
  /** The shard's records in grid order, as written. */
  records: SweepRecord[];
  /** Runs of the shard, run now, and found done. */
  planned: number;
  ran: number;
  reused: number;
  /** What the shard's runs cost the host, by hash: those run now, and those an earlier run of this build recorded (some may be missing). */
  host: Map<string, HostCost>;
  /** The worker CPU seconds of the runs run now (0 where the kernel does not say). */
  ran_cpu_s: number;
}

/** What a run cost the host, for a progress line: its CPU seconds where known, else its wall seconds. */
export const host_text = (h: HostCost): string => (h.cpu_s === null ? `${h.wall_s.toFixed(1)} s host` : `${h.cpu_s.toFixed(1)} s host CPU`);

const default_line = (run: PlannedRun, r: SweepResult, host: HostCost): string =>
  'runtime_s' in r
    ? `${describe(run.config)}: ${r.outcome}, runtime ${r.runtime_s.toFixed(2)} s${r.verified ? '' : ', NOT verified'} (${host_text(host)})`
    : `${describe(run.config)}: ${r.completed}/${r.processes} processes, mean slowdown ${r.mean_slowdown}${r.verified ? '' : ', NOT verified'} (${host_text(host)})`;

/** Remove a directory's sweep files (make bench, when they are of another grid or build). */
function clear_dir(dir: string): void {
  for (const f of readdirSync(dir)) if (f === GRID_FILE || RUNS_FILE_RE.test(f) || HOST_FILE_RE.test(f) || /^runs(-\d+-of-\d+)?\.csv$/.test(f)) rmSync(join(dir, f));
}

/**
 * The grid file: written once, and every later use of the directory must be
 * for the same grid. With 'restart' (make bench, whose tiers share a
 * directory) the runs of the old grid that the new one also holds, made by
 * this build, are kept: a run's hash is its whole configuration, and the
 * same build gives the same result, so only the other runs start over.
 */
function claim_grid(o: SweepOptions, grid: PlannedRun[], file: string, build: string, log: (m: string) => void): void {
  const path = join(o.out, GRID_FILE);
  const text = grid_text(grid);
  if (existsSync(path) && readFileSync(path, 'utf8') !== text) {
    if (o.on_stale !== 'restart') {
      throw new ConfigError(`${o.out} holds the records of another grid (${GRID_FILE} differs from this one's ${grid.length} runs): use another --out, or delete ${o.out}`);
    }
    const wanted = new Set(grid.map((r) => r.hash));
    const kept = read_records(file).lines.filter((l) => l.rec.build === build && wanted.has(l.rec.hash));
    log(`${o.out} held another grid's runs: keeping the ${kept.length} of them this one holds, starting the rest over`);
    clear_dir(o.out);
    write_atomic(file, kept.map((l) => l.line).join(''));
  }
  if (!existsSync(path)) write_atomic(path, text);
}

/** The records already in the shard's file that can be reused, by hash. */
function resume(o: SweepOptions, file: string, mine: Map<string, PlannedRun>, build: string, log: (m: string) => void): Map<string, string> {
  const done = new Map<string, string>();
  const { lines, truncated } = read_records(file);
  if (truncated) log(`${file}: its last line was cut short (an interrupted run); that run will run again`);
  const stale = lines.filter((l) => l.rec.build !== build);
  if (stale.length > 0) {
    const what = `${file}: ${plural(stale.length, 'record')} ${stale.length === 1 ? 'was' : 'were'} made by another build of omemu (${stale[0]!.rec.build}; this one is ${build})`;
    if (o.on_stale !== 'restart') throw new ConfigError(`${what}: use another --out, or delete the file to run them again`);
    log(`${what}: running them again`);
    return done;
  }
  for (const { line, rec, n } of lines) {
    if (!mine.has(rec.hash)) throw new ConfigError(`${file}:${n}: run ${rec.hash} is not one of this shard's runs (the grid or shard count changed?)`);
    if (done.has(rec.hash)) throw new ConfigError(`${file}:${n}: run ${rec.hash} is recorded twice`);
    done.set(rec.hash, line);
  }
  return done;
}

/** The output directory, made if missing; a path that cannot be one is the user's error. */
export function make_out_dir(out: string): void {
  if (existsSync(out) && !statSync(out).isDirectory()) throw new ConfigError(`--out ${out}: exists and is not a directory`);
  try {
    mkdirSync(out, { recursive: true });
    accessSync(out, constants.W_OK);
  } catch (e) {
    throw new ConfigError(`--out ${out}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export async function run_sweep(grid: PlannedRun[], o: SweepOptions): Promise<SweepOutcome> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${o.name ?? 'sweep'}: ${m}\n`));
  make_out_dir(o.out);
  const build = build_id();
  const file = join(o.out, runs_file(o.shard));
  claim_grid(o, grid, file, build, log);
  const mine = grid.filter((r) => in_shard(r.index, o.shard));
  const done = resume(o, file, new Map(mine.map((r) => [r.hash, r])), build, log);
  const reused = done.size;
  const ordered_lines = (): string => mine.flatMap((r) => (done.has(r.hash) ? [done.get(r.hash)!] : [])).join('');
  // Start from a clean file of whole lines (no cut-short tail to append after).
  write_atomic(file, ordered_lines());
  // The host costs of the runs kept (a run without one is only a gap in the bench's time table).
  const host_file = host_path_of(file);
  const host = new Map([...read_host(host_file, build)].filter(([h]) => done.has(h)));
  const host_lines = (): string => mine.flatMap((r) => (host.has(r.hash) ? [host_line(r.hash, build, host.get(r.hash)!)] : [])).join('');
  write_atomic(host_file, host_lines());
  let ran_cpu_s = 0;
  const todo = mine.filter((r) => !done.has(r.hash));
  o.on_plan?.(todo, reused);
  const progress = o.progress === false || todo.length === 0 ? null : new Progress(o.name ?? 'sweep', todo);
  const out = new Appender(file);
  const host_out = new Appender(host_file);
  const on_sigint = (): void => {
    progress?.stop();
    out.close();
    host_out.close();
    process.stderr.write(`\n${o.name ?? 'sweep'}: interrupted; ${done.size} of ${plural(mine.length, 'run')} ${done.size === 1 ? 'is' : 'are'} in ${file}: the same command resumes\n`);
    process.exit(130);
  };
  if (!o.keep_sigint) process.once('SIGINT', on_sigint);
  let failure: unknown = null;
  try {
    await run_pool(todo, o.workers, (run, result, cost) => {
      const line = record_line(run.hash, build, run.config, result);
      out.add(line);
      done.set(run.hash, line);
      host_out.add(host_line(run.hash, build, cost));
      host.set(run.hash, cost);
      ran_cpu_s += cost.cpu_s ?? 0;
      progress?.tick(run, (o.line ?? default_line)(run, result, cost));
    });
  } catch (e) {
    failure = e;
  } finally {
    progress?.stop();
    out.close();
    host_out.close();
    if (!o.keep_sigint) process.removeListener('SIGINT', on_sigint);
  }
  const text = ordered_lines();
  write_atomic(file, text);
  write_atomic(host_file, host_lines());
  const records = text === '' ? [] : text.trimEnd().split('\n').map((l) => JSON.parse(l) as SweepRecord);
  write_atomic(csv_path_of(file), records_csv(records));
  if (failure) throw failure;
  return { file, records, planned: mine.length, ran: todo.length, reused, host, ran_cpu_s };
}
