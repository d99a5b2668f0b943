// `omemu chaos`: the "nothing lost" promise, measured. N seeded random fault
// plans (userland/chaos/plan.ts) run on worker threads; the summary counts
// how each ended, names every killed run with its reason, and every way a
// promise could break. The promise: lost_pages = corrupt_pages =
// leaked_frames = emulator_errors = 0; a run whose plan spares every node
// it depends on (no crash, no partition as long as the limit) completes and
// verifies; any other run completes and verifies or is killed with a
// reason that follows from its plan (it names a node that crashed or was
// cut off past the limit), never from something the plan did not do.
import { OUTPUT_SCHEMA } from '../schema.ts';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { chaos_command, chaos_limit_ns, chaos_plan, CHAOS_NODES, fatal_nodes, must_complete, type ChaosPlan } from '../chaos/plan.ts';
import { POLICIES, type Policy } from '../../om/state.ts';
import { NS_PER_S } from '../../kernel/time.ts';
import { STILL_RUNNING } from '../experiment.ts';
import { handle, type ChaosJob, type ChaosOutcome } from '../chaos/worker.ts';
import { run_pool } from '../pool.ts';
import { network_flags, network_options, network_profile, type NetworkOpts } from './network.ts';
import { plural } from './format.ts';
import { run_text } from './print_run.ts';
import { error_line, exit_after, numberIn, UsageError } from './usage.ts';

interface ChaosOpts extends NetworkOpts {
  scheme?: string;
  runs: number;
  seed: number;
  replay?: number;
  workers?: number;
  json?: boolean;
}

export interface ChaosSummary {
  runs: number;
  faults_injected: number;
  completed_verified: number;
  killed_with_reason: number;
  /** Every killed run, with its reason (those that broke the promise are in `broken` too). */
  killed: { seed: number; scheme: string; reason: string }[];
  lost_pages: number;
  corrupt_pages: number;
  leaked_frames: number;
  emulator_errors: number;
  slowest: { seed: number; wall_s: number } | null;
  /** Seeds of the runs that broke a promise, each with what broke. */
  broken: { seed: number; why: string }[];
  kept: boolean;
}

/** Whether a kill's reason follows from the plan: it names a node the plan crashed or cut off past the limit. */
export function reason_follows(plan: ChaosPlan, reason: string): boolean {
  const fatal = fatal_nodes(plan);
  for (const m of reason.matchAll(/\bnode ?(\d+)/g)) if (fatal.has(Number(m[1]))) return true;
  return false;
}

/** What, if anything, a run of `plan` broke. */
export function broken_promise(o: ChaosOutcome | { seed: number; error: string }, plan: ChaosPlan): string | null {
  if ('error' in o) return `emulator error: ${o.error.split('\n')[0]}`;
  const r = o.result;
  const why: string[] = [];
  const hang = r.outcome === 'killed' && r.reason === STILL_RUNNING;
  if (r.outcome === 'killed' && r.reason && !hang) {
    if (must_complete(plan)) why.push(`killed though its plan spares every node it depends on: ${r.reason}`);
    else if (!reason_follows(plan, r.reason)) why.push(`killed for a reason its plan does not explain: ${r.reason}`);
  }
  if (r.lost_pages) why.push(`${r.lost_pages} lost pages`);
  if (r.corrupt_pages) why.push(`${r.corrupt_pages} corrupt pages`);
  if (r.leaked_frames) why.push(`${r.leaked_frames} leaked frames`);
  if (r.outcome === 'completed' && !r.verified) why.push(`completed unverified: ${r.failures.join('; ')}`);
  if (r.outcome === 'killed' && !r.reason) why.push('killed without a reason');
  if (hang) why.push(`still running after ${chaos_limit_ns(plan) / NS_PER_S} s of virtual time (a hang)`);
  return why.length ? why.join(', ') : null;
}

export function summarize(done: (ChaosOutcome | { seed: number; error: string })[], plan_of: (seed: number) => ChaosPlan): ChaosSummary {
  const s: ChaosSummary = {
    runs: done.length, faults_injected: 0, completed_verified: 0, killed_with_reason: 0, killed: [], lost_pages: 0, corrupt_pages: 0,
    leaked_frames: 0, emulator_errors: 0, slowest: null, broken: [], kept: true,
  };
  for (const o of done) {
    const why = broken_promise(o, plan_of(o.seed));
    if (why) s.broken.push({ seed: o.seed, why });
    if ('error' in o) {
      s.emulator_errors++;
      continue;
    }
    const r = o.result;
    s.faults_injected += r.faults.filter((f) => f.injected_s !== null).length;
    if (r.outcome === 'completed' && r.verified) s.completed_verified++;
    if (r.outcome === 'killed') s.killed.push({ seed: o.seed, scheme: r.scheme, reason: r.reason });
    if (r.outcome === 'killed' && r.reason && r.reason !== STILL_RUNNING && !why) s.killed_with_reason++;
    s.lost_pages += r.lost_pages;
    s.corrupt_pages += r.corrupt_pages;
    s.leaked_frames += r.leaked_frames;
    if (!s.slowest || o.wall_s > s.slowest.wall_s) s.slowest = { seed: o.seed, wall_s: Math.round(o.wall_s * 100) / 100 };
  }
  s.kept = s.broken.length === 0 && s.completed_verified + s.killed_with_reason === s.runs;
  return s;
}

function print_summary(s: ChaosSummary, net_flags: string): void {
  const line = (k: string, v: string | number): void => void process.stdout.write(`${k.padEnd(20)} ${v}\n`);
  line('runs', s.runs);
  line('faults_injected', s.faults_injected);
  line('completed_verified', s.completed_verified);
  line('killed_with_reason', s.killed_with_reason);
  line('lost_pages', s.lost_pages);
  line('corrupt_pages', s.corrupt_pages);
  line('leaked_frames', s.leaked_frames);
  line('emulator_errors', s.emulator_errors);
  line('slowest', s.slowest ? `seed ${s.slowest.seed}, ${s.slowest.wall_s} s of host time` : '-');
  for (const k of s.killed) process.stdout.write(`  killed: seed ${k.seed} (${k.scheme}): ${k.reason}\n`);
  line('promise', s.kept ? 'kept' : `BROKEN by ${plural(s.broken.length, 'run')}`);
  for (const b of s.broken) process.stdout.write(`  seed ${b.seed}: ${b.why} (omemu chaos --replay ${b.seed}${net_flags})\n`);
}

async function do_chaos(o: ChaosOpts): Promise<void> {
  const net: NetworkOpts = {
    profile: o.profile, bandwidth: o.bandwidth, latency: o.latency, crossTraffic: o.crossTraffic, loss: o.loss, duplicate: o.duplicate, reorder: o.reorder,
    partitionLimit: o.partitionLimit,
  };
  if (o.scheme !== undefined && !(POLICIES as readonly string[]).includes(o.scheme)) throw new UsageError(`--scheme must be one of ${POLICIES.join(', ')}, got '${o.scheme}'`);
  const scheme = o.scheme as Policy | undefined;
  const flags = [...network_flags(net), ...(scheme ? ['--scheme', scheme] : [])];
  network_profile(net, CHAOS_NODES); // a bad network is a usage error before any run
  const net_flags = flags.map((f) => ` ${f}`).join('');
  if (o.replay !== undefined) {
    const plan = chaos_plan(o.replay, net, scheme);
    process.stderr.write(error_line(`chaos seed ${o.replay} is: ${chaos_command(plan)}`));
    const out = handle({ seed: o.replay, net, scheme });
    const why = broken_promise(out, plan);
    if (o.json) process.stdout.write(JSON.stringify({ plan, ...out.result, promise: why ?? 'kept' }, null, 2) + '\n');
    else process.stdout.write(run_text(out.result) + `promise ${why ? `BROKEN: ${why}` : 'kept'}\n`);
    exit_after(why === null);
    return;
  }
  // Each run's seed comes from --seed and its index, so one --seed is one set of runs.
  const seeds = Array.from({ length: o.runs }, (_, i) => (o.seed * 100003 + i) % 2 ** 31);
  // Progress goes to stderr, and only to a terminal.
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: 'chaos [{bar}] {value}/{total} runs | {eta_formatted} left | {last}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(seeds.length, 0, { last: '' });
  const jobs: ChaosJob[] = seeds.map((seed) => ({ seed, net, ...(scheme ? { scheme } : {}) }));
  const done = await run_pool<ChaosJob, ChaosOutcome>(new URL('../chaos/worker.ts', import.meta.url), jobs, (d, n) => {
    const r = d.result?.result;
    bar?.update(n, { last: r ? `seed ${seeds[d.index]}: ${r.program} ${r.scheme} ${r.outcome}` : `seed ${seeds[d.index]}: error` });
  }, o.workers);
  bar?.stop();
  const s = summarize(done.map((d, i) => d.result ?? { seed: seeds[i]!, error: d.error ?? 'no result' }), (seed) => chaos_plan(seed, net, scheme));
  if (o.json) process.stdout.write(JSON.stringify({ schema: OUTPUT_SCHEMA, ...s }, null, 2) + '\n');
  else print_summary(s, net_flags);
  exit_after(s.kept);
}

export function register(program: Command): void {
  network_options(program
    .command('chaos')
    .description('run seeded random fault plans (crashes, partitions, aborts) over the HPCC kernels in exact mode under every scheme, and check that nothing was lost')
    .option('--scheme <s>', `draw only plans of this scheme (${POLICIES.join(', ')}); the rest of each plan is drawn as without it`)
    .option('--runs <n>', 'how many random plans', numberIn('--runs', 1, 100000, true), 200)
    .option('--seed <s>', 'seed of the set of plans', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
    .option('--replay <seed>', "run one plan again by its seed (as printed for a run that broke the promise) and print its result", numberIn('--replay', 0, 2 ** 31 - 1, true))
    .option('--workers <n>', 'worker threads (default: one per core)', numberIn('--workers', 1, 64, true))
    .option('--json', 'print the summary (with --replay, the run) as JSON'))
    .action((o: ChaosOpts) => do_chaos(o));
}
