// `omemu replay TRACE`: replay an ompt trace as a migrant under each scheme.
import type { Command } from 'commander';
import { run_experiment, type RunResult } from '../experiment.ts';
import { load_trace, OmptError } from '../trace/ompt.ts';
import { DEFAULT_CPI, replay_program, ReplayError } from '../trace/replay.ts';
import { network_options, network_profile, partition_limit_ns, type NetworkOpts } from './network.ts';
import { parse_preempt, PREEMPT_HELP } from './cmd_run.ts';
import { print_runs } from './print_run.ts';
import { replay_node_mem_B } from '../sweep/config.ts';
import { parse_schemes, SCHEME_HELP } from './schemes.ts';
import { exit_after, numberIn, UsageError } from './usage.ts';

interface ReplayOpts extends NetworkOpts {
  scheme: string;
  preempt?: string;
  cpi?: number;
  seed: number;
  json?: boolean;
}

function do_replay(file: string, o: ReplayOpts): void {
  const schemes = parse_schemes(o.scheme);
  const preempt = parse_preempt(o.preempt);
  const profile = network_profile(o, 2);
  const results: RunResult[] = [];
  try {
    const t = load_trace(file);
    const header_cpi = t.header.cpi !== undefined ? Number(t.header.cpi) : undefined;
    const cpi = o.cpi ?? (header_cpi !== undefined && header_cpi > 0 ? header_cpi : DEFAULT_CPI);
    for (const scheme of schemes) {
      const program = replay_program(t, { cpi });
      const node_mem_B = replay_node_mem_B(program.layout.footprint_pages * 4096);
      results.push(run_experiment({ program, scheme, profile, seed: o.seed, node_mem_B, partition_limit_ns: partition_limit_ns(o), preempt }));
    }
  } catch (e) {
    if (e instanceof OmptError || e instanceof ReplayError) throw new UsageError(e.message);
    throw e;
  }
  print_runs(results, o.json);
  exit_after(results.every((r) => r.verified && r.outcome === 'completed'));
}

export function register(program: Command): void {
  network_options(
    program
      .command('replay')
      .description('replay an ompt trace (see `omemu trace`) as a migrant: build it from the pre pages, migrate, replay')
      .argument('<trace>', 'an ompt v1 file, plain or gzip')
      .option('--scheme <s>', SCHEME_HELP, 'ampom')
      .option('--preempt <on|off>', PREEMPT_HELP),
  )
    .option('--cpi <c>', `cycles per instruction at the 2 GHz clock (default: the trace's cpi= key, else ${DEFAULT_CPI})`, numberIn('--cpi', 0.0001, 1000))
    .option('--seed <n>', 'seed of every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
    .option('--json', 'print JSON')
    .action((file: string, o: ReplayOpts) => do_replay(file, o));
}
