// `omemu run` and `omemu migrate`: run a program on node 0 of a cluster,
// migrate it along a path of nodes, inject faults if asked, and print what
// happened. The exit status is 0 only when every run completed and verified.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { run_experiment, type MigrationPoint, type ProgramDef } from '../experiment.ts';
import { FaultSpecError, parse_fault_plan, parse_time_ns } from '../faults.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { PRECOPY_RULES } from '../../om/schemes/precopy.ts';
import { KERNEL_MODELS, with_kernel_model, type KernelModel } from '../hpcc/variants.ts';
import type { TimelinePanel } from '../timeline_plot.ts';
import { KERNEL_NAMES, make_kernel, MMAP_SPACE_B } from './kernels.ts';
import { network_options, network_profile, partition_limit_ns, type NetworkOpts } from './network.ts';
import { plural } from './format.ts';
import { print_runs } from './print_run.ts';
import { parse_schemes, SCHEME_HELP } from './schemes.ts';
import { exit_after, note, numberIn, plot_base, UsageError } from './usage.ts';

// Shared definitions that used to live here, for the commands that still import them from this file.
export { HPCC_MARKS, KERNELS, MMAP_SPACE_B, type KernelArgs } from './kernels.ts';
export { parse_schemes } from './schemes.ts';

interface RunOpts extends NetworkOpts {
  kernel: string;
  mib: number;
  mode: string;
  workingSet?: number;
  scheme: string;
  passes: number;
  seed: number;
  json?: boolean;
  migrate: boolean;
  migrateAt: string;
  path?: string;
  nodes?: number;
  faults?: string;
  plot?: string;
  precopyRule: string;
  ampomWindow: string;
  kernelModel: string;
  preempt?: string;
}

export const PREEMPT_HELP =
  "demand first on the wire: a fault's request and the reply with its page go on a connection of their own in the qdisc's top band, ahead of pushed and prefetched pages (default: the scheme's: on for ampom-push, off for the others; docs/schemes.md)";

/** --preempt on|off (absent: each scheme's default). */
export function parse_preempt(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'off') return v === 'on';
  throw new UsageError(`--preempt must be on or off, got '${v}'`);
}

/**
 * --migrate-at: a comma list of points, each a mark the program passes, a
 * virtual time since the start (2.5s, 300ms, 20us) or a delay after the
 * previous point (+30ms).
 */
export function parse_migrate_at(v: string, marks: readonly string[]): MigrationPoint['at'][] {
  const items = v.split(',').map((s) => s.trim());
  return items.map((item, i) => {
    const after = item.startsWith('+');
    const t = parse_time_ns(after ? item.slice(1) : item);
    if (t !== null) {
      if (after && i === 0) throw new UsageError(`--migrate-at: the first point '${item}' cannot be relative (+TIME is after the previous point)`);
      return after ? { after_ns: t } : { t_ns: t };
    }
    if (marks.includes(item)) return item;
    throw new UsageError(`--migrate-at: '${item}' is neither a mark this program passes (${marks.join(', ')}) nor a time such as 2.5s, 300ms or +30ms`);
  });
}

/** --path: one destination per point, node numbers or 'home' (node 0). */
export function parse_path(v: string, points: number): number[] {
  const items = v.split(',').map((s) => s.trim());
  const path = items.map((item) => {
    if (item === 'home') return 0;
    if (!/^\d+$/.test(item)) throw new UsageError(`--path: '${item}' is neither a node number nor 'home'`);
    return Number(item);
  });
  if (path.length !== points) throw new UsageError(`--path names ${plural(path.length, 'destination')} for ${plural(points, '--migrate-at point')}; give one destination per point`);
  let at = 0;
  for (const [i, to] of path.entries()) {
    if (to === at) throw new UsageError(`--path: destination ${i + 1} is node ${to}, where the process already is`);
    at = to;
  }
  return path;
}

/** Write the timeline plot to BASE.svg and BASE.png. */
async function write_timeline(base: string, panels: TimelinePanel[], what: string): Promise<void> {
  // The plotting libraries load only when a plot is asked for (they take a second to load).
  const [{ timeline_spec }, { render_svg }, { svg_to_png }] = await Promise.all([import('../timeline_plot.ts'), import('../bench/plots.ts'), import('../bench/png.ts')]);
  const svg = await render_svg(timeline_spec(panels, `Migration timeline: ${what}`));
  writeFileSync(`${base}.svg`, svg);
  writeFileSync(`${base}.png`, await svg_to_png(svg));
  process.stderr.write(`omemu: wrote ${base}.svg and ${base}.png\n`);
}

async function do_run(o: RunOpts): Promise<void> {
  if (!MODES.includes(o.mode as Mode)) throw new UsageError(`--mode must be ${MODES.join(' or ')}, got '${o.mode}'`);
  const schemes = parse_schemes(o.scheme);
  if (!KERNEL_MODELS.includes(o.kernelModel as KernelModel)) throw new UsageError(`--kernel-model must be ${KERNEL_MODELS.join(', ')}, got '${o.kernelModel}'`);
  const make = (): ProgramDef => with_kernel_model(make_kernel(o.kernel, { mib: o.mib, passes: o.passes, mode: o.mode as Mode, working_set_mib: o.workingSet }), o.kernelModel as KernelModel);
  const probe = make();
  const used_B = probe.size?.used_B ?? o.mib * 2 ** 20;
  if (used_B > MMAP_SPACE_B) {
    throw new UsageError(`--mib ${o.mib}: ${o.kernel} would map ${(used_B / 2 ** 20).toFixed(0)} MiB, more than the ${(MMAP_SPACE_B / 2 ** 20).toFixed(0)} MiB an i386 process can map (0x40000000 up to the stack)`);
  }
  const used_mib = used_B / 2 ** 20;
  let points: MigrationPoint[] = [];
  if (o.migrate) {
    const ats = parse_migrate_at(o.migrateAt, probe.marks ?? []);
    if (o.path === undefined && ats.length > 1) throw new UsageError(`--migrate-at gives ${ats.length} points: give --path with a destination for each (e.g. --path 1,2,home)`);
    const path = parse_path(o.path ?? '1', ats.length);
    points = ats.map((at, i) => ({ at, to: path[i]! }));
  } else if (o.path !== undefined) throw new UsageError('--path needs a migration (drop --no-migrate)');
  const needed = Math.max(2, ...points.map((p) => p.to + 1));
  const nodes = o.nodes ?? needed;
  if (nodes < needed) throw new UsageError(`--nodes ${nodes}: --path names node ${needed - 1}`);
  let faults;
  try {
    faults = o.faults ? parse_fault_plan(o.faults, nodes) : undefined;
  } catch (e) {
    if (e instanceof FaultSpecError) throw new UsageError(e.message);
    throw e;
  }
  const profile = network_profile(o, nodes);
  if (o.mode === 'exact' && used_mib > 16) {
    note(`exact mode does every operation of the kernel on emulated memory; at ${used_mib.toFixed(0)} MiB that takes minutes to hours (fast mode makes the same page references)`);
  }
  if (o.ampomWindow !== 'all' && o.ampomWindow !== 'remote') throw new UsageError(`--ampom-window must be all or remote, got '${o.ampomWindow}'`);
  const rule = PRECOPY_RULES[o.precopyRule];
  if (!rule) throw new UsageError(`--precopy-rule must be ${Object.keys(PRECOPY_RULES).join(' or ')}, got '${o.precopyRule}'`);
  const preempt = parse_preempt(o.preempt);
  const plot = o.plot === undefined ? undefined : plot_base('--plot', o.plot);
  const node_mem_B = Math.max(256 << 20, Math.ceil(used_mib * 1.25 + 64) << 20);
  const panels: TimelinePanel[] = [];
  const results = schemes.map((scheme) =>
    run_experiment({
      program: make(), scheme, profile, seed: o.seed, node_mem_B, nodes, migrations: points, faults: faults && structuredClone(faults), precopy_rule: rule,
      ampom_window: o.ampomWindow as 'all' | 'remote', partition_limit_ns: partition_limit_ns(o), preempt,
      timeline: plot ? (tl, start_ns) => panels.push({ scheme, tl, start_ns }) : undefined,
    }),
  );
  print_runs(results, o.json);
  if (plot) await write_timeline(plot, panels, `${results[0]!.program} ${results[0]!.problem} on ${results[0]!.profile}`);
  exit_after(results.every((r) => r.verified && r.outcome === 'completed'));
}

function common(cmd: Command): Command {
  return network_options(cmd
    .option('--kernel <name>', `program to run (${KERNEL_NAMES.join(', ')})`, 'stream')
    .option('--mib <n>', 'memory size of the problem, MiB (the kernel picks the largest problem that fits)', numberIn('--mib', 0.01, 4096), 64)
    .option('--mode <m>', 'exact: real arithmetic and HPCC\'s verification; fast: same page references, arithmetic skipped', 'fast')
    .option('--working-set <mib>', 'dgemm: allocate --mib but multiply matrices of this size (paper §5.6)', numberIn('--working-set', 0.0001, 4096))
    .option('--scheme <s>', SCHEME_HELP, 'ampom'))
    .option('--passes <n>', 'passes over the data after setup (seqtouch only)', numberIn('--passes', 0, 1000, true), 1)
    .option('--migrate-at <points>', 'comma list of migration points: a mark (setup_done, timed_done), a time since start (2.5s, 300ms) or +TIME after the previous point', 'setup_done')
    .option('--path <nodes>', "comma list of destinations, one per point: node numbers or 'home' (default 1)")
    .option('--nodes <n>', 'nodes in the cluster (default: as many as --path and --faults name, at least 2)', numberIn('--nodes', 2, 256, true))
    .option('--faults <spec>', 'faults to inject, comma-separated: crash:N@TIME, partition:A-B@TIME+DUR, abort[:src|:dest]@STEP[#K] (STEP: mig_send_hshake, mig_send_mm, mig_send_vmas, mig_send_pages, mig_send_mpt, mig_send_proc_context)')
    .option('--kernel-model <m>', "the kernels' timing: loop (CPU work between references, in loop order); after or blocks (the earlier models, for ablation)", 'loop')
    .option('--ampom-window <which>', "faults that feed AMPoM's window: all (every fault of the migrant, as paper §3.1 reads) or remote (only faults in a remote area)", 'all')
    .option('--preempt <on|off>', PREEMPT_HELP)
    .option('--precopy-rule <rule>', "pre-copy's stop rule: xen (under 50 dirty pages or 5 rounds) or legacy (30 rounds or 3x the memory sent)", 'xen')
    .option('--plot <file>', 'draw the migration timeline of each run to FILE.svg and FILE.png (FILE may end in .svg or .png; with --scheme all, one panel a scheme)')
    .option('--seed <n>', 'seed of every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
    .option('--json', 'print JSON');
}

export function register(program: Command): void {
  common(program.command('run').description('run a program on node 0 and migrate it (by default to node 1 after its setup phase); exit status 1 unless every run completed and verified'))
    .option('--no-migrate', 'run on node 0 without migrating')
    .action((o: RunOpts) => do_run(o));
  common(program.command('migrate').description('the same as run; named after openMosix\'s migrate tool'))
    .action((o: RunOpts) => do_run({ ...o, migrate: true }));
}
