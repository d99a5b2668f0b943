// A chaos worker: runs one plan per job (userland/pool.ts calls handle).
import { chaos_plan, run_chaos } from './plan.ts';
import type { RunResult } from '../experiment.ts';

export interface ChaosOutcome {
  seed: number;
  result: RunResult;
  /** Host seconds the run took (for the slowest-run line; not a simulated figure). */
  wall_s: number;
}

export function handle(seed: number): ChaosOutcome {
  const t0 = performance.now();
  const result = run_chaos(chaos_plan(seed));
  return { seed, result, wall_s: (performance.now() - t0) / 1000 };
}
