// `omemu cluster`: many nodes, a workload (HPCC jobs, hogs of a stated
// length from a Pareto load, an SWF log or a CSV file), and a balancer on
// every node (om/balance/: off, birth, mosix, hbd) moving processes under a
// page-transfer scheme. Prints, per process, where it ran, each migration's
// predicted and measured cost and its slowdowns, and the totals; --monitor
// shows a mosmon-style live view, --plot a Gantt chart.
import { writeFileSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { BALANCERS, type BalancerName } from '../../om/balance/index.ts';
import type { Command } from 'commander';
import { POLICIES } from '../../om/state.ts';
import { render_svg } from '../bench/plots.ts';
import { svg_to_png } from '../bench/png.ts';
import { gantt_spec } from '../cluster/gantt.ts';
import { render_monitor } from '../cluster/monitor.ts';
import { ClusterSim, type ClusterResult, type ClusterSpec } from '../cluster/run.ts';
import { make_workload, parse_job_mib, workload_misfit, WorkloadError, type Job } from '../cluster/workload.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { parse_schemes } from './cmd_run.ts';
import { network_options, network_profile, partition_limit_ns, type NetworkOpts } from './network.ts';
import { numberIn, plot_base, UsageError } from './usage.ts';

interface ClusterOpts extends NetworkOpts {
  nodes: number;
  speeds?: string;
  memMib: number;
  workload: string;
  jobs: number;
  logins?: number;
  rate: number;
  scale: number;
  load: number;
  jobMib?: string;
  timeScale: number;
  mode: string;
  scheme: string;
  balancer: string;
  balanceThreshold: number;
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

function jobs_of(o: ClusterOpts, speeds: number[]): Job[] {
  try {
    const jobs = make_workload(o.workload, {
      nodes: o.nodes, speeds, jobs: o.jobs, logins: o.logins ?? null, rate_per_s: o.rate, scale: o.scale, load: o.load,
      job_mib: o.jobMib === undefined ? null : parse_job_mib(o.jobMib), time_scale: o.timeScale, mode: o.mode as Mode, seed: o.seed,
    });
    // What cannot fit is said before anything runs.
    const misfit = workload_misfit(jobs, o.memMib, o.nodes, Math.max(totalmem() * 0.8, freemem()));
    if (misfit) throw new WorkloadError(`--workload ${o.workload}: ${misfit}`);
    return jobs;
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
  w(`scheme ${r.scheme}, balancer ${r.balancer}${r.balancer !== 'off' ? ` (threshold ${r.threshold})` : ''}, ${r.nodes} nodes`);
  w('  pid kernel          MiB   cpu_s  arrival   finish  slowdown bounded migr  nodes (predicted/measured cost s)');
  for (const p of r.processes) {
    const costs = p.moves.filter((m) => m.ok).map((m) => `${m.predicted_s.toFixed(2)}/${m.measured_s?.toFixed(2) ?? '-'}`).join(' ');
    w(`${String(p.pid).padStart(5)} ${p.kernel.padEnd(13)} ${p.mib.toFixed(1).padStart(6)} ${(p.cpu_s?.toFixed(1) ?? '-').padStart(7)} ${p.arrival_s.toFixed(2).padStart(8)} ${(p.finish_s?.toFixed(2) ?? '-').padStart(8)} ${(p.slowdown?.toFixed(2) ?? '-').padStart(9)} ${(p.bounded_slowdown?.toFixed(2) ?? '-').padStart(7)} ${String(p.migrations).padStart(4)}  ${p.nodes.join('>')}${costs ? ` (${costs})` : ''}${p.lock ? ' locked' : ''}${p.verified ? '' : `  UNVERIFIED: ${p.failures.join('; ')}`}`);
  }
  const t = r.totals;
  w(`mean_slowdown ${t.mean_slowdown}  p95_slowdown ${t.p95_slowdown}  mean_bounded_slowdown ${t.mean_bounded_slowdown}  makespan_s ${t.makespan_s}  utilisation ${t.utilisation}  offered_load ${t.offered_load ?? '-'}`);
  w(`migrations ${t.migrations}  bytes_moved ${t.bytes_moved}  mean_relief_s ${t.mean_relief_s ?? '-'}  all_busy_s ${t.all_busy_s ?? '-'}  max_link_util ${t.max_link_util}  verified ${t.verified}`);
}

async function do_cluster(o: ClusterOpts): Promise<void> {
  if (!MODES.includes(o.mode as Mode)) throw new UsageError(`--mode must be ${MODES.join(' or ')}, got '${o.mode}'`);
  if (!(BALANCERS as readonly string[]).includes(o.balancer)) throw new UsageError(`--balancer must be one of ${BALANCERS.join(', ')}, got '${o.balancer}'`);
  if (o.logins !== undefined && o.logins > o.nodes) throw new UsageError(`--logins ${o.logins}: more than the ${o.nodes} nodes`);
  const plot = o.plot === undefined ? undefined : plot_base('--plot', o.plot);
  // The oracle replays a recorded run of one migrant, which a balancer does not repeat: "all" here is every other scheme.
  if (o.scheme.split(',').some((x) => x.trim() === 'oracle')) throw new UsageError("--scheme oracle runs only with omemu run, migrate or replay: it replays a recorded run of one migration, which a cluster's balancer does not repeat");
  const schemes = parse_schemes(o.scheme).filter((s) => s !== 'oracle');
  const speeds = parse_speeds(o.speeds, o.nodes);
  const profile = network_profile(o, o.nodes);
  const jobs = jobs_of(o, speeds);
  const results = schemes.map((scheme) =>
    run_one({ nodes: o.nodes, speeds, mem_mib: o.memMib, jobs, scheme, balancer: o.balancer as BalancerName, threshold: o.balanceThreshold, profile, seed: o.seed, partition_limit_ns: partition_limit_ns(o) }, !!o.monitor),
  );
  if (o.json) process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  else results.forEach(print_text);
  if (plot !== undefined) {
    const base = plot;
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
  network_options(program
    .command('cluster'))
    .description("run a workload on a cluster with a load balancer on every node; exit status 1 unless every process completed and verified and every frame came back")
    .option('--nodes <n>', 'nodes on the switch', numberIn('--nodes', 2, 256, true), 4)
    .option('--speeds <list>', 'relative CPU speed: one for every node, or a comma list of one a node (default 1)')
    .option('--mem-mib <m>', 'memory of each node, MiB', numberIn('--mem-mib', 16, 4096, true), 1024)
    .option('--workload <w>', 'KIND[:ARG]: hpcc-mix, pareto, swf:FILE, or csv:FILE (a plain path is a CSV file of arrival_s,node,kernel,mib[,mode] lines, or of the columns a header names, cpu_s and lock among them)', 'hpcc-mix')
    .option('--jobs <j>', 'hpcc-mix, pareto: how many processes; swf: the first j jobs (0: all)', numberIn('--jobs', 0, 100000, true), 20)
    .option('--logins <l>', 'arrivals go to nodes 0..l-1 (default: hpcc-mix and swf 2; pareto every node its own)', numberIn('--logins', 1, 256, true))
    .option('--load <rho>', "pareto: offered load, share of the cluster's capacity", numberIn('--load', 0.01, 1.99), 0.8)
    .option('--job-mib <a-b>', 'pareto, swf (and hpcc-mix when given): process sizes, MiB, log-uniform (default 4-64)')
    .option('--time-scale <f>', 'swf: submit and run times multiplied by this', numberIn('--time-scale', 1e-6, 1000), 1)
    .option('--rate <r>', 'hpcc-mix: mean arrivals a second (Poisson)', numberIn('--rate', 0.001, 1000), 1)
    .option('--scale <s>', "hpcc-mix: sizes are Table 1's range times this", numberIn('--scale', 0.001, 1), 0.1)
    .option('--mode <m>', 'fast or exact (exact does the arithmetic and HPCC\'s checks)', 'fast')
    .option('--scheme <s>', `page-transfer scheme: ${POLICIES.join(', ')}; all or paper`, 'ampom')
    .option('--balancer <b>', `${BALANCERS.join(', ')}: none, placement at start, MOSIX's rules, Harchol-Balter and Downey's age rule`, 'mosix')
    .option('--balance-threshold <x>', 'aggressiveness: imbalance (processes) beyond the stability factor before a move; 0 is MOSIX\'s rule, lower moves more', numberIn('--balance-threshold', -5, 100), 0)
    .option('--seed <n>', 'seed of the workload and every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
    .option('--json', 'print JSON (one object, or an array with --scheme all)')
    .option('--plot <file>', 'draw a Gantt chart of processes over nodes and time to FILE.svg and FILE.png (FILE may end in .svg or .png; one pair a scheme with --scheme all)')
    .option('--monitor', 'a mosmon-style live view of the loads on stderr as virtual time passes')
    .action((o: ClusterOpts) => do_cluster(o));
}
