// A sweep's output files. One record a run, one JSON line each:
//   {"hash":…,"build":…,"config":{every field, in FIELDS order},"result":{the whole RunResult}}
// The result keeps the key order run_experiment gives it, so a field added
// to RunResult flows through unchanged. Also the grid file (the expanded
// grid, which fixes the order the records are written and merged in) and
// the CSV, derived from the records.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, FIELDS, ordered, type RunConfig } from './config.ts';
import type { PlannedRun } from './grid.ts';
import type { SweepResult } from './run.ts';
import type { Shard } from './shard.ts';

export interface SweepRecord {
  hash: string;
  build: string;
  config: RunConfig;
  result: SweepResult;
}

export const record_line = (hash: string, build: string, config: RunConfig, result: SweepResult): string =>
  JSON.stringify({ hash, build, config: ordered(config), result }) + '\n';

export const GRID_FILE = 'grid.jsonl';

/** A shard's records file: runs.jsonl for the whole grid, runs-I-of-N.jsonl for a shard. */
export const runs_file = (s: Shard): string => (s.count === 1 ? 'runs.jsonl' : `runs-${s.index}-of-${s.count}.jsonl`);
export const RUNS_FILE_RE = /^runs(?:-(\d+)-of-(\d+))?\.jsonl$/;

export const grid_text = (runs: PlannedRun[]): string =>
  runs.map((r) => JSON.stringify({ index: r.index, hash: r.hash, config: ordered(r.config) }) + '\n').join('');

/** The grid a sweep directory was made for (its grid.jsonl), or null when it holds none. */
export function read_grid_jsonl(dir: string): PlannedRun[] | null {
  const path = join(dir, GRID_FILE);
  if (!existsSync(path)) return null;
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l, i) => {
    try {
      const r = JSON.parse(l) as PlannedRun;
      if (typeof r.hash !== 'string' || typeof r.index !== 'number' || !r.config) throw new Error('a run needs index, hash and config');
      return r;
    } catch (e) {
      throw new ConfigError(`${path}:${i + 1}: ${(e as Error).message}`);
    }
  });
}

/** Write a file whole or not at all (a reader never sees half of it). */
export function write_atomic(path: string, data: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export interface ReadLines {
  /** Each complete record line, with its parsed record. */
  lines: { line: string; rec: SweepRecord; n: number }[];
  /** A last line cut short (the process stopped while writing it). */
  truncated: boolean;
}

/**
 * Read a records file. A last line without its newline was cut short by an
 * interrupted run and is dropped; any other line that is not a record is an
 * error naming the file and line.
 */
export function read_records(path: string): ReadLines {
  if (!existsSync(path)) return { lines: [], truncated: false };
  const text = readFileSync(path, 'utf8');
  const parts = text.split('\n');
  const last = parts.pop()!;
  const lines: ReadLines['lines'] = [];
  parts.forEach((line, i) => {
    let rec: SweepRecord;
    try {
      rec = JSON.parse(line) as SweepRecord;
    } catch {
      throw new ConfigError(`${path}:${i + 1}: not a JSON record`);
    }
    if (typeof rec?.hash !== 'string' || typeof rec.build !== 'string' || !rec.config || !rec.result) {
      throw new ConfigError(`${path}:${i + 1}: a record needs hash, build, config and result`);
    }
    lines.push({ line: line + '\n', rec, n: i + 1 });
  });
  return { lines, truncated: last.length > 0 };
}

/** Appends one line at a time with one write each, so a kill leaves whole lines and at most one cut short. */
export class Appender {
  private fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'a');
  }
  add(line: string): void {
    writeSync(this.fd, line);
  }
  close(): void {
    closeSync(this.fd);
  }
}

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : Array.isArray(v) && v.every((x) => typeof x !== 'object') ? v.join(';') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * The CSV of records: hash, the config fields in FIELDS order, then the
 * result's fields in the order they first appear. A list of plain values is
 * joined with ';', anything else nested is its JSON.
 */
export function records_csv(recs: SweepRecord[]): string {
  const result_cols: string[] = [];
  const seen = new Set<string>();
  for (const r of recs) {
    for (const k of Object.keys(r.result)) {
      if (!seen.has(k)) {
        seen.add(k);
        result_cols.push(k);
      }
    }
  }
  const head = ['hash', ...FIELDS.map((f) => f.name), ...result_cols.map((k) => (FIELDS.some((f) => f.name === k) ? `result.${k}` : k))];
  const rows = recs.map((r) => {
    const res = r.result as unknown as Record<string, unknown>;
    return [r.hash, ...FIELDS.map((f) => cell(r.config[f.name])), ...result_cols.map((k) => cell(res[k]))].join(',');
  });
  return [head.join(','), ...rows].join('\n') + '\n';
}

/** The CSV path that goes with a records path. */
export const csv_path_of = (jsonl: string): string => jsonl.replace(/\.jsonl$/, '') + '.csv';
