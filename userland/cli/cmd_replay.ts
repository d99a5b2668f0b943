// `omemu replay TRACE`: replay an ompt trace as a migrant under each policy.
import type { Command } from 'commander';
import { make_profile, PROFILES } from '../../net/profiles.ts';
import { POLICIES, type Policy } from '../../om/state.ts';
import { run_experiment, type RunResult } from '../experiment.ts';
import { load_trace, OmptError } from '../trace/ompt.ts';
import { DEFAULT_CPI, replay_program, ReplayError } from '../trace/replay.ts';
import { numberIn, UsageError } from './usage.ts';
import { parse_schemes } from './cmd_run.ts';

interface ReplayOpts {
  scheme: string;
  profile: string;
  bandwidth?: number;
  latency?: number;
  cpi?: number;
  seed: number;
  json?: boolean;
}

function do_replay(file: string, o: ReplayOpts): void {
  const schemes = parse_schemes(o.scheme);
  let profile;
  try {
    profile = make_profile(o.profile, { bandwidth_mbps: o.bandwidth, latency_ms: o.latency });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const results: RunResult[] = [];
  try {
    const t = load_trace(file);
    const header_cpi = t.header.cpi !== undefined ? Number(t.header.cpi) : undefined;
    const cpi = o.cpi ?? (header_cpi !== undefined && header_cpi > 0 ? header_cpi : DEFAULT_CPI);
    for (const scheme of schemes) {
      const program = replay_program(t, { cpi });
      const node_mem_B = Math.max(256 << 20, Math.ceil(program.layout.footprint_pages * 4096 * 1.25 + (64 << 20)));
      results.push(run_experiment({ program, scheme, profile, seed: o.seed, node_mem_B }));
    }
  } catch (e) {
    if (e instanceof OmptError || e instanceof ReplayError) throw new UsageError(e.message);
    throw e;
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
    return;
  }
  for (const r of results) {
    process.stdout.write(
      `${r.program} [${r.problem}] ${r.scheme} on ${r.profile}: ${r.freeze_s === null ? `did not migrate: ${r.not_migrated_reason}` : `freeze ${r.freeze_s.toFixed(3)} s`}, runtime ${r.runtime_s.toFixed(3)} s, ` +
        `${r.remote_fault_requests} page-fault requests, ${r.prefetched_pages} prefetched pages, verified ${r.verified}\n`,
    );
    for (const f of r.failures) process.stdout.write(`  failed: ${f}\n`);
  }
}

export function register(program: Command): void {
  program
    .command('replay')
    .description('replay an ompt trace (see `omemu trace`) as a migrant: build it from the pre pages, migrate, replay')
    .argument('<trace>', 'an ompt v1 file, plain or gzip')
    .option('--scheme <s>', `page-transfer scheme: ${POLICIES.join(', ')}; all or paper`, 'ampom')
    .option('--profile <name>', `network profile (${Object.keys(PROFILES).join(', ')})`, 'fast-ethernet')
    .option('--bandwidth <mbps>', 'override the line rate, Mb/s', numberIn('--bandwidth', 0.001, 100000))
    .option('--latency <ms>', 'override the one-way latency, ms', numberIn('--latency', 0, 10000))
    .option('--cpi <c>', `cycles per instruction at the 2 GHz clock (default: the trace's cpi= key, else ${DEFAULT_CPI})`, numberIn('--cpi', 0.01, 1000))
    .option('--seed <n>', 'seed of every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
    .option('--json', 'print JSON')
    .action((file: string, o: ReplayOpts) => do_replay(file, o));
}
