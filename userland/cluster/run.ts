// The cluster runner: N nodes on one switch, a workload of jobs started on
// their nodes at their times, openMosix under one page-transfer scheme,
// and the balancer on every node (or off). It keeps, per process, where it
// ran and what it cost, and at the end checks that every process ran to
// its end and verified and that every page frame came back.
//
// ClusterSim advances in steps (the live monitor draws between them);
// run_cluster runs one to its end.
import { Cluster } from '../../kernel/cluster.ts';
import { OutOfFrames } from '../../mm/mm_struct.ts';
import { FRAME_SIZE_B } from '../../kernel/physmem.ts';
import { nr_running } from '../../kernel/sched.ts';
import type { Task } from '../../kernel/task.ts';
import { NS_PER_S, s_to_ns } from '../../kernel/time.ts';
import { spawn_program } from '../../mm/exec.ts';
import { infod_of } from '../../net/infod.ts';
import type { NetProfile } from '../../net/profiles.ts';
import { audit_of } from '../../om/audit.ts';
import { start_balancer, type Balancer, type BalanceStats, type MoveEvent } from '../../om/balance.ts';
import { om_init, om_keep_alive } from '../../om/index.ts';
import { peer_lost } from '../../om/liveness.ts';
import { om_task_init, type Policy } from '../../om/state.ts';
import { gather_figures, process_end } from '../experiment.ts';
import { make_hpcc, type HpccKernel } from '../hpcc/index.ts';
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
  balancer: 'off' | 'mosix';
  /** The balancer's aggressiveness: imbalance (processes) beyond the stability factor before it moves one. */
  threshold: number;
  profile: NetProfile;
  seed: number;
}

/** One process of the run, as the JSON reports it. */
export interface ProcRecord {
  pid: number;
  kernel: HpccKernel;
  mib: number;
  mode: Mode;
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
  /** Bytes of every om message sent for it (migration, paging, notes), headers included. */
  bytes_moved: number;
  outcome: 'completed' | 'killed' | 'not started';
  reason: string;
  verified: boolean;
  failures: string[];
  /** Its freezes (s from the run's start, duration s) and moves (from, to), for the Gantt chart. */
  freezes: [number, number][];
}

export interface ClusterTotals {
  processes: number;
  completed: number;
  mean_slowdown: number;
  p95_slowdown: number;
  makespan_s: number;
  migrations: number;
  bytes_moved: number;
  /** Every process completed and verified, and every node got all its frames back. */
  verified: boolean;
}

export interface ClusterResult {
  nodes: number;
  speeds: number[];
  mem_mib: number;
  scheme: Policy;
  balancer: 'off' | 'mosix';
  threshold: number;
  seed: number;
  profile: string;
  processes: ProcRecord[];
  totals: ClusterTotals;
  balance: BalanceStats | null;
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
  rec_nodes: number[];
  failures: string[];
  checks: (() => { name: string; ok: boolean; detail?: string }[]) | null;
  reason: string;
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export class ClusterSim {
  readonly c: Cluster;
  readonly balancer: Balancer | null;
  private readonly procs: Proc[] = [];
  private started = 0;
  private oldest_entry_ns = 0;
  private readonly verdicts = new Set<string>();

  constructor(readonly spec: ClusterSpec) {
    if (spec.speeds.length !== spec.nodes) throw new Error(`speeds must give one speed a node (${spec.nodes}), got ${spec.speeds.length}`);
    this.c = new Cluster({ nodes: spec.nodes, mem_B: spec.mem_mib * 2 ** 20, speeds: spec.speeds, seed: spec.seed });
    om_init(this.c, spec.profile);
    om_keep_alive(this.c, () => this.started < spec.jobs.length);
    this.balancer = spec.balancer === 'mosix' ? start_balancer(this.c, { threshold: spec.threshold }) : null;
    this.balancer?.move_listeners.push((m) => this.moved(m));
    for (const job of spec.jobs) this.c.queue.at(s_to_ns(job.arrival_s), () => this.start(job));
    this.watch_gossip();
  }

  private start(job: Job): void {
    const p: Proc = { job, task: null, rec_nodes: [job.node], failures: [], checks: null, reason: '' };
    this.procs.push(p);
    this.started++;
    const program = make_hpcc({ kernel: job.kernel, mib: job.mib, mode: job.mode });
    p.checks = program.checks ?? null;
    try {
      p.task = spawn_program(this.c, this.c.node(job.node), program.image, program.gen);
    } catch (e) {
      if (!(e instanceof OutOfFrames)) throw e;
      p.reason = `out of memory: node${job.node} could not load the program`;
      return;
    }
    om_task_init(p.task, this.spec.scheme);
  }

  private moved(m: MoveEvent): void {
    if (!m.ok) return;
    const p = this.procs.find((x) => x.task?.pid === m.task.pid);
    p?.rec_nodes.push(m.to);
  }

  /**
   * Once a second: how old the freshest entry of each live peer is on each
   * live node, and whether any node took a live peer as dead (it must not:
   * silence_limit_ns is set so that it does not).
   */
  private watch_gossip(): void {
    const c = this.c;
    const tick = (): void => {
      if (this.done_ish()) return;
      const now = c.queue.now_ns;
      for (const node of c.nodes) {
        if (!node.alive) continue;
        const heard = infod_of(node).last_heard_ns;
        for (const peer of c.nodes) {
          if (peer === node || !peer.alive) continue;
          this.oldest_entry_ns = Math.max(this.oldest_entry_ns, now - (heard.get(peer.id) ?? 0));
          if (peer_lost(node, peer.id)) this.verdicts.add(`${node.id}>${peer.id}`);
        }
      }
      c.queue.after(NS_PER_S, tick);
    };
    c.queue.after(NS_PER_S, tick);
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
      migrations: this.balancer?.stats.completed ?? 0,
    };
  }

  result(): ClusterResult {
    const c = this.c;
    const audit = audit_of(c);
    const processes: ProcRecord[] = [];
    for (const p of this.procs) processes.push(this.record(p, audit));
    for (const job of this.spec.jobs.slice(this.procs.length)) {
      processes.push(this.record({ job, task: null, rec_nodes: [job.node], failures: [], checks: null, reason: 'never started (the run stopped first)' }, audit));
    }
    let leaked = 0;
    for (const n of c.nodes) if (n.alive) leaked += n.mem.used_frames - (n.ext.has('zero_page') ? 1 : 0);
    const done = processes.filter((p) => p.slowdown !== null);
    const sd = done.map((p) => p.slowdown!).sort((a, b) => a - b);
    const first = Math.min(...processes.map((p) => p.arrival_s));
    const last = Math.max(0, ...processes.map((p) => p.finish_s ?? 0));
    const totals: ClusterTotals = {
      processes: processes.length,
      completed: done.length,
      mean_slowdown: r6(sd.reduce((a, b) => a + b, 0) / Math.max(1, sd.length)),
      p95_slowdown: sd.length ? r6(sd[Math.ceil(0.95 * sd.length) - 1]!) : 0,
      makespan_s: r6(last - first),
      migrations: processes.reduce((a, p) => a + p.migrations, 0),
      bytes_moved: processes.reduce((a, p) => a + p.bytes_moved, 0),
      verified: leaked === 0 && processes.every((p) => p.verified),
    };
    return {
      nodes: this.spec.nodes, speeds: this.spec.speeds, mem_mib: this.spec.mem_mib, scheme: this.spec.scheme, balancer: this.spec.balancer,
      threshold: this.spec.threshold, seed: this.spec.seed, profile: this.spec.profile.name, processes, totals,
      balance: this.balancer ? { ...this.balancer.stats } : null,
      gossip: {
        windows: c.nodes.reduce((a, n) => a + (n.ext.get('infod') ? infod_of(n).windows_sent : 0), 0),
        oldest_entry_s: r6(this.oldest_entry_ns / NS_PER_S),
        false_verdicts: this.verdicts.size,
      },
      leaked_frames: leaked,
    };
  }

  private record(p: Proc, audit: ReturnType<typeof audit_of>): ProcRecord {
    const { job } = p;
    // The task_struct of the node the process was last on, and how it ended.
    const end = p.task ? process_end(this.c, p.task.pid) : null;
    const task = end?.task ?? null;
    const standalone = standalone_ns(job.kernel, job.mib) / NS_PER_S;
    const failures: string[] = [];
    let outcome: ProcRecord['outcome'] = 'not started';
    let reason = p.reason;
    let finish: number | null = null;
    let bytes = 0;
    let migrations = 0;
    let freezes: [number, number][] = [];
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
      else {
        const v = audit.verdict(task.pid);
        if (v.corrupt || v.lost) failures.push(`page-checksums: ${v.corrupt} corrupt, ${v.lost} lost${v.problem ? ` (${v.problem})` : ''}`);
        for (const ch of p.checks?.() ?? []) if (!ch.ok) failures.push(`${ch.name}: ${ch.detail ?? 'failed'}`);
      }
    } else failures.push(`start: ${reason}`);
    const turnaround = finish === null ? null : r6(finish - job.arrival_s);
    return {
      pid: task?.pid ?? -1, kernel: job.kernel, mib: job.mib, mode: job.mode, arrival_s: job.arrival_s, finish_s: finish, home: job.node,
      nodes: p.rec_nodes, migrations, standalone_s: r6(standalone), turnaround_s: turnaround,
      slowdown: turnaround === null || outcome !== 'completed' ? null : r6(turnaround / standalone),
      bytes_moved: bytes, outcome, reason, verified: failures.length === 0, failures, freezes,
    };
  }
}

export function run_cluster(spec: ClusterSpec): ClusterResult {
  const sim = new ClusterSim(spec);
  sim.run_to_end();
  return sim.result();
}
