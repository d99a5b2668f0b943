// The bench's own code on a tiny configuration: records, CSV, plots, the
// report and the target checks (the full bench is `make bench`, not a test).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ABLATIONS, bench_plan } from '../../userland/bench/plan.ts';
import { POLICIES } from '../../om/state.ts';
import { figure_specs, render_svg } from '../../userland/bench/plots.ts';
import { svg_to_png } from '../../userland/bench/png.ts';
import { make_record, results_json, type BenchRecord } from '../../userland/bench/record.ts';
import { figure_rows, report_md, to_csv } from '../../userland/bench/report.ts';
import { check_targets } from '../../userland/bench/targets.ts';
import { TARGETS, type Target } from '../../userland/bench/target_table.ts';
import { distinct_runs, plan, run_job, runs, SCALE } from '../helpers/tiny_bench.ts';

test('the plan covers every figure: 54 runs for 5-8, 24 for 9, 15 for 10, every scheme at the 4 largest sizes; the ablation only in the full plan', () => {
  assert.is(plan.filter((j) => j.figure === 'fig5-8').length, 54);
  assert.is(plan.filter((j) => j.figure === 'fig9').length, 24);
  assert.is(plan.filter((j) => j.figure === 'fig10').length, 15);
  assert.is(plan.filter((j) => j.figure === 'schemes').length, 4 * POLICIES.length);
  assert.is(plan.filter((j) => j.figure === 'ablation').length, 0);
  assert.is(bench_plan(SCALE, 'paper').length, 93);
  const full = bench_plan(SCALE, 'full').filter((j) => j.figure === 'ablation');
  assert.is(full.length, ABLATIONS.reduce((n, a) => n + a.kernels.length * a.schemes.length, 0));
  assert.ok(distinct_runs < plan.length, 'identical runs are run once');
});

test('records carry the fields results.json promises, and every tiny run verified', () => {
  for (const r of runs) {
    for (const f of ['figure', 'kernel', 'size_mib', 'working_set_mib', 'scheme', 'bandwidth_mbps', 'latency_ms', 'freeze_s', 'runtime_s', 'remote_fault_requests', 'prefetched_pages', 'pages_transferred', 'analysis_s', 'verified'] as const) {
      assert.ok(r[f] !== undefined, `${f} present`);
    }
    assert.ok(r.verified, `${r.kernel} ${r.size_mib} ${r.scheme}: ${r.failures.join('; ')}`);
  }
  const bw = new Set(runs.filter((r) => r.figure === 'fig9').map((r) => r.bandwidth_mbps));
  assert.equal([...bw].sort((a, b) => a - b), [6, 24, 48, 100]);
});

test('the same seed gives byte-identical results.json', () => {
  const j = plan.find((x) => x.kernel === 'stream' && x.scheme === 'ampom')!;
  const a = results_json({ profile: 'fast-ethernet', seed: 1, scale: SCALE, runs: [make_record(j, run_job(j, 1))] });
  const b = results_json({ profile: 'fast-ethernet', seed: 1, scale: SCALE, runs: [make_record(j, run_job(j, 1))] });
  assert.is(a, b);
});

test('one CSV a figure, a row a record, with a header', () => {
  const rows = figure_rows(runs);
  assert.equal(Object.keys(rows), ['fig5', 'fig6', 'fig7', 'fig8', 'fig9', 'fig10', 'fig11', 'schemes']);
  const csv = to_csv(rows.fig7!).trimEnd().split('\n');
  assert.ok(csv[0]!.startsWith('figure,kernel,size_mib'));
  assert.is(csv.length, rows.fig7!.length + 1);
  assert.ok(rows.fig7!.every((r) => r.scheme !== 'openmosix'), 'Figure 7 compares AMPoM with NoPrefetch');
});

test('target checks: every figure is checked, and a check can fail', () => {
  const checks = check_targets(runs);
  for (const f of ['5', '6', '7', '8', '9', '10', '11']) assert.ok(checks.some((c) => c.figure === f), `figure ${f} checked`);
  // Put the paper's numbers in, then move one away: the check must follow.
  const big = runs.filter((r) => r.figure === 'fig5-8' && r.kernel === 'dgemm');
  const max = Math.max(...big.map((r) => r.working_set_mib));
  const edit = (freeze: number) =>
    runs.map((r) => (r.figure === 'fig5-8' && r.kernel === 'dgemm' && r.scheme === 'openmosix' && r.working_set_mib === max ? { ...r, freeze_s: freeze } : r));
  const at = (rs: BenchRecord[]) => check_targets(rs).find((c) => c.what === 'DGEMM 575 MB freeze, openMosix')!;
  assert.ok(at(edit(53.9)).holds);
  assert.ok(at(edit(57)).holds, 'within 10%');
  assert.not.ok(at(edit(60)).holds, '11% off misses');
});

test('REPORT.md: calibration once, a row per check, a reason for each miss', () => {
  const checks = check_targets(runs);
  const md = report_md(runs, checks, { seed: 1, scale: SCALE, wall_s: 1, how: '1 workers' });
  assert.is(md.split('## Calibration').length, 2);
  for (const c of checks) assert.ok(md.includes(`| ${c.what} |`), `row for ${c.what}`);
  for (const line of md.split('\n').filter((l) => l.includes('| **no** |'))) assert.not.ok(line.endsWith('|  |'), `a miss says why: ${line}`);
});

test('targets are a table: every row is checked, a new row is a new check, a miss gives its row\'s reason', () => {
  assert.is(check_targets(runs).length, TARGETS.length, 'the tiny bench has what every row needs');
  const row: Target = {
    figure: '5', what: 'STREAM largest freeze, NoPrefetch', paper: 1000,
    measure: { kind: 'value', field: 'freeze_s', unit: 's', kernel: 'stream', scheme: 'noprefetch' }, within: { rel: 0.1 }, why: 'a test row',
  };
  const checks = check_targets(runs, [...TARGETS, row]);
  assert.is(checks.length, TARGETS.length + 1);
  const c = checks.at(-1)!;
  assert.is(c.what, row.what);
  assert.is(c.paper, '1000 s');
  assert.is(c.tolerance, '±10%');
  assert.not.ok(c.holds);
  assert.is(c.why, 'a test row');
  const md = report_md(runs, checks, { seed: 1, scale: SCALE, wall_s: 1, how: '1 workers' });
  assert.ok(md.includes(`| ${row.what} | 1000 s | ${c.emulated} | ${c.diff} | ±10% | **no** | a test row |`));
  const bare = check_targets(runs, [{ ...row, why: undefined }])[0]!;
  assert.is(bare.why, 'No reason recorded yet: investigate.');
  const none = check_targets(runs, [{ ...row, measure: { kind: 'fig9_ratio', kernel: 'stream', scheme: 'ampom', bandwidth: 7 } }]);
  assert.is(none.length, 0, 'a row whose records are not there is left out');
});

test('plots: an SVG and a PNG a figure, with axis titles and a legend', async () => {
  const specs = figure_specs(runs);
  assert.equal(Object.keys(specs), ['fig5', 'fig6', 'fig7', 'fig8', 'fig9', 'fig10', 'fig11', 'schemes', 'frontier']);
  const svg = await render_svg(specs.fig6!);
  assert.ok(svg.startsWith('<svg'));
  assert.ok(svg.includes('memory size (MB)') && svg.includes('execution time (s)'), 'axis titles');
  assert.ok(svg.includes('scheme') && svg.includes('NoPrefetch'), 'legend, with the paper\'s names');
  const png = await svg_to_png(svg);
  assert.equal(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  assert.ok(png.length > 10_000, 'with something drawn in it');
});

test.run();
