// A migrant's munmap and exit: pages held elsewhere for an unmapped range
// are dropped there (paper §2.2, REM_UNMAP), and at exit the deputy and every
// node that may hold pages hear of it (REM_EXIT) and let them go.
import { EINTR } from '../kernel/errno.ts';
import type { Node } from '../kernel/node.ts';
import type { Task } from '../kernel/task.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { PAGE_SIZE } from '../mm/pgtable.ts';
import { audit_of } from './audit.ts';
import { comm_send } from './comm.ts';
import { deputy_exit } from './deputy.ts';
import { precopy_unmapped } from './migrate.ts';
import { MIG_ABORT, REM_EXIT, REM_UNMAP } from './proto.ts';
import { holder_of, mm_owner } from './remote.ts';
import { figures_of, om_node, om_task } from './state.ts';
import { pause_end } from './pause.ts';

/** munmap on a migrant: pages held elsewhere in the range are dropped there (§2.2). */
export function remote_munmap(mm: MmStruct, start: number, end: number): void {
  const task = mm_owner(mm);
  if (!task) return;
  const st = om_task(task);
  if (!st) return;
  audit_of(task.node.cluster).forget(task.pid, start, end);
  const by_holder = new Map<number, number[]>();
  for (let v = start / PAGE_SIZE; v < end / PAGE_SIZE; v++) {
    // Pages that came for the old mapping must not meet a new one here.
    const a = st.arrived.get(v);
    if (a) {
      task.node.mem.put(a.pfn);
      st.arrived.delete(v);
    }
    if (st.zone_unused.delete(v)) figures_of(task.node, task.pid).wasted_prefetch++; // brought, never used
    // One on its way is dropped when it comes (its table entry is gone).
    if (st.inflight.delete(v)) continue;
    const h = holder_of(mm, v);
    if (h < 0) continue;
    let l = by_holder.get(h);
    if (!l) by_holder.set(h, (l = []));
    l.push(v);
  }
  for (const [h, vpns] of by_holder) comm_send(task.node, task.node.cluster.node(h), { type: REM_UNMAP, pid: task.pid, vpns }, task.clock_ns);
  mm.remote_ranges.drop(start, end);
  precopy_unmapped(task.node, task.pid, start, end);
}

/**
 * The migrant exited (or was killed) where it runs: the deputy and every
 * node that may hold its pages hear of it and let them go.
 */
export function remote_exit(task: Task): void {
  const node = task.node;
  const here = om_node(node);
  const st = here.migrants.get(task.pid);
  if (!st) return;
  pause_end(st, Math.max(task.clock_ns, node.cluster.queue.now_ns));
  here.migrants.delete(task.pid);
  for (const { pfn } of st.arrived.values()) node.mem.put(pfn);
  st.arrived.clear();
  st.inflight.clear();
  st.demand_out.clear();
  st.deferred = null;
  // A migration it was stopped for is called off.
  const out = here.outgoing.get(task.pid) as { dest: Node } | undefined;
  if (out) {
    here.outgoing.delete(task.pid);
    comm_send(node, out.dest, { type: MIG_ABORT, pid: task.pid, errno: -EINTR }, node.cluster.queue.now_ns, { conn: 'mig' });
  }
  const code = task.exit_code;
  if (node !== task.home) here.left.set(task.pid, { code });
  const told = new Set<number>([node.id]);
  if (node === task.home) {
    const dep = here.deputies.get(task.pid);
    if (dep) {
      dep.holders.forEach((h) => told.add(h));
      deputy_exit(node, dep, { exit_code: code, lost: null });
    }
  } else {
    told.add(task.home.id);
    comm_send(node, task.home, { type: REM_EXIT, pid: task.pid, code }, node.cluster.queue.now_ns);
  }
  for (const h of st.holders) {
    if (told.has(h)) continue;
    told.add(h);
    comm_send(node, node.cluster.node(h), { type: REM_EXIT, pid: task.pid, code }, node.cluster.queue.now_ns);
  }
}
