// What a worker thread of a sweep does with one run (userland/pool.ts loads
// this module in each worker and calls handle): run it, and say what it cost
// the host (host_cost.ts: for the progress line and the bench's time table,
// never for a record).
import { release_spare_chunks } from '../../kernel/physmem.ts';
import type { RunConfig } from './config.ts';
import { measure, type HostCost } from './host_cost.ts';
import { run_config, type SweepResult } from './run.ts';

export interface WorkMsg {
  hash: string;
  config: RunConfig;
}
export interface DoneMsg {
  hash: string;
  result?: SweepResult;
  error?: string;
  host: HostCost;
}

export function handle(m: WorkMsg): DoneMsg {
  let error: string | undefined;
  const { value, cost } = measure(() => {
    try {
      return run_config(m.config);
    } catch (e) {
      error = (e as Error).stack ?? String(e);
      return undefined;
    } finally {
      // The next run starts from fresh chunks, not from spares holding pages this one wrote.
      release_spare_chunks();
    }
  });
  return error === undefined ? { hash: m.hash, result: value, host: cost } : { hash: m.hash, error, host: cost };
}
