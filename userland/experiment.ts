// One emulated experiment: start a program on node 0, migrate it to node 1
// at its 'setup_done' mark (or not at all), run to its exit, and report.
import { Cluster } from '../kernel/cluster.ts';
import type { Op } from '../kernel/op.ts';
import type { Task } from '../kernel/task.ts';
import { ns_to_s } from '../kernel/time.ts';
import { spawn_program, type ImageSpec } from '../mm/exec.ts';
import type { NetProfile } from '../net/profiles.ts';
import { om_init, request_migration } from '../om/index.ts';
import { om_task, om_task_init, type OmStats, type Policy } from '../om/state.ts';

export interface ProgramDef {
  name: string;
  image: ImageSpec;
  gen: (task: Task) => Iterator<Op, unknown, number>;
  /** Checks the program made itself (exact mode), read at exit. */
  checks?: () => { name: string; ok: boolean; detail?: string }[];
  /** Problem size and memory, when the program reports them. */
  size?: { problem: string; used_B: number; working_set_B: number };
  mode?: string;
}

/**
 * The same program with `see(op, task)` called on each operation it yields,
 * before the kernel runs it (tests, traces and benches watch programs so).
 */
export function tap_program(prog: ProgramDef, see: (op: Op, task: Task) => void): ProgramDef {
  const gen = prog.gen;
  return {
    ...prog,
    gen: (task) => {
      const it = gen(task);
      return {
        next(v: number) {
          const r = it.next(v);
          if (!r.done) see(r.value as Op, task);
          return r;
        },
      };
    },
  };
}

/** Where to migrate: at a mark the program passes, or at a virtual time (ns since start). */
export type MigrateAt = string | { t_ns: number } | null;

export interface RunSpec {
  program: ProgramDef;
  scheme: Policy;
  profile: NetProfile;
  seed?: number;
  /** Memory of each node, bytes. */
  node_mem_B?: number;
  /** Where to migrate (default: the 'setup_done' mark); null to run without migrating. */
  migrate_at?: MigrateAt;
  /** Stop the run at this virtual time even if the program has not exited. */
  limit_ns?: number;
}

/** The paging counters a run reports as om counted them (see OmStats). */
export type PagingCounts = Pick<
  OmStats,
  'remote_fault_requests' | 'remote_faults' | 'request_messages' | 'prefetched_pages' | 'pages_transferred' | 'bytes_transferred' | 'mpt_bytes'
>;

export interface RunResult extends PagingCounts {
  program: string;
  mode: string;
  problem: string;
  used_mib: number;
  working_set_mib: number;
  scheme: Policy;
  profile: string;
  bandwidth_mbps: number;
  latency_ms: number;
  migrated: boolean;
  freeze_s: number;
  runtime_s: number;
  total_s: number;
  analysis_s: number;
  exit_code: number;
  exit_reason: string;
  verified: boolean;
  checks: string[];
  /** Failed checks, each with what it saw. */
  failures: string[];
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function run_experiment(spec: RunSpec): RunResult {
  const c = new Cluster({ nodes: 2, mem_B: spec.node_mem_B ?? 1 << 30, seed: spec.seed ?? 1 });
  om_init(c, spec.profile);
  const task = spawn_program(c, c.node(0), spec.program.image, spec.program.gen);
  const st = om_task_init(task, spec.scheme);
  const at = spec.migrate_at === undefined ? 'setup_done' : spec.migrate_at;
  let mig_error = 0;
  const migrate = (): void => {
    if (st.stats.migrations > 0 || !task.alive) return;
    const rc = request_migration(task, c.node(1), spec.scheme);
    if (rc < 0) mig_error = rc;
  };
  if (typeof at === 'string') {
    c.mark_listeners.push((t, label) => {
      if (t === task && label === at) migrate();
    });
  } else if (at) {
    c.queue.at(task.start_ns + Math.max(0, Math.round(at.t_ns)), migrate);
  }
  // The timed phase ends at 'timed_done' when the program has one (its
  // verification comes after and is not part of the measured run).
  let end_ns = -1;
  c.mark_listeners.push((t, label) => {
    if (t === task && label === 'timed_done') end_ns = t.clock_ns;
  });
  c.run(spec.limit_ns ?? Infinity);
  const checks: string[] = [];
  const failures: string[] = [];
  let ok = task.exit_code === 0 && mig_error === 0;
  if (!ok) failures.push(`exit-status: code ${task.exit_code}${task.exit_reason ? `, ${task.exit_reason}` : ''}${mig_error ? `, migration error ${mig_error}` : ''}`);
  const s = om_task(task)!.stats;
  checks.push('exit-status');
  if (at) {
    checks.push('page-checksums');
    if (s.corrupt_pages !== 0 || s.migrations !== 1) {
      ok = false;
      failures.push(`page-checksums: ${s.corrupt_pages} corrupt pages, ${s.migrations} migrations`);
    }
  }
  // Nothing lost, nothing left behind: every frame is back on every node.
  checks.push('frames-returned');
  for (const n of c.nodes) {
    const left = n.mem.used_frames - (n.ext.has('zero_page') ? 1 : 0);
    if (left !== 0) {
      ok = false;
      failures.push(`frames-returned: ${left} frames still used on ${n.name}`);
    }
  }
  for (const ch of spec.program.checks?.() ?? []) {
    checks.push(ch.name);
    if (!ch.ok) {
      ok = false;
      failures.push(`${ch.name}: ${ch.detail ?? 'failed'}`);
    }
  }
  const start = at && s.migrations > 0 ? s.mig_start_ns : task.start_ns;
  const end = end_ns >= 0 ? end_ns : task.exit_ns;
  const sz = spec.program.size;
  return {
    program: spec.program.name,
    mode: spec.program.mode ?? 'fast',
    problem: sz?.problem ?? '',
    used_mib: sz ? r6(sz.used_B / (1 << 20)) : 0,
    working_set_mib: sz ? r6(sz.working_set_B / (1 << 20)) : 0,
    scheme: spec.scheme,
    profile: spec.profile.name,
    bandwidth_mbps: spec.profile.bandwidth_bps / 1e6,
    latency_ms: spec.profile.latency_ns / 1e6,
    migrated: s.migrations > 0,
    freeze_s: r6(ns_to_s(s.freeze_ns)),
    runtime_s: r6(ns_to_s(end - start)),
    total_s: r6(ns_to_s(task.exit_ns - task.start_ns)),
    remote_fault_requests: s.remote_fault_requests,
    remote_faults: s.remote_faults,
    request_messages: s.request_messages,
    prefetched_pages: s.prefetched_pages,
    pages_transferred: s.pages_transferred,
    bytes_transferred: s.bytes_transferred,
    mpt_bytes: s.mpt_bytes,
    analysis_s: r6(ns_to_s(s.analysis_ns)),
    exit_code: task.exit_code,
    exit_reason: task.exit_reason || (mig_error ? `migration refused: ${mig_error}` : ''),
    verified: ok,
    checks,
    failures,
  };
}
