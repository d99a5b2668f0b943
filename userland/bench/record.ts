// One bench record per emulated run, and results.json around them.
import type { RunResult } from '../experiment.ts';
import { variant_of, type Job } from './plan.ts';
import { OUTPUT_SCHEMA } from '../schema.ts';

/** What a record takes from the run as it is (RunResult says what each means). */
type FromRun = Pick<
  RunResult,
  | 'problem' | 'used_mib' | 'profile' | 'bandwidth_mbps' | 'latency_ms' | 'freeze_s' | 'runtime_s' | 'remote_fault_requests'
  | 'remote_faults' | 'local_window_faults' | 'request_messages' | 'prefetched_pages' | 'pages_transferred' | 'analysis_s' | 'verified' | 'failures'
  | 'bytes_transferred' | 'prefetch_hits' | 'wasted_prefetch' | 'pushed_pages' | 'precopy_rounds' | 'precopy_bytes' | 'downtime_bytes'
  | 'postcopy_bytes' | 'total_migration_s' | 'page_dependency_s' | 'migrations_unfinished' | 'blocked_s' | 'blocked_waits' | 'blocked_p50_ms' | 'blocked_p99_ms'
>;

export interface BenchRecord extends FromRun {
  figure: string;
  kernel: string;
  size_mib: number;
  working_set_mib: number;
  scheme: string;
  /** Figure 8: prefetched pages per page fault in a remote area (0 with none). */
  prefetched_per_fault: number;
  /** Figure 11: analysis time as a percentage of the runtime. */
  analysis_pct: number;
  /** Ablation: which of the model's changes this run undoes ('' for none). */
  variant: string;
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
    local_window_faults: r.local_window_faults,
    request_messages: r.request_messages,
    prefetched_pages: r.prefetched_pages,
    // Per fault that ran Algorithm 1: zones come from both kinds of fault.
    prefetched_per_fault: r.remote_faults + r.local_window_faults > 0 ? r4(r.prefetched_pages / (r.remote_faults + r.local_window_faults)) : 0,
    pages_transferred: r.pages_transferred,
    analysis_s: r.analysis_s,
    analysis_pct: r.runtime_s > 0 ? r4((100 * r.analysis_s) / r.runtime_s) : 0,
    bytes_transferred: r.bytes_transferred,
    prefetch_hits: r.prefetch_hits,
    wasted_prefetch: r.wasted_prefetch,
    pushed_pages: r.pushed_pages,
    precopy_rounds: r.precopy_rounds,
    precopy_bytes: r.precopy_bytes,
    downtime_bytes: r.downtime_bytes,
    postcopy_bytes: r.postcopy_bytes,
    total_migration_s: r.total_migration_s,
    page_dependency_s: r.page_dependency_s,
    migrations_unfinished: r.migrations_unfinished,
    blocked_s: r.blocked_s,
    blocked_waits: r.blocked_waits,
    blocked_p50_ms: r.blocked_p50_ms,
    blocked_p99_ms: r.blocked_p99_ms,
    variant: variant_of(job),
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
export const results_json = (r: BenchResults): string => JSON.stringify({ schema: OUTPUT_SCHEMA, ...r }, null, 2) + '\n';
