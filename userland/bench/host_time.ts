// Where make bench's host time goes: each run's host cost (the sweep's
// sidecar, sweep/host_cost.ts) summed by the part of the bench it serves (a
// paper figure, the schemes, the oracle, a cluster experiment), the dearest
// runs named, and a table printed at the end of the bench and written into
// REPORT.md and timing.json. Host figures only: never in a record.
import { config_hash, describe, normalize, type RunConfig } from '../sweep/config.ts';
import type { HostCost } from '../sweep/host_cost.ts';
import type { PlannedRun } from '../sweep/grid.ts';
import { experiment_of } from './cluster_fig.ts';
import { config_of, type Job } from './plan.ts';

/** The part of the bench a job serves, as the time table names it. */
export function group_of_job(j: Job): string {
  switch (j.figure) {
    case 'fig5-8':
      return `Table 1, figs 5-8, 11: ${j.kernel}`;
    case 'fig9':
      return 'fig 9: networks';
    case 'fig10':
      return 'fig 10: working sets';
    // The oracle's run first runs the program under NoPrefetch to record its future, then replays it: two runs in one.
    case 'schemes':
      return j.scheme === 'oracle' ? 'oracle (record + replay), largest' : 'schemes, largest sizes';
    case 'schemes-32':
      return j.scheme === 'oracle' ? 'oracle (record + replay), 32 MiB' : 'schemes, 32 MiB';
    case 'networks':
      return j.scheme === 'oracle' ? 'oracle (record + replay), 32 MiB, WAN and 1 Gb/s' : 'schemes, 32 MiB, WAN and 1 Gb/s';
    case 'networks-largest':
      return j.scheme === 'oracle' ? 'oracle (record + replay), largest, WAN and 1 Gb/s' : 'schemes, largest, WAN and 1 Gb/s';
    case 'traces':
      return j.scheme === 'oracle' ? 'oracle (record + replay), traces' : 'traces of real programs';
    case 'ablation':
      return 'ablation';
  }
}

export const group_of_cluster = (c: RunConfig): string => `cluster ${experiment_of(c)}`;

/** Each run's group by hash: a run that serves several jobs (the same configuration) counts in the first, in plan order. */
export function groups_of(plan: Job[], seed: number, cluster: PlannedRun[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const j of plan) {
    const h = config_hash(normalize(config_of(j, seed)));
    if (!out.has(h)) out.set(h, group_of_job(j));
  }
  for (const r of cluster) if (!out.has(r.hash)) out.set(r.hash, group_of_cluster(r.config));
  return out;
}

export interface GroupTime {
  group: string;
  /** Distinct runs of the group, and how many of them have a host cost. */
  runs: number;
  measured: number;
  /** Host seconds (see HostSummary.measure), summed over the group's measured runs. */
  host_s: number;
  /** Of the runs' total. */
  share: number;
  /** Wall seconds, summed. */
  wall_s: number;
  /** The group's dearest run. */
  max_run_s: number;
}

export interface RunTime {
  hash: string;
  run: string;
  group: string;
  host_s: number;
  wall_s: number;
}

export interface HostSummary {
  /** What host_s counts: the worker thread's CPU seconds, or wall seconds where a run's CPU is not known. */
  measure: 'worker CPU s' | 'wall s';
  /** Over every measured run. */
  total_s: number;
  /** Runs of the plan without a host cost (run by an earlier bench whose sidecar is gone). */
  unmeasured: number;
  /** By group, dearest first. */
  groups: GroupTime[];
  /** The dearest runs, dearest first. */
  top: RunTime[];
}

/** The summary of a plan's runs (its grid) from their host costs. */
export function host_summary(grid: PlannedRun[], groups: Map<string, string>, host: Map<string, HostCost>, top_n = 10): HostSummary {
  const known = grid.filter((r) => host.has(r.hash));
  const cpu = known.every((r) => host.get(r.hash)!.cpu_s !== null);
  const cost = (h: HostCost): number => (cpu ? h.cpu_s! : h.wall_s);
  const by = new Map<string, GroupTime>();
  for (const r of grid) {
    const group = groups.get(r.hash) ?? 'other';
    const g = by.get(group) ?? { group, runs: 0, measured: 0, host_s: 0, share: 0, wall_s: 0, max_run_s: 0 };
    by.set(group, g);
    g.runs++;
    const h = host.get(r.hash);
    if (!h) continue;
    g.measured++;
    g.host_s += cost(h);
    g.wall_s += h.wall_s;
    g.max_run_s = Math.max(g.max_run_s, cost(h));
  }
  const total_s = [...by.values()].reduce((a, g) => a + g.host_s, 0);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const gs = [...by.values()]
    .map((g) => ({ ...g, host_s: r2(g.host_s), wall_s: r2(g.wall_s), max_run_s: r2(g.max_run_s), share: total_s > 0 ? Math.round((g.host_s / total_s) * 1000) / 1000 : 0 }))
    .sort((a, b) => b.host_s - a.host_s || a.group.localeCompare(b.group));
  const top = known
    .map((r) => ({ hash: r.hash, run: describe(r.config), group: groups.get(r.hash) ?? 'other', host_s: r2(cost(host.get(r.hash)!)), wall_s: r2(host.get(r.hash)!.wall_s) }))
    .sort((a, b) => b.host_s - a.host_s || a.hash.localeCompare(b.hash))
    .slice(0, top_n);
  return { measure: cpu ? 'worker CPU s' : 'wall s', total_s: r2(total_s), unmeasured: grid.length - known.length, groups: gs, top };
}

/** Host seconds outside the runs, for the table's foot: rendering bench-out/, the main thread, and the rest of the process. */
export interface Overhead {
  render_s: number | null;
  /** The whole process's CPU seconds, every thread, when every run ran in it (else null); before rendering. */
  process_cpu_s: number | null;
  /** The main thread's CPU seconds at the same moment (the plan, the workers' messages, the records), or null. */
  main_cpu_s: number | null;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The table as markdown rows (REPORT.md) or aligned text (the bench's last lines). */
export function host_table(s: HostSummary, o: Overhead, style: 'md' | 'text'): string[] {
  const head = ['group', 'runs', s.measure === 'worker CPU s' ? 'worker CPU s' : 'wall s', 'share', 'dearest run s'];
  const rows = s.groups.map((g) => [g.group, g.measured === g.runs ? String(g.runs) : `${g.measured} of ${g.runs}`, g.host_s.toFixed(1), pct(g.share), g.max_run_s.toFixed(1)]);
  rows.push(['all runs', String(s.groups.reduce((a, g) => a + g.runs, 0)), s.total_s.toFixed(1), pct(s.total_s > 0 ? 1 : 0), '']);
  if (o.render_s !== null) rows.push(['rendering bench-out/ (main thread)', '', o.render_s.toFixed(1), '', '']);
  if (o.process_cpu_s !== null && s.measure === 'worker CPU s') {
    // What is left is V8's helper threads and the workers' start-up: under the bench's
    // V8 flags (v8_flags.ts: --single-threaded) V8 collects and compiles on the workers'
    // own threads, so little; without them, a quarter of the process's CPU.
    const rest = o.process_cpu_s - s.total_s - (o.main_cpu_s ?? 0);
    if (o.main_cpu_s !== null) rows.push(['main thread (plan, messages, records)', '', o.main_cpu_s.toFixed(1), '', '']);
    rows.push([`${o.main_cpu_s !== null ? '' : 'main thread, '}V8 helper threads, worker start-up`, '', rest.toFixed(1), '', ''], ['process CPU s before rendering', '', o.process_cpu_s.toFixed(1), '', '']);
  }
  if (style === 'md') return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The dearest runs, one line each. */
export const top_lines = (s: HostSummary): string[] => s.top.map((t, i) => `${String(i + 1).padStart(2)}. ${t.host_s.toFixed(1).padStart(7)} s  ${t.group}: ${t.run}`);
