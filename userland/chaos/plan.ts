// One chaos run from its seed: a kernel in exact mode at a small size, a
// scheme, a path of 1-3 migrations over a 4-node cluster, and 1-2 random
// faults (a crash, a partition of 0.1-120 s, a window of 1-9% frame loss on
// every link, or an abort at a step of mig_do_send), under the session's
// partition limit (om/pause.ts). The seed (with the session's network,
// limit and scheme, when one is asked for) decides all of it, so a run that
// broke a promise can be replayed with `omemu chaos --replay SEED`.
import { Rng } from '../../kernel/rng.ts';
import { NS_PER_S } from '../../kernel/time.ts';
import type { FaultPlan } from '../../kernel/faultplan.ts';
import { MIG_STEPS } from '../../om/faults.ts';
import type { Policy } from '../../om/state.ts';
import { run_experiment, type MigrationPoint, type RunResult } from '../experiment.ts';
import { parse_fault_plan } from '../faults.ts';
import { HPCC_KERNELS, make_hpcc, type HpccKernel } from '../hpcc/index.ts';
import type { Mode } from '../hpcc/common.ts';
import { parse_migrate_at, parse_path } from '../cli/cmd_run.ts';
import { HPCC_MARKS } from '../cli/kernels.ts';
import { network_flags, network_profile, partition_limit_ns, type NetworkOpts } from '../cli/network.ts';

/**
 * The schemes a plan is drawn from: the nine omemu had when chaos seeds were
 * first named (in tests and docs), in their order, so that a seed replays
 * the same plan; the schemes added since (today's far-memory prefetchers,
 * the oracle) are run under chaos with --scheme.
 */
export const DRAWN_POLICIES: Policy[] = ['openmosix', 'noprefetch', 'ampom', 'linux-ra', 'vma-ra', 'leap', 'precopy', 'postcopy', 'ampom-push'];

export const CHAOS_NODES = 4;
/**
 * Sizes, MiB: 2-16 as the promise asks, except DGEMM at 2-4 (its exact
 * multiply grows as n^3: 16 MiB is about 600 M multiply-adds in JS).
 */
const MIB: Record<HpccKernel, [number, number]> = { stream: [2, 16], dgemm: [2, 4], randomaccess: [2, 16], fft: [2, 16] };

export interface ChaosPlan {
  seed: number;
  kernel: HpccKernel;
  mib: number;
  scheme: Policy;
  /** --migrate-at and --path as a user would write them. */
  migrate_at: string;
  path: string;
  /** --faults as a user would write it. */
  faults: string;
  /** The network every plan of a chaos session runs on (omemu chaos's network options, --partition-limit among them). */
  net: NetworkOpts;
}

/** Partitions last 0.1-120 s, ms: shorter and longer than the default limit of 60 s. */
export const CHAOS_PARTITION_MS: [number, number] = [100, 120_000];

/** The network of `omemu chaos` without network options. */
export const CHAOS_NET: NetworkOpts = { profile: 'fast-ethernet' };

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)]!;

/** The plan of a seed; `scheme` fixes the scheme (everything else is drawn as without it). */
export function chaos_plan(seed: number, net: NetworkOpts = CHAOS_NET, scheme_only?: Policy): ChaosPlan {
  const rng = new Rng(seed);
  const kernel = pick(rng, HPCC_KERNELS);
  const [lo, hi] = MIB[kernel];
  const mib = rng.int(lo, hi);
  const drawn = pick(rng, DRAWN_POLICIES);
  const scheme = scheme_only ?? drawn;
  const nmig = rng.int(1, 3);
  const ats = ['setup_done'];
  for (let i = 1; i < nmig; i++) ats.push(`+${rng.int(5, 200)}ms`);
  const path: number[] = [];
  let at = 0;
  for (let i = 0; i < nmig; i++) {
    let to = rng.int(0, CHAOS_NODES - 1);
    while (to === at) to = rng.int(0, CHAOS_NODES - 1);
    path.push(to);
    at = to;
  }
  const faults: string[] = [];
  for (let i = rng.int(1, 2); i > 0; i--) {
    switch (rng.int(0, 3)) {
      case 0:
        faults.push(`crash:${rng.int(0, CHAOS_NODES - 1)}@${rng.int(0, 2000)}ms`);
        break;
      case 1: {
        const a = rng.int(0, CHAOS_NODES - 1);
        let b = rng.int(0, CHAOS_NODES - 1);
        while (b === a) b = rng.int(0, CHAOS_NODES - 1);
        faults.push(`partition:${a}-${b}@${rng.int(0, 2000)}ms+${rng.int(...CHAOS_PARTITION_MS)}ms`);
        break;
      }
      case 2:
        faults.push(`loss:0.0${rng.int(1, 9)}@${rng.int(0, 2000)}ms+${rng.int(100, 6000)}ms`);
        break;
      default:
        faults.push(`abort:${pick(rng, ['src', 'dest'])}@${pick(rng, MIG_STEPS)}#${rng.int(1, nmig)}`);
    }
  }
  return { seed, kernel, mib, scheme, migrate_at: ats.join(','), path: path.map((n) => (n === 0 ? 'home' : String(n))).join(','), faults: faults.join(','), net };
}

/**
 * Virtual time a chaos run may take: these programs run for well under a
 * second of their own, faults begin within 2 s and last at most 120 s, and
 * a process cut off from what it needs is killed once the partition limit
 * passes (the run's limit grows with it); one still running after this hangs.
 */
export const CHAOS_LIMIT_NS = 400 * NS_PER_S;

/** The run's virtual-time limit under a partition limit. */
export const chaos_limit_ns = (p: ChaosPlan): number => CHAOS_LIMIT_NS + partition_limit_ns(p.net);

/**
 * The nodes whose loss may end the process in this plan: those that crash,
 * and both ends of a partition that lasts the limit or longer. A kill is
 * "with a reason" only if its reason names one of them, or an abort the
 * plan made.
 */
export function fatal_nodes(p: ChaosPlan): Set<number> {
  const limit = partition_limit_ns(p.net);
  const out = new Set<number>();
  for (const { fault: f } of parse_fault_plan(p.faults, CHAOS_NODES).faults) {
    if (f.kind === 'crash') out.add(f.node);
    else if (f.kind === 'partition' && f.dur_ns >= limit) {
      out.add(f.a);
      out.add(f.b);
    }
  }
  return out;
}

/**
 * Whether the plan must let the process finish: no node it runs on or
 * depends on (its home and every node of its path) crashes, and no
 * partition between two of them lasts the limit (aborts and loss only slow
 * it down).
 */
export function must_complete(p: ChaosPlan): boolean {
  const limit = partition_limit_ns(p.net);
  const on_way = new Set([0, ...parse_path(p.path, p.path.split(',').length)]);
  for (const { fault: f } of parse_fault_plan(p.faults, CHAOS_NODES).faults) {
    if (f.kind === 'crash' && on_way.has(f.node)) return false;
    if (f.kind === 'partition' && f.dur_ns >= limit && on_way.has(f.a) && on_way.has(f.b)) return false;
  }
  return true;
}

/**
 * Run a chaos plan: the same path as `omemu run --mode exact` with these
 * flags (tests may run it in fast mode: the same references at the same times).
 */
export function run_chaos(p: ChaosPlan, mode: Mode = 'exact'): RunResult {
  const program = make_hpcc({ kernel: p.kernel, mib: p.mib, mode });
  const ats = parse_migrate_at(p.migrate_at, HPCC_MARKS);
  const path = parse_path(p.path, ats.length);
  const migrations: MigrationPoint[] = ats.map((at, i) => ({ at, to: path[i]! }));
  const faults: FaultPlan = parse_fault_plan(p.faults, CHAOS_NODES);
  return run_experiment({
    program, scheme: p.scheme, profile: network_profile(p.net, CHAOS_NODES), seed: p.seed, nodes: CHAOS_NODES, limit_ns: chaos_limit_ns(p),
    node_mem_B: Math.max(64 << 20, Math.ceil(p.mib * 1.25 + 64) << 20), migrations, faults, partition_limit_ns: partition_limit_ns(p.net),
  });
}

/** The command line that replays a plan by hand. */
export const chaos_command = (p: ChaosPlan): string =>
  `omemu run --kernel ${p.kernel} --mib ${p.mib} --mode exact --scheme ${p.scheme} --nodes ${CHAOS_NODES} --seed ${p.seed} ` +
  `--migrate-at ${p.migrate_at} --path ${p.path} --faults ${p.faults}${network_flags(p.net).map((f) => ` ${f}`).join('')}`;
