// The cluster runner: N nodes on one switch, a workload of processes started
// on their nodes at their times, openMosix under one page-transfer scheme,
// and a balancer on every node (om/balance/; or none). At the end it
// gathers from the nodes, per process, where it ran, each migration's
// predicted and measured cost and relief time, and its slowdowns; checks
// that every process ran to its end and verified and that every page frame
// came back; and sums the totals (the metrics of ../../README.md).
//
// ClusterSim advances in steps (the live monitor draws between them);
// run_cluster runs one to its end.
import { Cluster } from '../../kernel/cluster.ts';
import { OBSERVE } from '../../kernel/events.ts';
import { OutOfFrames } from '../../mm/mm_struct.ts';
import { FRAME_SIZE_B } from '../../kernel/physmem.ts';
import { nr_running } from '../../kernel/sched.ts';
import type { Task } from '../../kernel/task.ts';
import { NS_PER_S, s_to_ns } from '../../kernel/time.ts';
import { spawn_program } from '../../mm/exec.ts';
import { infod_of } from '../../net/infod.ts';
import type { NetProfile } from '../../net/profiles.ts';
import { audit_of } from '../../om/audit.ts';
import { start_balancers, total_stats, type BalancerName, type BalanceStats, type ClusterBalancers, type Move, type MoveReason } from '../../om/balance/index.ts';
import { parse_net_dev } from '../../net/nic.ts';
import { om_init, om_keep_alive } from '../../om/index.ts';
import { DEFAULT_PARTITION_LIMIT_NS, set_partition_limit } from '../../om/pause.ts';
import { verdicts_of } from '../../om/liveness.ts';
import { om_task_init, type Policy } from '../../om/state.ts';
import { gather_figures, process_end } from '../experiment.ts';
import { OUTPUT_SCHEMA } from '../schema.ts';
import { make_hpcc, type Kernel } from '../hpcc/index.ts';
import type { Mode } from '../hpcc/common.ts';
import { standalone_ns } from './standalone.ts';
import type { Job } from './workload.ts';

export interface ClusterSpec {
  nodes: number;
  /** Relative CPU speed of each node. */
  speeds: number[];
  /** Memory of each node, MiB. */
  mem_mib: number;
  jobs: Job[];
  scheme: Policy;
  balancer: BalancerName;
  /** The balancer's aggressiveness: imbalance (processes) beyond the stability factor before it moves one. */
  threshold: number;
  profile: NetProfile;
  seed: number;
  /** How long a migrant pauses through a partition before it is killed, ns (om/pause.ts; default DEFAULT_PARTITION_LIMIT_NS). */
  partition_limit_ns?: number;
}

/** One migration of a process, as the JSON reports it (times in s from the run's start). */
export interface MoveRecord {
  from: number;
  to: number;
  reason: MoveReason;
  /** The balancer's decision. */
  asked_s: number;
  ok: boolean;
  /** What the balancer expected the move to cost the process: freeze + blocked time, and the freeze alone. */
  predicted_s: number;
  predicted_freeze_s: number;
  /** What it cost: the freeze and the time blocked on remote pages until the next move or the exit (null: it did not happen). */
  measured_s: number | null;
  freeze_s: number | null;
  blocked_s: number | null;
  /** From the decision until the source stopped running the process (its freeze began). */
  relief_s: number | null;
}

/** One process of the run, as the JSON reports it. */
export interface ProcRecord {
  pid: number;
  kernel: Kernel;
  mib: number;
  mode: Mode;
  /** hog: its CPU demand, s. */
  cpu_s: number | null;
  lock: boolean;
  /** The workload's job it belongs to, or null. */
  job: number | null;
  arrival_s: number;
  /** When it exited (null: it never did). */
  finish_s: number | null;
  home: number;
  /** Nodes it ran on, in order, home first. */
  nodes: number[];
  migrations: number;
  /** Its standalone runtime on one unloaded node of speed 1, s. */
  standalone_s: number;
  turnaround_s: number | null;
  /** Turnaround over standalone runtime. */
  slowdown: number | null;
  /** max(1, turnaround / max(10 s, standalone runtime)). */
  bounded_slowdown: number | null;
  /** Time blocked on pages held on other nodes, s, and how many such waits. */
  page_wait_s: number;
  page_waits: number;
  /** Bytes of every om message sent for it (migration, paging, notes), headers included. */
  bytes_moved: number;
  outcome: 'completed' | 'killed' | 'not started';
  reason: string;
  verified: boolean;
  failures: string[];
  /** Its freezes (s from the run's start, duration s), for the Gantt chart. */
  freezes: [number, number][];
  /** Every move a balancer asked for it, in order. */
  moves: MoveRecord[];
}

/** A job of several processes (an SWF job): it ends with its last process. */
export interface JobRecord {
  job: number;
  processes: number;
  arrival_s: number;
  finish_s: number | null;
  /** Turnaround over its longest process's standalone runtime. */
  slowdown: number | null;
}

export interface ClusterTotals {
  processes: number;
  completed: number;
  mean_slowdown: number;
  p95_slowdown: number;
  mean_bounded_slowdown: number;
  p95_bounded_slowdown: number;
  /** From the first arrival to the last exit, s. */
  makespan_s: number;
  /** Busy CPU-seconds over nodes x makespan. */
  utilisation: number;
  /**
   * The load the workload really offered: its processes' standalone
   * runtimes over the cluster's capacity (the sum of the speeds) times the
   * span of the arrivals; null when they all arrive at once. A heavy-tailed
   * workload of a few hundred processes offers much more or much less than
   * the --load it was drawn for (one 3,600 s process is a third of the work
   * of a thousand), so the experiments report this beside --load.
   */
  offered_load: number | null;
  migrations: number;
  migrations_per_process: number;
  bytes_moved: number;
  /** Mean over completed migrations: relief time, and predicted less measured cost (s) and its mean absolute value relative to the measured. */
  mean_relief_s: number | null;
  mean_cost_error_s: number | null;
  mean_abs_cost_error_rel: number | null;
  /** First time every node held a process (running or waiting for its pages), s from the first arrival; null: never. */
  all_busy_s: number | null;
  /** Bytes each node sent over the run, over what its line could carry in the makespan: the busiest node's. */
  max_link_util: number;
  /** Mean slowdown of the jobs of several processes (SWF), or null. */
  mean_job_slowdown: number | null;
  /** Every process completed and verified, and every node got all its frames back. */
  verified: boolean;
}

export interface ClusterResult {
  /** The version of this JSON (userland/schema.ts). */
  schema: number;
  nodes: number;
  speeds: number[];
  mem_mib: number;
  scheme: Policy;
  balancer: BalancerName;
  threshold: number;
  seed: number;
  profile: string;
  processes: ProcRecord[];
  jobs: JobRecord[];
  totals: ClusterTotals;
  balance: BalanceStats | null;
  /** Bytes each node sent, over its line's capacity in the makespan. */
  link_util: number[];
  /** What infoD's gossip did: windows sent, the oldest entry of a live peer any node held, and nodes taken as dead while alive. */
  gossip: { windows: number; oldest_entry_s: number; false_verdicts: number };
  /** Frames still in use anywhere at the end (must be 0). */
  leaked_frames: number;
}

/** What the live monitor shows at a moment. */
export interface Snapshot {
  t_s: number;
  nodes: { id: number; speed: number; local: number; exported: number; running: number; procs: number; free_mib: number; mem_mib: number }[];
  started: number;
  finished: number;
  jobs: number;
  migrations: number;
}

interface Proc {
  job: Job;
  task: Task | null;
  failures: string[];
  checks: (() => { name: string; ok: boolean; detail?: string }[]) | null;
  reason: string;
  /** Its page-wait time when each completed move resumed it, ns. */
  wait_at_resume: number[];
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const p95 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.ceil(0.95 * s.length) - 1]! : 0;
};

/** ClusterTotals.offered_load: standalone work over capacity times the arrivals' span (null: no span). */
export function offered_load(ps: readonly Pick<ProcRecord, 'arrival_s' | 'standalone_s'>[], speeds: readonly number[]): number | null {
  if (ps.length < 2) return null;
  let lo = Infinity;
  let hi = -Infinity;
  let work_s = 0;
  for (const p of ps) {
    lo = Math.min(lo, p.arrival_s);
    hi = Math.max(hi, p.arrival_s);
    work_s += p.standalone_s;
  }
  const capacity = speeds.reduce((a, b) => a + b, 0);
  return hi > lo && capacity > 0 ? r6(work_s / (capacity * (hi - lo))) : null;
}

/** Whether every node holds a process now (running, or waiting for its pages): the walk of every process there ever was. */
export function all_busy_walk(c: Cluster): boolean {
  const busy = new Set<number>();
  for (const t of c.tasks.values()) if (t.alive && t.mm && (t.state === 'R' || t.state === 'S')) busy.add(t.node.id);
  return busy.size === c.nodes.length;
}

/**
 * all_busy_walk, answered at once while some node has no task_struct at
 * all (most of a large cluster's checks): a process alive with its memory
 * is always on its node's list (spawning or installing a migrant puts it
 * there; a release, an exit or a crash takes it off as it takes its memory
 * or its life), so such a node holds none. The walk goes through the
 * host's whole process table, the ended processes too, ten times a second.
 */
export function all_busy(c: Cluster): boolean {
  for (const n of c.nodes) if (n.tasks.size === 0) return false;
  return all_busy_walk(c);
}

/** Seconds between busy checks until every node has been busy at once. */
const BUSY_CHECK_NS = 0.1 * NS_PER_S;
/** Every node's load vector is looked at at least this often, s (a share of the nodes each second). */
const GOSSIP_SWEEP_S = 8;

export class ClusterSim {
  readonly c: Cluster;
  readonly balancers: ClusterBalancers | null;
  private readonly procs: Proc[] = [];
  private readonly by_pid = new Map<number, Proc>();
  private started = 0;
  private oldest_entry_ns = 0;
  private all_busy_ns = -1;

  constructor(readonly spec: ClusterSpec) {
    if (spec.speeds.length !== spec.nodes) throw new Error(`speeds must give one speed a node (${spec.nodes}), got ${spec.speeds.length}`);
    this.c = new Cluster({ nodes: spec.nodes, mem_B: spec.mem_mib * 2 ** 20, speeds: spec.speeds, seed: spec.seed });
    om_init(this.c, spec.profile);
    set_partition_limit(this.c, spec.partition_limit_ns ?? DEFAULT_PARTITION_LIMIT_NS);
    om_keep_alive(this.c, () => this.started < spec.jobs.length);
    this.balancers = start_balancers(this.c, spec.balancer, { threshold: spec.threshold });
    for (const b of this.balancers?.nodes ?? []) b.move_listeners.push((m) => this.moved(m));
    // A user starts each job on its node: an event of that node.
    for (const job of spec.jobs) this.c.queue.at(s_to_ns(job.arrival_s), () => this.start(job), job.node);
    this.watch_gossip();
    if (spec.jobs.length > 0) this.c.queue.at(s_to_ns(Math.min(...spec.jobs.map((j) => j.arrival_s))), () => this.watch_busy(), OBSERVE);
  }

  private start(job: Job): void {
    const p: Proc = { job, task: null, failures: [], checks: null, reason: '', wait_at_resume: [] };
    this.procs.push(p);
    this.started++;
    const program = make_hpcc({ kernel: job.kernel, mib: job.mib, mode: job.mode, cpu_s: job.kernel === 'hog' ? (job.cpu_s ?? 1) : undefined });
    p.checks = program.checks ?? null;
    const node = this.c.node(job.node);
    try {
      p.task = spawn_program(this.c, node, program.image, program.gen);
    } catch (e) {
      if (!(e instanceof OutOfFrames)) throw e;
      p.reason = `out of memory: node${job.node} could not load the program`;
      return;
    }
    this.by_pid.set(p.task.pid, p);
    om_task_init(p.task, this.spec.scheme);
    const b = this.balancers?.of(node);
    if (job.lock) b?.lock(p.task);
    b?.spawned(p.task);
  }

  /** A move ended: note where the process's blocked time stood as it resumed. */
  private moved(m: Move): void {
    if (!m.ok) return;
    const p = this.by_pid.get(m.pid);
    p?.wait_at_resume.push(m.task.page_wait_ns);
  }

  /** Every 0.1 s from the first arrival until every node holds a process at once (the demo's "all busy"). */
  private watch_busy(): void {
    const c = this.c;
    const tick = (): void => {
      if (this.done_ish()) return;
      if (all_busy(c)) {
        this.all_busy_ns = c.queue.now_ns;
        return;
      }
      c.queue.after(BUSY_CHECK_NS, tick, OBSERVE);
    };
    tick();
  }

  /**
   * Once a second, on some of the nodes in turn (every node at least every
   * GOSSIP_SWEEP_S): how old the freshest entry of each live peer is there.
   * (Which live peers a node took as dead, which none must, each node
   * records itself: om/liveness.ts verdicts_of, gathered at the end.)
   */
  private watch_gossip(): void {
    const c = this.c;
    const n = c.nodes.length;
    const per_tick = Math.ceil(n / GOSSIP_SWEEP_S);
    let next = 0;
    const tick = (): void => {
      if (this.done_ish()) return;
      const now = c.queue.now_ns;
      for (let k = 0; k < per_tick; k++, next = (next + 1) % n) {
        const node = c.nodes[next]!;
        if (!node.alive) continue;
        const d = infod_of(node);
        for (const peer of c.nodes) {
          if (peer === node || !peer.alive) continue;
          this.oldest_entry_ns = Math.max(this.oldest_entry_ns, now - (d.last_heard_ns(peer.id) ?? 0));
        }
      }
      c.queue.after(NS_PER_S, tick, OBSERVE);
    };
    c.queue.after(NS_PER_S, tick, OBSERVE);
  }

  /** Every job started and every task ended. */
  private done_ish(): boolean {
    return this.started >= this.spec.jobs.length && this.c.live_tasks === 0;
  }

  /** Nothing left to happen. */
  get done(): boolean {
    return this.c.queue.peek_ns() === Infinity;
  }

  get now_ns(): number {
    return this.c.queue.now_ns;
  }

  /** Run until virtual time t_ns (or the end). */
  advance(t_ns: number): void {
    this.c.run(t_ns);
  }

  run_to_end(): void {
    this.c.run();
  }

  snapshot(): Snapshot {
    const c = this.c;
    const per = new Map<number, number>();
    for (const n of c.nodes) if (n.alive && n.tasks.size > 0) per.set(n.id, n.tasks.size);
    return {
      t_s: c.queue.now_ns / NS_PER_S,
      nodes: c.nodes.map((n) => {
        const d = n.ext.get('infod') ? infod_of(n) : null;
        return {
          id: n.id, speed: n.speed, local: d?.load.local ?? 0, exported: d?.load.exported ?? 0, running: nr_running(n), procs: per.get(n.id) ?? 0,
          free_mib: (n.mem.free_frames * FRAME_SIZE_B) / 2 ** 20, mem_mib: (n.mem.nframes * FRAME_SIZE_B) / 2 ** 20,
        };
      }),
      started: this.started,
      finished: this.procs.filter((p) => p.task && !process_end(this.c, p.task.pid).running).length,
      jobs: this.spec.jobs.length,
      migrations: this.balancers ? total_stats(this.balancers).completed : 0,
    };
  }

  /** The run's figures, gathered from the nodes. */
  result(): ClusterResult {
    const c = this.c;
    const audit = audit_of(c);
    // Each node's record of the moves it asked for, by process.
    const moves = new Map<number, Move[]>();
    for (const b of this.balancers?.nodes ?? []) for (const m of b.moves) moves.set(m.pid, [...(moves.get(m.pid) ?? []), m]);
    for (const ms of moves.values()) ms.sort((a, b) => a.asked_ns - b.asked_ns);
    const processes: ProcRecord[] = [];
    for (const p of this.procs) processes.push(this.record(p, audit, p.task ? moves.get(p.task.pid) ?? [] : []));
    for (const job of this.spec.jobs.slice(this.procs.length)) {
      processes.push(this.record({ job, task: null, failures: [], checks: null, reason: 'never started (the run stopped first)', wait_at_resume: [] }, audit, []));
    }
    let leaked = 0;
    for (const n of c.nodes) if (n.alive) leaked += n.mem.used_frames - (n.ext.has('zero_page') ? 1 : 0);
    const done = processes.filter((p) => p.slowdown !== null);
    const first = Math.min(...processes.map((p) => p.arrival_s));
    const last = Math.max(0, ...processes.map((p) => p.finish_s ?? 0));
    const makespan = Math.max(0, last - first);
    const busy_ns = c.nodes.reduce((a, n) => a + n.busy_ns, 0);
    const line_bps = this.spec.profile.line_bps;
    const link_util = c.nodes.map((n) => {
      const r = c.procfs.read(n, '/proc/net/dev');
      return r.ok && makespan > 0 ? r6((parse_net_dev(r.text).tx_bytes * 8) / (line_bps * makespan)) : 0;
    });
    const migs = processes.flatMap((p) => p.moves.filter((m) => m.ok && m.measured_s !== null));
    const jobs = this.job_records(processes);
    const totals: ClusterTotals = {
      processes: processes.length,
      completed: done.length,
      mean_slowdown: r6(mean(done.map((p) => p.slowdown!))),
      p95_slowdown: r6(p95(done.map((p) => p.slowdown!))),
      mean_bounded_slowdown: r6(mean(done.map((p) => p.bounded_slowdown!))),
      p95_bounded_slowdown: r6(p95(done.map((p) => p.bounded_slowdown!))),
      makespan_s: r6(makespan),
      utilisation: makespan > 0 ? r6(busy_ns / NS_PER_S / (c.nodes.length * makespan)) : 0,
      offered_load: offered_load(processes, this.spec.speeds),
      migrations: processes.reduce((a, p) => a + p.migrations, 0),
      migrations_per_process: r6(processes.reduce((a, p) => a + p.migrations, 0) / Math.max(1, processes.length)),
      bytes_moved: processes.reduce((a, p) => a + p.bytes_moved, 0),
      mean_relief_s: migs.length ? r6(mean(migs.map((m) => m.relief_s!))) : null,
      mean_cost_error_s: migs.length ? r6(mean(migs.map((m) => m.predicted_s - m.measured_s!))) : null,
      mean_abs_cost_error_rel: migs.length ? r6(mean(migs.map((m) => Math.abs(m.predicted_s - m.measured_s!) / Math.max(1e-3, m.measured_s!)))) : null,
      all_busy_s: this.all_busy_ns >= 0 ? r6(this.all_busy_ns / NS_PER_S - first) : null,
      max_link_util: Math.max(0, ...link_util),
      mean_job_slowdown: jobs.length ? r6(mean(jobs.filter((j) => j.slowdown !== null).map((j) => j.slowdown!))) : null,
      verified: leaked === 0 && processes.every((p) => p.verified),
    };
    return {
      schema: OUTPUT_SCHEMA,
      nodes: this.spec.nodes, speeds: this.spec.speeds, mem_mib: this.spec.mem_mib, scheme: this.spec.scheme, balancer: this.spec.balancer,
      threshold: this.spec.threshold, seed: this.spec.seed, profile: this.spec.profile.name, processes, jobs, totals,
      balance: this.balancers ? total_stats(this.balancers) : null,
      link_util,
      gossip: {
        windows: c.nodes.reduce((a, n) => a + (n.ext.get('infod') ? infod_of(n).windows_sent : 0), 0),
        oldest_entry_s: r6(this.oldest_entry_ns / NS_PER_S),
        false_verdicts: this.false_verdicts(),
      },
      leaked_frames: leaked,
    };
  }

  /** Pairs of nodes where one took the other as dead while it was alive (no node of a cluster run crashes: every verdict), from each node's record. */
  private false_verdicts(): number {
    const pairs = new Set<string>();
    for (const node of this.c.nodes) for (const v of verdicts_of(node)) if (this.c.node(v.peer).alive) pairs.add(`${node.id}>${v.peer}`);
    return pairs.size;
  }

  private job_records(processes: ProcRecord[]): JobRecord[] {
    const by = new Map<number, ProcRecord[]>();
    for (const p of processes) if (p.job !== null) by.set(p.job, [...(by.get(p.job) ?? []), p]);
    return [...by.entries()].map(([job, ps]) => {
      const arrival = Math.min(...ps.map((p) => p.arrival_s));
      const finish = ps.every((p) => p.finish_s !== null && p.outcome === 'completed') ? Math.max(...ps.map((p) => p.finish_s!)) : null;
      const alone = Math.max(...ps.map((p) => p.standalone_s));
      return { job, processes: ps.length, arrival_s: arrival, finish_s: finish, slowdown: finish === null ? null : r6((finish - arrival) / alone) };
    });
  }

  private record(p: Proc, audit: ReturnType<typeof audit_of>, moves: Move[]): ProcRecord {
    const { job } = p;
    // The task_struct of the node the process was last on, and how it ended.
    const end = p.task ? process_end(this.c, p.task.pid) : null;
    const task = end?.task ?? null;
    const standalone = standalone_ns(job.kernel, job.mib, job.cpu_s) / NS_PER_S;
    const failures: string[] = [];
    let outcome: ProcRecord['outcome'] = 'not started';
    let reason = p.reason;
    let finish: number | null = null;
    let bytes = 0;
    let migrations = 0;
    let freezes: [number, number][] = [];
    const nodes = [job.node];
    const records: MoveRecord[] = [];
    if (task) {
      const f = gather_figures(this.c, task.pid);
      bytes = f.bytes_transferred;
      migrations = f.migrations;
      freezes = f.freezes.map(([at, dur]) => [r6(at / NS_PER_S), r6(dur / NS_PER_S)]);
      const completed = !end!.running && end!.lost === null && task.exit_signal === null && task.exit_code === 0;
      outcome = completed ? 'completed' : 'killed';
      if (!task.alive) finish = r6(task.exit_ns / NS_PER_S);
      if (!completed) reason = end!.running ? 'still running when the run stopped' : end!.lost ?? (task.exit_reason || `exit code ${task.exit_code}`);
      if (!completed) failures.push(`exit-status: ${reason}`);
      // A killed process is audited too: no page may have come back wrong or as never existed.
      const v = audit.verdict(task.pid, completed);
      if (v.corrupt || v.lost) failures.push(`page-checksums: ${v.corrupt} corrupt, ${v.lost} lost${v.problem ? ` (${v.problem})` : ''}`);
      if (completed) for (const ch of p.checks?.() ?? []) if (!ch.ok) failures.push(`${ch.name}: ${ch.detail ?? 'failed'}`);
      // The k-th completed move is the k-th freeze; its blocked time runs until the next move resumed it (or the end).
      let k = 0;
      for (const m of moves) {
        const rec: MoveRecord = {
          from: m.from, to: m.to, reason: m.reason, asked_s: r6(m.asked_ns / NS_PER_S), ok: m.ok === true,
          predicted_s: r6(m.predicted_ns / NS_PER_S), predicted_freeze_s: r6(m.predicted_freeze_ns / NS_PER_S),
          measured_s: null, freeze_s: null, blocked_s: null, relief_s: null,
        };
        if (m.ok && f.freezes[k]) {
          const [at, dur] = f.freezes[k]!;
          const w0 = p.wait_at_resume[k] ?? task.page_wait_ns;
          const w1 = p.wait_at_resume[k + 1] ?? task.page_wait_ns;
          rec.freeze_s = r6(dur / NS_PER_S);
          rec.blocked_s = r6((w1 - w0) / NS_PER_S);
          rec.measured_s = r6((dur + w1 - w0) / NS_PER_S);
          rec.relief_s = r6((at - m.asked_ns) / NS_PER_S);
          nodes.push(m.to);
          k++;
        }
        records.push(rec);
      }
    } else failures.push(`start: ${reason}`);
    const turnaround = finish === null ? null : r6(finish - job.arrival_s);
    const ok = turnaround !== null && outcome === 'completed';
    return {
      pid: task?.pid ?? -1, kernel: job.kernel, mib: job.mib, mode: job.mode, cpu_s: job.cpu_s ?? null, lock: !!job.lock, job: job.job ?? null,
      arrival_s: job.arrival_s, finish_s: finish, home: job.node, nodes, migrations, standalone_s: r6(standalone), turnaround_s: turnaround,
      slowdown: ok ? r6(turnaround / standalone) : null,
      bounded_slowdown: ok ? r6(Math.max(1, turnaround / Math.max(10, standalone))) : null,
      page_wait_s: r6((task?.page_wait_ns ?? 0) / NS_PER_S), page_waits: task?.page_waits ?? 0,
      bytes_moved: bytes, outcome, reason, verified: failures.length === 0, failures, freezes, moves: records,
    };
  }
}

export function run_cluster(spec: ClusterSpec): ClusterResult {
  const sim = new ClusterSim(spec);
  sim.run_to_end();
  return sim.result();
}
