// A chaos worker: runs one plan per job (userland/pool.ts calls handle).
import { chaos_plan, run_chaos, CHAOS_NET } from './plan.ts';
import type { NetworkOpts } from '../cli/network.ts';
import type { RunResult } from '../experiment.ts';

export interface ChaosOutcome {
  seed: number;
  result: RunResult;
  /** Host seconds the run took (for the slowest-run line; not a simulated figure). */
  wall_s: number;
}

/** One job: a plan's seed, and the network of the session. */
export interface ChaosJob {
  seed: number;
  net: NetworkOpts;
}

export function handle(job: ChaosJob | number): ChaosOutcome {
  const { seed, net } = typeof job === 'number' ? { seed: job, net: CHAOS_NET } : job;
  const t0 = performance.now();
  const result = run_chaos(chaos_plan(seed, net));
  return { seed, result, wall_s: (performance.now() - t0) / 1000 };
}
