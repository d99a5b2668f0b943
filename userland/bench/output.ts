// bench-out/ from the bench's records, and the summary printed at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { figure_specs, render_svg } from './plots.ts';
import { frontier_csv, has_frontier } from './plot_frontier.ts';
import { index_html } from './index_html.ts';
import { svg_to_png } from './png.ts';
import { results_json, type BenchRecord } from './record.ts';
import { figure_rows, report_md, to_csv, type ReportMeta } from './report.ts';
import { check_targets, type Check } from './targets.ts';
import { cluster_csv, type ClusterPoint } from './cluster_fig.ts';
import { cluster_spec } from './plot_cluster.ts';
import type { HostSummary } from './host_time.ts';
import { OUTPUT_SCHEMA } from '../schema.ts';
import type { HostCost } from '../sweep/host_cost.ts';

/** results.json, a CSV, vega-lite spec, SVG and PNG a figure, REPORT.md, and index.html showing them all. */
export async function write_bench_out(out: string, runs: BenchRecord[], meta: ReportMeta, cluster: ClusterPoint[] = []): Promise<Check[]> {
  const checks = check_targets(runs);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), results_json({ profile: 'fast-ethernet', seed: meta.seed, scale: meta.scale, runs }));
  for (const [fig, rows] of Object.entries(figure_rows(runs))) writeFileSync(join(out, `${fig}.csv`), to_csv(rows));
  // The frontier's CSV holds the points it draws (each run's ratio to the compute-only runtime), not whole records.
  if (has_frontier(runs)) writeFileSync(join(out, 'frontier.csv'), frontier_csv(runs));
  const drawn: string[] = [];
  for (const [fig, s] of Object.entries(figure_specs(runs, meta.scale))) {
    drawn.push(fig);
    writeFileSync(join(out, `${fig}.vl.json`), JSON.stringify(s, null, 2) + '\n');
    const svg = await render_svg(s);
    writeFileSync(join(out, `${fig}.svg`), svg);
    writeFileSync(join(out, `${fig}.png`), await svg_to_png(svg));
  }
  if (cluster.length > 0) {
    writeFileSync(join(out, 'cluster.csv'), cluster_csv(cluster));
    writeFileSync(join(out, 'cluster.json'), JSON.stringify(cluster, null, 2) + '\n');
    const s = cluster_spec(cluster);
    writeFileSync(join(out, 'cluster.vl.json'), JSON.stringify(s, null, 2) + '\n');
    const svg = await render_svg(s);
    writeFileSync(join(out, 'cluster.svg'), svg);
    writeFileSync(join(out, 'cluster.png'), await svg_to_png(svg));
    drawn.push('cluster');
  }
  const report = report_md(runs, checks, meta, cluster);
  writeFileSync(join(out, 'REPORT.md'), report);
  writeFileSync(join(out, 'index.html'), index_html(drawn, report));
  return checks;
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);

/** A line a distinct run, then the targets. */
export function print_summary(runs: BenchRecord[], checks: Check[], o: { out: string; quick: boolean }): void {
  const head = ['kernel'.padEnd(13), pad('MB', 7), pad('ws', 7), ' ', 'scheme'.padEnd(11), pad('Mb/s', 6), pad('freeze s', 10)];
  console.log(`\n${head.join('')}${pad('runtime s', 11)}${pad('requests', 10)}${pad('prefetched', 11)}${pad('anal %', 8)} ok`);
  const seen = new Set<string>();
  for (const r of runs) {
    const k = `${r.kernel}/${r.size_mib}/${r.working_set_mib}/${r.scheme}/${r.bandwidth_mbps}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const cols = [r.kernel.padEnd(13), pad(r.size_mib, 7), pad(r.working_set_mib, 7), ' ', r.scheme.padEnd(11), pad(r.bandwidth_mbps, 6)];
    const figs = [pad(r.freeze_s === null ? '-' : r.freeze_s.toFixed(3), 10), pad(r.runtime_s.toFixed(2), 11), pad(r.remote_fault_requests, 10), pad(r.prefetched_pages, 11)];
    console.log(`${cols.join('')}${figs.join('')}${pad(r.analysis_pct.toFixed(3), 8)} ${r.verified ? 'yes' : 'NO'}`);
  }
  const holding = checks.filter((c) => c.holds).length;
  console.log(`\ntargets (${o.quick ? 'indicative only at 1/8 size' : "paper's sizes"}): ${holding} of ${checks.length} hold`);
  for (const c of checks) {
    const diff = c.diff ? ` (${c.diff})` : '';
    console.log(`  ${c.holds ? 'holds' : 'MISSES'}  fig ${c.figure}: ${c.what}: paper ${c.paper}, emulated ${c.emulated}${diff}, tolerance ${c.tolerance}`);
  }
  console.log(`\nwrote ${o.out}/ (results.json, fig5..fig11, schemes, frontier and cluster .csv/.svg/.png/.vl.json, REPORT.md, index.html)`);
}

/** What one run of the whole plan from nothing cost: bench-out/timing.json, which `make docs-figures` quotes. */
export interface BenchTiming {
  schema: number;
  /** The day it was measured, UTC (YYYY-MM-DD). */
  date: string;
  /** The line `make bench` printed. */
  line: string;
  wall_s: number;
  rss_MB: number;
  workers: number;
  cores: number;
  runs: number;
  scale: number;
  /** The machine's 1-minute load average when the bench started (other work slows it). */
  load_at_start: number;
  /** Where the host time went: by group, the dearest runs, and every run's cost by hash. */
  host: HostSummary & {
    /** CPU seconds of the whole process (every thread) before it rendered bench-out/. */
    process_cpu_s: number;
    /** CPU seconds of the main thread before rendering (null: not known). */
    main_cpu_s: number | null;
    /** CPU seconds of the main thread rendering bench-out/ (null: not known). */
    render_s: number | null;
    runs: Record<string, HostCost>;
  };
}

export function write_timing(out: string, t: Omit<BenchTiming, 'schema' | 'date' | 'cores'>): void {
  // The host's date and clock, never the simulation's: this file describes the run, not its results.
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const host = { ...t.host, process_cpu_s: r2(t.host.process_cpu_s), main_cpu_s: t.host.main_cpu_s === null ? null : r2(t.host.main_cpu_s), render_s: t.host.render_s === null ? null : r2(t.host.render_s) };
  const timing: BenchTiming = { schema: OUTPUT_SCHEMA, date: new Date().toISOString().slice(0, 10), cores: availableParallelism(), ...t, wall_s: Math.round(t.wall_s * 10) / 10, rss_MB: Math.round(t.rss_MB), load_at_start: r2(t.load_at_start), host };
  writeFileSync(join(out, 'timing.json'), JSON.stringify(timing, null, 2) + '\n');
}
