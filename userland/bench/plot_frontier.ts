// The frontier: what each scheme costs the source against what it costs
// the process. A panel a kernel (the paper's order), a row a size (each
// kernel's largest, then 32 MiB); across, the freeze (log scale: the
// source is relieved of the process from its end); up, the runtime over
// the compute-only runtime (openMosix's runtime less its freeze: every
// page there when the process resumes), so 1 is the compute-only bound.
// Down and to the left is better; the oracle's time is the floor of the
// schemes that freeze as it does. The paper's AMPoM is marked where the
// paper gives its freeze (DGEMM 575 MB only), at its stated bound on the
// runtime (at most +5% over openMosix's, put on omemu's openMosix run: the
// paper gives no runtimes in seconds). From the bench's records only.
import type { TopLevelSpec } from 'vega-lite';
import { POLICIES } from '../../om/state.ts';
import type { BenchRecord } from './record.ts';
import { PAPER, PAPER_KERNEL_ORDER } from './paper_values.ts';
import { place_labels } from './plot_labels.ts';
import { wrap } from '../cli/format.ts';
import { KERNEL_NAME, only, scheme_color, scheme_name, top } from './plot_style.ts';

/** The rows of the figure: the bench's figure of records, and how the row is titled. */
export const FRONTIER_ROWS = [
  { figure: 'schemes', title: (): string => "At each kernel's largest size" },
  { figure: 'schemes-32', title: (mib: number): string => `At ${mib} MB, every kernel` },
] as const;

export interface FrontierPoint {
  scheme: string;
  freeze_s: number;
  runtime_s: number;
  /** runtime_s over the compute-only runtime. */
  ratio: number;
}

export interface FrontierPanel {
  figure: string;
  kernel: string;
  size_mib: number;
  /** openMosix's runtime less its freeze; null without an openMosix run that migrated. */
  compute_s: number | null;
  /** The schemes that migrated, in the order of POLICIES. */
  points: FrontierPoint[];
  oracle_ratio: number | null;
  /** The paper's AMPoM, where the paper gives its freeze. */
  paper: { freeze_s: number; ratio: number; label: string } | null;
  /** What is not drawn, and why, in words. */
  not_drawn: string[];
}

/** The paper's AMPoM point for a kernel at its largest size, or null where the paper gives no freeze (every kernel but DGEMM). */
function paper_point(kernel: string, om_ratio: number): FrontierPanel['paper'] {
  if (kernel !== 'dgemm') return null;
  const pct = PAPER.fig6_ampom_over_openmosix_max_pct;
  return { freeze_s: PAPER.fig5_dgemm575_freeze_s.ampom, ratio: om_ratio * (1 + pct / 100), label: "paper's AMPoM" };
}

/** One panel's points from the records of one figure and kernel. */
export function frontier_panel(rs: BenchRecord[], figure: string, kernel: string): FrontierPanel | null {
  const mine = rs.filter((r) => r.figure === figure && r.kernel === kernel);
  if (mine.length === 0) return null;
  const of = (s: string): BenchRecord | undefined => mine.find((r) => r.scheme === s);
  const om = of('openmosix');
  const compute_s = om && om.freeze_s !== null && om.runtime_s > om.freeze_s ? om.runtime_s - om.freeze_s : null;
  const not_drawn: string[] = [];
  const points: FrontierPoint[] = [];
  if (compute_s === null) not_drawn.push(om ? 'openMosix did not migrate: no compute-only bound, nothing drawn' : 'no openMosix run: no compute-only bound, nothing drawn');
  const missing = POLICIES.filter((s) => !of(s)).map(scheme_name);
  if (missing.length > 0) not_drawn.push(`not run: ${missing.join(', ')}`);
  for (const s of POLICIES) {
    const r = of(s);
    if (!r) continue;
    if (r.freeze_s === null || !(r.freeze_s > 0)) {
      const why = r.freeze_s !== null ? 'no freeze to draw on a log scale' : r.precopy_rounds > 0 ? `did not migrate (ended in pre-copy round ${r.precopy_rounds})` : 'did not migrate';
      not_drawn.push(`${scheme_name(s)} ${why}: not drawn`);
      continue;
    }
    if (compute_s !== null) points.push({ scheme: s, freeze_s: r.freeze_s, runtime_s: r.runtime_s, ratio: r.runtime_s / compute_s });
  }
  const om_point = points.find((p) => p.scheme === 'openmosix');
  const paper = figure === 'schemes' && om_point ? paper_point(kernel, om_point.ratio) : null;
  if (figure === 'schemes' && om_point && !paper) not_drawn.push("the paper: no AMPoM freeze for this kernel");
  return { figure, kernel, size_mib: mine[0]!.size_mib, compute_s, points, oracle_ratio: points.find((p) => p.scheme === 'oracle')?.ratio ?? null, paper, not_drawn };
}

/** Every panel, row by row (largest size, then 32 MiB), kernels in the paper's order. */
export function frontier_panels(runs: BenchRecord[]): FrontierPanel[] {
  return FRONTIER_ROWS.flatMap(({ figure }) => PAPER_KERNEL_ORDER.flatMap((k) => frontier_panel(runs, figure, k) ?? []));
}

/** Whether the bench has what the figure draws: every scheme's runs beside an oracle's. */
export const has_frontier = (runs: BenchRecord[]): boolean => frontier_panels(runs).some((p) => p.points.length > 0 && p.oracle_ratio !== null);

const CSV_HEAD = 'figure,kernel,size_mib,source,scheme,freeze_s,runtime_s,compute_only_s,runtime_over_compute_only';
const num = (x: number | null): string => (x === null ? '' : String(Number(x.toPrecision(6))));

/** frontier.csv: a line a point drawn (omemu's and the paper's), with the compute-only runtime it is divided by. */
export function frontier_csv(runs: BenchRecord[]): string {
  const L = [CSV_HEAD];
  for (const p of frontier_panels(runs)) {
    for (const q of p.points) L.push([p.figure, p.kernel, p.size_mib, 'omemu', q.scheme, num(q.freeze_s), num(q.runtime_s), num(p.compute_s), num(q.ratio)].join(','));
    if (p.paper) L.push([p.figure, p.kernel, p.size_mib, 'paper', 'ampom', num(p.paper.freeze_s), '', '', num(p.paper.ratio)].join(','));
  }
  return L.join('\n') + '\n';
}

const W = 300;
const H = 260;
/** Room left of the leftmost point and right of the rightmost for their names, px. */
const SIDE_PX = 90;
const sig = (x: number): number => Number(x.toPrecision(6));

/** Tick values of a log axis over [lo, hi]: 1, 2, 5 a decade, or the powers of ten alone where that would crowd. */
function log_ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (const m of [1, 2, 5]) out.push(sig(m * 10 ** e));
  const inside = out.filter((t) => t >= lo && t <= hi);
  return inside.length > 8 ? inside.filter((t) => Number.isInteger(Math.log10(t))) : inside;
}

type Row = Record<string, unknown>;
const note_of = (p: FrontierPanel): string[] => p.not_drawn.flatMap((l) => wrap(l, 50));
const pad_lines = (lines: string[], n: number): string[] => [...lines, ...new Array<string>(n - lines.length).fill(' ')];

/** One panel: its scales (fixed, so names can be placed in pixels), its rows of data, and its layers. */
function panel_spec(p: FrontierPanel, id: string, note_lines: number): { rows: Row[]; spec: object } {
  const xs = [...p.points.map((q) => q.freeze_s), ...(p.paper ? [p.paper.freeze_s] : [])];
  const ys = [1, ...p.points.map((q) => q.ratio), ...(p.paper ? [p.paper.ratio] : [])];
  // x: the points' decades in the middle, room for names at either side.
  const lx0 = Math.log10(xs.length ? Math.min(...xs) : 0.1);
  const lx1 = Math.max(Math.log10(xs.length ? Math.max(...xs) : 1), lx0 + 0.3);
  const per_px = (lx1 - lx0) / (W - 2 * SIDE_PX);
  const x_lo = lx0 - SIDE_PX * per_px;
  const x_hi = lx1 + SIDE_PX * per_px;
  const y_lo = Math.min(...ys);
  const y_top = Math.max(...ys);
  const span = Math.max(y_top - y_lo, 0.05);
  const y0 = y_lo - 0.06 * span;
  const y1 = y_top + 0.1 * span;
  const px = (x: number): number => ((Math.log10(x) - x_lo) / (x_hi - x_lo)) * W;
  const py = (y: number): number => ((y1 - y) / (y1 - y0)) * H;
  const x_of = (x_px: number): number => sig(10 ** (x_lo + (x_px / W) * (x_hi - x_lo)));
  const y_of = (y_px: number): number => sig(y1 - (y_px / H) * (y1 - y0));

  const marks = [
    ...p.points.map((q) => ({ text: scheme_name(q.scheme), x_px: px(q.freeze_s), y_px: py(q.ratio), r_px: 5 })),
    ...(p.paper ? [{ text: p.paper.label, x_px: px(p.paper.freeze_s), y_px: py(p.paper.ratio), r_px: 9 }] : []),
  ];
  const placed = place_labels(marks, W, H);

  const rows: Row[] = [];
  const label_cols = (i: number): Row => {
    const l = placed[i]!;
    // The leader ends short of the text.
    const end = l.align === 'left' ? l.x_px - 2 : l.x_px + 2;
    return { lx: x_of(l.x_px), ly: y_of(l.y_px), align: l.align, leader: l.leader, leader_x: x_of(end) };
  };
  p.points.forEach((q, i) => rows.push({ panel: id, source: 'omemu', scheme_name: scheme_name(q.scheme), freeze_s: q.freeze_s, ratio: sig(q.ratio), runtime_s: q.runtime_s, text: scheme_name(q.scheme), ...label_cols(i) }));
  if (p.paper) rows.push({ panel: id, source: 'paper', scheme_name: 'AMPoM', freeze_s: p.paper.freeze_s, ratio: sig(p.paper.ratio), text: p.paper.label, label: p.paper.label, ...label_cols(p.points.length) });
  rows.push({ panel: id, source: 'bound', ratio: 1, label: 'compute only' });
  if (p.oracle_ratio !== null) rows.push({ panel: id, source: 'bound', ratio: sig(p.oracle_ratio), label: 'oracle' });

  const ticks = log_ticks(10 ** x_lo, 10 ** x_hi);
  const x = { field: 'freeze_s', type: 'quantitative', title: 'freeze (s, log scale)', scale: { type: 'log', domain: [x_of(0), x_of(W)], nice: false }, axis: { values: ticks, format: '~g' } };
  const y = { field: 'ratio', type: 'quantitative', title: 'runtime / compute-only runtime', scale: { domain: [y_of(H), y_of(0)], nice: false, zero: false } };
  const lx = { ...x, field: 'lx' };
  const ly = { ...y, field: 'ly' };
  // The names beside the points say which scheme is which: no legend.
  const color = { ...scheme_color(POLICIES.map(scheme_name)), legend: null };
  // Each name twice: a white outline first, so a dashed bound or a leader under it does not strike it through.
  const text = (align: string, halo: boolean): object => ({
    transform: [{ filter: `(datum.source === 'omemu' || datum.source === 'paper') && datum.align === '${align}'` }],
    mark: { type: 'text', align, baseline: 'middle', fontSize: 10, ...(halo ? { color: '#ffffff', stroke: '#ffffff', strokeWidth: 3, strokeJoin: 'round' } : { color: '#222222' }) },
    encoding: { x: lx, y: ly, text: { field: 'text', type: 'nominal' } },
  });
  const size = `${Number(p.size_mib.toPrecision(3))} MB`;
  const spec = {
    // What is not drawn is said under the panel's name, outside the plot, where no point can be.
    title: { text: `${KERNEL_NAME[p.kernel] ?? p.kernel} ${size}`, subtitle: pad_lines(note_of(p), note_lines), anchor: 'start', fontSize: 13, subtitleFontSize: 10, subtitleColor: '#222222' },
    transform: [{ filter: `datum.panel === '${id}'` }],
    width: W,
    height: H,
    layer: [
      { transform: only('bound'), mark: { type: 'rule', strokeDash: [6, 4], color: '#555555', strokeWidth: 1.3 }, encoding: { y: { field: 'ratio', type: 'quantitative' } } },
      { transform: [...only('bound'), { filter: "datum.label === 'compute only'" }], mark: { type: 'text', align: 'left', baseline: 'bottom', x: 3, dy: -2, fontSize: 10, color: '#333333' }, encoding: { y: { field: 'ratio', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } } },
      { transform: [{ filter: 'datum.leader === true' }], mark: { type: 'rule', color: '#999999', strokeWidth: 0.8 }, encoding: { x, y, x2: { field: 'leader_x' }, y2: { field: 'ly' } } },
      { transform: only('omemu'), mark: { type: 'point', filled: true, size: 70, opacity: 1 }, encoding: { x, y, color, tooltip: [{ field: 'scheme_name', type: 'nominal' }, { field: 'freeze_s', type: 'quantitative' }, { field: 'runtime_s', type: 'quantitative' }, { field: 'ratio', type: 'quantitative' }] } },
      { transform: only('paper'), mark: { type: 'point', shape: 'diamond', filled: false, size: 220, strokeWidth: 2.2, opacity: 1 }, encoding: { x, y, color, tooltip: [{ field: 'label', type: 'nominal' }] } },
      text('left', true),
      text('right', true),
      text('left', false),
      text('right', false),
    ],
  };
  return { rows, spec };
}

/** The frontier figure, or nothing when the bench ran no scheme beside the oracle. */
export function frontier_spec(runs: BenchRecord[]): Record<string, TopLevelSpec> {
  if (!has_frontier(runs)) return {};
  const panels = frontier_panels(runs);
  const rows: Row[] = [];
  const vconcat = FRONTIER_ROWS.flatMap(({ figure, title }) => {
    const mine = panels.filter((p) => p.figure === figure);
    if (mine.length === 0) return [];
    // As many lines under every name of a row, so that the row's plots line up.
    const lines = Math.max(0, ...mine.map((p) => note_of(p).length));
    const specs = mine.map((p) => {
      const s = panel_spec(p, `${figure}/${p.kernel}`, lines);
      rows.push(...s.rows);
      return s.spec;
    });
    return [{ title: { text: title(mine[0]!.size_mib), anchor: 'start', fontSize: 14 }, hconcat: specs, spacing: 40, bounds: 'flush' }];
  });
  const s = {
    ...top(
      'The frontier: freeze against runtime, every scheme (Fast Ethernet)',
      rows,
      'filled: omemu · hollow ◇: the paper · dashed: compute only (1) and the oracle · down and left is better',
    ),
    vconcat,
    spacing: 30,
  };
  return { frontier: s as unknown as TopLevelSpec };
}
