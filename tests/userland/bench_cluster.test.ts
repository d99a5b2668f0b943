// The bench's cluster experiments: their runs, points from real cluster
// runs, the confidence intervals, and what the REPORT says they show.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cluster_blocks, cluster_csv, cluster_md, cluster_points, cluster_runs, cluster_sizes, groups, mean_ci, paired_difference, paired_words, QUESTION_SCHEMES, type ClusterPoint } from '../../userland/bench/cluster_fig.ts';
import { cluster_spec } from '../../userland/bench/plot_cluster.ts';
import { expand_grid } from '../../userland/sweep/grid.ts';
import { run_config } from '../../userland/sweep/run.ts';

test('the plan: the demo, preemptive against birth over 5 seeds, the question over loads, sizes (the larger in bench-full) and thresholds; none below 1/8', () => {
  for (const scale of [1, 1 / 8]) {
    const z = cluster_sizes(scale);
    const runs = cluster_runs(scale, 1);
    const demo = runs.filter((r) => r.config.workload.includes('demo-'));
    assert.is(demo.length, 2 * 3);
    const vs = runs.filter((r) => r.config.workload === 'pareto' && r.config.node_mem_mib !== 2048);
    assert.is(vs.length, 3 * 5);
    assert.equal(new Set(vs.map((r) => r.config.seed)).size, 5);
    const per_mib = z.question.loads.length * z.question.seeds * (2 + QUESTION_SCHEMES.length * z.question.thresholds.length);
    const q = runs.filter((r) => r.config.node_mem_mib === 2048);
    // make bench asks the question of 4-64 MiB processes; bench-full of 64-512 MiB ones too.
    assert.is(q.length, per_mib);
    assert.ok(q.every((r) => r.config.job_mib === '4-64'));
    const qfull = cluster_runs(scale, 1, 'full').filter((r) => r.config.node_mem_mib === 2048);
    assert.is(qfull.length, 2 * per_mib);
    assert.equal(new Set(qfull.map((r) => r.config.job_mib)), new Set(['4-64', '64-512']));
    assert.is(cluster_runs(scale, 1, 'full').length, runs.length + per_mib, 'bench-full adds the larger processes and nothing else');
    assert.equal(cluster_blocks(scale, 1, 'paper'), [], 'not among the paper\'s own runs');
  }
  assert.equal(cluster_blocks(1 / 512, 1), []);
});

test('mean_ci: the mean and the half-width of its 95% interval', () => {
  const s = mean_ci([1, 2, 3, 4, 5]);
  assert.is(s.mean, 3);
  assert.ok(Math.abs(s.ci - 2.776 * Math.sqrt(2.5) / Math.sqrt(5)) < 1e-9);
  assert.ok(Number.isNaN(mean_ci([1]).ci));
});

test('points from real cluster runs of each experiment, and a REPORT section that reads them', () => {
  const grid = expand_grid([
    { kind: 'cluster', nodes: 4, workload: 'userland/bench/workloads/demo-4x8.csv', balancer: ['off', 'mosix'], scheme: 'ampom' },
    { kind: 'cluster', nodes: 4, workload: 'pareto', load: 0.8, job_mib: '2-4', jobs: 6, scheme: 'openmosix', balancer: ['birth', 'mosix'], seed: [1, 2] },
    { kind: 'cluster', nodes: 4, workload: 'pareto', jobs: 4, node_mem_mib: 2048, job_mib: '2-4', load: 0.9, seed: [1, 2], balancer: 'mosix', scheme: ['openmosix', 'ampom'] },
  ]);
  const results = new Map<string, unknown>(grid.map((r) => [r.hash, run_config(r.config)]));
  const ps = cluster_points(grid, results);
  assert.equal(ps.map((p) => p.experiment), ['demo', 'demo', 'versus', 'versus', 'versus', 'versus', 'question', 'question', 'question', 'question']);
  for (const p of ps) assert.ok(p.verified && p.mean_slowdown >= 1 - 1e-9, `${p.experiment} ${p.balancer} ${p.scheme}`);
  assert.is(ps[0]!.migrations, 0);
  assert.ok(ps[1]!.migrations > 0 && ps[1]!.all_busy_s !== null);
  const md = cluster_md(ps).join('\n');
  assert.match(md, /\| 8 \| 4 \| off \| - \| /);
  assert.match(md, /- 8 MiB, ampom: makespan \d+% of off \(goal at most 20%: (met|\*\*missed\*\*)\)/);
  assert.match(md, /- 8 MiB: the 3 processes that must leave node 0 take at least 2\.0 s of its line/);
  assert.match(md, /- mosix: mean slowdown \d+\.\d% (lower|higher) than birth's \d\.\d{3} \(95% CI ± \d+\.\d points/);
  assert.match(md, /- 2-4 MiB at load 0\.9: best of AMPoM and ampom-push \d\.\d{3} ± \d\.\d{3} \(ampom, threshold 0\) against openMosix's.*; per seed on the same arrivals the difference is [+-]\d\.\d{3} ± \d\.\d{3} \(2 seeds; /);
  assert.match(md, /Processes of 4-64, 64-512 MiB: `make bench-full` asks the question of them too/);
  assert.is(cluster_csv(ps).trimEnd().split('\n').length, ps.length + 1);
  const spec = cluster_spec(ps) as unknown as { data: { values: { experiment: string; lo: number; hi: number }[] } };
  assert.ok(spec.data.values.every((v) => v.experiment !== 'demo' && v.lo <= v.hi));
});

test('paired_difference: seed by seed on the same arrivals, a shift the side-by-side intervals hide', () => {
  const q = (scheme: string, seed: number, v: number): ClusterPoint => ({
    experiment: 'question', nodes: 16, mib: '4-64', balancer: 'mosix', scheme, threshold: 0, load: 0.9, seed, mean_slowdown: v, mean_bounded_slowdown: v, p95_slowdown: v,
    makespan_s: 1, utilisation: 1, offered_load: null, all_busy_s: null, first_move_s: null, last_move_s: null, mean_relief_s: null, migrations: 0, max_moves: 0, mean_abs_cost_error_rel: null, max_link_util: 0, bytes_moved_MB: 0, verified: true,
  });
  // Seeds far apart (1.0, 2.0, 3.0), the cheap scheme 0.1 below on each but one (0.12).
  const [om, cheap] = groups([q('openmosix', 1, 1), q('openmosix', 2, 2), q('openmosix', 3, 3), q('ampom', 3, 2.88), q('ampom', 1, 0.9), q('ampom', 2, 1.9), q('ampom', 4, 7)]);
  const d = paired_difference(cheap!, om!, 'mean_bounded_slowdown');
  assert.is(d.n, 3); // seed 4 has no partner
  assert.ok(Math.abs(d.mean - -0.32 / 3) < 1e-12);
  assert.ok(d.ci < Math.abs(d.mean) && d.ci > 0);
  assert.match(paired_words(d), /-0\.107 ± 0\.0\d\d \(3 seeds; lower beyond its interval\)/);
  // Side by side the intervals overlap wholly.
  assert.ok(mean_ci([1, 2, 3]).ci > 1);
  assert.match(paired_words(paired_difference(om!, om!, 'mean_bounded_slowdown')), /\+0\.000 ± 0\.000 \(3 seeds; zero is inside its interval\)/);
  assert.match(paired_words({ mean: 0.1, ci: NaN, n: 1 }), /1 paired run\(s\): no interval/);
});

test('the demo: large processes are reported against their wire time, not the small ones\' goals', () => {
  const d = (mib: string, balancer: string, makespan_s: number): ClusterPoint => ({
    experiment: 'demo', nodes: 8, mib, balancer, scheme: balancer === 'off' ? '-' : 'ampom', threshold: null, load: null, seed: 1, mean_slowdown: 1, mean_bounded_slowdown: 1, p95_slowdown: 1,
    makespan_s, utilisation: 1, offered_load: null, all_busy_s: null, first_move_s: null, last_move_s: null, mean_relief_s: null, migrations: 7, max_moves: 1, mean_abs_cost_error_rel: null, max_link_util: 0, bytes_moved_MB: 0, verified: true,
  });
  const md = cluster_md([d('16', 'off', 480), { ...d('16', 'mosix', 120), first_move_s: 3, last_move_s: 12.5 }, d('256', 'off', 480), d('256', 'mosix', 210)]).join('\n');
  assert.match(md, /- 16 MiB, ampom: makespan 25% of off \(goal at most 20%: \*\*missed\*\*\); every node busy never \(goal 10 s: \*\*missed\*\*\) \(moves decided from 3\.0 s to 12\.5 s\)/);
  assert.match(md, /- 256 MiB: the 7 processes that must leave node 0 take at least 150\.3 s of its line/);
  assert.match(md, /- 256 MiB, ampom: makespan 44% of off; every node busy never \(no move\); at most 1 move\(s\) of a process\./);
});

test('the goals are read from the numbers: 35% lower is met, less is missed', () => {
  const p = (balancer: string, seed: number, mean_slowdown: number): ClusterPoint => ({
    experiment: 'versus', nodes: 16, mib: '4-64', balancer, scheme: 'openmosix', threshold: null, load: 0.8, seed, mean_slowdown, mean_bounded_slowdown: 1, p95_slowdown: 1,
    makespan_s: 1, utilisation: 1, offered_load: 0.5 + seed / 10, all_busy_s: null, first_move_s: null, last_move_s: null, mean_relief_s: null, migrations: 1, max_moves: 1, mean_abs_cost_error_rel: null, max_link_util: 0, bytes_moved_MB: 0, verified: true,
  });
  const md = cluster_md([p('birth', 1, 2), p('birth', 2, 2), p('mosix', 1, 1.2), p('mosix', 2, 1.2), p('hbd', 1, 1.8), p('hbd', 2, 1.8)]).join('\n');
  assert.match(md, /- mosix: mean slowdown 40\.0% lower than birth's 2\.000 .* goal at least 35% lower: met\./);
  assert.match(md, /- hbd: mean slowdown 10\.0% lower than birth's 2\.000 .* goal at least 35% lower: \*\*missed\*\*\./);
  assert.match(md, /really offer .* it was 0\.60, 0\.70 here \(per seed\)/, 'the realized load of each seed is said');
});

test.run();
