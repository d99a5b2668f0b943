// A node's balancer: what every balancer of om/balance/ shares. One runs on
// each node, as openMosix's does, after each of its node's load computations
// (net/infod.ts). It knows its own node only: its run queue and processes,
// its memory, and what infoD brought it (the load vector's entries of the
// others, t0 to each, the line rate); the others' loads and speeds it knows
// only from their entries, and nothing it does reads another node.
//
// What it keeps:
// - when each of its processes arrived (was first seen on its run queue at
//   a load computation), for the residency rule: a process that has not been
//   here MIN_RESIDENCE_NS is not a candidate (never the newest arrival nor
//   one that just migrated in);
// - what it has sent toward each node (what the process weighs there) and
//   has not yet seen in that node's published load: from the request until
//   an entry of the target computed a whole load interval after the move
//   arrived (its exported load is a mean over the interval); a move that
//   failed is forgotten at once. So an openMosix copy, during which the
//   process is on no run queue and the target still looks idle, is not
//   booked twice;
// - its moves still in flight, whose weight leaves its own load at once, so
//   it may send several processes over successive load computations (or in
//   one), to several targets;
// - which of the migrants it holds pages for are pulling them (pages went
//   out for them since its last load computation, or they just left): what
//   they still hold here shares its line with the next migration, as do the
//   moves in flight (om/mig_cost.ts);
// - a seeded random generator: among equally good targets it picks one at
//   random, not the lowest node id, so overloaded nodes do not all pick the
//   same idle node.
// Locked processes (openMosix's /proc/PID/lock) never move.
import { kdebug } from '../../kernel/klog.ts';
import type { Cluster } from '../../kernel/cluster.ts';
import type { Node } from '../../kernel/node.ts';
import { FRAME_SIZE_B } from '../../kernel/physmem.ts';
import type { Rng } from '../../kernel/rng.ts';
import { TASK_RUNNING, type Task } from '../../kernel/task.ts';
import { NS_PER_S } from '../../kernel/time.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { infod_of, silence_limit_ns, type InfoD } from '../../net/infod.ts';
import { network_of, wire_bytes } from '../../net/link.ts';
import type { LoadEntry } from '../../net/loadvec.ts';
import { peer_lost } from '../liveness.ts';
import { LAZY, MIG_COST, type MigCostInput } from '../mig_cost.ts';
import { request_migration } from '../migrate.ts';
import { figures_of, om_node, om_task } from '../state.ts';

const dbg = kdebug('om:balance');

/** MOSIX's stability factor: a target must stay lighter than here with 1.3 processes more. */
export const STABILITY = 1.3;
/**
 * A process is not a candidate until it has been on its node this long: two
 * load computations, so its own arrival has shown in the node's load (and
 * the target's in the vector) before it is weighed again. With jobs of
 * seconds to hours this holds back only the newest, and a process that just
 * moved cannot move again before the load it left has been measured.
 */
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

export type MoveReason = 'load' | 'memory' | 'birth';

/** One move a node's balancer asked for, and how it went (its node's record). */
export interface Move {
  task: Task;
  pid: number;
  from: number;
  to: number;
  reason: MoveReason;
  /** The decision, virtual ns. */
  asked_ns: number;
  /** What the balancer expected it to cost the process (freeze + blocked), ns. */
  predicted_ns: number;
  predicted_freeze_ns: number;
  /** null while in flight; then whether it happened. */
  ok: boolean | null;
  done_ns: number;
  /** Refused at once (request_migration's errno), or 0. */
  errno: number;
}

export interface BalanceStats {
  /** Rounds run, moves asked for by load, memory and birth, refused at once, completed, failed later. */
  rounds: number;
  asked_load: number;
  asked_memory: number;
  asked_birth: number;
  refused: number;
  completed: number;
  failed: number;
}

export const new_stats = (): BalanceStats => ({ rounds: 0, asked_load: 0, asked_memory: 0, asked_birth: 0, refused: 0, completed: 0, failed: 0 });

/** A peer as this node sees it: its entry and the load it believes it has (what it sent there counted). */
export interface Peer {
  e: LoadEntry;
  load: number;
}

/** A process of this node that could move now. */
export interface Candidate {
  task: Task;
  mm: MmStruct;
  /** CPU time it has used, in standard-CPU ns (its age, MOSIX's and Harchol-Balter and Downey's measure of what it has left). */
  age_ns: number;
}

interface Sent {
  move: Move;
  /** What it weighs at the target (1 / its speed). */
  weight: number;
  /** When it arrived there, or -1 while it has not. */
  arrived_ns: number;
}

/** What every balancer's decision sees of its node now. */
export interface View {
  node: Node;
  now_ns: number;
  /** This node's load (local, smoothed, speed-normalised) less what is leaving. */
  local: number;
  /** Processes here (the mean run queue, at least 1). */
  n_here: number;
  peers: Peer[];
  candidates: Candidate[];
}

/** A balancing policy: what it does at a load computation, and when one of its node's processes starts. */
export interface BalancerPolicy {
  name: string;
  tick(b: NodeBalancer, v: View): void;
  spawned?(b: NodeBalancer, task: Task): void;
}

export class NodeBalancer {
  readonly stats = new_stats();
  /** Every move this node asked for, in order (gathered by userland at the end). */
  readonly moves: Move[] = [];
  readonly move_listeners: ((m: Move) => void)[] = [];
  private readonly first_seen = new WeakMap<Task, number>();
  private readonly sent = new Map<number, Sent[]>();
  private readonly inflight = new Set<Move>();
  /** Pages sent for each migrant this node holds pages for, at its last load computation. */
  private pulled = new Map<number, number>();
  /** The migrants whose pages are going out: some went since the last load computation, or they just left. */
  private readonly pulling = new Set<number>();
  /** Processes locked here. */
  private readonly locked = new WeakSet<Task>();
  private readonly silence_ns: number;
  /** This node's exported load at each of its load computations, as far back as an entry may be old: what it told the others then. */
  private readonly told: { at_ns: number; load: number }[] = [];
  readonly infod: InfoD;

  constructor(readonly node: Node, readonly opts: BalanceOptions, readonly policy: BalancerPolicy, readonly rng: Rng) {
    const c = node.cluster;
    this.silence_ns = silence_limit_ns(c.nodes.length, network_of(c).profile.infod_interval_ns);
    this.infod = infod_of(node);
  }

  get now_ns(): number {
    return this.node.cluster.queue.now_ns;
  }

  lock(task: Task): void {
    this.locked.add(task);
  }

  is_locked(task: Task): boolean {
    return this.locked.has(task);
  }

  /** When the process was first seen here (or now). */
  arrived(task: Task): number {
    let t = this.first_seen.get(task);
    if (t === undefined) {
      t = this.now_ns;
      this.first_seen.set(task, t);
    }
    return t;
  }

  /** A process of this node starts (spawned here): its arrival is its start. */
  spawned(task: Task): void {
    this.first_seen.set(task, task.start_ns);
    this.policy.spawned?.(this, task);
  }

  /** One round, after the node's load computation. */
  tick(): void {
    this.stats.rounds++;
    this.watch_pulling();
    const own = this.infod.peer_own();
    if (own) this.told.push({ at_ns: own.at_ns, load: own.load });
    while (this.told.length > 1 && this.now_ns - this.told[1]!.at_ns > this.silence_ns) this.told.shift();
    const v = this.view();
    this.policy.tick(this, v);
  }

  /**
   * What the decision sees now. The peers are looked at only when a move
   * could come of it (or `all`, for a placement): this node has a
   * candidate, and is either short of memory (ushering) or heavier than
   * an idle node of the fastest speed it knows would be with one process
   * more (the load test of every balancer, om/balance/mosix.ts): a cluster
   * of hundreds of nodes, most of them with nothing to give, then costs
   * each node nothing a load computation.
   */
  view(all = false): View {
    const now = this.now_ns;
    const d = this.infod;
    const candidates: Candidate[] = [];
    for (const t of this.node.runqueue) {
      if (t.node !== this.node || t.state !== TASK_RUNNING) continue;
      const since = this.arrived(t);
      if (t.stop_hook || !t.mm || !om_task(t) || this.locked.has(t) || this.moving(t)) continue;
      if (now - since < this.opts.min_residence_ns) continue;
      candidates.push({ task: t, mm: t.mm as MmStruct, age_ns: t.utime_ns * this.node.speed });
    }
    candidates.sort((a, b) => a.task.pid - b.task.pid);
    const leaving = this.inflight.size / this.node.speed;
    const local = d.load.local - leaving;
    const mem = this.node.mem;
    const short = this.opts.usher_free_share > 0 && mem.free_frames < this.opts.usher_free_share * mem.nframes;
    const could = candidates.length > 0 && (short || local - this.opts.threshold > this.opts.stability / Math.max(1e-9, d.vector.fastest));
    return { node: this.node, now_ns: now, local, n_here: Math.max(1, d.load.mean - leaving * this.node.speed), peers: all || could ? this.peers(now) : [], candidates };
  }

  private moving(t: Task): boolean {
    for (const m of this.inflight) if (m.task === t) return true;
    return false;
  }

  /** What this node believes of `e`'s node: its entry plus what it sent there that the entry does not show yet. */
  private believed_load(e: LoadEntry): number {
    const list = this.sent.get(e.node);
    if (!list) return e.load;
    const interval = network_of(this.node.cluster).profile.infod_interval_ns;
    const still = list.filter((s) => s.move.ok !== false && !(s.arrived_ns >= 0 && e.at_ns >= s.arrived_ns + interval));
    if (still.length === 0) this.sent.delete(e.node);
    else this.sent.set(e.node, still);
    return e.load + still.reduce((a, s) => a + s.weight, 0);
  }

  /**
   * Whether this node was more loaded than a peer by `margin` when the
   * peer's entry was computed, each as it told the others (exported loads):
   * news of a peer is compared with this node's own load of the same time
   * as well as with its load now. An old entry from when every node was
   * idle (the cluster had just started, and all filled up at once) shows no
   * difference then, and moves nothing; a peer that was lighter then and is
   * believed lighter now is a target. "Then" is this node's computation
   * nearest before the entry's, within half an interval after it: the
   * nodes compute their loads in step, and an entry's age travels in whole
   * ms, so one computed at the same moment as this node's may be dated a
   * fraction of a ms before it.
   */
  heavier_then(e: LoadEntry, margin: number): boolean {
    let then = 0; // before its first computation this node told nothing above idle
    const slack = network_of(this.node.cluster).profile.infod_interval_ns / 2;
    for (let i = this.told.length - 1; i >= 0; i--) {
      if (this.told[i]!.at_ns <= e.at_ns + slack) {
        then = this.told[i]!.load;
        break;
      }
    }
    return then - margin > e.load;
  }

  /** The fresh entries of reachable peers, with the load this node believes they have. */
  peers(now_ns: number): Peer[] {
    const out: Peer[] = [];
    for (const e of this.infod.vector.known()) {
      if (e.node === this.node.id || now_ns - e.at_ns > this.silence_ns || peer_lost(this.node, e.node)) continue;
      out.push({ e, load: this.believed_load(e) });
    }
    return out;
  }

  /**
   * The target for a candidate: the peer of lowest load once the candidate
   * is added there (its believed load plus the stability factor of what one
   * process weighs there), with room for its pages; ties broken at random.
   */
  target(peers: readonly Peer[], c: Candidate, stability = this.opts.stability): (Peer & { after: number }) | null {
    const need_B = c.mm.rss * FRAME_SIZE_B * TARGET_MEM_HEADROOM;
    let best: (Peer & { after: number })[] = [];
    for (const p of peers) {
      if (p.e.free_mem_B < need_B) continue;
      const after = p.load + stability / p.e.speed;
      if (best.length === 0 || after < best[0]!.after - 1e-9) best = [{ ...p, after }];
      else if (Math.abs(after - best[0]!.after) <= 1e-9) best.push({ ...p, after });
    }
    if (best.length === 0) return null;
    return best.length === 1 ? best[0]! : best[this.rng.int(0, best.length - 1)]!;
  }

  /** Which migrants this node holds pages for are pulling them (its own records: what it holds, what it sent). */
  private watch_pulling(): void {
    const next = new Map<number, number>();
    for (const [pid, h] of om_node(this.node).holders) {
      if (h.hpt.rss === 0) continue;
      const sent = figures_of(this.node, pid).pages_transferred;
      const before = this.pulled.get(pid);
      if (before === undefined || sent > before) this.pulling.add(pid);
      else this.pulling.delete(pid);
      next.set(pid, sent);
    }
    for (const pid of this.pulling) if (!next.has(pid)) this.pulling.delete(pid);
    this.pulled = next;
  }

  /** What this node still has to send for its other transfers, bytes each: the pages of the migrants pulling them, and the moves in flight. */
  private others_B(): number[] {
    const page_B = wire_bytes(FRAME_SIZE_B);
    const out: number[] = [];
    const holders = om_node(this.node).holders;
    for (const pid of this.pulling) {
      const h = holders.get(pid);
      if (h && h.hpt.rss > 0) out.push(h.hpt.rss * page_B);
    }
    for (const m of this.inflight) out.push(this.unsent_B(m, page_B));
    return out;
  }

  /**
   * What a move in flight still has to send, bytes, from this node's own
   * records: the whole image until an eager scheme's process is frozen (a
   * lazy one pulls it all afterwards); while an eager copy runs, what its
   * connection has not had acknowledged, and never less than the image
   * less what the line could have carried since the freeze (the pages are
   * handed to the connection over the first milliseconds). Counting a copy
   * at its whole image to its end made the next move look a whole image
   * dearer than it was, and the demo's seven copies left gaps on the line.
   */
  private unsent_B(m: Move, page_B: number): number {
    const image = ((m.task.mm as MmStruct | null)?.rss ?? 0) * page_B;
    const st = om_task(m.task);
    const out = om_node(this.node).outgoing.get(m.pid) as { phase: string; frozen_at_ns: number; dest: Node } | undefined;
    if (!st || LAZY[st.policy] || !out || out.phase !== 'sending') return image;
    const carried_B = ((this.now_ns - out.frozen_at_ns) * this.infod.line_bps) / 8 / NS_PER_S;
    const queued_B = network_of(this.node.cluster).unacked_B(this.node, out.dest, 'mig');
    return Math.min(image, Math.max(queued_B, image - carried_B));
  }

  /**
   * What moving `c` to `to` is expected to cost it under its scheme, ns
   * (om/mig_cost.ts): the line shared with what this node still has to send
   * for its other migrants. The process is taken to want its pages faster
   * than the wire brings them (cpu_per_page 0): true of hog at its default
   * rate (11 us of computing a page, where a page takes 340 us on Fast
   * Ethernet) and of the HPCC kernels; a process that computes more between
   * pages loses less, so this errs on the side of staying.
   */
  cost(c: Candidate, to: LoadEntry, share_src: number, share_dest: number): { freeze_ns: number; blocked_ns: number } {
    const st = om_task(c.task)!;
    const d = this.infod;
    const x: MigCostInput = {
      pages: c.mm.rss, page_wire_B: wire_bytes(FRAME_SIZE_B), cpu_per_page_ns: 0, t0_ns: d.t0_path_to(to.node), bw_bps: d.line_bps,
      others_B: this.others_B(), src_speed: this.node.speed, dest_speed: to.speed, share_src, share_dest,
    };
    const k = MIG_COST[st.policy](x);
    // A process away from home makes its system calls there (the deputy):
    // each costs a round trip to home, unless it moves home.
    const calls_per_ns = c.task.utime_ns > 0 ? c.task.nr_syscalls / (c.task.utime_ns * this.node.speed) : 0;
    const home = c.task.home.id;
    const rtt = (n: number): number => (n === home ? 0 : 2 * (n === this.node.id ? 0 : d.t0_path_to(n)));
    const here_rtt = c.task.node === c.task.home ? 0 : 2 * d.t0_path_to(home);
    const deputy = calls_per_ns * c.age_ns * (rtt(to.node) - here_rtt);
    return { freeze_ns: k.freeze_ns, blocked_ns: k.blocked_ns + deputy };
  }

  /** Ask for a move; returns whether it was taken on. */
  move(task: Task, to: number, reason: MoveReason, predicted: { freeze_ns: number; blocked_ns: number }, weight_there: number): boolean {
    const asked = this.now_ns;
    const m: Move = {
      task, pid: task.pid, from: this.node.id, to, reason, asked_ns: asked, predicted_ns: predicted.freeze_ns + predicted.blocked_ns,
      predicted_freeze_ns: predicted.freeze_ns, ok: null, done_ns: -1, errno: 0,
    };
    // The callback runs here, on this node: the migration committed (the
    // destination has everything; the process leaves this node's run
    // queue) or was called off.
    const rc = request_migration(task, this.node.cluster.node(to), undefined, (r) => {
      this.inflight.delete(m);
      m.ok = r.ok;
      m.done_ns = this.now_ns;
      if (r.ok) {
        this.stats.completed++;
        const s = (this.sent.get(to) ?? []).find((x) => x.move === m);
        if (s) s.arrived_ns = m.done_ns;
        // A lazy migrant pulls what this node now holds for it.
        this.pulling.add(m.pid);
      } else this.stats.failed++;
      for (const l of this.move_listeners) l(m);
    });
    if (reason === 'load') this.stats.asked_load++;
    else if (reason === 'memory') this.stats.asked_memory++;
    else this.stats.asked_birth++;
    this.moves.push(m);
    if (rc < 0) {
      this.stats.refused++;
      m.ok = false;
      m.errno = rc;
      m.done_ns = asked;
      dbg(this.node, 'pid %d to node%d refused (%d)', task.pid, to, rc);
      return false;
    }
    dbg(this.node, 'pid %d to node%d (%s)', task.pid, to, reason);
    this.inflight.add(m);
    const list = this.sent.get(to) ?? [];
    list.push({ move: m, weight: weight_there, arrived_ns: -1 });
    this.sent.set(to, list);
    return true;
  }
}

/**
 * What a candidate is expected to gain by moving to a target: its remaining
 * work, taken as the CPU time it has used (its age: a process that has run
 * for t is as likely as not to run for t more, the lifetime distribution
 * Harchol-Balter and Downey measured, and MOSIX's rule), at its share here
 * (1 / the processes here, at this speed) less at its share there (one
 * more process than the target's believed load). Also the shares.
 */
export function expected_gain(v: View, c: Candidate, t: Peer): { gain_ns: number; share_src: number; share_dest: number } {
  const s_here = v.node.speed;
  const s_there = t.e.speed;
  const n_there = t.load * s_there + 1;
  const gain_ns = (c.age_ns / s_here) * v.n_here - (c.age_ns / s_there) * n_there;
  return { gain_ns, share_src: 1 / v.n_here, share_dest: 1 / n_there };
}

/** Every node's balancer of a cluster, as userland holds them. */
export class ClusterBalancers {
  readonly nodes: NodeBalancer[] = [];
  constructor(readonly cluster: Cluster, readonly policy: BalancerPolicy) {}
  of(node: Node): NodeBalancer {
    return this.nodes[node.id]!;
  }
}
