// A chaos worker: runs one plan per job (userland/pool.ts calls handle).
import { chaos_plan, run_chaos, CHAOS_NET } from './plan.ts';
import type { NetworkOpts } from '../cli/network.ts';
import type { RunResult } from '../experiment.ts';
import type { Policy } from '../../om/state.ts';

export interface ChaosOutcome {
  seed: number;
  result: RunResult;
  /** Host seconds the run took (for the slowest-run line; not a simulated figure). */
  wall_s: number;
}

/** One job: a plan's seed, the network of the session (its partition limit included), and the scheme when one was asked for. */
export interface ChaosJob {
  seed: number;
  net: NetworkOpts;
  scheme?: Policy;
}

export function handle(job: ChaosJob | number): ChaosOutcome {
  const { seed, net, scheme } = typeof job === 'number' ? { seed: job, net: CHAOS_NET, scheme: undefined } : job;
  const t0 = performance.now();
  const result = run_chaos(chaos_plan(seed, net, scheme));
  return { seed, result, wall_s: (performance.now() - t0) / 1000 };
}
