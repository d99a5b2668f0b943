// The frontier figure (freeze against runtime over the compute-only
// runtime, a point a scheme) from a few synthetic records: the points and
// their ratio, the log x, the bounds, the paper's AMPoM where the paper
// gives its freeze and nowhere else, what is not drawn said in words; the
// name placement that keeps its labels apart; and REPORT.md's table of the
// share of blocked time closed, every scheme and kernel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { POLICIES } from '../../om/state.ts';
import { PAPER } from '../../userland/bench/paper_values.ts';
import { frontier_csv, frontier_panel, frontier_panels, frontier_spec, has_frontier } from '../../userland/bench/plot_frontier.ts';
import { place_labels, stack, text_width_px } from '../../userland/bench/plot_labels.ts';
import type { BenchRecord } from '../../userland/bench/record.ts';
import { closed_md } from '../../userland/bench/report_closed.ts';
import { check } from '../helpers/prop.ts';

/** A record with only what the figure and the table read set; the rest zero. */
function rec(figure: string, kernel: string, scheme: string, freeze_s: number | null, runtime_s: number, blocked_s = 0, size_mib = 64): BenchRecord {
  return {
    figure, kernel, size_mib, working_set_mib: size_mib, scheme, freeze_s, runtime_s, blocked_s, problem: 'n', used_mib: size_mib, profile: 'fast-ethernet', bandwidth_mbps: 100, latency_ms: 0.06,
    remote_fault_requests: 0, remote_faults: 0, local_window_faults: 0, request_messages: 0, prefetched_pages: 0, prefetched_per_fault: 0, pages_transferred: 0, analysis_s: 0, analysis_pct: 0,
    bytes_transferred: 0, prefetch_hits: 0, wasted_prefetch: 0, pushed_pages: 0, precopy_rounds: 0, precopy_bytes: 0, downtime_bytes: 0, postcopy_bytes: 0, total_migration_s: null,
    page_dependency_s: null, migrations_unfinished: 0, blocked_waits: 0, blocked_p50_ms: null, blocked_p99_ms: null, variant: '', verified: true, failures: [],
  } as BenchRecord;
}

/** openMosix freezes 40 s and computes 80 s after; NoPrefetch waits 40 s, AMPoM 8 s, the oracle 2 s. */
const dgemm = (figure = 'schemes'): BenchRecord[] => [
  rec(figure, 'dgemm', 'openmosix', 40, 120),
  rec(figure, 'dgemm', 'noprefetch', 0.07, 120.07, 40),
  rec(figure, 'dgemm', 'ampom', 0.6, 88.6, 8),
  rec(figure, 'dgemm', 'oracle', 0.6, 82.6, 2),
  { ...rec(figure, 'dgemm', 'precopy', null, 80), precopy_rounds: 3 },
];

type Values = { data: { values: Record<string, unknown>[] } };
const values = (s: unknown): Record<string, unknown>[] => (s as Values).data.values;

test('a point a scheme that migrated: its freeze and its runtime over openMosix\'s runtime less its freeze', () => {
  const p = frontier_panel(dgemm(), 'schemes', 'dgemm')!;
  assert.is(p.compute_s, 80);
  assert.equal(p.points.map((q) => [q.scheme, q.freeze_s, q.ratio]), [['openmosix', 40, 1.5], ['noprefetch', 0.07, 120.07 / 80], ['ampom', 0.6, 88.6 / 80], ['oracle', 0.6, 82.6 / 80]]);
  assert.is(p.oracle_ratio, 82.6 / 80);
  assert.ok(p.not_drawn.includes('precopy did not migrate (ended in pre-copy round 3): not drawn'));
  assert.ok(p.not_drawn.some((l) => /^not run: .*linux-ra/.test(l)), 'the schemes without a run are named');
});

test("the paper's AMPoM: DGEMM at the largest size only, its freeze and its +5% bound on openMosix's ratio", () => {
  const p = frontier_panel(dgemm(), 'schemes', 'dgemm')!;
  assert.equal(p.paper && [p.paper.freeze_s, p.paper.ratio], [PAPER.fig5_dgemm575_freeze_s.ampom, 1.5 * (1 + PAPER.fig6_ampom_over_openmosix_max_pct / 100)]);
  assert.is(frontier_panel(dgemm('schemes-32'), 'schemes-32', 'dgemm')!.paper, null, 'no paper point at 32 MiB');
  const stream = frontier_panel(dgemm().map((r) => ({ ...r, kernel: 'stream' })), 'schemes', 'stream')!;
  assert.is(stream.paper, null);
  assert.ok(stream.not_drawn.includes('the paper: no AMPoM freeze for this kernel'));
});

test('missing runs: no openMosix, no bound and nothing drawn; no oracle, no figure', () => {
  const no_om = frontier_panel(dgemm().filter((r) => r.scheme !== 'openmosix'), 'schemes', 'dgemm')!;
  assert.is(no_om.compute_s, null);
  assert.equal(no_om.points, []);
  assert.ok(no_om.not_drawn.includes('no openMosix run: no compute-only bound, nothing drawn'));
  assert.is(frontier_panel(dgemm(), 'schemes', 'fft'), null, 'a kernel without runs has no panel');
  const no_oracle = dgemm().filter((r) => r.scheme !== 'oracle');
  assert.not.ok(has_frontier(no_oracle));
  assert.equal(frontier_spec(no_oracle), {});
  assert.ok(has_frontier(dgemm()));
  // The report shows the figure only where it is drawn: here the oracle ran but openMosix did not.
  const no_om_runs = dgemm().filter((r) => r.scheme !== 'openmosix');
  assert.not.ok(has_frontier(no_om_runs));
  const md = closed_md(no_om_runs).join('\n');
  assert.match(md, /## How close to the oracle/);
  assert.not.match(md, /frontier\.png/);
});

test('the spec: log x, the points at their values, both bounds, every name placed, the paper hollow', () => {
  const runs = [...dgemm(), ...dgemm('schemes-32').map((r) => ({ ...r, size_mib: 32 }))];
  const s = frontier_spec(runs).frontier!;
  const v = values(s);
  const json = JSON.stringify(s);
  assert.match(json, /"field":"freeze_s","type":"quantitative","title":"freeze \(s, log scale\)","scale":\{"type":"log"/);
  const pts = v.filter((r) => r.source === 'omemu');
  assert.is(pts.length, 8, 'four schemes migrated at each size');
  assert.ok(pts.some((r) => r.panel === 'schemes/dgemm' && r.scheme_name === 'AMPoM' && r.freeze_s === 0.6 && r.ratio === Number((88.6 / 80).toPrecision(6))));
  for (const panel of ['schemes/dgemm', 'schemes-32/dgemm']) {
    const bounds = v.filter((r) => r.panel === panel && r.source === 'bound').map((r) => [r.label, r.ratio]);
    assert.equal(bounds, [['compute only', 1], ['oracle', Number((82.6 / 80).toPrecision(6))]]);
  }
  assert.ok(pts.every((r) => typeof r.lx === 'number' && typeof r.ly === 'number' && (r.align === 'left' || r.align === 'right')), 'every point named');
  const paper = v.filter((r) => r.source === 'paper');
  assert.equal(paper.map((r) => r.panel), ['schemes/dgemm']);
  assert.match(json, /"shape":"diamond","filled":false/);
  // What is not drawn is said under the panel's name.
  const rows = (s as unknown as { vconcat: { hconcat: { title: { subtitle: string[] } }[] }[] }).vconcat;
  const under = rows.map((r) => r.hconcat.map((p) => p.title.subtitle.join(' ')).join(' | '));
  assert.match(under[0]!, /precopy did not migrate \(ended in pre-copy round 3\): not drawn/);
  assert.match(under[1]!, /precopy did not migrate/);
});

test('frontier.csv: a line a point drawn, with the compute-only runtime it is divided by', () => {
  const lines = frontier_csv(dgemm()).trimEnd().split('\n');
  assert.is(lines[0], 'figure,kernel,size_mib,source,scheme,freeze_s,runtime_s,compute_only_s,runtime_over_compute_only');
  assert.ok(lines.includes('schemes,dgemm,64,omemu,ampom,0.6,88.6,80,1.1075'));
  assert.ok(lines.some((l) => l.startsWith('schemes,dgemm,64,paper,ampom,0.6,,,')));
  assert.is(lines.length, 1 + 4 + 1);
  assert.equal(frontier_panels(dgemm()).map((p) => p.figure), ['schemes']);
});

test("REPORT.md: the figure beside the oracle's tables, and the share closed of every scheme and kernel at both sizes", () => {
  const runs: BenchRecord[] = [];
  for (const figure of ['schemes', 'schemes-32']) {
    for (const kernel of ['dgemm', 'stream', 'randomaccess', 'fft']) {
      for (const scheme of POLICIES) {
        const blocked = scheme === 'noprefetch' ? 40 : scheme === 'oracle' ? 2 : 21;
        runs.push(rec(figure, kernel, scheme, scheme === 'openmosix' ? 40 : 0.6, 81 + blocked, blocked, figure === 'schemes' ? 64 : 32));
      }
    }
  }
  const md = closed_md(runs).join('\n');
  assert.match(md, /!\[The frontier: freeze against runtime\]\(frontier\.png\)/);
  const table = md.slice(md.indexOf('### Share of the blocked time closed'), md.indexOf("### At each kernel's largest size"));
  assert.match(table, /\| scheme \| dgemm 64 MB \| stream 64 MB \| randomaccess 64 MB \| fft 64 MB \| dgemm 32 MB \| stream 32 MB \| randomaccess 32 MB \| fft 32 MB \|/);
  for (const scheme of POLICIES) assert.match(table, new RegExp(`\\n\\| ${scheme} \\|`), `a row for ${scheme}`);
  // (40 - 21) / (40 - 2) = 50%; NoPrefetch 0%, the oracle 100%; openMosix stands with its downtime.
  assert.match(table, /\| ampom \| 50\.0% \| 50\.0% \| 50\.0% \| 50\.0% \| 50\.0% \| 50\.0% \| 50\.0% \| 50\.0% \|/);
  assert.match(table, /\| oracle \| 100\.0% \|/);
  assert.match(table, /\| openmosix \| downtime 61\.00 s \|/);
  const one_missing = runs.filter((r) => !(r.figure === 'schemes-32' && r.kernel === 'fft' && r.scheme === 'hermit'));
  assert.match(closed_md(one_missing).join('\n'), /\| hermit \|( 50\.0% \|){7} not run \|/);
});

test('property: a stack keeps its order, a line apart, inside its bounds, and leaves alone names that need no room', () => {
  check(
    fc.property(fc.array(fc.double({ min: -50, max: 350, noNaN: true }), { maxLength: 20 }), (raw) => {
      const wanted = [...raw].sort((a, b) => a - b);
      const ys = stack(wanted, 12, 6, 294);
      assert.is(ys.length, wanted.length);
      for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! - ys[i - 1]! >= 12 - 1e-9, `a line apart: ${ys}`);
      if (ys.length > 0) assert.ok(ys[0]! >= 6 - 1e-9 && ys[ys.length - 1]! <= 294 + 1e-9, `inside: ${ys}`);
      const spaced = wanted.every((w, i) => w >= 6 && w <= 294 && (i === 0 || w - wanted[i - 1]! >= 12));
      if (spaced) assert.equal(ys.map((y) => Math.round(y * 1e6)), wanted.map((w) => Math.round(w * 1e6)));
    }),
  );
});

test('property: the names of a column stack in its points\' order (no leader crosses another) and never overlap', () => {
  const point = fc.record({ dx: fc.double({ min: 0, max: 20, noNaN: true }), y: fc.double({ min: 0, max: 260, noNaN: true }), name: fc.constantFrom(...POLICIES) });
  check(
    fc.property(fc.array(point, { minLength: 1, maxLength: 14 }), (ps) => {
      const pts = ps.map((p) => ({ x_px: 140 + p.dx, y_px: p.y, text: p.name }));
      const L = place_labels(pts, 300, 260);
      for (const side of ['left', 'right'] as const) {
        const mine = pts.map((p, i) => ({ p, l: L[i]! })).filter((x) => x.l.align === side).sort((a, b) => a.p.y_px - b.p.y_px);
        for (let i = 1; i < mine.length; i++) assert.ok(mine[i]!.l.y_px - mine[i - 1]!.l.y_px >= 12 - 1e-9, 'in order, a line apart');
      }
      for (const l of L) {
        assert.ok(l.y_px >= 6 - 1e-9 && l.y_px <= 254 + 1e-9, 'inside the panel');
        if (pts.length > 1) assert.ok(l.leader, 'the names of a column of several points have leaders');
      }
      // Both sides have room here: names never reach over the column's points.
      const lo = Math.min(...pts.map((p) => p.x_px)) - 5;
      const hi = Math.max(...pts.map((p) => p.x_px)) + 5;
      for (const [i, l] of L.entries()) {
        const w = text_width_px(pts[i]!.text);
        const [x0, x1] = l.align === 'left' ? [l.x_px, l.x_px + w] : [l.x_px - w, l.x_px];
        assert.ok(x1 <= lo || x0 >= hi, `name ${i} clear of the column`);
        assert.ok(x0 >= 0 && x1 <= 300, `name ${i} inside the panel`);
      }
    }),
  );
});

test.run();
