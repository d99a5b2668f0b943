// A bench worker thread: runs the jobs it is sent and posts the results back.
import { parentPort } from 'node:worker_threads';
import { make_profile } from '../../net/profiles.ts';
import { run_experiment, type RunResult } from '../experiment.ts';
import { make_hpcc } from '../hpcc/index.ts';
import type { Job } from './plan.ts';

export interface WorkMsg {
  key: string;
  job: Job;
  seed: number;
}
export interface DoneMsg {
  key: string;
  result?: RunResult;
  error?: string;
}

/** Run one job: the same code path as `omemu run`. */
export function run_job(job: Job, seed: number): RunResult {
  const program = make_hpcc({ kernel: job.kernel, mib: job.size_mib, mode: 'fast', working_set_mib: job.working_set_mib === job.size_mib ? undefined : job.working_set_mib });
  const profile = make_profile(job.profile, { bandwidth_mbps: job.bandwidth_mbps });
  const node_mem_B = Math.max(64 << 20, Math.ceil((program.size.used_B / 2 ** 20) * 1.25 + 64) << 20);
  return run_experiment({ program, scheme: job.scheme, profile, seed, node_mem_B });
}

parentPort?.on('message', (m: WorkMsg) => {
  let reply: DoneMsg;
  try {
    reply = { key: m.key, result: run_job(m.job, m.seed) };
  } catch (e) {
    reply = { key: m.key, error: (e as Error).stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
