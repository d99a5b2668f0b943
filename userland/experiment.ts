// One emulated experiment: start a program on node 0, migrate it along a
// path of nodes at the points asked for (by default once, to node 1, at its
// 'setup_done' mark), inject the faults of a plan, run to its exit, gather
// the figures each node kept, and check that nothing was lost.
import { OUTPUT_SCHEMA } from './schema.ts';
import { Cluster } from '../kernel/cluster.ts';
import { ANY_NODE } from '../kernel/events.ts';
import { arm_crashes, empty_plan, fault_injected, type FaultPlan } from '../kernel/faultplan.ts';
import type { Op } from '../kernel/op.ts';
import type { Task, TaskView } from '../kernel/task.ts';
import { ns_to_s } from '../kernel/time.ts';
import { errno_name } from '../kernel/errno.ts';
import { spawn_program, type ImageSpec } from '../mm/exec.ts';
import { net_figures, network_of } from '../net/link.ts';
import type { NetProfile } from '../net/profiles.ts';
import { audit_of } from '../om/audit.ts';
import { om_init, request_migration } from '../om/index.ts';
import type { MigrationResult } from '../om/migrate.ts';
import { DEFAULT_PARTITION_LIMIT_NS, set_partition_limit } from '../om/pause.ts';
import { new_figures, om_node, om_task_init, type OmFigures, type Policy } from '../om/state.ts';
import { scheme_of, type PrecopyRule } from '../om/schemes/index.ts';
import { record_timeline, type Timeline } from '../om/timeline.ts';
import { record_refs, set_future_refs } from '../om/future_refs.ts';

export interface ProgramDef {
  name: string;
  image: ImageSpec;
  gen: (task: TaskView) => Iterator<Op, unknown, number>;
  /** Checks the program made itself (exact mode), read at exit. */
  checks?: () => { name: string; ok: boolean; detail?: string }[];
  /** Problem size and memory, when the program reports them. */
  size?: { problem: string; used_B: number; working_set_B: number };
  mode?: string;
  /** The marks the program passes, in order (where a migration can be asked for). */
  marks?: readonly string[];
}

/** The same program with each operation it yields passed through `f` before the kernel runs it. */
export function map_program(prog: ProgramDef, f: (op: Op, task: TaskView) => Op): ProgramDef {
  const gen = prog.gen;
  return {
    ...prog,
    gen: (task) => {
      const it = gen(task);
      return {
        next(v: number): IteratorResult<Op, unknown> {
          const r = it.next(v);
          return r.done ? r : { done: false, value: f(r.value as Op, task) };
        },
      };
    },
  };
}

/**
 * The same program with `see(op, task)` called on each operation it yields,
 * before the kernel runs it (tests, traces and benches watch programs so).
 */
export const tap_program = (prog: ProgramDef, see: (op: Op, task: TaskView) => void): ProgramDef =>
  map_program(prog, (op, task) => {
    see(op, task);
    return op;
  });

/** Where to migrate: at a mark the program passes, or at a virtual time (ns since start). */
export type MigrateAt = string | { t_ns: number } | null;

/** One migration of a run: when (a mark, a time since start, or a delay after the previous point) and where to. */
export interface MigrationPoint {
  at: string | { t_ns: number } | { after_ns: number };
  /** A node id; 0 is home. */
  to: number;
}

export interface RunSpec {
  program: ProgramDef;
  scheme: Policy;
  profile: NetProfile;
  seed?: number;
  /** Memory of each node, bytes. */
  node_mem_B?: number;
  /** Nodes in the cluster (default: as many as the path and the faults name, at least 2). */
  nodes?: number;
  /** Where to migrate once, to node 1 (default: the 'setup_done' mark); null: no migration. */
  migrate_at?: MigrateAt;
  /** Several migrations, in order (takes the place of migrate_at). */
  migrations?: MigrationPoint[];
  /** Failures to inject. */
  faults?: FaultPlan;
  /** Stop the run at this virtual time even if the program has not exited. */
  limit_ns?: number;
  /** Keep the migration timeline and hand it over at the end, with the first migration's start. */
  timeline?: (tl: Timeline, start_ns: number) => void;
  /** Pre-copy's stop rule, when not the scheme's own (Xen's). */
  precopy_rule?: PrecopyRule;
  /** Which faults feed AMPoM's window: every fault of the migrant (the default, §3.1) or those in a remote area. */
  ampom_window?: 'all' | 'remote';
  /** Demand first on the wire (om/comm.ts's demand connection), when not the scheme's default. */
  preempt?: boolean;
  /**
   * How long a migrant waits on an unreachable node it needs before it is
   * killed, ns (om/pause.ts; default DEFAULT_PARTITION_LIMIT_NS, 60 s; 0:
   * at once, as openMosix does).
   */
  partition_limit_ns?: number;
  /**
   * The oracle's knowledge: the pages the process faults on after its
   * migration, in order (a NoPrefetch run of the same program records
   * them). Without it, a run of the oracle scheme makes that run first.
   */
  future_refs?: Int32Array;
  /** Record the pages the process faults on after its migration and hand them over at the end (what future_refs takes). */
  record_refs?: (vpns: Int32Array) => void;
}

/** The paging counters a run reports as the nodes counted them (see OmFigures). */
export type PagingCounts = Pick<
  OmFigures,
  | 'remote_fault_requests' | 'remote_faults' | 'local_window_faults' | 'request_messages' | 'prefetched_pages' | 'pages_transferred' | 'bytes_transferred' | 'mpt_bytes'
  | 'prefetch_hits' | 'wasted_prefetch' | 'prefetch_in_flight' | 'pushed_pages' | 'precopy_rounds' | 'precopy_bytes' | 'downtime_bytes' | 'postcopy_bytes'
>;

export interface RunResult extends PagingCounts {
  /** The version of this JSON (userland/schema.ts). */
  schema: number;
  program: string;
  mode: string;
  problem: string;
  used_mib: number;
  working_set_mib: number;
  scheme: Policy;
  profile: string;
  bandwidth_mbps: number;
  latency_ms: number;
  nodes: number;
  migrated: boolean;
  /**
   * Why a planned migration did not happen (the first that did not: its
   * point never came, it was under way when the program ended, it was
   * refused or called off, the process was killed), or null when every
   * one did.
   */
  not_migrated_reason: string | null;
  /** Migrations that completed, of those planned. */
  migrations: number;
  migrations_planned: number;
  /**
   * Planned migrations the program ended before: its point never came, or
   * it came and the migration was still under way (pre-copy's rounds).
   */
  migrations_unfinished: number;
  aborted_migrations: number;
  /** The time the process stood still for migrations, s (one migration: its freeze); null when none happened. */
  freeze_s: number | null;
  /** Each completed migration's freeze, s. */
  freezes_s: number[];
  /** QEMU's name for the freeze: the time the process did not run (null when no migration happened). */
  downtime_s: number | null;
  /**
   * From the start of the first migration until its source held no page of
   * the process any more (the end of the residual dependency), s; null when
   * it still held some at the end.
   */
  total_migration_s: number | null;
  /**
   * The page dependency: from the end of the first freeze until no node
   * but the one the process runs on held a page of it (its source emptied),
   * s: 0 for openMosix's copy, until the push finished for ampom-push, the
   * rest of the run when pages stayed behind (AMPoM, NoPrefetch); null
   * without a migration. Every openMosix scheme also depends on the home's
   * deputy for the whole run (its system calls): that is not counted here.
   */
  page_dependency_s: number | null;
  /**
   * The blocked time: after the freeze, the time the process waited for a
   * page held on another node (a remote fault until the page was
   * installed), s; how many such waits; their median and 99th percentile,
   * ms (null without a wait).
   */
  blocked_s: number;
  blocked_waits: number;
  blocked_p50_ms: number | null;
  blocked_p99_ms: number | null;
  /** Time the process waited on a node taken as unreachable (a pause through a partition), s, and how many such waits. */
  paused_s: number;
  pauses: number;
  /** QEMU's name for the page-fault requests after the migration. */
  postcopy_requests: number;
  /** Whether the process's demand faults went first on the wire (--preempt, or its scheme's default). */
  preempt: boolean;
  /**
   * Demand faults whose latency was measured (from the request for the
   * faulting page leaving to the page installed), and its median and 99th
   * percentile (nearest rank), s; null when there was none.
   */
  demand_faults: number;
  demand_fault_p50_s: number | null;
  demand_fault_p99_s: number | null;
  /** Pages sent again ahead of a push for a demand fault on a page the push had just sent (demand first only). */
  demand_resent_pages: number;
  runtime_s: number;
  total_s: number;
  analysis_s: number;
  exit_code: number;
  exit_reason: string;
  /** 'completed': the program ran to its end; 'killed': it was ended, for `reason`. */
  outcome: 'completed' | 'killed';
  reason: string;
  /** The faults the plan asked for, and when each took effect (null: it never did). */
  faults: { fault: string; injected_s: number | null }[];
  lost_pages: number;
  corrupt_pages: number;
  /** Frames still in use on a node that did not crash, after everything ended. */
  leaked_frames: number;
  /** TCP segments sent again, and retransmission timeouts, over every node (net/). */
  retransmitted_segments: number;
  timeouts: number;
  /** What deputies reported (a process lost with the node it ran on), and pages the process no longer needed that went with a node that crashed holding them (the audit's). */
  reports: string[];
  /**
   * Nodes that crashed during the run. Figures are counted where the work
   * happened and gathered from the nodes at the end, so these nodes' counts
   * (a freeze there, pages they sent) are missing from the figures above.
   */
  crashed_nodes: number[];
  verified: boolean;
  checks: string[];
  /** Failed checks, each with what it saw. */
  failures: string[];
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The p-quantile of latencies in ns (nearest rank), in s; null for none. */
function percentile_s(ns: number[], p: number): number | null {
  if (ns.length === 0) return null;
  const sorted = Float64Array.from(ns).sort();
  return r6(ns_to_s(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!));
}

/** The migration points of a spec, resolved. */
function points_of(spec: RunSpec): MigrationPoint[] {
  if (spec.migrations) return spec.migrations;
  const at = spec.migrate_at === undefined ? 'setup_done' : spec.migrate_at;
  return at === null ? [] : [{ at, to: 1 }];
}

/** The sum over the nodes of what each counted about pid (gathered by the host, as at the end of a run). */
export function gather_figures(c: Cluster, pid: number): OmFigures {
  const sum = new_figures();
  for (const n of c.nodes) {
    const f = c.queue.acting_as(null, () => om_node(n).figures.get(pid));
    if (!f) continue;
    for (const k of Object.keys(sum) as (keyof OmFigures)[]) {
      const v = f[k];
      // One at a time: a list can hold a wait per page (150,000 at 575 MiB), past what a spread's arguments take.
      if (Array.isArray(v)) for (const x of v as unknown[]) (sum[k] as unknown[]).push(x);
      else (sum[k] as number) += v;
    }
  }
  sum.freezes.sort((a, b) => a[0] - b[0]);
  sum.started.sort((a, b) => a - b);
  sum.emptied.sort((a, b) => a - b);
  return sum;
}

/**
 * Migrate a process as a user does (a write to /proc/PID/where on the node
 * it runs on), and hear how it went: `done` runs when the process resumes
 * at `to`, or when its source called the migration off (not if the process
 * is lost on the way: its end says so). Returns 0 or -errno, as the write
 * does (done does not run then).
 */
export function migrate_process(c: Cluster, pid: number, to: number, policy: Policy | undefined, done: (r: MigrationResult) => void): number {
  let over = false;
  const finish = (r: MigrationResult): void => {
    if (over) return;
    over = true;
    const i = c.resume_listeners.indexOf(on_resume);
    if (i >= 0) c.resume_listeners.splice(i, 1);
    done(r);
  };
  const on_resume = (t: Task): void => {
    if (t.pid === pid && t.node.id === to) finish({ ok: true, errno: 0 });
  };
  c.resume_listeners.push(on_resume);
  // The write happens on the node the process runs on.
  const task = c.tasks.get(pid)!;
  const rc = c.queue.acting_as(task.node, () =>
    request_migration(task, c.node(to), policy, (r) => {
      if (!r.ok) finish(r);
    }),
  );
  if (rc < 0) {
    // Refused at once: the caller has the answer; done never runs.
    over = true;
    c.resume_listeners.splice(c.resume_listeners.indexOf(on_resume), 1);
  }
  return rc;
}

/**
 * Ask for the points' migrations one after another: a point fires at its
 * mark, its time since the start, or its delay after the previous point
 * fired; a point that fires while the previous migration is still going
 * waits for it to end.
 */
function drive_migrations(c: Cluster, pid: number, scheme: Policy, points: MigrationPoint[], started: { first_ns: number }, errors: string[], status: PointStatus[]): void {
  let next = 0;
  let busy = false;
  let due = false;
  let prev_fired_ns = 0;
  const start_ns = c.tasks.get(pid)!.start_ns;
  const over = (): void => {
    busy = false;
    if (due) {
      due = false;
      fire();
    }
    arm(next);
  };
  const fire = (): void => {
    const task = c.tasks.get(pid)!;
    if (next >= points.length || !task.alive) return;
    if (busy) {
      due = true;
      return;
    }
    const i = next++;
    const p = points[i]!;
    prev_fired_ns = c.queue.now_ns;
    if (started.first_ns < 0) started.first_ns = Math.max(c.queue.now_ns, task.clock_ns);
    busy = true;
    status[i] = 'under way';
    const rc = migrate_process(c, pid, p.to, scheme, (r) => {
      status[i] = r.ok ? 'done' : `migration ${i + 1} to node ${p.to} was called off (${errno_name(r.errno)})`;
      over();
    });
    if (rc < 0) {
      busy = false;
      errors.push(`migration ${i + 1} to node ${p.to}: error ${rc}`);
      status[i] = `migration ${i + 1} to node ${p.to} was refused (${errno_name(rc)})`;
      arm(next);
    }
  };
  const arm = (i: number): void => {
    const p = points[i];
    if (!p || typeof p.at === 'string') return; // marks are caught by the listener
    // An event of the node the process is on (it stays there until this
    // point fires): the user's write to /proc/PID/where there.
    const on = c.tasks.get(pid)?.node.id ?? ANY_NODE;
    if ('t_ns' in p.at) c.queue.at(Math.max(c.queue.now_ns, start_ns + Math.round(p.at.t_ns)), () => next === i && fire(), on);
    else c.queue.at(Math.max(c.queue.now_ns, prev_fired_ns + Math.round(p.at.after_ns)), () => next === i && fire(), on);
  };
  c.mark_listeners.push((t, label) => {
    const p = points[next];
    if (t.pid === pid && p && p.at === label) fire();
  });
  arm(0);
}

/**
 * Where a process is, as the host sees it (at the end of a run, or between
 * a test's steps): the task_struct of the node it was last on
 * (Cluster.tasks); when that node has let it go, it is on its way (a
 * destination holds the migration and has not resumed it yet) or lost on
 * the way, with what its home learnt (its deputy's verdict).
 */
export function process_end(c: Cluster, pid: number): { task: Task; running: boolean; lost: string | null } {
  return c.queue.acting_as(null, () => process_end_host(c, pid));
}

function process_end_host(c: Cluster, pid: number): { task: Task; running: boolean; lost: string | null } {
  const task = c.tasks.get(pid)!;
  if (!task.alive) return { task, running: false, lost: null };
  if (task.node.alive && task.node.tasks.has(task)) return { task, running: true, lost: null };
  if (c.nodes.some((n) => n.alive && om_node(n).incoming.has(pid))) return { task, running: true, lost: null };
  const home = task.home;
  const ended = home.alive ? om_node(home).ended.get(pid) : undefined;
  return { task, running: false, lost: ended?.lost ?? `lost in migration from ${task.node.name} (no node resumed it)` };
}

/** What became of a migration point: not reached yet, under way, done, or why it failed. */
type PointStatus = 'not reached' | 'under way' | 'done' | string;

const point_name = (p: MigrationPoint): string =>
  typeof p.at === 'string' ? p.at : 't_ns' in p.at ? `${ns_to_s(p.at.t_ns)} s` : `+${ns_to_s(p.at.after_ns)} s`;

/**
 * Why a planned migration did not happen (the first that did not), or null
 * when every one did.
 */
function not_migrated_reason(points: MigrationPoint[], status: PointStatus[], killed: string | null): string | null {
  if (points.length === 0) return 'no migration was asked for';
  const i = status.findIndex((x) => x !== 'done');
  if (i < 0) return null;
  const st = status[i]!;
  if (st === 'not reached') {
    return killed === null ? `the program ended before migration point ${i + 1} (${point_name(points[i]!)})` : `the process was killed before migration point ${i + 1}: ${killed}`;
  }
  if (st === 'under way') return killed === null ? `the program ended while migration ${i + 1} was under way` : `the process was killed during migration ${i + 1}: ${killed}`;
  return st;
}

/** The reason of a run whose task had not ended by its time limit. */
export const STILL_RUNNING = 'still running when the run stopped';

/**
 * The first migration's total time: from its start until the process ran
 * at its destination and its source (home) held no page of it any more
 * (the end of the residual dependency), whichever came last; null if home
 * still held some when the process ended (or home crashed, taking its
 * figures). openMosix's source empties itself at commit, before the
 * process resumes: the migration still lasts until the freeze ends.
 */
function page_dependency_ns(c: Cluster, pid: number, s: OmFigures, exit_ns: number): number | null {
  if (s.migrations === 0 || s.freezes.length === 0) return null;
  const [at, dur] = s.freezes[0]!;
  const home = c.node(0);
  const emptied = home.alive ? om_node(home).figures.get(pid)?.emptied[0] : undefined;
  return Math.max(0, (emptied ?? exit_ns) - (at + dur));
}

function total_migration_ns(c: Cluster, pid: number, s: OmFigures): number | null {
  if (s.migrations === 0 || s.started.length === 0) return null;
  const home = c.node(0);
  const emptied = home.alive ? om_node(home).figures.get(pid)?.emptied[0] : undefined;
  if (emptied === undefined) return null;
  const start = s.started[0]!;
  // Its freeze: the first that began after it did.
  const freeze = s.freezes.find(([at]) => at >= start);
  const end = Math.max(emptied, freeze ? freeze[0] + freeze[1] : emptied);
  return end >= start ? end - start : null;
}

/** The q-quantile of some durations (nearest rank), or null for none. */
function quantile_ns(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/**
 * Run an experiment. The oracle scheme, unless it is given its future,
 * first runs the same program under NoPrefetch to record the pages it
 * faults on after its migration (determinism makes the second run touch
 * the same pages in the same order), then runs with that recording.
 */
export function run_experiment(spec: RunSpec): RunResult {
  if (spec.scheme !== 'oracle' || spec.future_refs) return run_once(spec);
  let refs: Int32Array = new Int32Array(0);
  const { timeline: _t, ...rest } = spec;
  run_once({ ...rest, scheme: 'noprefetch', record_refs: (r) => void (refs = r) });
  // The program's own checks (exact mode) of the recording run are not this run's.
  const prog = spec.program;
  const seen = prog.checks?.().length ?? 0;
  const program = prog.checks ? { ...prog, checks: () => prog.checks!().slice(seen) } : prog;
  return run_once({ ...spec, program, future_refs: refs });
}

function run_once(spec: RunSpec): RunResult {
  const points = points_of(spec);
  const plan = spec.faults ?? empty_plan();
  const named = [...points.map((p) => p.to), ...plan.faults.flatMap((r) => (r.fault.kind === 'crash' ? [r.fault.node] : r.fault.kind === 'partition' ? [r.fault.a, r.fault.b] : []))];
  const nodes = spec.nodes ?? Math.max(2, ...named.map((n) => n + 1));
  const c = new Cluster({ nodes, mem_B: spec.node_mem_B ?? 1 << 30, seed: spec.seed ?? 1 });
  om_init(c, spec.profile);
  set_partition_limit(c, spec.partition_limit_ns ?? DEFAULT_PARTITION_LIMIT_NS);
  const spawned = spawn_program(c, c.node(0), spec.program.image, spec.program.gen);
  const pid = spawned.pid;
  const start_ns = spawned.start_ns;
  const st = om_task_init(spawned, spec.scheme);
  if (spec.precopy_rule) st.precopy_rule = spec.precopy_rule;
  if (spec.ampom_window) st.ampom_window = spec.ampom_window;
  if (spec.preempt !== undefined) st.preempt = spec.preempt;
  if (spec.future_refs) set_future_refs(c, pid, spec.future_refs);
  const recorder = spec.record_refs ? record_refs(c) : null;
  const tl = spec.timeline ? record_timeline(c) : null;
  arm_crashes(c, plan, start_ns);
  const net = network_of(c);
  // The network's part of the plan: partitions, and windows of netem loss, duplication or reordering.
  for (const rec of plan.faults) {
    const f = rec.fault;
    if (f.kind === 'partition') {
      const start = start_ns + f.at_ns;
      net.partition(c.node(f.a), c.node(f.b), start, start + f.dur_ns);
      c.queue.at(start, () => fault_injected(c, rec, start_ns));
    } else if (f.kind === 'netem') {
      c.queue.at(start_ns + f.at_ns, () => {
        fault_injected(c, rec, start_ns);
        net.netem_window(f.what, f.share, f.dur_ns);
      });
    }
  }
  const started = { first_ns: -1 };
  const mig_errors: string[] = [];
  const status: PointStatus[] = points.map(() => 'not reached');
  drive_migrations(c, pid, spec.scheme, points, started, mig_errors, status);
  // The timed phase ends at 'timed_done' when the program has one (its
  // verification comes after and is not part of the measured run).
  let end_ns = -1;
  c.mark_listeners.push((t, label) => {
    if (t.pid === pid && label === 'timed_done') end_ns = t.clock_ns;
  });
  c.run(spec.limit_ns ?? Infinity);

  const s = gather_figures(c, pid);
  if (recorder) spec.record_refs!(recorder.refs(pid));
  const ended = process_end(c, pid);
  const task = ended.task;
  const completed = !ended.running && ended.lost === null && task.exit_signal === null;
  const outcome: RunResult['outcome'] = completed ? 'completed' : 'killed';
  const exit_code = ended.lost !== null ? 137 : task.exit_code;
  const exit_reason = ended.lost ?? task.exit_reason;
  const exit_ns = ended.lost !== null ? c.queue.now_ns : task.exit_ns;
  const reason = completed ? '' : ended.running ? STILL_RUNNING : exit_reason || `exit code ${exit_code}`;
  const checks: string[] = [];
  const failures: string[] = [];
  const check = (name: string, ok: boolean, detail: string): void => {
    checks.push(name);
    if (!ok) failures.push(`${name}: ${detail}`);
  };
  check('exit-status', completed && exit_code === 0, `code ${exit_code}${exit_reason ? `, ${exit_reason}` : ''}`);
  if (plan.faults.length === 0) {
    // A migration may not finish because the program ended first (before
    // its point, or during pre-copy's rounds): that is the program's pace,
    // not a failure. One that was refused or called off is.
    const failed = mig_errors.length + s.aborts;
    check('migrations', failed === 0, `${s.migrations} of ${points.length} migrations happened, ${s.aborts} called off${mig_errors.length ? ` (${mig_errors.join('; ')})` : ''}`);
  }
  const audit = audit_of(c).verdict(pid, completed);
  check('page-checksums', audit.corrupt === 0 && audit.lost === 0, `${audit.corrupt} corrupt pages, ${audit.lost} lost pages${audit.problem ? ` (${audit.problem})` : ''}${audit.crash_lost ? `; ${audit.crash_note}` : ''}`);
  // Nothing left behind: every frame is back on every node still up.
  let leaked = 0;
  const left_on: string[] = [];
  for (const n of c.nodes) {
    if (!n.alive) continue;
    const left = n.mem.used_frames - (n.ext.has('zero_page') ? 1 : 0);
    if (left !== 0) left_on.push(`${left} on ${n.name}`);
    leaked += left;
  }
  check('frames-returned', leaked === 0, `frames still used: ${left_on.join(', ')}`);
  if (completed) for (const ch of spec.program.checks?.() ?? []) check(ch.name, ch.ok, ch.detail ?? 'failed');
  const freezes = s.freezes.map(([, f]) => f);
  const start = s.started.length > 0 ? s.started[0]! : started.first_ns >= 0 ? started.first_ns : start_ns;
  if (tl) spec.timeline!(tl, start);
  const end = end_ns >= 0 ? end_ns : exit_ns;
  const sz = spec.program.size;
  const total_ns = total_migration_ns(c, task.pid, s);
  return {
    schema: OUTPUT_SCHEMA,
    program: spec.program.name,
    mode: spec.program.mode ?? 'fast',
    problem: sz?.problem ?? '',
    used_mib: sz ? r6(sz.used_B / (1 << 20)) : 0,
    working_set_mib: sz ? r6(sz.working_set_B / (1 << 20)) : 0,
    scheme: spec.scheme,
    profile: spec.profile.name,
    bandwidth_mbps: spec.profile.bandwidth_bps / 1e6,
    latency_ms: spec.profile.latency_ns / 1e6,
    nodes,
    migrated: s.migrations > 0,
    not_migrated_reason: not_migrated_reason(points, status, completed ? null : reason),
    migrations: s.migrations,
    migrations_planned: points.length,
    migrations_unfinished: completed ? points.length - s.migrations - s.aborts - mig_errors.length : 0,
    aborted_migrations: s.aborts,
    freeze_s: s.migrations > 0 ? r6(ns_to_s(freezes.reduce((a, b) => a + b, 0))) : null,
    freezes_s: freezes.map((f) => r6(ns_to_s(f))),
    downtime_s: s.migrations > 0 ? r6(ns_to_s(freezes.reduce((a, b) => a + b, 0))) : null,
    total_migration_s: total_ns === null ? null : r6(ns_to_s(total_ns)),
    page_dependency_s: page_dependency_ns(c, pid, s, exit_ns) === null ? null : r6(ns_to_s(page_dependency_ns(c, pid, s, exit_ns)!)),
    blocked_s: r6(ns_to_s(s.page_waits_ns.reduce((a, b) => a + b, 0))),
    blocked_waits: s.page_waits_ns.length,
    blocked_p50_ms: s.page_waits_ns.length ? r6(quantile_ns(s.page_waits_ns, 0.5)! / 1e6) : null,
    blocked_p99_ms: s.page_waits_ns.length ? r6(quantile_ns(s.page_waits_ns, 0.99)! / 1e6) : null,
    paused_s: r6(ns_to_s(s.paused_ns)),
    pauses: s.pauses,
    postcopy_requests: s.remote_fault_requests,
    preempt: spec.preempt ?? scheme_of(spec.scheme).preempt,
    demand_faults: s.demand_fault_ns.length,
    demand_fault_p50_s: percentile_s(s.demand_fault_ns, 0.5),
    demand_fault_p99_s: percentile_s(s.demand_fault_ns, 0.99),
    demand_resent_pages: s.demand_resent_pages,
    runtime_s: r6(ns_to_s(end - start)),
    total_s: r6(ns_to_s(exit_ns - start_ns)),
    remote_fault_requests: s.remote_fault_requests,
    remote_faults: s.remote_faults,
    local_window_faults: s.local_window_faults,
    request_messages: s.request_messages,
    prefetched_pages: s.prefetched_pages,
    pages_transferred: s.pages_transferred,
    bytes_transferred: s.bytes_transferred,
    mpt_bytes: s.mpt_bytes,
    prefetch_hits: s.prefetch_hits,
    wasted_prefetch: s.wasted_prefetch,
    prefetch_in_flight: s.prefetch_in_flight,
    pushed_pages: s.pushed_pages,
    precopy_rounds: s.precopy_rounds,
    precopy_bytes: s.precopy_bytes,
    downtime_bytes: s.downtime_bytes,
    postcopy_bytes: s.postcopy_bytes,
    analysis_s: r6(ns_to_s(s.analysis_ns)),
    exit_code,
    exit_reason: exit_reason || (mig_errors.length ? mig_errors.join('; ') : ''),
    outcome,
    reason,
    faults: plan.faults.map((r) => ({ fault: r.spec, injected_s: r.injected_ns === null ? null : r6(ns_to_s(r.injected_ns)) })),
    // Pages still unseen when a task is killed are not lost by the emulator
    // (the kill names why); a page that arrived with other bytes is corrupt
    // whatever happened after.
    lost_pages: audit.lost,
    corrupt_pages: audit.corrupt,
    leaked_frames: leaked,
    ...net_figures(c),
    // What the deputies reported, and what the audit names: pages the process no longer needed that went with a crashed node.
    reports: [...c.nodes.flatMap((n) => (n.alive ? om_node(n).reports : [])), ...(audit.crash_lost ? [`pid ${pid}: ${audit.crash_note}`] : [])],
    crashed_nodes: c.nodes.filter((n) => !n.alive).map((n) => n.id),
    verified: failures.length === 0,
    checks,
    failures,
  };
}
