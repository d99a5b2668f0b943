// A sweep worker thread: runs the configurations it is sent, one at a time,
// and posts each result back.
import { parentPort } from 'node:worker_threads';
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
  /** Host seconds the run took (for the log, never in a record). */
  host_s: number;
}

parentPort?.on('message', (m: WorkMsg) => {
  const t0 = performance.now();
  let reply: DoneMsg;
  try {
    reply = { hash: m.hash, result: run_config(m.config), host_s: 0 };
  } catch (e) {
    reply = { hash: m.hash, error: (e as Error).stack ?? String(e), host_s: 0 };
  }
  reply.host_s = (performance.now() - t0) / 1000;
  parentPort!.postMessage(reply);
});
