// The bench's cluster experiments, run as cluster-kind configurations of the
// bench's sweep:
// - the MOSIX demo: hogs all started on node 0 of an idle cluster, 60 s of
//   CPU each, at 16 MiB and at 256 MiB, balancer off and mosix under
//   openMosix and AMPoM: makespan, time until every node is busy, relief;
// - preemptive against birth placement: pareto at load 0.8 on 16 nodes,
//   4-64 MiB, birth against mosix and hbd, 5 seeds;
// - the paper's question: mean bounded slowdown against offered load for
//   off, birth and mosix under openMosix, AMPoM and ampom-push, each at the
//   threshold that minimises it, for 4-64 MiB and 64-512 MiB processes on
//   2 GiB nodes, with the busiest link's utilisation.
// Every comparison is a mean over seeds with a 95% confidence interval
// (Student's t). The sizes are what the bench's time allows (docs/cluster.md);
// bench-quick runs each at a smaller size. The figure is plot_cluster.ts's.
import { PROFILES } from '../../net/profiles.ts';
import type { Policy } from '../../om/state.ts';
import { MIN_RESIDENCE_NS } from '../../om/balance/node.ts';
import type { ClusterRecord } from '../sweep/cluster_config.ts';
import type { RunConfig } from '../sweep/config.ts';
import { expand_grid, type GridBlock, type PlannedRun } from '../sweep/grid.ts';
import type { Tier } from './plan.ts';

export const DEMO_SCHEMES: Policy[] = ['openmosix', 'ampom'];
export const QUESTION_SCHEMES: Policy[] = ['openmosix', 'ampom', 'ampom-push'];
/**
 * The question's process sizes: make bench asks it of 4-64 MiB processes;
 * bench-full of 64-512 MiB ones too. Those cost the host most of all
 * (every move a 64-512 MiB image through the emulated wire: 530 of the
 * 1,151 CPU-seconds of a make bench that had them), more than make bench's
 * time allows.
 */
export const QUESTION_MIB = ['4-64', '64-512'];
export const question_mib = (tier: Tier): string[] => (tier === 'full' ? QUESTION_MIB : QUESTION_MIB.slice(0, 1));

/** The experiments' sizes at full size (make bench) and at bench-quick's. */
export function cluster_sizes(scale: number) {
  const full = scale >= 1;
  return {
    demo: full ? [{ nodes: 8, mib: 16 }, { nodes: 8, mib: 256 }] : [{ nodes: 4, mib: 8 }, { nodes: 4, mib: 32 }],
    // Host time decides these: a pareto process of 4-64 MiB costs the host
    // about 0.03 s, and each of its migrations 0.15 s more under openMosix,
    // 0.35 s under AMPoM (measured at 100 processes, load 0.9), so 300
    // processes a seed under three balancers, and 96 a run (six a node) in
    // the question's grid of 96 runs, are what make bench affords. 24
    // processes on 16 nodes (the earlier size) queued nowhere: every
    // balancer came out at a bounded slowdown of 1.01.
    versus: { nodes: 16, jobs: full ? 300 : 24, seeds: 5, load: 0.8 },
    question: { nodes: 16, jobs: full ? 96 : 8, seeds: full ? 3 : 2, loads: full ? [0.5, 0.9] : [0.9], thresholds: full ? [0, -1] : [0] },
  };
}

const DEMO_DIR = 'userland/bench/workloads';
const seeds = (seed: number, n: number): number[] => Array.from({ length: n }, (_, i) => seed + i);

/** Every run of the cluster experiments, as sweep grid blocks; none below 1/8 of the sizes (none for the paper's tier). */
export function cluster_blocks(scale: number, seed: number, tier: Tier = 'bench'): GridBlock[] {
  if (tier === 'paper') return [];
  if (scale < 1 / 8) return [];
  const z = cluster_sizes(scale);
  const out: GridBlock[] = [];
  for (const d of z.demo) {
    const common = { kind: 'cluster', nodes: d.nodes, workload: `${DEMO_DIR}/demo-${d.nodes}x${d.mib}.csv`, node_mem_mib: Math.max(1024, Math.min(4096, d.nodes * d.mib * 2)), seed };
    out.push({ ...common, balancer: 'off', scheme: 'ampom' }, { ...common, balancer: 'mosix', scheme: DEMO_SCHEMES });
  }
  const v = z.versus;
  out.push({ kind: 'cluster', nodes: v.nodes, workload: 'pareto', load: v.load, job_mib: '4-64', jobs: v.jobs, scheme: 'openmosix', balancer: ['birth', 'mosix', 'hbd'], seed: seeds(seed, v.seeds) });
  const q = z.question;
  const qc = { kind: 'cluster', nodes: q.nodes, workload: 'pareto', jobs: q.jobs, node_mem_mib: 2048, job_mib: question_mib(tier), load: q.loads, seed: seeds(seed, q.seeds) };
  out.push({ ...qc, balancer: ['off', 'birth'], scheme: 'ampom' });
  out.push({ ...qc, balancer: 'mosix', scheme: QUESTION_SCHEMES, balance_threshold: q.thresholds });
  return out;
}

export const cluster_runs = (scale: number, seed: number, tier: Tier = 'bench'): PlannedRun[] => expand_grid(cluster_blocks(scale, seed, tier), 'the cluster experiments');

export type Experiment = 'demo' | 'versus' | 'question';

/** One run's figures, labelled by its experiment. */
export interface ClusterPoint {
  experiment: Experiment;
  nodes: number;
  /** demo: the processes' size, MiB; question: the size range. */
  mib: string;
  balancer: string;
  scheme: string;
  threshold: number | null;
  load: number | null;
  seed: number;
  mean_slowdown: number;
  mean_bounded_slowdown: number;
  p95_slowdown: number;
  makespan_s: number;
  utilisation: number;
  /** The load the workload really offered (ClusterTotals.offered_load). */
  offered_load: number | null;
  all_busy_s: number | null;
  /** When the first and the last move that happened were decided, s (null: none). */
  first_move_s: number | null;
  last_move_s: number | null;
  mean_relief_s: number | null;
  migrations: number;
  max_moves: number;
  mean_abs_cost_error_rel: number | null;
  max_link_util: number;
  bytes_moved_MB: number;
  verified: boolean;
}

/** Which experiment a run of cluster_blocks belongs to. */
export const experiment_of = (c: RunConfig): Experiment => (c.workload.includes('demo-') ? 'demo' : c.node_mem_mib === 2048 ? 'question' : 'versus');

/** The points from the sweep's records (by hash). */
export function cluster_points(runs: PlannedRun[], results: Map<string, unknown>): ClusterPoint[] {
  return runs.map((r) => {
    const x = results.get(r.hash) as ClusterRecord;
    const c = r.config;
    const experiment = experiment_of(c);
    const mib = experiment === 'demo' ? /x(\d+)\.csv$/.exec(c.workload)![1]! : (c.job_mib ?? '4-64');
    const asked = x.process_records.flatMap((p) => p.moves.filter((m) => m.ok).map((m) => m.asked_s));
    return {
      experiment, nodes: c.nodes ?? 4, mib, balancer: c.balancer, scheme: c.balancer === 'off' || c.balancer === 'birth' ? (experiment === 'versus' ? c.scheme : '-') : c.scheme,
      threshold: c.balancer === 'mosix' || c.balancer === 'hbd' ? c.balance_threshold : null, load: experiment === 'demo' ? null : c.load, seed: c.seed,
      mean_slowdown: x.mean_slowdown, mean_bounded_slowdown: x.mean_bounded_slowdown, p95_slowdown: x.p95_slowdown, makespan_s: x.makespan_s,
      utilisation: x.utilisation, offered_load: x.offered_load ?? null, all_busy_s: x.all_busy_s,
      first_move_s: asked.length ? Math.min(...asked) : null, last_move_s: asked.length ? Math.max(...asked) : null, mean_relief_s: x.mean_relief_s, migrations: x.migrations,
      max_moves: Math.max(0, ...x.process_records.map((p) => p.migrations)), mean_abs_cost_error_rel: x.mean_abs_cost_error_rel,
      max_link_util: x.max_link_util, bytes_moved_MB: Math.round(x.bytes_moved / 1e4) / 100, verified: x.verified,
    };
  });
}

/** Student's t at 97.5% for n - 1 degrees of freedom (n seeds). */
const T975 = [NaN, NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262];

/** Mean and the half-width of its 95% confidence interval. */
export function mean_ci(xs: number[]): { mean: number; ci: number; n: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  if (n < 2) return { mean, ci: NaN, n };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, ci: (T975[n] ?? 1.96) * (sd / Math.sqrt(n)), n };
}

/**
 * The difference a - b of a field, seed by seed (the same arrivals under
 * both), its mean and CI: the seeds' workloads differ far more from one
 * another (a heavy tail decides each one's offered load) than two
 * balancers differ on one of them, so the paired difference sees what the
 * two intervals side by side cannot. Seeds missing from either are left out.
 */
export function paired_difference(a: Group, b: Group, f: keyof Figures): { mean: number; ci: number; n: number } {
  const ds: number[] = [];
  for (const p of a.points) {
    const q = b.points.find((x) => x.seed === p.seed);
    const x = p[f] as number | null;
    const y = q?.[f] as number | null | undefined;
    if (x != null && y != null && Number.isFinite(x) && Number.isFinite(y)) ds.push(x - y);
  }
  return mean_ci(ds);
}

/** A paired difference in words: its sign, size, CI and whether the CI excludes zero. */
export function paired_words(d: { mean: number; ci: number; n: number }): string {
  if (d.n < 2) return `per seed, ${d.n} paired run(s): no interval`;
  const clear = Math.abs(d.mean) > d.ci;
  return `per seed on the same arrivals the difference is ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} ± ${d.ci.toFixed(3)} (${d.n} seeds; ${clear ? (d.mean < 0 ? 'lower beyond its interval' : 'higher beyond its interval') : 'zero is inside its interval'})`;
}

/** A group of points over seeds: their key and the mean with CI of a field. */
export interface Group {
  key: Omit<ClusterPoint, 'seed' | keyof Figures>;
  points: ClusterPoint[];
}
type Figures = Pick<ClusterPoint, 'mean_slowdown' | 'mean_bounded_slowdown' | 'p95_slowdown' | 'makespan_s' | 'utilisation' | 'offered_load' | 'all_busy_s' | 'first_move_s' | 'last_move_s' | 'mean_relief_s' | 'migrations' | 'max_moves' | 'mean_abs_cost_error_rel' | 'max_link_util' | 'bytes_moved_MB' | 'verified'>;

export function groups(points: ClusterPoint[]): Group[] {
  const m = new Map<string, Group>();
  for (const p of points) {
    const key = { experiment: p.experiment, nodes: p.nodes, mib: p.mib, balancer: p.balancer, scheme: p.scheme, threshold: p.threshold, load: p.load };
    const k = JSON.stringify(key);
    const g = m.get(k) ?? { key, points: [] };
    g.points.push(p);
    m.set(k, g);
  }
  return [...m.values()];
}

export const stat = (g: Group, f: keyof Figures) => mean_ci(g.points.map((p) => p[f] as number).filter((v) => v != null && Number.isFinite(v)));
const fmt = (s: { mean: number; ci: number }, d = 3): string => (Number.isFinite(s.ci) ? `${s.mean.toFixed(d)} ± ${s.ci.toFixed(d)}` : s.mean.toFixed(d));

/** A group's realized offered loads, seed by seed (the same arrivals under every balancer). */
// (Records of an older build have no offered_load.)
const realized = (g: Group): string => g.points.map((p) => (p.offered_load == null ? '-' : p.offered_load.toFixed(2))).join(', ');
const offered = (g: Group): string => (g.points.some((p) => p.offered_load != null) ? fmt(stat(g, 'offered_load'), 2) : '-');

/** The experiments' CSV: one row a run. */
export function cluster_csv(points: ClusterPoint[]): string {
  const cols = Object.keys(points[0] ?? {}) as (keyof ClusterPoint)[];
  return [cols.join(','), ...points.map((p) => cols.map((c) => (p[c] === null ? '' : String(p[c]))).join(','))].join('\n') + '\n';
}

/** REPORT's section: the three experiments, what they show, read from the points. */
export function cluster_md(points: ClusterPoint[]): string[] {
  if (points.length === 0) return [];
  const L = ['## The cluster: MOSIX\'s promise and the paper\'s question', ''];
  const gs = groups(points);
  const one = (g: Group, f: keyof Figures): number | null => (g.points[0]![f] as number | null);
  // The demo.
  const demo = gs.filter((g) => g.key.experiment === 'demo');
  if (demo.length > 0) {
    L.push('### The MOSIX demo', '');
    L.push('Hogs all started on node 0 of an idle cluster at t = 0, each of 60 s of CPU (20 s in bench-quick). "All busy": the first time every node held a process (running or waiting for its pages). Relief: from the decision until the source stopped running the process. Cost error: |predicted - measured| over measured, measured = freeze + blocked time.', '');
    L.push('| MiB | nodes | balancer | scheme | makespan s | of off | all busy s | migrations | most moves of a process | mean relief s | cost error | busiest link | verified |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const g of demo) {
      const off = demo.find((x) => x.key.mib === g.key.mib && x.key.balancer === 'off');
      const ms = one(g, 'makespan_s')!;
      const p = g.points[0]!;
      L.push(`| ${g.key.mib} | ${g.key.nodes} | ${g.key.balancer} | ${g.key.scheme} | ${ms.toFixed(1)} | ${off ? (ms / one(off, 'makespan_s')!).toFixed(3) : '-'} | ${p.all_busy_s?.toFixed(1) ?? 'never'} | ${p.migrations} | ${p.max_moves} | ${p.mean_relief_s?.toFixed(3) ?? '-'} | ${p.mean_abs_cost_error_rel !== null ? `${(p.mean_abs_cost_error_rel * 100).toFixed(0)}%` : '-'} | ${(p.max_link_util * 100).toFixed(0)}% | ${p.verified ? 'yes' : '**no**'} |`);
    }
    L.push('', `A hog becomes a candidate once it has been on its node for ${MIN_RESIDENCE_NS / 1e9} s (the residency rule) and node 0 has load news of its peers that postdate its own filling up (gossip brings them within a load interval or two); a move is decided at a load computation, one a second, when the process's gain (its age times the load difference) beats its expected cost with node 0's line shared by what it still has to send; the source stops the process when it is next scheduled (the relief time).`, '');
    for (const mib of [...new Set(demo.map((g) => g.key.mib))]) {
      // What node 0's line needs to send every process but one away, whatever the scheme.
      const nodes = demo.find((x) => x.key.mib === mib)!.key.nodes;
      const wire_s = ((nodes - 1) * Number(mib) * 2 ** 20 * 8) / PROFILES['fast-ethernet']!.line_bps;
      L.push(`- ${mib} MiB: the ${nodes - 1} processes that must leave node 0 take at least ${wire_s.toFixed(1)} s of its line (Fast Ethernet), frozen or pulled later.`);
      const off = demo.find((x) => x.key.mib === mib && x.key.balancer === 'off');
      for (const g of demo.filter((x) => x.key.mib === mib && x.key.balancer !== 'off')) {
        const ratio = off ? one(g, 'makespan_s')! / one(off, 'makespan_s')! : NaN;
        const busy = g.points[0]!.all_busy_s;
        // The goals are set for the small processes (16 MiB; bench-quick's
        // 8 MiB); the large ones are reported against their wire time.
        const small = Number(mib) <= 16;
        const goal = (text: string, ok: boolean): string => (small ? ` (goal ${text}: ${ok ? 'met' : '**missed**'})` : '');
        const p = g.points[0]!;
        const span = p.first_move_s === null ? 'no move' : `moves decided from ${p.first_move_s.toFixed(1)} s to ${p.last_move_s!.toFixed(1)} s`;
        L.push(`- ${mib} MiB, ${g.key.scheme}: makespan ${(ratio * 100).toFixed(0)}% of off${goal('at most 20%', ratio <= 0.2)}; every node busy ${busy === null ? 'never' : `at ${busy.toFixed(1)} s`}${g.key.scheme === 'ampom' && small ? goal('10 s', busy !== null && busy <= 10) : ''} (${span}); at most ${p.max_moves} move(s) of a process${goal('2', p.max_moves <= 2)}.`);
      }
    }
    L.push('');
  }
  // Preemptive against birth.
  const vs = gs.filter((g) => g.key.experiment === 'versus');
  if (vs.length > 0) {
    const n = vs[0]!.points.length;
    L.push('### Preemptive against birth placement', '');
    L.push(`pareto (Harchol-Balter and Downey's lifetimes, P(demand > t) = 1/t above 1 s, capped at 3,600 s) at offered load 0.8 on 16 nodes, every node its own arrivals, 4-64 MiB log-uniform, openMosix's full copy, ${n} seeds; mean ± 95% CI.`, '');
    if (vs[0]!.points.some((p) => p.offered_load != null)) L.push(`The load a few hundred heavy-tailed processes really offer (their standalone work over the capacity times the span of their arrivals) is not the load they were drawn for: it was ${realized(vs[0]!)} here (per seed).`, '');
    L.push('| balancer | mean slowdown | mean bounded slowdown | p95 slowdown | migrations | cost error | verified |', '|---|---|---|---|---|---|---|');
    for (const g of vs) L.push(`| ${g.key.balancer} | ${fmt(stat(g, 'mean_slowdown'))} | ${fmt(stat(g, 'mean_bounded_slowdown'))} | ${fmt(stat(g, 'p95_slowdown'))} | ${fmt(stat(g, 'migrations'), 1)} | ${fmt(stat(g, 'mean_abs_cost_error_rel'), 2)} | ${g.points.every((p) => p.verified) ? 'yes' : '**no**'} |`);
    const birth = vs.find((g) => g.key.balancer === 'birth');
    if (birth) {
      const b = stat(birth, 'mean_slowdown').mean;
      for (const g of vs.filter((x) => x.key.balancer !== 'birth')) {
        // The reduction per seed (same arrivals), its mean and CI.
        const red = mean_ci(g.points.map((p) => 1 - p.mean_slowdown / birth.points.find((q) => q.seed === p.seed)!.mean_slowdown));
        L.push(`- ${g.key.balancer}: mean slowdown ${Math.abs(red.mean * 100).toFixed(1)}% ${red.mean >= 0 ? 'lower' : 'higher'} than birth's ${b.toFixed(3)} (95% CI ± ${(red.ci * 100).toFixed(1)} points, per seed on the same arrivals); goal at least 35% lower: ${red.mean >= 0.35 ? 'met' : '**missed**'}.`);
      }
    }
    L.push('');
  }
  // The question.
  const q = gs.filter((g) => g.key.experiment === 'question');
  if (q.length > 0) {
    L.push("### The paper's question: does cheaper migration make a bolder balancer pay?", '');
    L.push(`pareto on 16 nodes of 2 GiB, every node its own arrivals, ${q[0]!.points.length} seeds, mean bounded slowdown ± 95% CI; mosix at each threshold (lower is bolder), its best shown per scheme; the busiest link's utilisation (bytes sent over what the line could carry in the makespan).`, '');
    const missing = QUESTION_MIB.filter((m) => !q.some((g) => g.key.mib === m));
    if (missing.length > 0) L.push(`Processes of ${missing.join(', ')} MiB: \`make bench-full\` asks the question of them too (their moves cost the host more than make bench's time allows).`, '');
    L.push('| MiB | load | offered | balancer | scheme | best threshold | mean bounded slowdown | migrations | busiest link | verified |', '|---|---|---|---|---|---|---|---|---|---|');
    const key = (g: Group): string => `${g.key.mib}|${g.key.load}|${g.key.balancer}|${g.key.scheme}`;
    const best = new Map<string, Group>();
    for (const g of q) {
      const k = key(g);
      const b = best.get(k);
      if (!b || stat(g, 'mean_bounded_slowdown').mean < stat(b, 'mean_bounded_slowdown').mean) best.set(k, g);
    }
    for (const g of best.values()) {
      L.push(`| ${g.key.mib} | ${g.key.load} | ${offered(g)} | ${g.key.balancer} | ${g.key.scheme} | ${g.key.threshold ?? '-'} | ${fmt(stat(g, 'mean_bounded_slowdown'))} | ${fmt(stat(g, 'migrations'), 1)} | ${(stat(g, 'max_link_util').mean * 100).toFixed(0)}% | ${g.points.every((p) => p.verified) ? 'yes' : '**no**'} |`);
    }
    L.push('');
    for (const mib of [...new Set(q.map((g) => g.key.mib))]) {
      for (const load of [...new Set(q.map((g) => g.key.load))]) {
        const of = (scheme: string) => [...best.values()].find((g) => g.key.mib === mib && g.key.load === load && g.key.balancer === 'mosix' && g.key.scheme === scheme);
        const om = of('openmosix');
        const cheap = ['ampom', 'ampom-push'].map(of).filter((g): g is Group => !!g);
        if (!om || cheap.length === 0) continue;
        const c = cheap.reduce((a, b) => (stat(b, 'mean_bounded_slowdown').mean < stat(a, 'mean_bounded_slowdown').mean ? b : a));
        const so = stat(om, 'mean_bounded_slowdown');
        const sc = stat(c, 'mean_bounded_slowdown');
        const apart = Math.abs(sc.mean - so.mean) > (Number.isFinite(sc.ci) ? sc.ci : 0) + (Number.isFinite(so.ci) ? so.ci : 0);
        const bolder = (c.key.threshold ?? 0) < (om.key.threshold ?? 0);
        const d = paired_difference(c, om, 'mean_bounded_slowdown');
        L.push(`- ${mib} MiB at load ${load}: best of AMPoM and ampom-push ${fmt(sc)} (${c.key.scheme}, threshold ${c.key.threshold}) against openMosix's ${fmt(so)} (threshold ${om.key.threshold}): ${sc.mean < so.mean ? 'lower' : 'not lower'}${apart ? '' : ' (the intervals overlap)'}, ${bolder ? 'at a bolder threshold' : 'not at a bolder threshold'}; ${paired_words(d)}.`);
      }
    }
    L.push('');
  }
  return L;
}
