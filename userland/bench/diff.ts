// `omemu bench diff A B`: what moved between two bench outputs, record by
// record. A and B are bench output directories (bench-out/) or results.json
// files. Compared, when both sides have them: results.json's runs (keyed by
// figure, kernel, sizes, scheme, network and variant), the cluster figure's
// points (cluster.csv, keyed by experiment, nodes, sizes, balancer, scheme,
// threshold, load and seed: the columns that name a point) and the sweep records
// under runs-*/ (every field of every run's result, keyed by the run's
// configuration hash; the build that made them is left out, since a change
// of code is what is being checked). Identical means every record of each
// set both sides have is there on both sides with every field equal; a set
// only one side has is named and not compared.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export class DiffInputError extends Error {}

/** One comparable set of records: each record a flat object of fields, by key. */
export interface RecordSet {
  name: string;
  records: Map<string, Record<string, unknown>>;
  /** Fields outside the records (results.json's profile, seed, scale). */
  meta?: Record<string, unknown>;
}

export interface FieldMove {
  field: string;
  a: unknown;
  b: unknown;
}

export interface SetDiff {
  name: string;
  count_a: number;
  count_b: number;
  only_a: string[];
  only_b: string[];
  moved: { key: string; fields: FieldMove[] }[];
  meta: FieldMove[];
}

const same = (x: unknown, y: unknown): boolean => x === y || JSON.stringify(x) === JSON.stringify(y);

function fields_moved(a: Record<string, unknown>, b: Record<string, unknown>): FieldMove[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return names.filter((f) => !same(a[f], b[f])).map((field) => ({ field, a: a[field], b: b[field] }));
}

export function diff_sets(a: RecordSet, b: RecordSet): SetDiff {
  const moved: SetDiff['moved'] = [];
  for (const [key, ra] of a.records) {
    const rb = b.records.get(key);
    if (!rb) continue;
    const fields = fields_moved(ra, rb);
    if (fields.length > 0) moved.push({ key, fields });
  }
  return {
    name: a.name,
    count_a: a.records.size,
    count_b: b.records.size,
    only_a: [...a.records.keys()].filter((k) => !b.records.has(k)),
    only_b: [...b.records.keys()].filter((k) => !a.records.has(k)),
    moved,
    meta: fields_moved(a.meta ?? {}, b.meta ?? {}),
  };
}

export const identical = (d: SetDiff): boolean => d.only_a.length === 0 && d.only_b.length === 0 && d.moved.length === 0 && d.meta.length === 0;

/** Records keyed by `key_of`; a key met again gets #2, #3... (the same run listed in two places). */
function keyed(rows: Record<string, unknown>[], key_of: (r: Record<string, unknown>) => string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const k0 = key_of(r);
    let k = k0;
    for (let i = 2; out.has(k); i++) k = `${k0} #${i}`;
    out.set(k, r);
  }
  return out;
}

/** A results.json run's identity: what the bench ran, not what it gave. */
export const run_key = (r: Record<string, unknown>): string => {
  const ws = r.working_set_mib !== r.size_mib ? `/${String(r.working_set_mib)}` : '';
  const variant = r.variant ? ` variant ${String(r.variant)}` : '';
  return `${String(r.figure)} ${String(r.kernel)} ${String(r.size_mib)}${ws} MiB ${String(r.scheme)} ${String(r.profile)} ${String(r.bandwidth_mbps)} Mb/s${variant}`;
};

function parse_json(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DiffInputError(`${path}: not a JSON file (${(e as Error).message})`);
  }
}

function results_set(path: string): RecordSet {
  const j = parse_json(path) as { runs?: unknown };
  if (j === null || typeof j !== 'object' || !Array.isArray(j.runs)) throw new DiffInputError(`${path}: not a bench results.json (no "runs" list)`);
  const { runs, ...meta } = j as { runs: Record<string, unknown>[] };
  return { name: 'results.json', records: keyed(runs, run_key), meta };
}

/** cluster.csv: the figure's points; values stay the strings written (a number written differently is a change). */
function cluster_set(path: string): RecordSet {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const cols = (head ?? '').split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i] ?? `col${i}`, v])));
  return { name: 'cluster.csv', records: keyed(rows, cluster_key) };
}

/**
 * A cluster point's name from the columns that name it, those the file
 * has (by scheme and threshold alone, a make bench-full output's points
 * for 64-512 MiB processes were paired with another size's).
 */
function cluster_key(row: Record<string, unknown>): string {
  const r = row as Record<string, string | undefined>;
  const has = (c: string): boolean => r[c] !== undefined && r[c] !== '';
  const parts: string[] = [];
  if (has('experiment')) parts.push(r.experiment!);
  if (has('nodes')) parts.push(`${r.nodes} nodes`);
  if (has('mib')) parts.push(`${r.mib} MiB`);
  if (has('balancer')) parts.push(r.balancer!);
  parts.push(`${String(r.scheme)} threshold ${r.threshold || '-'}`);
  if (has('load')) parts.push(`load ${r.load}`);
  if (has('seed')) parts.push(`seed ${r.seed}`);
  return parts.join(' ');
}

/** The sweep records of one runs-* folder, every shard file: each run's result by configuration hash. */
function sweep_set(dir: string): RecordSet {
  const rows: Record<string, unknown>[] = [];
  for (const f of readdirSync(dir).filter((x) => /^runs(-\d+-of-\d+)?\.jsonl$/.test(x)).sort()) {
    const path = join(dir, f);
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line === '') return;
        let rec: { hash?: string; result?: Record<string, unknown> };
        try {
          rec = JSON.parse(line) as typeof rec;
        } catch {
          throw new DiffInputError(`${path}:${i + 1}: not a JSON record`);
        }
        if (typeof rec.hash !== 'string' || !rec.result) throw new DiffInputError(`${path}:${i + 1}: not a sweep record (hash, result)`);
        rows.push({ hash: rec.hash, ...rec.result });
      });
  }
  const recs = keyed(rows, (r) => String(r.hash));
  for (const r of recs.values()) delete r.hash;
  return { name: `${basename(dir)}/ records`, records: recs };
}

/** What a path offers: a results.json file alone, or a bench output directory's sets. */
export function load_output(path: string): RecordSet[] {
  if (!existsSync(path)) throw new DiffInputError(`${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) return [results_set(path)];
  const sets: RecordSet[] = [];
  if (existsSync(join(path, 'results.json'))) sets.push(results_set(join(path, 'results.json')));
  if (existsSync(join(path, 'cluster.csv'))) sets.push(cluster_set(join(path, 'cluster.csv')));
  for (const d of readdirSync(path).filter((x) => /^runs-/.test(x)).sort()) {
    if (statSync(join(path, d)).isDirectory()) sets.push(sweep_set(join(path, d)));
  }
  if (sets.length === 0) throw new DiffInputError(`${path}: not a bench output (no results.json, cluster.csv or runs-*/ records)`);
  return sets;
}

/** The sets both sides have, compared; the sets only one side has, named. */
export function diff_outputs(a: RecordSet[], b: RecordSet[]): { diffs: SetDiff[]; only_a: string[]; only_b: string[] } {
  const by_b = new Map(b.map((s) => [s.name, s]));
  const names_a = new Set(a.map((s) => s.name));
  return {
    diffs: a.filter((s) => by_b.has(s.name)).map((s) => diff_sets(s, by_b.get(s.name)!)),
    only_a: a.filter((s) => !by_b.has(s.name)).map((s) => s.name),
    only_b: b.filter((s) => !names_a.has(s.name)).map((s) => s.name),
  };
}

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? v : v === undefined ? '(none)' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** A value as a number: a number, or a CSV cell holding one; NaN otherwise. */
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN);

/** "a -> b", with the change and its share when both are numbers. */
export function describe_move(m: FieldMove): string {
  const [x, y] = [num(m.a), num(m.b)];
  if (Number.isFinite(x) && Number.isFinite(y)) {
    const d = y - x;
    const digits = Math.max(0, ...[x, y].map((v) => (String(v).split('.')[1] ?? '').length));
    const pct = x !== 0 ? `, ${d >= 0 ? '+' : ''}${((100 * d) / Math.abs(x)).toFixed(2)}%` : '';
    return `${m.field} ${show(m.a)} -> ${show(m.b)} (${d >= 0 ? '+' : ''}${d.toFixed(Math.min(digits, 9))}${pct})`;
  }
  return `${m.field} ${show(m.a)} -> ${show(m.b)}`;
}

/** Every set both sides have is identical, and there is at least one. */
export const outputs_identical = (r: ReturnType<typeof diff_outputs>): boolean => r.diffs.length > 0 && r.diffs.every(identical);

/** The report: a line a set, then each moved record's fields (at most `limit` records a set), then how far each field moved. */
export function format_diff(r: ReturnType<typeof diff_outputs>, limit = 40): string {
  const out: string[] = [];
  for (const d of r.diffs) {
    if (identical(d)) {
      out.push(`${d.name}: ${d.count_a} records, identical`);
      continue;
    }
    out.push(`${d.name}: ${d.count_a} records in A, ${d.count_b} in B; ${d.moved.length} moved, ${d.only_a.length} only in A, ${d.only_b.length} only in B`);
    for (const m of d.meta) out.push(`  (file) ${describe_move(m)}`);
    for (const k of d.only_a.slice(0, limit)) out.push(`  only in A: ${k}`);
    for (const k of d.only_b.slice(0, limit)) out.push(`  only in B: ${k}`);
    for (const m of d.moved.slice(0, limit)) out.push(`  ${m.key}: ${m.fields.map(describe_move).join('; ')}`);
    const more = d.moved.length - limit;
    if (more > 0) out.push(`  ... and ${more} more moved records (--limit)`);
    // Per field: in how many records it moved, and its largest relative move.
    const per = new Map<string, { n: number; worst: number; where: string }>();
    for (const m of d.moved) {
      for (const f of m.fields) {
        const e = per.get(f.field) ?? { n: 0, worst: 0, where: '' };
        e.n++;
        const [x, y] = [num(f.a), num(f.b)];
        const rel = Number.isFinite(x) && Number.isFinite(y) && x !== 0 ? Math.abs((y - x) / x) : Number.POSITIVE_INFINITY;
        if (rel > e.worst || e.where === '') Object.assign(e, { worst: rel, where: m.key });
        per.set(f.field, e);
      }
    }
    if (per.size > 0) {
      out.push('  by field:');
      for (const [f, e] of [...per].sort((p, q) => q[1].n - p[1].n)) {
        const worst = Number.isFinite(e.worst) ? `at most ${(100 * e.worst).toFixed(2)}%` : 'not a number, or from 0';
        out.push(`    ${f}: moved in ${e.n} records, ${worst} (${e.where})`);
      }
    }
  }
  for (const n of r.only_a) out.push(`${n}: only in A (not compared)`);
  for (const n of r.only_b) out.push(`${n}: only in B (not compared)`);
  out.push(outputs_identical(r) ? 'identical' : r.diffs.length === 0 ? 'nothing in common to compare' : 'moved');
  return out.join('\n') + '\n';
}
