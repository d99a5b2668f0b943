// The reproduction targets (target_table.ts, the paper's numbers in paper_values.ts) checked against the bench's
// records. The targets themselves are data (TARGETS in target_table.ts): a
// row names a measure, the paper's value and a tolerance. Here are the
// measures (what a row can ask of the records) and the tolerances (how a
// measured value is judged and shown).
import type { BenchRecord } from './record.ts';
import { TARGETS, type Kernel, type Measure, type Target, type Tolerance } from './target_table.ts';

/** The runs of the paper's own experiments (the others go beyond it: other schemes, sizes, networks, the ablation). */
const PAPER_FIGURES: ReadonlySet<string> = new Set(['fig5-8', 'fig9', 'fig10']);

export interface Check {
  figure: string;
  what: string;
  paper: string;
  emulated: string;
  diff: string;
  tolerance: string;
  holds: boolean;
  /** Why the emulation misses it, when it does. */
  why: string;
}

/** The four HPCC kernels in the order the figures list them. */
const KERNELS: Kernel[] = ['dgemm', 'stream', 'randomaccess', 'fft'];

/** What a measure gives: a value (a count also says of how many), or a text with its own verdict. */
type Measured = { value: number; of?: number } | { text: string; holds: boolean };

const largest = (xs: BenchRecord[]): BenchRecord | undefined =>
  xs.reduce<BenchRecord | undefined>((a, r) => (!a || r.working_set_mib > a.working_set_mib ? r : a), undefined);

class Records {
  /** The model's own runs (the ablation's are apart). */
  readonly runs: BenchRecord[];
  constructor(all: BenchRecord[]) {
    this.runs = all.filter((r) => r.variant === '');
  }
  /** Figures 5-8's record of a kernel and scheme at a working set, or at the largest (the schemes beyond the paper too). */
  f58(kernel: string, scheme: string, ws: number | 'max' = 'max'): BenchRecord | undefined {
    const xs = this.runs.filter((r) => (r.figure === 'fig5-8' || r.figure === 'schemes') && r.kernel === kernel && r.scheme === scheme);
    return ws === 'max' ? largest(xs) : xs.find((r) => r.working_set_mib === ws);
  }
  /** Figures 5-8's working sets of a kernel, ascending. */
  sizes(kernel: string): number[] {
    const ws = this.runs.filter((r) => r.figure === 'fig5-8' && r.kernel === kernel).map((r) => r.working_set_mib);
    return [...new Set(ws)].sort((a, b) => a - b);
  }
  /** Figure 9: a scheme's runtime over openMosix's on the same network. */
  fig9_ratio(kernel: string, scheme: string, bw: number): number | undefined {
    const find = (s: string) => this.runs.find((r) => r.figure === 'fig9' && r.kernel === kernel && r.scheme === s && r.bandwidth_mbps === bw);
    const a = find(scheme);
    const b = find('openmosix');
    return a && b ? a.runtime_s / b.runtime_s : undefined;
  }
}

/** Coefficient of determination of a least-squares line through (x, y). */
function r_squared(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
}

const value = (v: number | undefined): Measured | undefined => (v === undefined ? undefined : { value: v });
/** A run whose migration the program ended before: nothing to compare. */
const UNFINISHED: Measured = { text: 'did not migrate: the program ended first', holds: false };

/** A measure on the records; undefined when the records do not hold what it needs. */
function measure(m: Measure, rs: Records): Measured | undefined {
  switch (m.kind) {
    case 'value':
      return value(rs.f58(m.kernel, m.scheme)?.[m.field] ?? undefined);
    case 'reduction_pct': {
      const a = rs.f58(m.kernel, m.scheme);
      const b = rs.f58(m.kernel, m.vs);
      if (a && (a.migrations_unfinished > 0 || a[m.field] === null)) return UNFINISHED;
      const av = a?.[m.field];
      const bv = b?.[m.field];
      return typeof av === 'number' && typeof bv === 'number' && bv > 0 ? { value: 100 * (1 - av / bv) } : undefined;
    }
    case 'increase_pct': {
      const a = rs.f58(m.kernel, m.scheme);
      const b = rs.f58(m.kernel, m.vs);
      if (a && a.migrations_unfinished > 0) return UNFINISHED;
      return a && b ? { value: 100 * (a.runtime_s / b.runtime_s - 1) } : undefined;
    }
    case 'worst_increase_pct': {
      const xs = rs.sizes(m.kernel);
      if (xs.length === 0) return undefined;
      const over = xs.map((w) => {
        const a = rs.f58(m.kernel, m.scheme, w);
        const b = rs.f58(m.kernel, m.vs, w);
        return a && b ? 100 * (a.runtime_s / b.runtime_s - 1) : -Infinity;
      });
      return { value: Math.max(...over) };
    }
    case 'r_squared':
    case 'spread': {
      const xs = rs.sizes(m.kernel);
      if (xs.length < 3) return undefined;
      const got = xs.map((w) => rs.f58(m.kernel, m.scheme, w)![m.field]);
      if (got.some((y) => y === null)) return UNFINISHED;
      const ys = got as number[];
      return { value: m.kind === 'r_squared' ? r_squared(xs, ys) : Math.max(...ys) / Math.min(...ys) };
    }
    case 'fig9_ratio':
      return value(rs.fig9_ratio(m.kernel, m.scheme, m.bandwidth));
    case 'fig9_faster_pct': {
      const a = rs.fig9_ratio(m.kernel, m.scheme, m.bandwidth);
      const b = rs.fig9_ratio(m.kernel, m.vs, m.bandwidth);
      return a !== undefined && b !== undefined ? { value: 100 * (1 - a / b) } : undefined;
    }
    case 'extremes': {
      const order = KERNELS.map((k) => [k, rs.f58(k, m.scheme)?.[m.field] ?? 0] as const).sort((a, b) => b[1] - a[1]);
      const text = order.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(' > ');
      return { text, holds: order[0]![0] === m.highest && order[order.length - 1]![0] === m.lowest };
    }
    case 'ws_gain_trend': {
      const f10 = rs.runs.filter((r) => r.figure === 'fig10');
      const ws = [...new Set(f10.map((r) => r.working_set_mib))].sort((a, b) => a - b);
      if (ws.length <= 1) return undefined;
      const alloc = Math.max(...f10.map((r) => r.size_mib));
      const gain = ws.map((w) => {
        const b = f10.find((r) => r.working_set_mib === w && r.scheme === m.vs)!;
        const a = f10.find((r) => r.working_set_mib === w && r.scheme === m.scheme)!;
        return { w, g: 100 * (1 - a.runtime_s / b.runtime_s) };
      });
      const below = gain.filter((x) => x.w < alloc);
      const faster = below.every((x) => x.g > 0);
      const grows = below.every((x, i) => i === 0 || x.g <= below[i - 1]!.g);
      return { text: gain.map((x) => `${x.w}: ${x.g.toFixed(1)}%`).join(', '), holds: faster && grows };
    }
    case 'sent_over_memory': {
      const a = rs.f58(m.kernel, m.scheme);
      if (!a || a.used_mib <= 0) return undefined;
      const ratio = (a.precopy_bytes + a.downtime_bytes) / (a.used_mib * 2 ** 20);
      if (a.migrations_unfinished > 0) return { text: `${ratio.toFixed(2)}x, unfinished: the program ended during round ${a.precopy_rounds}`, holds: false };
      return { value: ratio };
    }
    case 'ended': {
      const a = rs.f58(m.kernel, m.scheme);
      if (!a) return undefined;
      return { text: a.total_migration_s === null ? 'still at the source at the end' : `${a.total_migration_s.toFixed(2)} s`, holds: a.total_migration_s !== null };
    }
    case 'worst': {
      const xs = rs.runs.filter((r) => r.scheme === m.scheme && PAPER_FIGURES.has(r.figure));
      return xs.length > 0 ? { value: Math.max(...xs.map((r) => r[m.field])) } : undefined;
    }
    case 'count_at_least': {
      const xs = rs.runs.filter((r) => r.scheme === m.scheme && PAPER_FIGURES.has(r.figure));
      if (xs.length === 0) return undefined;
      const n = xs.filter((r) => r[m.field] >= m.at_least).length;
      return { value: n, of: xs.length };
    }
  }
}

const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/** How a measure's value is shown, and a bound on it. */
function show(m: Measure, v: number, of?: number): string {
  switch (m.kind) {
    case 'value':
      return `${v.toFixed(m.unit === 's' ? 3 : 0)} ${m.unit}`;
    case 'sent_over_memory':
      return `${v.toFixed(2)}x`;
    case 'worst_increase_pct':
      return `${signed(v, 1)}%`;
    case 'r_squared':
      return `R² = ${v.toFixed(4)}`;
    case 'spread':
      return `max/min = ${v.toFixed(3)}`;
    case 'fig9_ratio':
      return v.toFixed(3);
    case 'worst':
      return `${v.toFixed(3)}%`;
    case 'count_at_least':
      return `${v} of ${of}`;
    default:
      return `${v.toFixed(1)}%`;
  }
}

/** A one-sided tolerance as text: R² ≥ 0.99, ≤ +5%, < 0.6%. */
function bound_text(m: Measure, op: string, b: number): string {
  const prefix = m.kind === 'r_squared' ? 'R² ' : '';
  const pct = ['fig9_faster_pct', 'worst', 'reduction_pct'].includes(m.kind);
  const signed_pct = m.kind === 'worst_increase_pct' || m.kind === 'increase_pct';
  const v = signed_pct ? `${b >= 0 ? '+' : ''}${b}%` : pct ? `${b}%` : m.kind === 'sent_over_memory' ? `${b}x` : m.kind === 'value' ? `${b} ${m.unit}` : String(b);
  return `${prefix}${op} ${v}`;
}

/** Judge a measured value against the paper's within a tolerance: [paper, diff, tolerance, holds]. */
function judge(t: Target, got: number): [string, string, string, boolean] {
  const tol: Tolerance = t.within;
  const paper = typeof t.paper === 'number' ? t.paper : NaN;
  const unit = t.measure.kind === 'value' ? ` ${t.measure.unit}` : '';
  if ('rel' in tol) {
    const d = (got - paper) / paper;
    return [`${paper}${unit}`, `${signed(100 * d, 1)}%`, `±${100 * tol.rel}%`, Math.abs(d) <= tol.rel];
  }
  if ('points' in tol) return [`${paper}%`, `${signed(got - paper, 1)} points`, `±${tol.points} points`, Math.abs(got - paper) <= tol.points];
  if ('abs' in tol) return [paper.toFixed(2), signed(got - paper, 3), `±${tol.abs}`, Math.abs(got - paper) <= tol.abs];
  const p = String(t.paper);
  if ('at_most' in tol) return [p, '', bound_text(t.measure, '≤', tol.at_most), got <= tol.at_most];
  if ('at_least' in tol) return [p, '', bound_text(t.measure, '≥', tol.at_least), got >= tol.at_least];
  if ('below' in tol) return [p, '', bound_text(t.measure, '<', tol.below), got < tol.below];
  return [p, '', tol.shape, false];
}

const NO_REASON = 'No reason recorded yet: investigate.';

export function check_targets(runs: BenchRecord[], targets: Target[] = TARGETS): Check[] {
  const rs = new Records(runs);
  const out: Check[] = [];
  for (const t of targets) {
    const got = measure(t.measure, rs);
    if (!got) continue;
    let c: Omit<Check, 'why'>;
    if ('text' in got) {
      const tolerance = 'shape' in t.within ? t.within.shape : '';
      c = { figure: t.figure, what: t.what, paper: String(t.paper), emulated: got.text, diff: '', tolerance, holds: got.holds };
    } else {
      const [paper, diff, tolerance, holds] = judge(t, got.value);
      const emulated = show(t.measure, got.value, got.of);
      c = { figure: t.figure, what: t.what, paper, emulated, diff, tolerance, holds };
    }
    out.push({ ...c, why: c.holds ? '' : (t.why ?? NO_REASON) });
  }
  return out;
}
