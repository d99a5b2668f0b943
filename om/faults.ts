// om's part of a fault plan: aborting a migration at one of mig_do_send's
// steps. The plan (kernel/faultplan.ts) names the nth migration of the run;
// the count of migrations started is the injector's, not a node's.
import type { Cluster } from '../kernel/cluster.ts';
import { fault_injected, fault_plan_of } from '../kernel/faultplan.ts';

/** mig_do_send's steps, in the order they run; an abort can name any of them. */
export const MIG_STEPS = ['mig_send_hshake', 'mig_send_mm', 'mig_send_vmas', 'mig_send_pages', 'mig_send_mpt', 'mig_send_proc_context'] as const;
export type MigStep = (typeof MIG_STEPS)[number];

interface AttemptCount {
  by_pid: Map<number, number>;
}

const attempts = (c: Cluster): AttemptCount => {
  let a = c.ext.get('om_mig_attempts') as AttemptCount | undefined;
  if (!a) c.ext.set('om_mig_attempts', (a = { by_pid: new Map() }));
  return a;
};

/** A migration of pid starts: its ordinal in the run (1 for the first). */
export function mig_attempt_begins(c: Cluster, pid: number): number {
  const a = attempts(c);
  const n = (a.by_pid.get(pid) ?? 0) + 1;
  a.by_pid.set(pid, n);
  return n;
}

/** The ordinal of pid's migration in progress (0: none yet). */
export const mig_attempt_now = (c: Cluster, pid: number): number => attempts(c).by_pid.get(pid) ?? 0;

/**
 * Whether the plan aborts pid's nth migration (default: the one in
 * progress) at this step on this side; if it does, the fault is noted as
 * injected now. A destination passes the ordinal it saw at the handshake:
 * messages of an attempt the source already gave up may still arrive.
 */
export function mig_abort_planned(c: Cluster, pid: number, step: MigStep, side: 'src' | 'dest', nth = mig_attempt_now(c, pid)): boolean {
  const plan = fault_plan_of(c);
  for (const rec of plan.faults) {
    const f = rec.fault;
    if (f.kind === 'abort' && f.side === side && f.step === step && f.nth === nth && rec.injected_ns === null) {
      fault_injected(c, rec, plan.t0_ns);
      return true;
    }
  }
  return false;
}
