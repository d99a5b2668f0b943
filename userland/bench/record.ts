// One bench record per emulated run, and results.json around them.
import type { RunResult } from '../experiment.ts';
import type { Job } from './plan.ts';

export interface BenchRecord {
  figure: string;
  kernel: string;
  size_mib: number;
  working_set_mib: number;
  problem: string;
  used_mib: number;
  scheme: string;
  profile: string;
  bandwidth_mbps: number;
  latency_ms: number;
  freeze_s: number;
  runtime_s: number;
  /** Figure 7: faults whose own page had to be requested. */
  remote_fault_requests: number;
  /** Faults in a remote area (Algorithm 1 ran), and request messages of any kind. */
  remote_faults: number;
  request_messages: number;
  prefetched_pages: number;
  /** Figure 8: prefetched pages per page fault in a remote area (0 with none). */
  prefetched_per_fault: number;
  pages_transferred: number;
  analysis_s: number;
  /** Figure 11: analysis time as a percentage of the runtime. */
  analysis_pct: number;
  verified: boolean;
  failures: string[];
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export function make_record(job: Job, r: RunResult): BenchRecord {
  return {
    figure: job.figure,
    kernel: job.kernel,
    size_mib: job.size_mib,
    working_set_mib: job.working_set_mib,
    problem: r.problem,
    used_mib: r.used_mib,
    scheme: job.scheme,
    profile: r.profile,
    bandwidth_mbps: r.bandwidth_mbps,
    latency_ms: r.latency_ms,
    freeze_s: r.freeze_s,
    runtime_s: r.runtime_s,
    remote_fault_requests: r.remote_fault_requests,
    remote_faults: r.remote_faults,
    request_messages: r.request_messages,
    prefetched_pages: r.prefetched_pages,
    prefetched_per_fault: r.remote_faults > 0 ? r4(r.prefetched_pages / r.remote_faults) : 0,
    pages_transferred: r.pages_transferred,
    analysis_s: r.analysis_s,
    analysis_pct: r.runtime_s > 0 ? r4((100 * r.analysis_s) / r.runtime_s) : 0,
    verified: r.verified,
    failures: r.failures,
  };
}

export interface BenchResults {
  profile: string;
  seed: number;
  scale: number;
  runs: BenchRecord[];
}

/** results.json: stable key order, so one seed gives one byte string. */
export const results_json = (r: BenchResults): string => JSON.stringify(r, null, 2) + '\n';
