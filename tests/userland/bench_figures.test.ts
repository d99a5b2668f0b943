// The figures' conventions, on the tiny bench's records: the paper's values
// beside omemu's, panels in the paper's order, nothing hidden (a run that
// did not migrate is said, series that coincide are said), axes from a
// meaningful baseline; the Gantt chart at 16 and 64 nodes; and
// bench-out/index.html as a DOM parser sees it (make test-browser opens it
// in Chromium).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure_specs, render_svg } from '../../userland/bench/plots.ts';
import { write_bench_out } from '../../userland/bench/output.ts';
import { PAPER } from '../../userland/bench/paper_values.ts';
import type { BenchRecord } from '../../userland/bench/record.ts';
import { gantt_spec } from '../../userland/cluster/gantt.ts';
import type { ClusterResult, ProcRecord } from '../../userland/cluster/run.ts';
import { page_problems } from '../helpers/page_checks.ts';
import { runs, SCALE } from '../helpers/tiny_bench.ts';

type Values = { data: { values: Record<string, unknown>[] } };
const values = (s: unknown): Record<string, unknown>[] => (s as Values).data.values;
const ORDER = ['DGEMM', 'STREAM', 'RandomAccess', 'FFT'];

test("the paper's values are drawn from paper_values.ts, as hollow marks", () => {
  const specs = figure_specs(runs, SCALE);
  const paper = (fig: string) => values(specs[fig]).filter((v) => v.source === 'paper');
  assert.equal(paper('fig5').map((v) => v.freeze_s).sort(), Object.values(PAPER.fig5_dgemm575_freeze_s).sort());
  assert.equal(paper('fig7').map((v) => [v.kernel_name, v.prevented_pct]), ORDER.map((k, i) => [k, Object.values(PAPER.fig7_prevented_pct)[i]]));
  assert.equal(paper('fig9').map((v) => v.pct), PAPER.fig9_dgemm115_ampom_pct_of_openmosix.map((p) => p.pct));
  assert.ok(paper('fig6').some((v) => v.scheme_name === 'NoPrefetch' && v.ratio === 1 + PAPER.fig6_noprefetch_over_openmosix_pct.stream / 100));
  assert.ok(JSON.stringify(specs.fig5).includes('"filled":false'), 'hollow');
  const frontier = paper('frontier');
  assert.equal(frontier.map((v) => [v.panel, v.freeze_s]), [['schemes/dgemm', PAPER.fig5_dgemm575_freeze_s.ampom]], "the frontier's paper point: DGEMM's AMPoM at the largest size, nowhere else");
  for (const fig of ['fig5', 'fig6', 'fig7', 'fig9', 'fig10', 'fig11', 'frontier']) assert.match(JSON.stringify((specs[fig] as { title: unknown }).title), /sizes x0\.001953125/, `${fig} says its sizes are not the paper's`);
});

test("panels in the paper's order: DGEMM, STREAM, RandomAccess, FFT", async () => {
  const svg = await render_svg(figure_specs(runs).fig8!);
  const at = ORDER.map((k) => svg.indexOf(`>${k}<`));
  assert.ok(at.every((i) => i > 0), `every kernel named: ${at}`);
  assert.equal([...at].sort((a, b) => a - b), at);
  // The frontier names its panels with their sizes, a row a size.
  const fsvg = await render_svg(figure_specs(runs).frontier!);
  const fat = ORDER.map((k) => fsvg.search(new RegExp(`>${k} [0-9.]+ MB<`)));
  assert.ok(fat.every((i) => i > 0), `every kernel named in the frontier: ${fat}`);
  assert.equal([...fat].sort((a, b) => a - b), fat);
});

test('a run that did not migrate is said in words, never drawn as a zero freeze', async () => {
  const broken: BenchRecord[] = runs.map((r) => (r.figure === 'schemes' && r.kernel === 'fft' && r.scheme === 'precopy' ? { ...r, freeze_s: null, precopy_rounds: 5 } : r));
  const s = figure_specs(broken).schemes!;
  assert.ok(values(s).some((v) => v.source === 'dnm' && v.text === 'did not migrate: the program ended during pre-copy round 5'));
  assert.not.ok(values(s).some((v) => v.source === 'omemu' && v.moved === true && v.freeze_s === null));
  assert.match(await render_svg(s), /did not migrate: the program ended during pre-copy round 5/);
  const f5 = figure_specs(broken.map((r) => (r.figure === 'fig5-8' && r.kernel === 'stream' && r.scheme === 'ampom' && r.size_mib === Math.max(...runs.filter((x) => x.kernel === 'stream').map((x) => x.size_mib)) ? { ...r, freeze_s: null } : r))).fig5!;
  assert.ok(values(f5).some((v) => v.source === 'note' && /AMPoM at \S+ MB did not migrate: not drawn/.test(String(v.text))));
});

test('series that coincide are said to, and Figure 7 draws its bars side by side', () => {
  // Make AMPoM ask for as many pages as NoPrefetch on DGEMM: the panel must say so.
  const same = runs.map((r) => {
    if (r.figure !== 'fig5-8' || r.kernel !== 'dgemm' || r.scheme !== 'ampom') return r;
    const np = runs.find((x) => x.figure === 'fig5-8' && x.kernel === 'dgemm' && x.scheme === 'noprefetch' && x.size_mib === r.size_mib)!;
    return { ...r, remote_fault_requests: np.remote_fault_requests };
  });
  const note = (rs: BenchRecord[]) => values(figure_specs(rs).fig7).find((v) => v.source === 'note' && v.kernel_name === 'DGEMM')?.text;
  assert.match(String(note(same)), /^NoPrefetch = AMPoM \(within 1%\) at /);
  assert.is(note(runs.map((r) => (r.kernel === 'dgemm' && r.scheme === 'ampom' ? { ...r, remote_fault_requests: 0 } : r))), undefined, 'no note where they differ');
  assert.match(JSON.stringify(figure_specs(runs).fig7), /"xOffset":\{"field":"scheme_name"/);
});

test('ratio axes reach their baseline and the baseline is drawn', () => {
  const specs = figure_specs(runs);
  const f6 = JSON.stringify(specs.fig6);
  const lo = Number(/"field":"ratio","type":"quantitative","title":"[^"]*","scale":\{"domainMin":([0-9.]+)/.exec(f6)![1]);
  assert.ok(lo <= 1, `Figure 6's ratio axis reaches 1 (from ${lo})`);
  assert.ok(values(specs.fig6).some((v) => v.source === 'baseline' && v.ratio === 1));
  assert.ok(values(specs.fig9).some((v) => v.source === 'baseline' && v.pct === 100));
});

/** A cluster run of `nodes` nodes as the Gantt chart reads it: a long process and then a short one on each node, every other long one migrating once. */
function fake_cluster(nodes: number): ClusterResult {
  const processes: ProcRecord[] = [];
  for (let n = 0; n < nodes; n++) {
    const moves = n % 2 === 0 && n + 1 < nodes;
    processes.push({
      pid: 100 + 2 * n, kernel: 'hog', arrival_s: 0, finish_s: 100, nodes: moves ? [n, n + 1] : [n], freezes: moves ? [[40, 0.5]] : [],
      moves: moves ? [{ from: n, to: n + 1, reason: 'load', asked_s: 39.9, ok: true, predicted_s: 1, predicted_freeze_s: 0.5, measured_s: 0.6, freeze_s: 0.5, blocked_s: 0.1, relief_s: 0.1 }] : [],
    } as unknown as ProcRecord);
    processes.push({ pid: 101 + 2 * n, kernel: 'hog', arrival_s: 100.5, finish_s: 100.51, nodes: [n], freezes: [], moves: [] } as unknown as ProcRecord);
  }
  return { nodes, scheme: 'ampom', balancer: 'mosix', threshold: 0, processes, totals: { mean_slowdown: 1, migrations: Math.floor(nodes / 2) } } as unknown as ClusterResult;
}

test('the Gantt chart: a tick a node, labels only where they fit, an arrow a migration, relief marked; legible at 64 nodes', async () => {
  for (const nodes of [16, 64]) {
    const s = gantt_spec(fake_cluster(nodes));
    const v = values(s);
    const json = JSON.stringify(s);
    const ticks = JSON.parse(/"values":(\[[0-9.,]+\])/.exec(json)![1]!) as number[];
    assert.is(ticks.length, nodes, 'a tick a node');
    const bars = v.filter((x) => x.what === 'bar');
    assert.ok(bars.some((b) => b.label !== '') && bars.some((b) => b.label === ''), 'long bars labelled, 10 ms ones not');
    assert.ok(bars.filter((b) => b.label !== '').every((b) => (b.to_s as number) - (b.from_s as number) > 5));
    assert.is(v.filter((x) => x.what === 'arrow').length, Math.floor(nodes / 2));
    assert.is(v.filter((x) => x.what === 'relief').length, Math.floor(nodes / 2));
    assert.ok((s as unknown as { height: number }).height >= 12 * nodes, 'at least 12 px a node');
    if (nodes === 64) {
      const svg = await render_svg(s);
      for (const n of [0, 31, 63]) assert.match(svg, new RegExp(`>${n}</text>`), `node ${n} labelled`);
    }
  }
});

test('bench-out/index.html: every figure with its caption, every table with rows, nothing from outside; a missing figure is caught', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'omemu-page-'));
  try {
    await write_bench_out(dir, runs, { seed: 1, scale: SCALE, wall_s: 1, how: 'test' });
    assert.equal(page_problems(dir), []);
    writeFileSync(join(dir, 'fig7.svg'), '');
    assert.equal(page_problems(dir), ['image fig7.svg: missing or empty']);
    writeFileSync(join(dir, 'index.html'), '<html><body><img src="fig5.svg" alt="x"><table><tbody></tbody></table><a href="http://example.org/">x</a></body></html>');
    assert.equal(page_problems(dir), ['table 1 (after "") has no rows', 'link http://example.org/: leaves the page\'s folder (it must read offline)']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
