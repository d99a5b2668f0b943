// Where make bench's host time goes (userland/bench/host_time.ts): every run
// of the plan lands in one group, the first it serves; the sums, shares and
// dearest runs follow from the costs given; and the sweep's sidecar
// (sweep/host_cost.ts) reads back what it wrote, of its own build only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../helpers/prop.ts';
import { bench_plan, config_of, TRACES } from '../../userland/bench/plan.ts';
import { cluster_blocks, cluster_runs } from '../../userland/bench/cluster_fig.ts';
import { groups_of, host_summary, host_table, top_lines } from '../../userland/bench/host_time.ts';
import { expand_grid, type PlannedRun } from '../../userland/sweep/grid.ts';
import { host_line, host_path_of, measure, read_host, thread_cpu_s, type HostCost } from '../../userland/sweep/host_cost.ts';

const SEED = 1;
const SCALE = 1 / 8;
const plan = bench_plan(SCALE);
const cruns = cluster_runs(SCALE, SEED);
const grid = expand_grid([...plan.map((j) => config_of(j, SEED)), ...cluster_blocks(SCALE, SEED)], 'test');
const groups = groups_of(plan, SEED, cruns);

test('every run of the bench-quick plan has a group, and a run serving two jobs counts in the first', () => {
  assert.is(groups.size, grid.length);
  for (const r of grid) assert.ok(groups.has(r.hash), r.hash);
  const names = new Set(groups.values());
  for (const g of ['Table 1, figs 5-8, 11: dgemm', 'fig 9: networks', 'fig 10: working sets', 'schemes, largest sizes', 'oracle (record + replay), largest', 'schemes, 32 MiB', 'oracle (record + replay), 32 MiB', 'schemes, 32 MiB, WAN and 1 Gb/s', 'oracle (record + replay), 32 MiB, WAN and 1 Gb/s', 'cluster demo', 'cluster versus', 'cluster question']) {
    assert.ok(names.has(g), `group ${g}`);
  }
  // AMPoM at DGEMM's largest size is Figure 5-8's run before it is the schemes' (and Figure 10's at the whole working set).
  const largest = grid.find((r) => r.config.kernel === 'dgemm' && r.config.scheme === 'ampom' && r.config.mib === 71.875 && r.config.working_set === null && r.config.profile === 'fast-ethernet' && r.config.bandwidth === null)!;
  assert.ok(largest, 'the run');
  assert.is(groups.get(largest.hash), 'Table 1, figs 5-8, 11: dgemm');
  const oracle = grid.filter((r) => r.config.scheme === 'oracle');
  // At the largest size, at 32 MiB, and at 32 MiB on the WAN and at 1 Gb/s (four kernels each), and on every trace.
  assert.is(oracle.length, 16 + TRACES.length);
  for (const r of oracle) assert.match(groups.get(r.hash)!, /^oracle/);
});

test('the summary: sums and shares by group, dearest first, the dearest runs, runs without a cost counted', () => {
  const host = new Map<string, HostCost>();
  grid.forEach((r, i) => {
    if (i % 10 !== 3) host.set(r.hash, { cpu_s: (i % 7) + 0.5, wall_s: (i % 7) + 1 });
  });
  const s = host_summary(grid, groups, host, 5);
  assert.is(s.measure, 'worker CPU s');
  assert.is(s.unmeasured, grid.filter((_, i) => i % 10 === 3).length);
  assert.is(s.groups.reduce((a, g) => a + g.runs, 0), grid.length);
  const want = grid.reduce((a, r) => a + (host.get(r.hash)?.cpu_s ?? 0), 0);
  assert.ok(Math.abs(s.total_s - want) < 0.01, `${s.total_s} against ${want}`);
  for (let i = 1; i < s.groups.length; i++) assert.ok(s.groups[i - 1]!.host_s >= s.groups[i]!.host_s, 'dearest first');
  assert.is(s.top.length, 5);
  assert.is(s.top[0]!.host_s, 6.5);
  const text = host_table(s, { render_s: 2, process_cpu_s: s.total_s + 10, main_cpu_s: 3 }, 'text').join('\n');
  assert.match(text, /rendering bench-out\/ \(main thread\)\s+2\.0/);
  assert.match(text, /main thread \(plan, messages, records\)\s+3\.0/);
  assert.match(text, /V8 helper threads, worker start-up\s+7\.0/, 'the process less the runs and the main thread');
  const md = host_table(s, { render_s: null, process_cpu_s: null, main_cpu_s: null }, 'md');
  assert.is(md.length, 2 + s.groups.length + 1, 'a head, a rule, a row a group and the total');
  assert.ok(md.some((l) => /of \d+ \|/.test(l)), 'a group with runs without a cost says so');
  assert.is(top_lines(s).length, 5);
});

test('one run without its CPU seconds makes the whole summary one of wall seconds', () => {
  const host = new Map<string, HostCost>(grid.map((r, i) => [r.hash, { cpu_s: i === 0 ? null : 1, wall_s: 2 }]));
  const s = host_summary(grid, groups, host);
  assert.is(s.measure, 'wall s');
  assert.is(s.total_s, 2 * grid.length);
  assert.not.match(host_table(s, { render_s: null, process_cpu_s: 1, main_cpu_s: null }, 'text').join('\n'), /helper threads/);
});

const run_of = (i: number): PlannedRun => ({ index: i, hash: i.toString(16).padStart(16, '0'), config: grid[i % grid.length]!.config });

test('property: every run counts once, the groups sum to the total and their shares to one', () => {
  check(
    fc.property(
      fc.array(fc.tuple(fc.option(fc.double({ min: 0, max: 1e4, noNaN: true })), fc.double({ min: 0, max: 1e4, noNaN: true }), fc.boolean(), fc.nat(4)), { minLength: 1, maxLength: 60 }),
      (xs) => {
        const g = xs.map((_, i) => run_of(i));
        const names = new Map(g.map((r, i) => [r.hash, `g${xs[i]![3]}`]));
        const host = new Map<string, HostCost>(g.flatMap((r, i) => (xs[i]![2] ? [[r.hash, { cpu_s: xs[i]![0], wall_s: xs[i]![1] }] as [string, HostCost]] : [])));
        const s = host_summary(g, names, host);
        const cost = (h: HostCost): number => (s.measure === 'worker CPU s' ? h.cpu_s! : h.wall_s);
        assert.is(s.groups.reduce((a, x) => a + x.runs, 0), g.length);
        assert.is(s.unmeasured, g.length - host.size);
        const total = [...host.values()].reduce((a, h) => a + cost(h), 0);
        assert.ok(Math.abs(s.total_s - total) <= 0.01, `${s.total_s} against ${total}`);
        assert.ok(Math.abs(s.groups.reduce((a, x) => a + x.host_s, 0) - total) <= 0.01 * s.groups.length);
        if (total > 0.01) assert.ok(Math.abs(s.groups.reduce((a, x) => a + x.share, 0) - 1) <= 0.001 * s.groups.length);
        for (const t of s.top) assert.ok(t.host_s <= s.groups.find((x) => x.group === t.group)!.max_run_s + 0.005);
      },
    ),
  );
});

test('the sidecar reads back what it wrote, of its own build, skipping a line cut short', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omemu-host-'));
  try {
    const f = host_path_of(join(dir, 'runs-1-of-4.jsonl'));
    assert.is(f, join(dir, 'runs-1-of-4.host.jsonl'));
    const a = host_line('aa', 'b1', { cpu_s: 1.23456, wall_s: 2 });
    const b = host_line('bb', 'b1', { cpu_s: null, wall_s: 3 });
    writeFileSync(f, a + b + host_line('cc', 'other', { cpu_s: 1, wall_s: 1 }) + a.slice(0, 10));
    const got = read_host(f, 'b1');
    assert.equal([...got], [['aa', { cpu_s: 1.235, wall_s: 2 }], ['bb', { cpu_s: null, wall_s: 3 }]]);
    assert.is(read_host(join(dir, 'none.host.jsonl'), 'b1').size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a measured call: its value, and this thread's CPU seconds where the kernel says them", () => {
  const { value, cost } = measure(() => {
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += i;
    return x;
  });
  assert.is(value, 1999999000000);
  assert.ok(cost.wall_s >= 0);
  if (thread_cpu_s() !== null) assert.ok(cost.cpu_s! >= 0 && cost.cpu_s! <= cost.wall_s + 0.05, `cpu ${cost.cpu_s} wall ${cost.wall_s}`);
});

test.run();
