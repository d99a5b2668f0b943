// `omemu run` and `omemu migrate`: run a program on node 0 of a two-node
// cluster, migrate it to node 1, and print what happened.
import type { Command } from 'commander';
import { make_profile, PROFILES } from '../../net/profiles.ts';
import { POLICIES, type Policy } from '../../om/state.ts';
import { run_experiment, type MigrateAt, type ProgramDef, type RunResult } from '../experiment.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { HPCC_KERNELS, make_hpcc, type HpccKernel } from '../hpcc/index.ts';
import { seqtouch } from '../programs/seqtouch.ts';
import { numberIn, UsageError } from './usage.ts';

export interface KernelArgs {
  mib: number;
  passes: number;
  mode: Mode;
  working_set_mib?: number;
}

/** Programs `--kernel` can name. */
export const KERNELS: Record<string, (a: KernelArgs) => ProgramDef> = {
  seqtouch: (a) => ({
    name: 'seqtouch',
    image: seqtouch.image,
    gen: seqtouch.program({ size_B: Math.round(a.mib * 1024 * 1024), passes: a.passes }),
  }),
  ...Object.fromEntries(
    HPCC_KERNELS.map((k) => [k, (a: KernelArgs) => make_hpcc({ kernel: k as HpccKernel, mib: a.mib, mode: a.mode, working_set_mib: a.working_set_mib })]),
  ),
};

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
  passes: number;
  seed: number;
  json?: boolean;
  migrate: boolean;
  migrateAt: string;
}

function print(results: RunResult[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write((results.length === 1 ? JSON.stringify(results[0], null, 2) : JSON.stringify(results, null, 2)) + '\n');
    return;
  }
  for (const r of results) {
    process.stdout.write(
      `${r.program}${r.problem ? ` [${r.problem}, ${r.used_mib.toFixed(1)} MiB used, ${r.mode} mode]` : ''} ${r.scheme} on ${r.profile}: ` +
        `freeze ${r.freeze_s.toFixed(3)} s, runtime ${r.runtime_s.toFixed(3)} s, ` +
        `${r.remote_fault_requests} remote fault requests, ${r.prefetched_pages} prefetched pages, ` +
        `${r.pages_transferred} pages moved, MPT ${r.mpt_bytes} B, verified ${r.verified} (${r.checks.join(', ')})\n`,
    );
    for (const f of r.failures) process.stdout.write(`  failed: ${f}\n`);
  }
}

/** --migrate-at: a mark the program passes, or a virtual time like 2.5s or 300ms. */
export function parse_migrate_at(v: string): MigrateAt {
  const m = /^(\d+(?:\.\d+)?)(s|ms)$/.exec(v.trim());
  if (m) return { t_ns: Math.round(Number(m[1]) * (m[2] === 's' ? 1e9 : 1e6)) };
  if (/^[a-z_]+$/.test(v)) return v;
  throw new UsageError(`--migrate-at must be a mark (setup_done, timed_done) or a virtual time such as 2.5s or 300ms, got '${v}'`);
}

function do_run(o: RunOpts): void {
  const mk = KERNELS[o.kernel];
  if (!mk) throw new UsageError(`--kernel '${o.kernel}' is not known (known: ${Object.keys(KERNELS).join(', ')})`);
  if (!MODES.includes(o.mode as Mode)) throw new UsageError(`--mode must be ${MODES.join(' or ')}, got '${o.mode}'`);
  const schemes = o.scheme === 'all' ? POLICIES : [o.scheme as Policy];
  if (!schemes.every((s) => POLICIES.includes(s))) throw new UsageError(`--scheme must be ${POLICIES.join(', ')} or all, got '${o.scheme}'`);
  let profile;
  try {
    profile = make_profile(o.profile, { bandwidth_mbps: o.bandwidth, latency_ms: o.latency, cross_traffic: o.crossTraffic });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const at = o.migrate ? parse_migrate_at(o.migrateAt) : null;
  const make = (): ProgramDef => {
    try {
      return mk({ mib: o.mib, passes: o.passes, mode: o.mode as Mode, working_set_mib: o.workingSet });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
  };
  const used_mib = (make().size?.used_B ?? o.mib * 2 ** 20) / 2 ** 20;
  if (o.mode === 'exact' && used_mib > 16) {
    process.stderr.write(`omemu: note: exact mode does every operation of the kernel on emulated memory; at ${used_mib.toFixed(0)} MiB that takes minutes to hours (fast mode makes the same page references)\n`);
  }
  const node_mem_B = Math.max(256 << 20, Math.ceil(used_mib * 1.25 + 64) << 20);
  const results = schemes.map((scheme) => run_experiment({ program: make(), scheme, profile, seed: o.seed, node_mem_B, migrate_at: at }));
  print(results, o.json);
  if (results.some((r) => !r.migrated && at !== null)) process.stderr.write('omemu: note: the program ended before the migration point\n');
}

function common(cmd: Command): Command {
  return cmd
    .option('--kernel <name>', `program to run (${Object.keys(KERNELS).join(', ')})`, 'stream')
    .option('--mib <n>', 'memory size of the problem, MiB (the kernel picks the largest problem that fits)', numberIn('--mib', 0.01, 3000), 64)
    .option('--mode <m>', 'exact: real arithmetic and HPCC\'s verification; fast: same page references, arithmetic skipped', 'fast')
    .option('--working-set <mib>', 'dgemm: allocate --mib but multiply matrices of this size (paper §5.6)', numberIn('--working-set', 0.0001, 3000))
    .option('--scheme <s>', `page-transfer policy: ${POLICIES.join(', ')} or all`, 'ampom')
    .option('--profile <name>', `network profile (${Object.keys(PROFILES).join(', ')})`, 'fast-ethernet')
    .option('--bandwidth <mbps>', 'override the line rate, Mb/s', numberIn('--bandwidth', 0.001, 100000))
    .option('--latency <ms>', 'override the one-way latency, ms', numberIn('--latency', 0, 10000))
    .option('--cross-traffic <share>', 'background traffic as a share of the line rate', numberIn('--cross-traffic', 0, 0.99))
    .option('--passes <n>', 'passes over the data after setup (seqtouch only)', numberIn('--passes', 0, 1000, true), 1)
    .option('--migrate-at <where>', 'a mark (setup_done, timed_done) or a virtual time since start (2.5s, 300ms)', 'setup_done')
    .option('--seed <n>', 'seed of every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
    .option('--json', 'print JSON');
}

export function register(program: Command): void {
  common(program.command('run').description('run a program on node 0, migrate it to node 1 (by default after its setup phase), and report'))
    .option('--no-migrate', 'run on node 0 without migrating')
    .action((o: RunOpts) => do_run(o));
  common(program.command('migrate').description('the same as run; named after openMosix\'s migrate tool'))
    .action((o: RunOpts) => do_run({ ...o, migrate: true }));
}
