// What a worker thread of a sweep does with one run (userland/pool.ts loads
// this module in each worker and calls handle): run it, and say how long the
// host took (for the progress line, never for a record).
import type { RunConfig } from './config.ts';
import { run_config, type SweepResult } from './run.ts';

export interface WorkMsg {
  hash: string;
  config: RunConfig;
}
export interface DoneMsg {
  hash: string;
  result?: SweepResult;
  error?: string;
  host_s: number;
}

export function handle(m: WorkMsg): DoneMsg {
  const t0 = performance.now();
  try {
    return { hash: m.hash, result: run_config(m.config), host_s: (performance.now() - t0) / 1000 };
  } catch (e) {
    return { hash: m.hash, error: (e as Error).stack ?? String(e), host_s: (performance.now() - t0) / 1000 };
  }
}
