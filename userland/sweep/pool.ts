// Run configurations on worker threads, the longest first (by config_weight),
// handing each result to the caller as it arrives. A run that throws stops
// the handing out of new runs; those in flight finish and are kept, then the
// pool fails with the run named.
import { Worker } from 'node:worker_threads';
import { config_weight, describe } from './config.ts';
import type { PlannedRun } from './grid.ts';
import { run_config, type SweepResult } from './run.ts';
import type { DoneMsg, WorkMsg } from './worker.ts';

export type OnDone = (run: PlannedRun, result: SweepResult, host_s: number) => void;

/** Longest first; equal weights in grid order. */
export const by_weight = (runs: PlannedRun[]): PlannedRun[] =>
  [...runs].sort((a, b) => config_weight(b.config) - config_weight(a.config) || a.index - b.index);

const failure = (run: PlannedRun, error: string): Error => new Error(`run ${run.index} (${describe(run.config)}, ${run.hash}) failed: ${error}`);

/** workers = 0 runs everything on this thread (tests, debugging). */
export async function run_pool(runs: PlannedRun[], workers: number, on_done: OnDone): Promise<void> {
  const queue = by_weight(runs);
  if (workers === 0) {
    for (const run of queue) {
      const t0 = performance.now();
      let result: SweepResult;
      try {
        result = run_config(run.config);
      } catch (e) {
        throw failure(run, (e as Error).stack ?? String(e));
      }
      on_done(run, result, (performance.now() - t0) / 1000);
    }
    return;
  }
  const by_hash = new Map(runs.map((r) => [r.hash, r]));
  const n = Math.min(workers, queue.length);
  if (n === 0) return;
  await new Promise<void>((resolve, reject) => {
    let live = n;
    let failed: Error | null = null;
    const finish = (): void => {
      if (--live === 0) (failed ? reject(failed) : resolve());
    };
    for (let w = 0; w < n; w++) {
      const worker = new Worker(new URL('./worker_boot.js', import.meta.url));
      const next = (): void => {
        const run = failed ? undefined : queue.shift();
        if (!run) {
          void worker.terminate();
          finish();
          return;
        }
        worker.postMessage({ hash: run.hash, config: run.config } satisfies WorkMsg);
      };
      worker.on('message', (m: DoneMsg) => {
        const run = by_hash.get(m.hash)!;
        if (m.error || !m.result) failed ??= failure(run, m.error ?? 'no result');
        else on_done(run, m.result, m.host_s);
        next();
      });
      worker.on('error', (e) => {
        failed ??= e;
        finish();
      });
      next();
    }
  });
}
