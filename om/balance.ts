// The load balancer, one a node, after MOSIX's (as openMosix ran it, and as
// Kerrighed's mosix_load_balancer renders it): it runs at each of its
// node's load computations (net/infod.ts) and moves at most one process at
// a time.
// - Memory first (memory ushering, om/usher.ts): a node short of free
//   memory sends a process away whatever the loads say.
// - Target: the node of lowest known load once the candidate is added,
//   its exported load plus STABILITY (1.3, MOSIX's stab_factor of 130% of
//   one process) times what one process weighs there (1 / its speed), from
//   the freshest load-vector entries (not those older than the silence
//   limit, nor nodes taken as unreachable), plus the processes this node
//   sent it since its entry was true. It must hold the candidate's pages.
// - The move must pay: this node's own (local, smoothed) load must exceed
//   that target load by the threshold (--balance-threshold, the
//   aggressiveness: 0 is MOSIX's own rule, more waits for more imbalance),
//   and the time the candidate is expected to gain must beat what the
//   migration is expected to cost it under its scheme (om/mig_cost.ts).
// - Candidate: among the processes running here that arrived (were started
//   or migrated in) at least MIN_RESIDENCE_NS ago, so never the newest
//   arrival nor one that just migrated, the one whose move pays most. The
//   expected remaining work of a process is the CPU time it has used (the
//   age rule of Harchol-Balter and Downey, which MOSIX's policy follows: a
//   process that has run for t is as likely as not to run for t more); the
//   gain is that work's time at its share here (1 / the processes here, at
//   this speed) less its time at its share there.
import { kdebug } from '../kernel/klog.ts';
import type { Cluster } from '../kernel/cluster.ts';
import type { Node } from '../kernel/node.ts';
import { FRAME_SIZE_B } from '../kernel/physmem.ts';
import { TASK_RUNNING, type Task } from '../kernel/task.ts';
import { NS_PER_S } from '../kernel/time.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { infod_of, silence_limit_ns } from '../net/infod.ts';
import { network_of } from '../net/link.ts';
import type { LoadEntry } from '../net/loadvec.ts';
import { peer_lost } from './liveness.ts';
import { mig_cost_ns, type MigCostInput } from './mig_cost.ts';
import { request_migration } from './migrate.ts';
import { om_task } from './state.ts';
import { usher_choice } from './usher.ts';

const dbg = kdebug('om:balance');

/** MOSIX's stability factor: a target must stay lighter than here with 1.3 processes more. */
export const STABILITY = 1.3;
/** A process is not considered for a move until it has been on its node this long (2 load intervals). */
export const MIN_RESIDENCE_NS = 2 * NS_PER_S;
/** A target must have this much more free memory than the candidate's pages. */
export const TARGET_MEM_HEADROOM = 1.1;

export interface BalanceOptions {
  /** How much more loaded (processes) this node must be than the target with the candidate: 0 is MOSIX's rule. */
  threshold: number;
  stability: number;
  min_residence_ns: number;
  /** Memory ushering below this share of a node's memory free (0: never). */
  usher_free_share: number;
}

export const DEFAULT_BALANCE: BalanceOptions = { threshold: 0, stability: STABILITY, min_residence_ns: MIN_RESIDENCE_NS, usher_free_share: 0.1 };

export type MoveReason = 'load' | 'memory';

/** A move the balancer asked for, and how it ended. */
export interface MoveEvent {
  task: Task;
  from: number;
  to: number;
  reason: MoveReason;
  ok: boolean;
  /** Asked at, and done at (virtual ns). */
  asked_ns: number;
  done_ns: number;
}

export interface BalanceStats {
  /** Rounds run, migrations asked for by load and by memory, refused at once, completed, failed later. */
  rounds: number;
  asked_load: number;
  asked_memory: number;
  refused: number;
  completed: number;
  failed: number;
}

interface NodeBalance {
  /** The migration this node asked for and is waiting on, if any. */
  inflight: Task | null;
  /** Processes this node sent to each node, not yet in that node's entry: what they weigh there and when sent. */
  sent: Map<number, { weight: number; at_ns: number }[]>;
}

export class Balancer {
  readonly stats: BalanceStats = { rounds: 0, asked_load: 0, asked_memory: 0, refused: 0, completed: 0, failed: 0 };
  /** When each process arrived on the node it is on (started there or migrated in), virtual ns. */
  readonly arrived = new WeakMap<Task, number>();
  readonly move_listeners: ((m: MoveEvent) => void)[] = [];
  private readonly silence_ns: number;

  constructor(readonly cluster: Cluster, readonly opts: BalanceOptions) {
    this.silence_ns = silence_limit_ns(cluster.nodes.length, network_of(cluster).profile.infod_interval_ns);
  }

  private state(node: Node): NodeBalance {
    return node.attach('om_balance', () => ({ inflight: null, sent: new Map() }));
  }

  /** The processes on a node that could move now. */
  private candidates(node: Node, now: number): Task[] {
    const out: Task[] = [];
    for (const t of this.cluster.tasks.values()) {
      if (t.node !== node || t.state !== TASK_RUNNING || t.stop_hook || !t.mm || !om_task(t)) continue;
      if (now - (this.arrived.get(t) ?? t.start_ns) < this.opts.min_residence_ns) continue;
      out.push(t);
    }
    return out;
  }

  /** The load this node believes `e`'s node has: its entry plus what it sent there since. */
  private believed_load(here: NodeBalance, e: LoadEntry): number {
    const sent = here.sent.get(e.node);
    if (!sent) return e.load;
    // Once the entry is newer than a move, the move shows in it.
    const still = sent.filter((s) => s.at_ns > e.at_ns);
    if (still.length === 0) here.sent.delete(e.node);
    else here.sent.set(e.node, still);
    return e.load + still.reduce((a, s) => a + s.weight, 0);
  }

  /** The fresh entries of reachable peers, with the load this node believes they have. */
  private peers(node: Node, now: number): { e: LoadEntry; load: number }[] {
    const here = this.state(node);
    const out: { e: LoadEntry; load: number }[] = [];
    for (const e of infod_of(node).vector.known()) {
      if (e.node === node.id || now - e.at_ns > this.silence_ns || peer_lost(node, e.node)) continue;
      out.push({ e, load: this.believed_load(here, e) });
    }
    return out;
  }

  /** One round on a node, after its load computation. */
  balance(node: Node): void {
    const here = this.state(node);
    if (here.inflight) {
      if (here.inflight.alive && here.inflight.node === node) return;
      if (!here.inflight.alive) here.inflight = null;
      else return; // on its way; done() clears it
    }
    this.stats.rounds++;
    const now = node.cluster.queue.now_ns;
    const cands = this.candidates(node, now);
    if (cands.length === 0) return;
    const peers = this.peers(node, now);
    if (peers.length === 0) return;
    const ush = usher_choice(node, cands, peers, this.opts.usher_free_share, TARGET_MEM_HEADROOM);
    if (ush) return this.move(node, ush.task, ush.to, 'memory');
    const d = infod_of(node);
    const local = d.load.local;
    const n_here = Math.max(1, d.load.mean);
    let best: { task: Task; to: number; net: number } | null = null;
    for (const task of cands) {
      const mm = task.mm as MmStruct;
      const need_B = mm.rss * FRAME_SIZE_B * TARGET_MEM_HEADROOM;
      // The target: lowest load with the candidate added (the stability factor), and room for its pages.
      let target: { e: LoadEntry; load: number; after: number } | null = null;
      for (const p of peers) {
        if (p.e.free_mem_B < need_B) continue;
        const after = p.load + this.opts.stability / p.e.speed;
        if (!target || after < target.after) target = { ...p, after };
      }
      if (!target || !(local - this.opts.threshold > target.after)) continue;
      const st = om_task(task)!;
      const s_here = node.speed;
      const s_there = target.e.speed;
      const n_there = target.load * s_there + 1;
      // Remaining work in standard-CPU ns: as much as it has done (its age).
      const work = task.utime_ns * s_here;
      const gain = (work / s_here) * n_here - (work / s_there) * n_there;
      const x: MigCostInput = {
        pages: mm.rss, cpu_per_page_ns: task.utime_ns / Math.max(1, mm.rss), td_ns: d.td_ns(), t0_ns: d.t0_to(target.e.node),
        bw_bps: d.available_bps, src_speed: s_here, dest_speed: s_there, share_src: 1 / n_here, share_dest: 1 / n_there,
      };
      const net = gain - mig_cost_ns(st.policy, x);
      if (net > 0 && (!best || net > best.net)) best = { task, to: target.e.node, net };
    }
    if (best) this.move(node, best.task, best.to, 'load');
  }

  private move(node: Node, task: Task, to: number, reason: MoveReason): void {
    const here = this.state(node);
    const dest = this.cluster.node(to);
    const asked = node.cluster.queue.now_ns;
    const ev = (ok: boolean): MoveEvent => ({ task, from: node.id, to, reason, ok, asked_ns: asked, done_ns: this.cluster.queue.now_ns });
    const rc = request_migration(task, dest, undefined, (r) => {
      if (here.inflight === task) here.inflight = null;
      if (r.ok) {
        this.stats.completed++;
        this.arrived.set(task, this.cluster.queue.now_ns);
      } else this.stats.failed++;
      for (const l of this.move_listeners) l(ev(r.ok));
    });
    if (reason === 'load') this.stats.asked_load++;
    else this.stats.asked_memory++;
    if (rc < 0) {
      this.stats.refused++;
      dbg(node, 'pid %d to node%d refused (%d)', task.pid, to, rc);
      return;
    }
    dbg(node, 'pid %d to node%d (%s)', task.pid, to, reason);
    here.inflight = task;
    const list = here.sent.get(to) ?? [];
    list.push({ weight: 1 / dest.speed, at_ns: asked });
    here.sent.set(to, list);
  }
}

/** Start a balancer on every node: it runs after each load computation. */
export function start_balancer(cluster: Cluster, opts: Partial<BalanceOptions> = {}): Balancer {
  const b = new Balancer(cluster, { ...DEFAULT_BALANCE, ...opts });
  for (const node of cluster.nodes) infod_of(node).load_listeners.push(() => b.balance(node));
  return b;
}
