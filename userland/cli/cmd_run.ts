// `omemu run` and `omemu migrate`: run a program on node 0 of a two-node
// cluster, migrate it to node 1, and print what happened.
import type { Command } from 'commander';
import { make_profile, PROFILES } from '../../net/profiles.ts';
import { POLICIES, type Policy } from '../../om/state.ts';
import { run_experiment, type ProgramDef, type RunResult } from '../experiment.ts';
import { seqtouch } from '../programs/seqtouch.ts';
import { numberIn, UsageError } from './usage.ts';

/** Programs `--kernel` can name. */
export const KERNELS: Record<string, (mib: number, passes: number) => ProgramDef> = {
  seqtouch: (mib, passes) => ({
    name: 'seqtouch',
    image: seqtouch.image,
    gen: seqtouch.program({ size_B: Math.round(mib * 1024 * 1024), passes }),
  }),
};

interface RunOpts {
  kernel: string;
  mib: number;
  scheme: string;
  profile: string;
  bandwidth?: number;
  latency?: number;
  crossTraffic?: number;
  passes: number;
  seed: number;
  json?: boolean;
  migrate: boolean;
}

function print(results: RunResult[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write((results.length === 1 ? JSON.stringify(results[0], null, 2) : JSON.stringify(results, null, 2)) + '\n');
    return;
  }
  for (const r of results) {
    process.stdout.write(
      `${r.program} ${r.scheme} on ${r.profile}: freeze ${r.freeze_s.toFixed(3)} s, runtime ${r.runtime_s.toFixed(3)} s, ` +
        `${r.remote_fault_requests} remote fault requests, ${r.prefetched_pages} prefetched pages, ` +
        `${r.pages_transferred} pages moved, MPT ${r.mpt_bytes} B, verified ${r.verified} (${r.checks.join(', ')})\n`,
    );
  }
}

function do_run(o: RunOpts): void {
  const mk = KERNELS[o.kernel];
  if (!mk) throw new UsageError(`--kernel '${o.kernel}' is not known (known: ${Object.keys(KERNELS).join(', ')})`);
  const schemes = o.scheme === 'all' ? POLICIES : [o.scheme as Policy];
  if (!schemes.every((s) => POLICIES.includes(s))) throw new UsageError(`--scheme must be ${POLICIES.join(', ')} or all, got '${o.scheme}'`);
  let profile;
  try {
    profile = make_profile(o.profile, { bandwidth_mbps: o.bandwidth, latency_ms: o.latency, cross_traffic: o.crossTraffic });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const node_mem_B = Math.max(256 << 20, Math.ceil(o.mib * 1.25 + 64) << 20);
  const results = schemes.map((scheme) =>
    run_experiment({ program: mk(o.mib, o.passes), scheme, profile, seed: o.seed, node_mem_B, migrate_at: o.migrate ? 'setup_done' : null }),
  );
  print(results, o.json);
}

function common(cmd: Command): Command {
  return cmd
    .option('--kernel <name>', `program to run (${Object.keys(KERNELS).join(', ')})`, 'seqtouch')
    .option('--mib <n>', 'memory size of the problem, MiB', numberIn('--mib', 0.01, 3000), 64)
    .option('--scheme <s>', `page-transfer policy: ${POLICIES.join(', ')} or all`, 'ampom')
    .option('--profile <name>', `network profile (${Object.keys(PROFILES).join(', ')})`, 'fast-ethernet')
    .option('--bandwidth <mbps>', 'override the line rate, Mb/s', numberIn('--bandwidth', 0.001, 100000))
    .option('--latency <ms>', 'override the one-way latency, ms', numberIn('--latency', 0, 10000))
    .option('--cross-traffic <share>', 'background traffic as a share of the line rate', numberIn('--cross-traffic', 0, 0.99))
    .option('--passes <n>', 'passes over the data after setup (seqtouch)', numberIn('--passes', 0, 1000, true), 1)
    .option('--seed <n>', 'seed of every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
    .option('--json', 'print JSON');
}

export function register(program: Command): void {
  common(program.command('run').description('run a program on node 0, migrate it to node 1 after its setup phase, and report'))
    .option('--no-migrate', 'run on node 0 without migrating')
    .action((o: RunOpts) => do_run(o));
  common(program.command('migrate').description('the same as run; named after openMosix\'s migrate tool'))
    .action((o: RunOpts) => do_run({ ...o, migrate: true }));
}
