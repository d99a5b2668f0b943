// What openMosix keeps on each node about the processes it deals with.
//
// Nodes share nothing but the wire: every node has its own table (OmNode)
// of the processes it runs (the migrant's record), those whose home it is
// (the deputy), those whose pages it holds (an HPT), the migrations it is
// sending or receiving, and the figures it counted. Messages carry the pid,
// and the receiver looks its own record up. A crash drops one node's table
// and nothing else.
import type { Node } from '../kernel/node.ts';
import type { Task } from '../kernel/task.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import type { Prefetcher } from '../mm/prefetch.ts';
import type { PrecopyRule } from './schemes/index.ts';
import { VpnSet } from './vpn_table.ts';

/**
 * Page-transfer schemes (om/schemes/): the paper's three; prefetchers of
 * the state of the art that migrate as AMPoM does and differ only in the
 * zone they ask for (mm/linux_ra.ts, mm/vma_ra.ts, mm/leap.ts) and today's
 * far-memory prefetchers (mm/fastswap.ts, mm/canvas.ts, mm/hermit.ts,
 * mm/aifm.ts); pre-copy and post-copy; ampom-push; and the oracle
 * (mm/oracle.ts), which knows the future and is the bound, not a scheme.
 */
export type Policy =
  | 'openmosix' | 'noprefetch' | 'ampom' | 'linux-ra' | 'vma-ra' | 'leap' | 'precopy' | 'postcopy' | 'ampom-push'
  | 'fastswap' | 'canvas' | 'hermit' | 'aifm' | 'oracle';
export const POLICIES: Policy[] = [
  'openmosix', 'noprefetch', 'ampom', 'linux-ra', 'vma-ra', 'leap', 'precopy', 'postcopy', 'ampom-push', 'fastswap', 'canvas', 'hermit', 'aifm', 'oracle',
];
/** The paper's three (--scheme paper). */
export const PAPER_POLICIES: Policy[] = ['openmosix', 'noprefetch', 'ampom'];
export const POLICY_CODE: Record<Policy, number> = {
  openmosix: 0, noprefetch: 1, ampom: 2, 'linux-ra': 3, 'vma-ra': 4, leap: 5, precopy: 6, postcopy: 7, 'ampom-push': 8,
  fastswap: 9, canvas: 10, hermit: 11, aifm: 12, oracle: 13,
};
export const policy_of_code = (code: number): Policy | undefined => POLICIES.find((p) => POLICY_CODE[p] === code);

/** What one node counted about one process; the run's figures are their sum over the nodes. */
export interface OmFigures {
  /** Migrations that completed here (counted by the destination). */
  migrations: number;
  /** [start, freeze] of each migration that completed here, virtual ns. */
  freezes: [number, number][];
  /** Migrations aborted while this node was sending them. */
  aborts: number;
  /**
   * Page-fault requests (Figure 7): faults whose own page had to be asked
   * for, because it was neither local, arrived nor already on its way.
   */
  remote_fault_requests: number;
  /** Faults in a remote area, satisfied by a prefetched page or not (Algorithm 1 runs). */
  remote_faults: number;
  /** Other faults after migration that entered AMPoM's window and ran Algorithm 1 (--ampom-window all). */
  local_window_faults: number;
  /** Request messages sent to page holders, for faulting pages or zones. */
  request_messages: number;
  /** Pages requested ahead of a fault (the dependent zone). */
  prefetched_pages: number;
  /** Pages this node sent for the process (migration and paging). */
  pages_transferred: number;
  /** Bytes of every om message this node sent for the process (headers included). */
  bytes_transferred: number;
  mpt_bytes: number;
  /** The prefetcher's analysis time charged to the migrant here, ns. */
  analysis_ns: number;
  /** Zone pages whose first use was seen (a readahead hit). */
  prefetch_hits: number;
  /** Zone pages that arrived and were never used before the process exited or moved on (or unmapped them). */
  wasted_prefetch: number;
  /** Zone pages still on their way when the process exited: prefetched = hits + wasted + these. */
  prefetch_in_flight: number;
  /** When each migration this node sent began (pre-copy: its first round), virtual ns. */
  started: number[];
  /** When this node, a migration's source, came to hold no page of the process (empty: it still held some at the end). */
  emptied: number[];
  /** Pages a holder pushed unasked. */
  pushed_pages: number;
  /** Pre-copy rounds run, and the bytes they sent. */
  precopy_rounds: number;
  precopy_bytes: number;
  /** Bytes the source sent while the process was frozen. */
  downtime_bytes: number;
  /** Bytes of pages sent after the freeze (asked for or pushed). */
  postcopy_bytes: number;
  /** Time the migrant spent waiting on a node taken as unreachable (om/pause.ts), ns, and how many such waits. */
  paused_ns: number;
  pauses: number;
  /**
   * Each demand fault's latency here, ns: from its request leaving to its
   * page installed (faults on a page already on its way are not in it).
   */
  demand_fault_ns: number[];
  /** Pages a pusher sent again ahead of the push, for a demand fault on a page still on its way. */
  demand_resent_pages: number;
  /**
   * Each wait of the migrant for a page held on another node, ns: from the
   * remote fault that found its page absent (after installing the pages
   * that had arrived; the prefetcher's analysis and the requests are part
   * of it) until the page is installed.
   */
  page_waits_ns: number[];
}

export const new_figures = (): OmFigures => ({
  migrations: 0, freezes: [], aborts: 0, remote_fault_requests: 0, remote_faults: 0, local_window_faults: 0, request_messages: 0, prefetched_pages: 0,
  pages_transferred: 0, bytes_transferred: 0, mpt_bytes: 0, analysis_ns: 0, prefetch_hits: 0, wasted_prefetch: 0, prefetch_in_flight: 0,
  started: [], emptied: [], pushed_pages: 0, precopy_rounds: 0, precopy_bytes: 0, downtime_bytes: 0, postcopy_bytes: 0, paused_ns: 0, pauses: 0,
  demand_fault_ns: [], demand_resent_pages: 0,
  page_waits_ns: [],
});

/** The migrant's record, on the node the process runs on (home included). */
export class OmTask {
  prefetcher: Prefetcher | null = null;
  /** Pages requested and not yet installed (the request may not have reached the holder yet). */
  readonly inflight = new VpnSet();
  /** Pages that have arrived and wait for the next fault: vpn -> frame and PTE state. */
  readonly arrived = new Map<number, { pfn: number; flags: number }>();
  /** The page the task is blocked on, or -1. */
  waiting_vpn = -1;
  /** When the fault that waits for waiting_vpn found it must wait (the start of a blocked time), or -1. */
  wait_from_ns = -1;
  /** The node whose answer the task waits for (a page's holder, or its home for a system call), or -1. */
  waiting_on = -1;
  /** Since when it waits on a node taken as unreachable (om/pause.ts), or -1. */
  paused_since_ns = -1;
  /** The exit status of an exit that waits for an unreachable page holder (om/remote_syscall.ts), or -1. */
  exit_code = -1;
  /** Pages a zone asked for that have not been used yet (a first use is a hit). */
  readonly zone_unused = new VpnSet();
  /** A migration asked for while pages were in flight waits for them. */
  deferred: (() => void) | null = null;
  /**
   * Other nodes that may hold pages of the process (named by its page table
   * when it arrived): they hear of its exit, and losing one may end it.
   */
  readonly holders = new Set<number>();
  /** A system call sent to the deputy, waiting for its reply. */
  pending_call: { nr: number; args: number[] } | null = null;
  /** Holders pushing pages to it; before it migrates again each must stop. */
  readonly pushers = new Set<number>();
  /** Holders asked to stop pushing that have not said they did. */
  readonly push_stopping = new Set<number>();
  /**
   * Which faults feed AMPoM's window: 'all' of the migrant's (§3.1: "the
   * i-th page fault"), or only those in a remote area ('remote').
   */
  ampom_window: 'all' | 'remote' = 'all';
  /**
   * Whether its demand faults use the demand connection (om/comm.ts): on,
   * off, or null for its scheme's default (Scheme.preempt).
   */
  preempt: boolean | null = null;
  /** When the request for the page it waits on left (-1: it asked for none; the page was already on its way). */
  demand_sent_ns = -1;
  /**
   * Pages asked for on the demand connection whose reply has not come: a
   * migration waits for them too (a reply may carry a second copy of a
   * pushed page, which must not reach a node the process has left): vpn
   * -> the holder asked.
   */
  readonly demand_out = new Map<number, number>();
  /** Pre-copy's stop rule for this process (the scheme's, unless a run chose another). */
  precopy_rule: PrecopyRule | null = null;
  /** The process's migration attempts so far (MIG_TASK carries the count on): see MigOut.gen. */
  mig_gen = 0;
  constructor(
    readonly task: Task,
    public policy: Policy,
    readonly home: number,
  ) {}
  get pid(): number {
    return this.task.pid;
  }
}

/** The deputy: what the home node keeps of a process of its own, wherever it runs. */
export class Deputy {
  /** The node the process runs on (home itself when it is back). */
  where: number;
  /**
   * The migration `where` is news of: a REM_WHERE from an older one (the
   * connection from an earlier source can deliver it late) is not news.
   */
  where_gen = 0;
  /** Nodes that may hold pages of the process, as the migrant last said. */
  readonly holders = new Set<number>();
  /**
   * Migrations (by gen) that their destination gave up after MIG_DONE,
   * heard before the news that their source had let go: if that news comes,
   * the process is lost.
   */
  readonly dropped = new Map<number, number>();
  /** When this deputy last asked the node the process runs on whether it is there (om/liveness.ts). */
  checked_ns = 0;
  /** Set when the process ended away from home, or was lost with its node. */
  outcome: { exit_code: number; lost: string | null } | null = null;
  constructor(
    readonly pid: number,
    readonly comm: string,
    home: number,
  ) {
    this.where = home;
  }
}

/** Pages a node holds for a process that runs elsewhere (its HPT). */
export class PageHolder {
  /** Since when this node has not heard from the process's home (-1: it hears it). */
  orphan_since_ns = -1;
  /** When this node last asked the home whether the process still exists. */
  checked_ns = 0;
  constructor(
    readonly pid: number,
    readonly home: number,
    readonly hpt: MmStruct,
  ) {}
}

export class OmNode {
  readonly migrants = new Map<number, OmTask>();
  readonly deputies = new Map<number, Deputy>();
  readonly holders = new Map<number, PageHolder>();
  /** Pushes this node is making, by pid (om/push.ts). */
  readonly pushers = new Map<number, unknown>();
  /** Migrations this node is sending (source side), by pid. */
  readonly outgoing = new Map<number, unknown>();
  /** Migrations this node is receiving (destination side), by pid. */
  readonly incoming = new Map<number, unknown>();
  readonly figures = new Map<number, OmFigures>();
  /** What this node's deputies had to report (a process lost with the node it ran on). */
  readonly reports: string[] = [];
  /** Pids whose deputy here took the process as lost: a migrant that still asks is told so. */
  readonly given_up = new Set<number>();
  /**
   * What became of the processes that ran here and are gone: sent on to
   * another node (its migration's gen), or exited (its status). A deputy
   * that asks (HOLD_CHECK) hears it again: the news it sent may have been
   * lost with a connection that gave up.
   */
  readonly left = new Map<number, { to: number; gen: number } | { code: number }>();
  /** How each process of this home ended, as its deputy learnt it (what the process's parent would see). */
  readonly ended = new Map<number, NonNullable<Deputy['outcome']>>();
}

/** A node's om records, made on first use (a factory: om_node is asked at every message, fault and page, so no closure a call). */
const new_om_node = (): OmNode => new OmNode();

export function om_node(node: Node): OmNode {
  if (share_nothing_check) {
    const ctx = node.cluster.queue.ctx;
    if (ctx !== null && ctx !== node) throw new Error(`share nothing: ${(ctx as Node).name ?? 'another node'} reached into ${node.name}'s om records`);
  }
  return node.attach('om', new_om_node);
}

/**
 * When on, om_node throws if the running event acts for another node than
 * the one whose records it asks for (EventQueue.ctx): each node's om state
 * is reachable only through that node. Tests turn it on; a run does not
 * pay for it beyond this test of a boolean.
 */
let share_nothing_check = false;
export function set_share_nothing_check(on: boolean): void {
  share_nothing_check = on;
}

/** The migrant's record of a task, on the node it runs on. */
export function om_task(task: Task): OmTask | undefined {
  return om_node(task.node).migrants.get(task.pid);
}

/** What this node counts about pid. */
export function figures_of(node: Node, pid: number): OmFigures {
  const t = om_node(node).figures;
  let f = t.get(pid);
  if (!f) t.set(pid, (f = new_figures()));
  return f;
}

/**
 * Make a task an openMosix process with a migration policy: its record on
 * the node it runs on, and its deputy at home.
 */
export function om_task_init(task: Task, policy: Policy): OmTask {
  const here = om_node(task.node);
  let st = here.migrants.get(task.pid);
  if (!st) {
    // Only a process's home makes it an openMosix process: elsewhere it
    // arrived by a migration, which brought its record.
    if (task.node !== task.home) throw new Error(`pid ${task.pid} on ${task.node.name} has no openMosix record (only its home makes one)`);
    st = new OmTask(task, policy, task.home.id);
    here.migrants.set(task.pid, st);
    here.deputies.set(task.pid, new Deputy(task.pid, task.comm, task.home.id));
  }
  st.policy = policy;
  return st;
}
