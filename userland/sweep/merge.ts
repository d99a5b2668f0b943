// Merge shard outputs into the records of the whole grid, in grid order and
// byte for byte what one unsharded run writes. Every directory must hold the
// same grid; a run recorded twice, a run missing, a record of a run outside
// the grid, or records of different builds are errors that name the runs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describe, type RunConfig } from './config.ts';
import type { PlannedRun } from './grid.ts';
import { GRID_FILE, read_records, RUNS_FILE_RE, type SweepRecord } from './records.ts';

export interface Merged {
  grid: PlannedRun[];
  /** Record lines in grid order. */
  lines: string[];
  records: SweepRecord[];
  files: string[];
}

function read_grid(dir: string): { text: string; runs: PlannedRun[] } {
  const path = join(dir, GRID_FILE);
  if (!existsSync(path)) throw new ConfigError(`${dir}: no ${GRID_FILE} (not a sweep output directory)`);
  const text = readFileSync(path, 'utf8');
  const runs = text
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { index: number; hash: string; config: RunConfig });
  return { text, runs };
}

const LIST_AT_MOST = 10;

function name_runs(runs: PlannedRun[], extra: (r: PlannedRun) => string): string {
  const shown = runs.slice(0, LIST_AT_MOST).map((r) => `run ${r.index} (${describe(r.config)}, ${r.hash}${extra(r)})`);
  return shown.join('; ') + (runs.length > LIST_AT_MOST ? `; and ${runs.length - LIST_AT_MOST} more` : '');
}

/** Shard counts of the records files in a directory (1: runs.jsonl), by file name. */
function files_by_count(dir: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const f of readdirSync(dir).filter((x) => RUNS_FILE_RE.test(x)).sort()) {
    const n = Number(RUNS_FILE_RE.exec(f)![2] ?? 1);
    out.set(n, [...(out.get(n) ?? []), f]);
  }
  return out;
}

/**
 * The records files to merge. Files of one split only: a directory holding
 * runs.jsonl and shard files, or shards of two counts, is an error, unless
 * `latest_split` (make bench, whose directory is its own) takes the shards
 * of the largest count.
 */
function pick_files(dir: string, latest_split: boolean): string[] {
  const by = files_by_count(dir);
  if (by.size <= 1) return [...by.values()].flat();
  const counts = [...by.keys()].sort((a, b) => b - a);
  if (latest_split) return by.get(counts[0]!)!;
  const sets = counts.map((n) => (n === 1 ? 'an unsharded run (runs.jsonl)' : `${n} shards (runs-I-of-${n}.jsonl)`));
  throw new ConfigError(`${dir} holds the records of ${sets.join(' and of ')}: merge one set (move the others away)`);
}

export function merge_dirs(dirs: string[], log: (m: string) => void = () => {}, o: { latest_split?: boolean } = {}): Merged {
  if (dirs.length === 0) throw new ConfigError('merge: name at least one sweep output directory');
  const first = read_grid(dirs[0]!);
  for (const d of dirs.slice(1)) {
    if (read_grid(d).text !== first.text) throw new ConfigError(`${d} holds another grid than ${dirs[0]} (${GRID_FILE} differs): they are not shards of one sweep`);
  }
  const grid = first.runs;
  const by_hash = new Map(grid.map((r) => [r.hash, r]));
  const found = new Map<string, { line: string; rec: SweepRecord; where: string }>();
  const builds = new Map<string, string>();
  const files: string[] = [];
  let shard_count = 0;
  for (const d of dirs) {
    const names = pick_files(d, o.latest_split ?? false);
    if (names.length === 0) log(`${d}: no runs*.jsonl files`);
    for (const f of names) {
      const path = join(d, f);
      files.push(path);
      const count = Number(RUNS_FILE_RE.exec(f)![2] ?? 1);
      if (shard_count !== 0 && count !== shard_count) log(`${path}: a shard of ${count}, where other files are shards of ${shard_count}`);
      shard_count = Math.max(shard_count, count);
      const { lines, truncated } = read_records(path);
      if (truncated) log(`${path}: its last line was cut short (that shard was interrupted)`);
      for (const { line, rec, n } of lines) {
        const where = `${path}:${n}`;
        const run = by_hash.get(rec.hash);
        if (!run) throw new ConfigError(`${where}: run ${rec.hash} (${describe(rec.config)}) is not in the grid`);
        const prev = found.get(rec.hash);
        if (prev) throw new ConfigError(`run ${run.index} (${describe(run.config)}, ${run.hash}) is recorded twice: ${prev.where} and ${where}`);
        found.set(rec.hash, { line, rec, where });
        if (!builds.has(rec.build)) builds.set(rec.build, where);
      }
    }
  }
  if (builds.size > 1) {
    throw new ConfigError(`the shards were run by different builds of omemu: ${[...builds].map(([b, w]) => `${b} (${w})`).join(', ')}; run them again with one build`);
  }
  const missing = grid.filter((r) => !found.has(r.hash));
  if (missing.length > 0) {
    const shard = (r: PlannedRun): string => (shard_count > 1 ? `, shard ${r.index % shard_count}/${shard_count}` : '');
    // A shard none of whose runs is there is named as such (its task never ran or wrote elsewhere).
    const absent: string[] = [];
    for (let i = 0; i < shard_count && shard_count > 1; i++) {
      const of_i = grid.filter((r) => r.index % shard_count === i);
      if (of_i.length > 0 && of_i.every((r) => !found.has(r.hash))) absent.push(`runs-${i}-of-${shard_count}.jsonl`);
    }
    const whole = absent.length > 0 ? ` (no records at all from ${absent.join(', ')})` : '';
    throw new ConfigError(`${missing.length} of ${grid.length} runs are missing${whole}: ${name_runs(missing, shard)}`);
  }
  const lines = grid.map((r) => found.get(r.hash)!.line);
  return { grid, lines, records: grid.map((r) => found.get(r.hash)!.rec), files };
}
