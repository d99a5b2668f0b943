// Ending a migrant that cannot go on (no frame for a page that arrived, its
// home or a page holder unreachable): SIGKILL with a reason that says why,
// the way openMosix kills a process that lost its deputy.
import { SIGKILL, force_sig } from '../kernel/signal.ts';
import type { OmTask } from './state.ts';

export function kill_migrant(st: OmTask, reason: string): void {
  const task = st.task;
  if (!task.alive) return;
  task.exit_reason = reason;
  task.clock_ns = Math.max(task.clock_ns, task.node.cluster.queue.now_ns);
  force_sig(task, { signo: SIGKILL, code: 0, addr: 0 });
}
