// The bench's plan at 1/512 of its sizes, run once for every suite that
// needs its records (uvu loads the suites in one process).
import type { RunResult } from '../../userland/experiment.ts';
import { bench_plan, config_of, type Job } from '../../userland/bench/plan.ts';
import { make_record, type BenchRecord } from '../../userland/bench/record.ts';
import { config_hash, normalize } from '../../userland/sweep/config.ts';
import { run_config } from '../../userland/sweep/run.ts';

export const SCALE = 1 / 512;
export const plan = bench_plan(SCALE);
export const run_job = (j: Job, seed: number) => run_config(normalize(config_of(j, seed))) as RunResult; // the bench runs migrations only
const cache = new Map<string, BenchRecord>();
export const runs: BenchRecord[] = plan.map((j) => {
  const k = config_hash(normalize(config_of(j, 1)));
  if (!cache.has(k)) cache.set(k, make_record(j, run_job(j, 1)));
  return { ...cache.get(k)!, figure: j.figure };
});
/** Distinct emulations among the plan's runs. */
export const distinct_runs = cache.size;
