// The bench's cluster figure (issue 15): does cheaper migration let a load
// balancer be more aggressive? 16 nodes; an hpcc-mix of 40 jobs, two a
// second, all started on 2 login nodes (sizes Table 1's range x 0.1); the
// balancer off, and on under openMosix, AMPoM and ampom-push across a range
// of --balance-threshold (higher waits for more imbalance; 0 is MOSIX's own
// rule). Run as cluster-kind configurations of the bench's sweep.
import type { TopLevelSpec } from 'vega-lite';
import type { Policy } from '../../om/state.ts';
import type { ClusterRecord } from '../sweep/cluster_config.ts';
import { expand_grid, type GridBlock, type PlannedRun } from '../sweep/grid.ts';

export const CLUSTER_THRESHOLDS = [4, 2, 1, 0, -1];
export const CLUSTER_SCHEMES: Policy[] = ['openmosix', 'ampom', 'ampom-push'];
const SETTING = { kind: 'cluster', nodes: 16, logins: 2, jobs: 40, rate: 2 };
/** Below bench-quick's 1/8 the jobs would be too small to mean anything: no cluster figure. */
const MIN_SCALE = 1 / 8;

/** The figure's runs as sweep grid blocks (none below 1/8 of the sizes). */
export function cluster_blocks(scale: number, seed: number): GridBlock[] {
  if (scale < MIN_SCALE) return [];
  const common = { ...SETTING, scale: Math.round(0.1 * scale * 1e6) / 1e6, seed };
  return [
    { ...common, balancer: 'off', scheme: 'ampom' },
    { ...common, balancer: 'mosix', scheme: CLUSTER_SCHEMES, balance_threshold: CLUSTER_THRESHOLDS },
  ];
}

export const cluster_runs = (scale: number, seed: number): PlannedRun[] => expand_grid(cluster_blocks(scale, seed), 'the cluster figure');

export interface ClusterPoint {
  /** The scheme, or 'balancer off'. */
  scheme: string;
  threshold: number | null;
  mean_slowdown: number;
  p95_slowdown: number;
  makespan_s: number;
  migrations: number;
  bytes_moved_MB: number;
  verified: boolean;
}

/** The figure's points from the sweep's records (by hash). */
export function cluster_points(runs: PlannedRun[], results: Map<string, unknown>): ClusterPoint[] {
  return runs.map((r) => {
    const x = results.get(r.hash) as ClusterRecord;
    const off = r.config.balancer === 'off';
    return {
      scheme: off ? 'balancer off' : r.config.scheme,
      threshold: off ? null : r.config.balance_threshold,
      mean_slowdown: x.mean_slowdown,
      p95_slowdown: x.p95_slowdown,
      makespan_s: x.makespan_s,
      migrations: x.migrations,
      bytes_moved_MB: Math.round(x.bytes_moved / 1e4) / 100,
      verified: x.verified,
    };
  });
}

/** Mean slowdown against the threshold, a line a scheme; balancer off drawn flat across. */
export function cluster_spec(points: ClusterPoint[]): TopLevelSpec {
  const off = points.find((p) => p.threshold === null);
  const values = [
    ...points.filter((p) => p.threshold !== null),
    ...(off ? CLUSTER_THRESHOLDS.map((t) => ({ ...off, threshold: t })) : []),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Cluster, 16 nodes, 40 jobs on 2 login nodes: mean slowdown against the balancer threshold',
    data: { values },
    width: 420,
    height: 260,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'threshold', type: 'quantitative', title: '--balance-threshold (lower: more aggressive)', scale: { reverse: true } },
      y: { field: 'mean_slowdown', type: 'quantitative', title: 'mean slowdown', scale: { zero: false } },
      color: { field: 'scheme', type: 'nominal', title: 'scheme' },
    },
  } as TopLevelSpec;
}

/** Slowdowns closer than this (relative) are the same for the conjecture's reading. */
const SAME = 0.005;

const best = (ps: ClusterPoint[]): ClusterPoint => ps.reduce((a, b) => (b.mean_slowdown < a.mean_slowdown ? b : a));

/** The figure's CSV. */
export function cluster_csv(points: ClusterPoint[]): string {
  const cols: (keyof ClusterPoint)[] = ['scheme', 'threshold', 'mean_slowdown', 'p95_slowdown', 'makespan_s', 'migrations', 'bytes_moved_MB', 'verified'];
  return [cols.join(','), ...points.map((p) => cols.map((c) => (p[c] === null ? '' : String(p[c]))).join(','))].join('\n') + '\n';
}

/** REPORT's section: the table, and what it shows, read from the points. */
export function cluster_md(points: ClusterPoint[]): string[] {
  if (points.length === 0) return [];
  const L = ['## The cluster: does cheaper migration make a bolder balancer pay? (issue 15)', ''];
  L.push('16 nodes on one switch (fast-ethernet), an hpcc-mix of 40 jobs arriving two a second, all on the 2 login nodes, sizes Table 1\'s range x 0.1, fast mode; the MOSIX balancer on every node (om/balance.ts) under each scheme, across `--balance-threshold` (how much more loaded a node must be than the target with the candidate added; lower is more aggressive). Slowdown: turnaround over the job\'s runtime alone on an unloaded node.', '');
  L.push('| scheme | threshold | mean slowdown | p95 slowdown | makespan s | migrations | MB moved | verified |', '|---|---|---|---|---|---|---|---|');
  for (const p of points) {
    L.push(`| ${p.scheme} | ${p.threshold ?? '-'} | ${p.mean_slowdown.toFixed(3)} | ${p.p95_slowdown.toFixed(3)} | ${p.makespan_s.toFixed(2)} | ${p.migrations} | ${p.bytes_moved_MB} | ${p.verified ? 'yes' : '**no**'} |`);
  }
  const off = points.find((p) => p.threshold === null);
  const on = CLUSTER_SCHEMES.map((s) => points.filter((p) => p.scheme === s)).filter((ps) => ps.length > 0);
  if (off && on.length > 0) {
    L.push('', 'What it shows:', '');
    for (const ps of on) {
      const b = best(ps);
      const most = ps.reduce((a, c) => (c.migrations > a.migrations ? c : a));
      L.push(`- ${b.scheme}: best mean slowdown ${b.mean_slowdown.toFixed(3)} at threshold ${b.threshold} (balancer off: ${off.mean_slowdown.toFixed(3)}); at most ${most.migrations} migrations (threshold ${most.threshold}).`);
    }
    const om = points.filter((p) => p.scheme === 'openmosix');
    const cheap = points.filter((p) => p.scheme === 'ampom' || p.scheme === 'ampom-push');
    if (om.length > 0 && cheap.length > 0) {
      const bo = best(om);
      const bc = best(cheap);
      const rel = bc.mean_slowdown / bo.mean_slowdown - 1;
      const lower = rel < -SAME ? 'lower' : rel > SAME ? 'higher' : `the same within ${SAME * 100}%`;
      const bolder = (bc.threshold ?? 0) < (bo.threshold ?? 0);
      const holds = rel < -SAME && bolder;
      L.push(`- The paper's conjecture (a cheap migration makes the best threshold lower and the best slowdown lower than openMosix's): best of AMPoM and ampom-push ${bc.mean_slowdown.toFixed(3)} (${bc.scheme}, threshold ${bc.threshold}) against openMosix's ${bo.mean_slowdown.toFixed(3)} (threshold ${bo.threshold}): ${lower}, ${bolder ? 'at a bolder threshold' : 'not at a bolder threshold'}. ${holds ? 'It holds here.' : 'It does not show here.'}`);
    }
    const max_moves = Math.max(...points.map((p) => p.migrations));
    if (max_moves < 40 / 4) L.push("- Why so few migrations (at most " + max_moves + " of 40 jobs): below a threshold of 1 or 2 the load test no longer binds; the balancer's other test does. It moves a process only when its expected gain (its CPU time so far, the age rule, times how much less crowded the target is) beats the scheme's expected cost (om/mig_cost.ts), and a job that shares a crowded login node has used little CPU when it becomes a candidate (2 s after it arrived). With these job sizes the cost of moving every page, frozen (openMosix) or paged in afterwards without much computing to hide it (AMPoM), is of the order of the gain, so few moves pay under any scheme.");
  }
  return [...L, ''];
}
