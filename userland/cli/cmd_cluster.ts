// `omemu cluster`: many nodes, a workload of HPCC jobs started on a few
// login nodes, and openMosix's load balancer (om/balance.ts) moving them
// under a page-transfer scheme. Prints, per process, where it ran and its
// slowdown, and the totals; --monitor shows a mosmon-style live view,
// --plot a Gantt chart.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { infod_min_bandwidth_bps } from '../../net/infod.ts';
import { make_profile, PROFILES } from '../../net/profiles.ts';
import { POLICIES } from '../../om/state.ts';
import { render_svg } from '../bench/plots.ts';
import { svg_to_png } from '../bench/png.ts';
import { gantt_spec } from '../cluster/gantt.ts';
import { render_monitor } from '../cluster/monitor.ts';
import { ClusterSim, type ClusterResult, type ClusterSpec } from '../cluster/run.ts';
import { hpcc_mix, read_workload_csv, WorkloadError, type Job } from '../cluster/workload.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { parse_schemes } from './cmd_run.ts';
import { check_writable_file, numberIn, UsageError } from './usage.ts';

interface ClusterOpts {
  nodes: number;
  speeds?: string;
  memMib: number;
  workload: string;
  jobs: number;
  logins: number;
  rate: number;
  scale: number;
  mode: string;
  scheme: string;
  balancer: string;
  balanceThreshold: number;
  profile: string;
  seed: number;
  json?: boolean;
  plot?: string;
  monitor?: boolean;
}

/** --speeds: one number for every node, or a comma list of one a node. */
export function parse_speeds(v: string | undefined, nodes: number): number[] {
  if (v === undefined) return new Array<number>(nodes).fill(1);
  const xs = v.split(',').map((s) => s.trim());
  const ns = xs.map(Number);
  const bad = xs.findIndex((s, i) => s === '' || !(ns[i]! >= 0.05 && ns[i]! <= 20));
  if (bad >= 0) throw new UsageError(`--speeds: '${xs[bad]}' is not a relative speed from 0.05 to 20`);
  if (ns.length === 1) return new Array<number>(nodes).fill(ns[0]!);
  if (ns.length !== nodes) throw new UsageError(`--speeds gives ${ns.length} speeds for ${nodes} nodes (give one, or one a node)`);
  return ns;
}

function jobs_of(o: ClusterOpts): Job[] {
  try {
    if (o.workload === 'hpcc-mix') {
      return hpcc_mix({ jobs: o.jobs, nodes: o.nodes, logins: o.logins, rate_per_s: o.rate, scale: o.scale, mode: o.mode as Mode, seed: o.seed });
    }
    return read_workload_csv(o.workload, o.nodes, o.mode as Mode);
  } catch (e) {
    if (e instanceof WorkloadError) throw new UsageError(e.message);
    throw e;
  }
}

/** Run one scheme, drawing the monitor between steps of virtual time when asked. */
function run_one(spec: ClusterSpec, monitor: boolean): ClusterResult {
  const sim = new ClusterSim(spec);
  if (!monitor) {
    sim.run_to_end();
    return sim.result();
  }
  // A frame every half second of virtual time; the terminal is redrawn in place.
  let max_load = 1;
  while (!sim.done) {
    sim.advance(sim.now_ns + 500e6);
    const s = sim.snapshot();
    max_load = Math.max(max_load, ...s.nodes.map((n) => n.exported));
    process.stderr.write('\x1b[H\x1b[2J' + render_monitor(s, max_load));
  }
  return sim.result();
}

function print_text(r: ClusterResult): void {
  const w = (s: string): void => void process.stdout.write(s + '\n');
  w(`scheme ${r.scheme}, balancer ${r.balancer}${r.balancer === 'mosix' ? ` (threshold ${r.threshold})` : ''}, ${r.nodes} nodes`);
  w('  pid kernel          MiB  arrival   finish  slowdown migr  nodes');
  for (const p of r.processes) {
    w(`${String(p.pid).padStart(5)} ${p.kernel.padEnd(13)} ${p.mib.toFixed(1).padStart(6)} ${p.arrival_s.toFixed(2).padStart(8)} ${(p.finish_s?.toFixed(2) ?? '-').padStart(8)} ${(p.slowdown?.toFixed(2) ?? '-').padStart(9)} ${String(p.migrations).padStart(4)}  ${p.nodes.join('>')}${p.verified ? '' : `  UNVERIFIED: ${p.failures.join('; ')}`}`);
  }
  const t = r.totals;
  w(`mean_slowdown ${t.mean_slowdown}  p95_slowdown ${t.p95_slowdown}  makespan_s ${t.makespan_s}  migrations ${t.migrations}  bytes_moved ${t.bytes_moved}  verified ${t.verified}`);
}

async function do_cluster(o: ClusterOpts): Promise<void> {
  if (!MODES.includes(o.mode as Mode)) throw new UsageError(`--mode must be ${MODES.join(' or ')}, got '${o.mode}'`);
  if (o.balancer !== 'off' && o.balancer !== 'mosix') throw new UsageError(`--balancer must be off or mosix, got '${o.balancer}'`);
  if (o.logins > o.nodes) throw new UsageError(`--logins ${o.logins}: more than the ${o.nodes} nodes`);
  if (o.plot !== undefined && !/\.(svg|png)$/.test(o.plot)) throw new UsageError(`--plot ${o.plot}: give a file name ending in .svg or .png (both are written)`);
  if (o.plot !== undefined) check_writable_file('--plot', o.plot);
  const schemes = parse_schemes(o.scheme);
  const speeds = parse_speeds(o.speeds, o.nodes);
  let profile;
  try {
    profile = make_profile(o.profile);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const min_bps = infod_min_bandwidth_bps(o.nodes, profile.infod_interval_ns);
  if (profile.bandwidth_bps < min_bps) throw new UsageError(`--nodes ${o.nodes}: infoD needs at least ${(min_bps / 1e6).toPrecision(2)} Mb/s on the ${o.profile} profile's line`);
  const jobs = jobs_of(o);
  const results = schemes.map((scheme) =>
    run_one({ nodes: o.nodes, speeds, mem_mib: o.memMib, jobs, scheme, balancer: o.balancer as 'off' | 'mosix', threshold: o.balanceThreshold, profile, seed: o.seed }, !!o.monitor),
  );
  if (o.json) process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  else results.forEach(print_text);
  if (o.plot) {
    const base = o.plot.replace(/\.(svg|png)$/, '');
    for (const r of results) {
      const name = results.length === 1 ? base : `${base}-${r.scheme}`;
      const svg = await render_svg(gantt_spec(r));
      writeFileSync(`${name}.svg`, svg);
      writeFileSync(`${name}.png`, await svg_to_png(svg));
      process.stderr.write(`omemu: wrote ${name}.svg and ${name}.png\n`);
    }
  }
  if (results.some((r) => !r.totals.verified)) process.exitCode = 1;
}

export function register(program: Command): void {
  program
    .command('cluster')
    .description("run a workload of HPCC jobs on a cluster with openMosix's load balancer; exit status 1 unless every process completed and verified and every frame came back")
    .option('--nodes <n>', 'nodes on the switch', numberIn('--nodes', 2, 256, true), 4)
    .option('--speeds <list>', 'relative CPU speed: one for every node, or a comma list of one a node (default 1)')
    .option('--mem-mib <m>', 'memory of each node, MiB', numberIn('--mem-mib', 16, 4096, true), 1024)
    .option('--workload <w>', 'hpcc-mix, or a CSV file of arrival_s,node,kernel,mib[,mode] lines', 'hpcc-mix')
    .option('--jobs <j>', 'hpcc-mix: how many jobs', numberIn('--jobs', 1, 100000, true), 20)
    .option('--logins <l>', 'hpcc-mix: jobs start on nodes 0..l-1', numberIn('--logins', 1, 256, true), 2)
    .option('--rate <r>', 'hpcc-mix: mean arrivals a second (Poisson)', numberIn('--rate', 0.001, 1000), 1)
    .option('--scale <s>', "hpcc-mix: sizes are Table 1's range times this", numberIn('--scale', 0.001, 1), 0.1)
    .option('--mode <m>', 'fast or exact (exact does the arithmetic and HPCC\'s checks)', 'fast')
    .option('--scheme <s>', `page-transfer scheme: ${POLICIES.join(', ')}; all or paper`, 'ampom')
    .option('--balancer <b>', 'off, or mosix (a balancer on every node)', 'mosix')
    .option('--balance-threshold <x>', 'aggressiveness: imbalance (processes) beyond the stability factor before a move; 0 is MOSIX\'s rule, lower moves more', numberIn('--balance-threshold', -5, 100), 0)
    .option('--profile <name>', `network profile (${Object.keys(PROFILES).join(', ')})`, 'fast-ethernet')
    .option('--seed <n>', 'seed of the workload and every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
    .option('--json', 'print JSON (one object, or an array with --scheme all)')
    .option('--plot <file>', 'draw a Gantt chart of processes over nodes and time to FILE.svg and FILE.png')
    .option('--monitor', 'a mosmon-style live view of the loads on stderr as virtual time passes')
    .action((o: ClusterOpts) => do_cluster(o));
}
