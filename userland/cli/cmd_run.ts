// `omemu run` and `omemu migrate`: run a program on node 0 of a cluster,
// migrate it along a path of nodes, inject faults if asked, and print what
// happened. The exit status is 0 only when every run completed and verified.
import type { Command } from 'commander';
import { STACK_LIMIT_B, TASK_SIZE, TASK_UNMAPPED_BASE } from '../../mm/pgtable.ts';
import { infod_min_bandwidth_bps } from '../../net/infod.ts';
import { make_profile, PROFILES } from '../../net/profiles.ts';
import { PAPER_POLICIES, POLICIES, type Policy } from '../../om/state.ts';
import { run_experiment, type MigrationPoint, type ProgramDef, type RunResult } from '../experiment.ts';
import { FaultSpecError, parse_fault_plan, parse_time_ns } from '../faults.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { HPCC_KERNELS, make_hpcc, type HpccKernel } from '../hpcc/index.ts';
import { seqtouch } from '../programs/seqtouch.ts';
import { check_writable_file, numberIn, UsageError } from './usage.ts';
import { writeFileSync } from 'node:fs';
import { PRECOPY_RULES } from '../../om/schemes/precopy.ts';
import { KERNEL_MODELS, with_kernel_model, type KernelModel } from '../hpcc/variants.ts';
import { timeline_spec, type TimelinePanel } from '../timeline_plot.ts';
import { render_svg } from '../bench/plots.ts';
import { svg_to_png } from '../bench/png.ts';

export interface KernelArgs {
  mib: number;
  passes: number;
  mode: Mode;
  working_set_mib?: number;
}

/** The marks every HPCC kernel passes. */
export const HPCC_MARKS = ['setup_done', 'timed_done'] as const;

/** Programs `--kernel` can name. */
export const KERNELS: Record<string, (a: KernelArgs) => ProgramDef> = {
  seqtouch: (a) => ({
    name: 'seqtouch',
    image: seqtouch.image,
    gen: seqtouch.program({ size_B: Math.round(a.mib * 1024 * 1024), passes: a.passes }),
    marks: ['setup_done'],
  }),
  ...Object.fromEntries(
    HPCC_KERNELS.map((k) => [k, (a: KernelArgs) => ({
      ...make_hpcc({ kernel: k as HpccKernel, mib: a.mib, mode: a.mode, working_set_mib: a.working_set_mib }),
      marks: HPCC_MARKS,
    })]),
  ),
};

/** Bytes of mmap space an i386 process has: from TASK_UNMAPPED_BASE to the stack's reach. */
export const MMAP_SPACE_B = TASK_SIZE - TASK_UNMAPPED_BASE - STACK_LIMIT_B;

interface RunOpts {
  kernel: string;
  mib: number;
  mode: string;
  workingSet?: number;
  scheme: string;
  profile: string;
  bandwidth?: number;
  latency?: number;
  crossTraffic?: number;
  loss?: number;
  duplicate?: number;
  reorder?: number;
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
}

function print(results: RunResult[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write((results.length === 1 ? JSON.stringify(results[0], null, 2) : JSON.stringify(results, null, 2)) + '\n');
    return;
  }
  for (const r of results) {
    process.stdout.write(
      `${r.program}${r.problem ? ` [${r.problem}, ${r.used_mib.toFixed(1)} MiB used, ${r.mode} mode]` : ''} ${r.scheme} on ${r.profile}: ` +
        `${r.outcome}${r.reason ? ` (${r.reason})` : ''}, ${r.migrations}/${r.migrations_planned} migrations, ` +
        `${r.freeze_s === null ? `did not migrate: ${r.not_migrated_reason}` : `freeze ${r.freeze_s.toFixed(3)} s`}, runtime ${r.runtime_s.toFixed(3)} s, ` +
        `${r.remote_fault_requests} remote fault requests, ${r.prefetched_pages} prefetched pages, ` +
        `${r.pages_transferred} pages moved, MPT ${r.mpt_bytes} B, verified ${r.verified} (${r.checks.join(', ')})\n`,
    );
    for (const f of r.faults) process.stdout.write(`  fault ${f.fault}: ${f.injected_s === null ? 'never took effect' : `at ${f.injected_s} s`}\n`);
    for (const rep of r.reports) process.stdout.write(`  report: ${rep}\n`);
    if (r.crashed_nodes.length) process.stdout.write(`  figures: without the counts of crashed node(s) ${r.crashed_nodes.join(', ')}\n`);
    for (const f of r.failures) process.stdout.write(`  failed: ${f}\n`);
  }
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
  if (path.length !== points) throw new UsageError(`--path names ${path.length} destination${path.length === 1 ? '' : 's'} for ${points} --migrate-at point${points === 1 ? '' : 's'}; give one destination per point`);
  let at = 0;
  for (const [i, to] of path.entries()) {
    if (to === at) throw new UsageError(`--path: destination ${i + 1} is node ${to}, where the process already is`);
    at = to;
  }
  return path;
}

/** --scheme: one scheme, 'all' (every scheme) or 'paper' (the paper's three). */
export function parse_schemes(v: string): Policy[] {
  if (v === 'all') return POLICIES;
  if (v === 'paper') return PAPER_POLICIES;
  if (!POLICIES.includes(v as Policy)) throw new UsageError(`--scheme must be ${POLICIES.join(', ')}, all or paper, got '${v}'`);
  return [v as Policy];
}

/** Write the timeline plot as SVG and PNG (the name's other extension). */
async function write_timeline(file: string, panels: TimelinePanel[], what: string): Promise<void> {
  const svg = await render_svg(timeline_spec(panels, `Migration timeline: ${what}`));
  const base = file.replace(/\.(svg|png)$/, '');
  writeFileSync(`${base}.svg`, svg);
  writeFileSync(`${base}.png`, await svg_to_png(svg));
  process.stderr.write(`omemu: wrote ${base}.svg and ${base}.png\n`);
}

async function do_run(o: RunOpts): Promise<void> {
  const mk = KERNELS[o.kernel];
  if (!mk) throw new UsageError(`--kernel '${o.kernel}' is not known (known: ${Object.keys(KERNELS).join(', ')})`);
  if (!MODES.includes(o.mode as Mode)) throw new UsageError(`--mode must be ${MODES.join(' or ')}, got '${o.mode}'`);
  const schemes = parse_schemes(o.scheme);
  if (!KERNEL_MODELS.includes(o.kernelModel as KernelModel)) throw new UsageError(`--kernel-model must be ${KERNEL_MODELS.join(', ')}, got '${o.kernelModel}'`);
  const make = (): ProgramDef => {
    try {
      return with_kernel_model(mk({ mib: o.mib, passes: o.passes, mode: o.mode as Mode, working_set_mib: o.workingSet }), o.kernelModel as KernelModel);
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
  };
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
  let profile;
  try {
    profile = make_profile(o.profile, { bandwidth_mbps: o.bandwidth, latency_ms: o.latency, cross_traffic: o.crossTraffic, loss: o.loss, duplicate: o.duplicate, reorder: o.reorder });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const min_bps = infod_min_bandwidth_bps(nodes, profile.infod_interval_ns);
  if (profile.bandwidth_bps < min_bps) {
    throw new UsageError(`--bandwidth ${o.bandwidth ?? profile.bandwidth_bps / 1e6} Mb/s is too low: infoD's own load updates need at least ${(min_bps / 1e6).toPrecision(2)} Mb/s on ${nodes} nodes (at most half the line)`);
  }
  if (o.mode === 'exact' && used_mib > 16) {
    process.stderr.write(`omemu: note: exact mode does every operation of the kernel on emulated memory; at ${used_mib.toFixed(0)} MiB that takes minutes to hours (fast mode makes the same page references)\n`);
  }
  if (o.ampomWindow !== 'all' && o.ampomWindow !== 'remote') throw new UsageError(`--ampom-window must be all or remote, got '${o.ampomWindow}'`);
  const rule = PRECOPY_RULES[o.precopyRule];
  if (!rule) throw new UsageError(`--precopy-rule must be ${Object.keys(PRECOPY_RULES).join(' or ')}, got '${o.precopyRule}'`);
  if (o.plot !== undefined && !/\.(svg|png)$/.test(o.plot)) throw new UsageError(`--plot ${o.plot}: give a file name ending in .svg or .png (both are written)`);
  if (o.plot !== undefined) check_writable_file('--plot', o.plot);
  const node_mem_B = Math.max(256 << 20, Math.ceil(used_mib * 1.25 + 64) << 20);
  const panels: TimelinePanel[] = [];
  const results = schemes.map((scheme) =>
    run_experiment({
      program: make(), scheme, profile, seed: o.seed, node_mem_B, nodes, migrations: points, faults: faults && structuredClone(faults), precopy_rule: rule,
      ampom_window: o.ampomWindow as 'all' | 'remote',
      timeline: o.plot ? (tl, start_ns) => panels.push({ scheme, tl, start_ns }) : undefined,
    }),
  );
  print(results, o.json);
  if (o.plot) await write_timeline(o.plot, panels, `${results[0]!.program} ${results[0]!.problem} on ${results[0]!.profile}`);
  for (const r of results) {
    if (r.migrations < r.migrations_planned && r.outcome === 'completed' && r.faults.length === 0) {
      process.stderr.write(`omemu: note: ${r.scheme}: the program ended before migration point ${r.migrations + 1}\n`);
    }
  }
  if (results.some((r) => !r.verified || r.outcome !== 'completed')) process.exitCode = 1;
}

function common(cmd: Command): Command {
  return cmd
    .option('--kernel <name>', `program to run (${Object.keys(KERNELS).join(', ')})`, 'stream')
    .option('--mib <n>', 'memory size of the problem, MiB (the kernel picks the largest problem that fits)', numberIn('--mib', 0.01, 4096), 64)
    .option('--mode <m>', 'exact: real arithmetic and HPCC\'s verification; fast: same page references, arithmetic skipped', 'fast')
    .option('--working-set <mib>', 'dgemm: allocate --mib but multiply matrices of this size (paper §5.6)', numberIn('--working-set', 0.0001, 4096))
    .option('--scheme <s>', `page-transfer scheme: ${POLICIES.join(', ')}; all (every one) or paper (the paper's three)`, 'ampom')
    .option('--profile <name>', `network profile (${Object.keys(PROFILES).join(', ')})`, 'fast-ethernet')
    .option('--bandwidth <mbps>', 'override the line rate, Mb/s', numberIn('--bandwidth', 0.000001, 100000))
    .option('--latency <ms>', 'override the one-way latency, ms', numberIn('--latency', 0, 10000))
    .option('--cross-traffic <share>', 'background traffic as a share of the line rate', numberIn('--cross-traffic', 0, 0.99))
    .option('--loss <p>', "share of frames each NIC drops (netem's loss)", numberIn('--loss', 0, 0.99))
    .option('--duplicate <p>', "share of frames each NIC sends twice (netem's duplicate)", numberIn('--duplicate', 0, 0.99))
    .option('--reorder <p>', "share of frames sent ahead of the netem delay the others wait (netem's reorder; needs a delay: --latency above 0.06 or --profile broadband)", numberIn('--reorder', 0, 0.99))
    .option('--passes <n>', 'passes over the data after setup (seqtouch only)', numberIn('--passes', 0, 1000, true), 1)
    .option('--migrate-at <points>', 'comma list of migration points: a mark (setup_done, timed_done), a time since start (2.5s, 300ms) or +TIME after the previous point', 'setup_done')
    .option('--path <nodes>', "comma list of destinations, one per point: node numbers or 'home' (default 1)")
    .option('--nodes <n>', 'nodes in the cluster (default: as many as --path and --faults name, at least 2)', numberIn('--nodes', 2, 256, true))
    .option('--faults <spec>', 'faults to inject, comma-separated: crash:N@TIME, partition:A-B@TIME+DUR, abort[:src|:dest]@STEP[#K] (STEP: mig_send_hshake, mig_send_mm, mig_send_vmas, mig_send_pages, mig_send_mpt, mig_send_proc_context)')
    .option('--kernel-model <m>', "the kernels' timing: loop (CPU work between references, in loop order); after or blocks (the earlier models, for ablation)", 'loop')
    .option('--ampom-window <which>', "faults that feed AMPoM's window: all (every fault of the migrant, as paper §3.1 reads) or remote (only faults in a remote area)", 'all')
    .option('--precopy-rule <rule>', "pre-copy's stop rule: xen (under 50 dirty pages or 5 rounds) or legacy (30 rounds or 3x the memory sent)", 'xen')
    .option('--plot <file>', 'draw the migration timeline of each run to FILE.svg and FILE.png (with --scheme all, one panel a scheme)')
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
