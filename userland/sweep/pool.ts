// Run a sweep's configurations, the longest first (by config_weight), on
// worker threads (userland/pool.ts) or, with 0 workers, on this thread
// (tests, debugging). Each result goes to the caller as it arrives. A run
// that throws does not stop the others: they finish and are kept, and the
// pool then fails naming every run that threw.
import { run_pool as run_on_workers } from '../pool.ts';
import { config_weight, describe } from './config.ts';
import type { PlannedRun } from './grid.ts';
import type { SweepResult } from './run.ts';
import { plural } from '../cli/format.ts';
import type { HostCost } from './host_cost.ts';
import { handle, type DoneMsg, type WorkMsg } from './worker.ts';

export type OnDone = (run: PlannedRun, result: SweepResult, host: HostCost) => void;

/** Longest first; equal weights in grid order. */
export const by_weight = (runs: PlannedRun[]): PlannedRun[] =>
  [...runs].sort((a, b) => config_weight(b.config) - config_weight(a.config) || a.index - b.index);

export async function run_pool(runs: PlannedRun[], workers: number, on_done: OnDone): Promise<void> {
  const queue = by_weight(runs);
  const failed: string[] = [];
  const take = (run: PlannedRun, d: DoneMsg | undefined, error?: string): void => {
    if (d?.result) on_done(run, d.result, d.host);
    else failed.push(`run ${run.index} (${describe(run.config)}, ${run.hash}): ${d?.error ?? error ?? 'no result'}`);
  };
  const jobs: WorkMsg[] = queue.map((r) => ({ hash: r.hash, config: r.config }));
  if (workers === 0) jobs.forEach((j, i) => take(queue[i]!, handle(j)));
  else await run_on_workers<WorkMsg, DoneMsg>(new URL('./worker.ts', import.meta.url), jobs, (d) => take(queue[d.index]!, d.result, d.error), workers);
  if (failed.length > 0) throw new Error(`${plural(failed.length, 'run')} failed (the others are recorded):\n${failed.join('\n')}`);
}
