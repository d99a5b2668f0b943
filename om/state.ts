// What openMosix keeps for a process beyond task_struct: its migration
// policy, the nodes holding its pages (HPTs), the pages on their way, and the
// figures the bench reports.
import type { Task } from '../kernel/task.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import type { Prefetcher } from '../mm/prefetch.ts';

export type Policy = 'openmosix' | 'noprefetch' | 'ampom';
export const POLICIES: Policy[] = ['openmosix', 'noprefetch', 'ampom'];
export const POLICY_CODE: Record<Policy, number> = { openmosix: 0, noprefetch: 1, ampom: 2 };

export interface OmStats {
  migrations: number;
  /** Start of the last migration and its freeze, virtual ns. */
  mig_start_ns: number;
  freeze_ns: number;
  /**
   * Page-fault requests (Figure 7): faults whose own page had to be asked
   * for, because it was neither local, arrived nor already on its way.
   */
  remote_fault_requests: number;
  /** Faults in a remote area, satisfied by a prefetched page or not (Algorithm 1 runs). */
  remote_faults: number;
  /** Request messages sent to page holders, for faulting pages or zones. */
  request_messages: number;
  /** Pages requested ahead of a fault (the dependent zone). */
  prefetched_pages: number;
  /** Pages that crossed the network for this task (migration and paging). */
  pages_transferred: number;
  /** Bytes of every om message for this task (headers included). */
  bytes_transferred: number;
  mpt_bytes: number;
  /** AMPoM's analysis time charged to the migrant, ns. */
  analysis_ns: number;
  /** Pages whose checksum on arrival differed from the one at the freeze. */
  corrupt_pages: number;
}

export class OmTask {
  policy: Policy;
  prefetcher: Prefetcher | null = null;
  /** node id -> the page table of the pages that node holds for the task (HPT). */
  readonly holders = new Map<number, MmStruct>();
  /** Pages requested and not yet installed (the request may not have reached the holder yet). */
  readonly inflight = new Set<number>();
  /** Pages a holder has sent that are on the wire now (they are nowhere else). */
  readonly onwire = new Set<number>();
  /** Pages that have arrived and wait for the next fault: vpn -> frame. */
  readonly arrived = new Map<number, { pfn: number; flags: number }>();
  /** The page the task is blocked on, or -1. */
  waiting_vpn = -1;
  /** Content checksums of the pages at the last freeze, for verification. */
  readonly checksums = new Map<number, number>();
  /** A migration asked for while pages were in flight waits for them. */
  deferred: (() => void) | null = null;
  readonly stats: OmStats = {
    migrations: 0, mig_start_ns: -1, freeze_ns: 0, remote_fault_requests: 0, remote_faults: 0, request_messages: 0, prefetched_pages: 0,
    pages_transferred: 0, bytes_transferred: 0, mpt_bytes: 0, analysis_ns: 0, corrupt_pages: 0,
  };
  constructor(policy: Policy) {
    this.policy = policy;
  }
}

const states = new WeakMap<Task, OmTask>();

export function om_task(task: Task): OmTask | undefined {
  return states.get(task);
}

export function om_task_init(task: Task, policy: Policy): OmTask {
  let s = states.get(task);
  if (!s) {
    s = new OmTask(policy);
    states.set(task, s);
  }
  s.policy = policy;
  return s;
}
