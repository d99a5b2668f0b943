// A fault plan: the failures a run injects, as data. It is parsed once
// (userland/faults.ts) and each fault is applied by the layer it belongs to:
// a crash here in the kernel, partitions and loss in net/, a migration abort
// in om/'s migration steps. Every fault notes when it really happened, so a
// run can report what it injected.
import type { Cluster } from './cluster.ts';

export type Fault =
  /** The node crashes at at_ns (virtual ns since the run started). */
  | { kind: 'crash'; node: number; at_ns: number }
  /** Frames between a and b, both ways, are lost from at_ns for dur_ns. */
  | { kind: 'partition'; a: number; b: number; at_ns: number; dur_ns: number }
  /**
   * The nth migration (1-based) is aborted at one of mig_do_send's steps:
   * by its source (side 'src'), or refused by its destination on receiving
   * that step's message (side 'dest').
   */
  | { kind: 'abort'; side: 'src' | 'dest'; step: string; nth: number }
  /** netem's loss, duplication or reordering on every link from at_ns for dur_ns (Infinity: to the end). */
  | { kind: 'netem'; what: 'loss' | 'duplicate' | 'reorder'; share: number; at_ns: number; dur_ns: number };

export interface FaultRecord {
  /** The fault as the user wrote it. */
  spec: string;
  fault: Fault;
  /** When it took effect, virtual ns since the run started; null if it never did. */
  injected_ns: number | null;
}

export interface FaultPlan {
  faults: FaultRecord[];
  /** When the run started (faults' times count from here), virtual ns. */
  t0_ns: number;
}

export const empty_plan = (): FaultPlan => ({ faults: [], t0_ns: 0 });

/** The plan a cluster runs under (om and net read their part from here). */
export function fault_plan_of(cluster: Cluster): FaultPlan {
  let p = cluster.ext.get('faultplan') as FaultPlan | undefined;
  if (!p) cluster.ext.set('faultplan', (p = empty_plan()));
  return p;
}

/** Note that a fault took effect now. */
export function fault_injected(cluster: Cluster, rec: FaultRecord, t0_ns: number): void {
  if (rec.injected_ns === null) rec.injected_ns = cluster.queue.now_ns - t0_ns;
}

/** Arm the plan's crashes (the kernel's part); t0_ns is the run's start. */
export function arm_crashes(cluster: Cluster, plan: FaultPlan, t0_ns: number): void {
  plan.t0_ns = t0_ns;
  cluster.ext.set('faultplan', plan);
  for (const rec of plan.faults) {
    const f = rec.fault;
    if (f.kind !== 'crash') continue;
    cluster.queue.at(t0_ns + f.at_ns, () => {
      const node = cluster.nodes[f.node];
      if (!node || !node.alive) return;
      fault_injected(cluster, rec, t0_ns);
      cluster.crash_node(node);
    });
  }
}
