// One SVG plot a figure, from vega-lite 5 specs rendered headless by vega
// (png.ts makes the PNG copies without a native canvas). Every figure that
// reproduces one of the paper's draws the paper's values beside omemu's
// (plot_style.ts says how), its panels in the paper's order, no series
// hidden behind another: bars side by side, points set apart, or a note
// where two coincide. vega and vega-lite take about half a second to load,
// so they load on the first drawing, not with the commands that import
// this file and may never draw.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchRecord } from './record.ts';
import { PAPER, PAPER_KERNEL_ORDER } from './paper_values.ts';
import { frontier_spec } from './plot_frontier.ts';
import { schemes_spec } from './plot_schemes.ts';
import {
  bound_lines, coincide, KERNEL_NAME, kernel_columns, named, note_text, notes as notes_layer, omemu_line, only, paper_points, rule_at, scheme_color, scheme_name, top,
} from './plot_style.ts';

type Row = Record<string, unknown>;
const ws = { field: 'working_set_mib', type: 'quantitative', title: 'memory size (MB)' };
const largest = (rs: BenchRecord[], kernel: string): number => Math.max(...rs.filter((r) => r.kernel === kernel).map((r) => r.working_set_mib));
const omemu = (rs: BenchRecord[]): Row[] => rs.map((r) => ({ ...named(r), source: 'omemu' }));
/** A panel's note (none without lines); `at` names the panel: { kernel_name } or { panel }. */
const note = (at: Row, lines: string[], cols?: number): Row[] => {
  const text = note_text(lines, cols);
  return text === null ? [] : [{ source: 'note', ...at, text }];
};
const fmt = (x: number, d = 2): string => x.toFixed(d);

/** In words, the pairs of schemes whose values coincide (within 1%) at every x where both ran; a figure draws them apart and says so. */
function coincidences(rs: BenchRecord[], value: (r: BenchRecord) => number | null, x: (r: BenchRecord) => number): string[] {
  const out: string[] = [];
  const schemes = [...new Set(rs.map((r) => r.scheme))];
  for (let i = 0; i < schemes.length; i++) {
    for (let j = i + 1; j < schemes.length; j++) {
      const same: number[] = [];
      for (const a of rs.filter((r) => r.scheme === schemes[i])) {
        const b = rs.find((r) => r.scheme === schemes[j] && x(r) === x(a));
        const va = value(a);
        const vb = b ? value(b) : null;
        if (va !== null && vb !== null && coincide(va, vb)) same.push(x(a));
      }
      if (same.length > 0) out.push(`${scheme_name(schemes[i]!)} = ${scheme_name(schemes[j]!)} (within 1%) at ${same.sort((p, q) => p - q).map((v) => String(Number(v.toPrecision(3)))).join(', ')}`);
    }
  }
  return out;
}

/** Notes of every kernel's panel: the runs that did not migrate, then the coincidences. */
function panel_notes(rs: BenchRecord[], value: (r: BenchRecord) => number | null, x: (r: BenchRecord) => number, first: (k: string) => string[] = () => []): Row[] {
  const out: Row[] = [];
  for (const k of PAPER_KERNEL_ORDER) {
    const mine = rs.filter((r) => r.kernel === k);
    const lines = [...first(k)];
    for (const r of mine.filter((m) => m.freeze_s === null)) lines.push(`${scheme_name(r.scheme)} at ${fmt(x(r), 0)} MB did not migrate: not drawn`);
    lines.push(...coincidences(mine.filter((m) => m.freeze_s !== null), value, x));
    out.push(...note({ kernel_name: KERNEL_NAME[k] }, lines));
  }
  return out;
}

function fig5(f58: BenchRecord[]): TopLevelSpec {
  const paper: Row[] = (['openmosix', 'ampom', 'noprefetch'] as const).map((s) => ({
    source: 'paper', kernel_name: 'DGEMM', scheme_name: scheme_name(s), working_set_mib: largest(f58, 'dgemm'),
    freeze_s: PAPER.fig5_dgemm575_freeze_s[s], label: `paper: ${scheme_name(s)} ${PAPER.fig5_dgemm575_freeze_s[s]} s at 575 MB`,
  }));
  const notes = panel_notes(f58, (r) => r.freeze_s, (r) => r.working_set_mib, (k) => (k === 'dgemm' ? [] : ['the paper: DGEMM 575 MB only']));
  const y = { field: 'freeze_s', type: 'quantitative', title: 'freeze time (s, log scale)', scale: { type: 'log' } };
  const color = scheme_color();
  return {
    ...top('Figure 5: freeze time against memory size (Fast Ethernet)', [...omemu(f58.filter((r) => r.freeze_s !== null)), ...paper, ...notes]),
    ...kernel_columns(),
    spec: { width: 230, height: 200, layer: [omemu_line(ws, y, color), paper_points(ws, y, color), notes_layer()] },
    resolve: { scale: { x: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** openMosix's run of the same kernel and size (or working set), the baseline of a ratio. */
const openmosix_of = (rs: BenchRecord[], r: BenchRecord): BenchRecord | undefined =>
  rs.find((x) => x.scheme === 'openmosix' && x.kernel === r.kernel && x.size_mib === r.size_mib && x.working_set_mib === r.working_set_mib && x.bandwidth_mbps === r.bandwidth_mbps);

/** The least time any scheme could take: openMosix's execution less its freeze (every page local, migration free). */
function compute_only(rs: BenchRecord[], kernel_name: (r: BenchRecord) => string | undefined): Row[] {
  const oms = rs.filter((r) => r.scheme === 'openmosix' && r.freeze_s !== null);
  return oms.map((r) => ({
    source: 'bound', kernel_name: kernel_name(r), working_set_mib: r.working_set_mib, runtime_s: r.runtime_s - r.freeze_s!,
    label: 'compute only', label_here: r.working_set_mib === largest(oms, r.kernel),
  }));
}

function fig6(f58: BenchRecord[]): TopLevelSpec {
  const color = scheme_color();
  const runtime = { field: 'runtime_s', type: 'quantitative', title: 'execution time (s)', scale: { zero: true } };
  const ratios = f58.filter((r) => r.scheme !== 'openmosix' && r.freeze_s !== null).flatMap((r) => {
    const om = openmosix_of(f58, r);
    return om ? [{ ...named(r), source: 'omemu', ratio: r.runtime_s / om.runtime_s }] : [];
  });
  const paper: Row[] = PAPER_KERNEL_ORDER.map((k) => ({
    source: 'paper', kernel_name: KERNEL_NAME[k], scheme_name: 'NoPrefetch', working_set_mib: largest(f58, k),
    ratio: 1 + PAPER.fig6_noprefetch_over_openmosix_pct[k] / 100, label: `paper: NoPrefetch +${PAPER.fig6_noprefetch_over_openmosix_pct[k]}%`,
  }));
  paper.push({
    source: 'paper', kernel_name: 'RandomAccess', scheme_name: 'AMPoM', working_set_mib: largest(f58, 'randomaccess'),
    ratio: 1 + PAPER.fig6_ampom_over_openmosix_randomaccess_pct / 100, label: `paper: AMPoM +${PAPER.fig6_ampom_over_openmosix_randomaccess_pct}%`,
  });
  const rules = PAPER_KERNEL_ORDER.flatMap((k) => [
    { source: 'baseline', kernel_name: KERNEL_NAME[k], ratio: 1, label: '' },
    { source: 'hbound', kernel_name: KERNEL_NAME[k], ratio: 1 + PAPER.fig6_ampom_over_openmosix_max_pct / 100, label: `paper: AMPoM at most +${PAPER.fig6_ampom_over_openmosix_max_pct}%` },
  ]);
  const lo = Math.min(1, ...ratios.map((r) => r.ratio));
  const ratio = { field: 'ratio', type: 'quantitative', title: "time over openMosix's (grey line: openMosix)", scale: { domainMin: lo, zero: false } };
  const notes = panel_notes(f58.filter((r) => r.scheme !== 'openmosix'), (r) => { const om = openmosix_of(f58, r); return om ? r.runtime_s / om.runtime_s : null; }, (r) => r.working_set_mib);
  const data = [...omemu(f58.filter((r) => r.freeze_s !== null)).map((r) => ({ ...r, panel: 'time' })), ...compute_only(f58, (r) => KERNEL_NAME[r.kernel]).map((r) => ({ ...r, panel: 'time' })), ...notes.map((r) => ({ ...r, panel: 'time' })),
    ...ratios.map((r) => ({ ...r, panel: 'ratio' })), ...paper.map((r) => ({ ...r, panel: 'ratio' })), ...rules.map((r) => ({ ...r, panel: 'ratio' })), ...notes.map((r) => ({ ...r, panel: 'ratio' }))];
  const part = (panel: string, layer: object[]) => ({
    transform: [{ filter: `datum.panel === '${panel}'` }],
    ...kernel_columns(panel === 'time'),
    spec: { width: 230, height: 180, layer },
    resolve: { scale: { x: 'independent', y: panel === 'time' ? 'independent' : 'shared' } },
  });
  return {
    ...top('Figure 6: execution time after migration, and over openMosix\'s', data),
    vconcat: [
      part('time', [omemu_line(ws, runtime, color), ...bound_lines(ws, runtime), notes_layer()]),
      part('ratio', [...rule_at('ratio', false), ...rule_at('ratio', true), omemu_line(ws, ratio, color), paper_points(ws, ratio, color), notes_layer()]),
    ],
  } as unknown as TopLevelSpec;
}

function fig7(f58: BenchRecord[]): TopLevelSpec {
  const two = f58.filter((r) => r.scheme !== 'openmosix');
  const color = scheme_color(['NoPrefetch', 'AMPoM']);
  const prevented: Row[] = two.filter((r) => r.scheme === 'ampom').flatMap((a) => {
    const np = two.find((r) => r.scheme === 'noprefetch' && r.kernel === a.kernel && r.working_set_mib === a.working_set_mib);
    return np && np.remote_fault_requests > 0 ? [{ ...named(a), source: 'omemu', panel: 'prevented', prevented_pct: 100 * (1 - a.remote_fault_requests / np.remote_fault_requests) }] : [];
  });
  const paper: Row[] = PAPER_KERNEL_ORDER.map((k) => ({
    source: 'paper', panel: 'prevented', kernel_name: KERNEL_NAME[k], scheme_name: 'AMPoM', working_set_mib: largest(f58, k), prevented_pct: PAPER.fig7_prevented_pct[k], label: `paper: ${PAPER.fig7_prevented_pct[k]}%`,
  }));
  const notes = panel_notes(two, (r) => r.remote_fault_requests, (r) => r.working_set_mib).map((n) => ({ ...n, panel: 'requests' }));
  const size = { field: 'working_set_mib', type: 'ordinal', title: 'memory size (MB)', sort: 'ascending', axis: { labelAngle: 0 } };
  const y = { field: 'remote_fault_requests', type: 'quantitative', title: 'page-fault requests' };
  const pct = { field: 'prevented_pct', type: 'quantitative', title: 'requests AMPoM prevents (%)', scale: { domain: [0, 100] } };
  const data = [...omemu(two).map((r) => ({ ...r, panel: 'requests' })), ...notes, ...prevented, ...paper];
  return {
    ...top('Figure 7: page-fault requests of AMPoM and NoPrefetch, and the share AMPoM prevents', data),
    vconcat: [
      {
        transform: [{ filter: "datum.panel === 'requests'" }],
        ...kernel_columns(true),
        spec: { width: 230, height: 180, layer: [{ transform: only('omemu'), mark: { type: 'bar' }, encoding: { x: size, xOffset: { field: 'scheme_name', type: 'nominal', sort: ['NoPrefetch', 'AMPoM'] }, y, color } }, notes_layer()] },
        // Each panel its own sizes, so its own bands, and the bars' offsets within them.
        resolve: { scale: { x: 'independent', y: 'independent', xOffset: 'independent' } },
      },
      {
        transform: [{ filter: "datum.panel === 'prevented'" }],
        ...kernel_columns(),
        spec: { width: 230, height: 150, layer: [omemu_line(ws, pct, color), paper_points(ws, pct, color)] },
        resolve: { scale: { x: 'independent' } },
      },
    ],
  } as unknown as TopLevelSpec;
}

function fig8(f58: BenchRecord[]): TopLevelSpec {
  const am = f58.filter((r) => r.scheme === 'ampom');
  const notes = PAPER_KERNEL_ORDER.flatMap((k) => note({ kernel_name: KERNEL_NAME[k] }, [`paper: ${PAPER.fig8_words[k]} (no numbers given)`]));
  // Headroom above the highest line for the paper's words.
  const y = { field: 'prefetched_per_fault', type: 'quantitative', title: 'prefetched pages per fault', scale: { domain: [0, 1.4 * Math.max(0.1, ...am.map((r) => r.prefetched_per_fault))], nice: true } };
  const color = scheme_color(['AMPoM']);
  return {
    ...top('Figure 8: pages AMPoM prefetches per page fault', [...omemu(am), ...notes], 'filled: omemu · the paper ranks the kernels in words only'),
    ...kernel_columns(),
    spec: { width: 230, height: 180, layer: [omemu_line(ws, y, color), notes_layer()] },
    resolve: { scale: { x: 'independent' } },
  } as unknown as TopLevelSpec;
}

const net_label = (r: { bandwidth_mbps: number; profile: string }): string => `${r.bandwidth_mbps} Mb/s${r.profile === 'broadband' ? ' (broadband)' : ''}`;

function fig9(runs: BenchRecord[]): TopLevelSpec {
  const f9 = runs.filter((r) => r.figure === 'fig9');
  const nets = [...new Map(f9.map((r) => [r.bandwidth_mbps, net_label(r)])).entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  const panel = (r: BenchRecord): string => `${KERNEL_NAME[r.kernel]} ${r.size_mib} MB`;
  const rows: Row[] = f9.filter((r) => r.scheme !== 'openmosix').flatMap((r) => {
    const om = openmosix_of(f9, r);
    return om ? [{ ...named(r), source: 'omemu', panel: panel(r), net: net_label(r), pct: (100 * r.runtime_s) / om.runtime_s }] : [];
  });
  const dgemm = f9.find((r) => r.kernel === 'dgemm');
  const paper: Row[] = dgemm
    ? PAPER.fig9_dgemm115_ampom_pct_of_openmosix.flatMap((p) => {
        const r = f9.find((x) => x.kernel === 'dgemm' && x.bandwidth_mbps === p.bandwidth_mbps);
        return r ? [{ source: 'paper', panel: panel(dgemm), scheme_name: 'AMPoM', net: net_label(r), pct: p.pct, label: `paper: ${p.pct}%` }] : [];
      })
    : [];
  const panels = [...new Set(f9.map(panel))];
  const notes: Row[] = [];
  for (const p of panels) {
    const mine = f9.filter((r) => panel(r) === p && r.scheme !== 'openmosix');
    const lines = mine[0]?.kernel === 'randomaccess' ? [`paper: AMPoM about ${PAPER.fig9_randomaccess129_ampom_faster_than_noprefetch_pct}% faster than NoPrefetch at 6 Mb/s`] : [];
    lines.push(...coincidences(mine, (r) => { const om = openmosix_of(f9, r); return om ? r.runtime_s / om.runtime_s : null; }, (r) => r.bandwidth_mbps).map((t) => `${t} Mb/s`));
    notes.push(...note({ panel: p }, lines, 56));
  }
  const base = panels.map((p) => ({ source: 'baseline', panel: p, pct: 100, label: 'openMosix = 100%' }));
  const lo = Math.min(100, ...rows.map((r) => r.pct as number));
  const x = { field: 'net', type: 'ordinal', title: 'network (available bandwidth)', sort: nets, axis: { labelAngle: 0 } };
  // Headroom above the highest point for the panel's words.
  const hi = 100 + 1.25 * (Math.max(100, ...rows.map((r) => r.pct as number)) - 100);
  const y = { field: 'pct', type: 'quantitative', title: "execution time, % of openMosix's (grey line: openMosix)", scale: { domain: [lo, hi], zero: false } };
  const color = scheme_color(['NoPrefetch', 'AMPoM']);
  const off = { xOffset: { field: 'scheme_name', type: 'nominal', sort: ['NoPrefetch', 'AMPoM'] } };
  return {
    ...top('Figure 9: execution time against the network, over openMosix\'s', [...rows, ...paper, ...notes, ...base]),
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 13, labelFontWeight: 'bold' } } },
    bounds: 'flush',
    spacing: 30,
    spec: {
      width: 300, height: 220,
      layer: [
        ...rule_at('pct', false),
        { transform: only('omemu'), mark: { type: 'point', filled: true, size: 70, opacity: 1 }, encoding: { x, y, color, ...off } },
        paper_points(x, y, color, off),
        notes_layer(),
      ],
    },
  } as unknown as TopLevelSpec;
}

function fig10(runs: BenchRecord[]): TopLevelSpec {
  const f10 = runs.filter((r) => r.figure === 'fig10');
  const x = { field: 'working_set_mib', type: 'quantitative', title: `working set (MB) of ${f10[0]?.size_mib ?? ''} MB allocated` };
  const y = { field: 'runtime_s', type: 'quantitative', title: 'execution time (s)', scale: { zero: true } };
  const lines = [`paper: ${PAPER.fig10_words} (no numbers given)`, ...coincidences(f10.filter((r) => r.freeze_s !== null), (r) => r.runtime_s, (r) => r.working_set_mib).map((t) => `${t} MB`)];
  for (const r of f10.filter((m) => m.freeze_s === null)) lines.push(`${scheme_name(r.scheme)} at ${r.working_set_mib} MB did not migrate: not drawn`);
  const notes = note({}, lines, 70);
  return {
    ...top('Figure 10: DGEMM allocating the largest size, working on less', [...omemu(f10.filter((r) => r.freeze_s !== null)), ...compute_only(f10, () => undefined), ...notes], 'filled: omemu · dashed: compute only (openMosix\'s time less its freeze) · the paper gives no numbers'),
    width: 460, height: 280,
    layer: [omemu_line(x, y, scheme_color()), ...bound_lines(x, y), notes_layer()],
  } as unknown as TopLevelSpec;
}

function fig11(f58: BenchRecord[]): TopLevelSpec {
  const am = f58.filter((r) => r.scheme === 'ampom');
  const rules = PAPER_KERNEL_ORDER.flatMap((k) => [
    { source: 'hbound', kernel_name: KERNEL_NAME[k], analysis_pct: PAPER.fig11_every_run_below_pct, label: `paper: every run below ${PAPER.fig11_every_run_below_pct}%` },
    { source: 'hbound', kernel_name: KERNEL_NAME[k], analysis_pct: PAPER.fig11_all_but_one_below_pct, label: `paper: all but one below ${PAPER.fig11_all_but_one_below_pct}%` },
  ]);
  const notes = PAPER_KERNEL_ORDER.flatMap((k) => {
    const mine = am.filter((r) => r.kernel === k);
    return mine.length ? note({ kernel_name: KERNEL_NAME[k] }, [`omemu's largest: ${fmt(Math.max(...mine.map((r) => r.analysis_pct)), 3)}%`]) : [];
  });
  const top_pct = 1.35 * Math.max(PAPER.fig11_every_run_below_pct, ...am.map((r) => r.analysis_pct));
  const y = { field: 'analysis_pct', type: 'quantitative', title: 'analysis time (% of execution time)', scale: { domain: [0, top_pct] } };
  return {
    ...top('Figure 11: time AMPoM spends finding dependent zones', [...omemu(am), ...rules, ...notes], "filled: omemu · dashed: the paper's bounds"),
    ...kernel_columns(),
    spec: { width: 230, height: 180, layer: [...rule_at('analysis_pct', true), omemu_line(ws, y, scheme_color(['AMPoM'])), notes_layer()] },
    resolve: { scale: { x: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** Every figure's spec; below the paper's sizes (bench-quick) each subtitle says that the paper's values are for its own sizes. */
export function figure_specs(runs: BenchRecord[], scale = 1): Record<string, TopLevelSpec> {
  const f58 = runs.filter((r) => r.figure === 'fig5-8');
  const specs: Record<string, TopLevelSpec> = {
    fig5: fig5(f58),
    fig6: fig6(f58),
    fig7: fig7(f58),
    fig8: fig8(f58),
    fig9: fig9(runs),
    fig10: fig10(runs),
    fig11: fig11(f58),
    ...schemes_spec(runs),
    ...frontier_spec(runs),
  };
  if (scale !== 1) {
    for (const sp of Object.values(specs)) {
      const t = (sp as { title: { subtitle: string } }).title;
      t.subtitle += ` · sizes x${scale}: the paper's values are for its own sizes`;
    }
  }
  return specs;
}

export async function render_svg(s: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(s).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
