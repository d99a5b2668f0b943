// The bench's cluster figure: its runs, its points from real records, and
// what the REPORT says they show.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLUSTER_SCHEMES, CLUSTER_THRESHOLDS, cluster_blocks, cluster_csv, cluster_md, cluster_points, cluster_runs, cluster_spec, type ClusterPoint } from '../../userland/bench/cluster_fig.ts';
import { expand_grid } from '../../userland/sweep/grid.ts';
import { run_config } from '../../userland/sweep/run.ts';

test('the figure: balancer off, then each scheme at each threshold; none below 1/8 of the sizes', () => {
  const runs = cluster_runs(1, 1);
  assert.is(runs.length, 1 + CLUSTER_SCHEMES.length * CLUSTER_THRESHOLDS.length);
  assert.is(runs[0]!.config.balancer, 'off');
  assert.ok(runs.slice(1).every((r) => r.config.balancer === 'mosix' && r.config.nodes === 16 && r.config.jobs === 40));
  assert.equal(cluster_blocks(1 / 512, 1), []);
  assert.is(cluster_runs(1 / 8, 1)[0]!.config.scale, 0.0125);
});

test('points from real cluster runs, and a REPORT section that reads them', () => {
  // A small cluster of the figure's kind: 4 nodes, 6 jobs on 1 login node.
  const grid = expand_grid([
    { kind: 'cluster', nodes: 4, logins: 1, jobs: 6, rate: 4, scale: 0.02, balancer: 'off', scheme: 'ampom' },
    { kind: 'cluster', nodes: 4, logins: 1, jobs: 6, rate: 4, scale: 0.02, balancer: 'mosix', scheme: ['openmosix', 'ampom'], balance_threshold: [1, 0] },
  ]);
  const results = new Map<string, unknown>(grid.map((r) => [r.hash, run_config(r.config)]));
  const ps = cluster_points(grid, results);
  assert.is(ps.length, 5);
  assert.is(ps[0]!.scheme, 'balancer off');
  assert.is(ps[0]!.threshold, null);
  assert.is(ps[0]!.migrations, 0);
  for (const p of ps) {
    assert.ok(p.verified, `${p.scheme} ${p.threshold}`);
    assert.ok(p.mean_slowdown >= 1, `slowdown ${p.mean_slowdown} is at least 1`);
  }
  const md = cluster_md(ps).join('\n');
  assert.match(md, /\| balancer off \| - \| /);
  assert.match(md, /- openmosix: best mean slowdown \d\.\d{3} at threshold (1|0)/);
  assert.match(md, /The paper's conjecture .*: (lower|higher|the same within 0\.5%), (at|not at) a bolder threshold\. It (holds|does not show) here\./);
  assert.is(cluster_csv(ps).trimEnd().split('\n').length, 6);
  // The plot draws balancer off flat across every threshold.
  const values = (cluster_spec(ps) as unknown as { data: { values: ClusterPoint[] } }).data.values;
  assert.is(values.filter((v) => v.scheme === 'balancer off').length, CLUSTER_THRESHOLDS.length);
});

test('the conjecture is read from the numbers: a cheaper scheme better at a bolder threshold holds, a tie does not', () => {
  const p = (scheme: string, threshold: number | null, mean_slowdown: number): ClusterPoint =>
    ({ scheme, threshold, mean_slowdown, p95_slowdown: 1, makespan_s: 1, migrations: 1, bytes_moved_MB: 1, verified: true });
  const holds = cluster_md([p('balancer off', null, 3), p('openmosix', 2, 2.5), p('openmosix', 0, 2.6), p('ampom', 2, 2.4), p('ampom', 0, 2.0)]).join('\n');
  assert.match(holds, /2\.000 \(ampom, threshold 0\) against openMosix's 2\.500 \(threshold 2\): lower, at a bolder threshold\. It holds here\./);
  const tie = cluster_md([p('balancer off', null, 3), p('openmosix', 2, 2.5), p('ampom', 2, 2.501)]).join('\n');
  assert.match(tie, /the same within 0\.5%, not at a bolder threshold\. It does not show here\./);
});

test.run();
