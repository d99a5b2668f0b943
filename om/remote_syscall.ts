// A migrant's system calls: openMosix runs the ones that touch the process's
// home environment at its deputy (REM_SYSCALL, answered by DEP_SYSCALL); the
// others run where the process is.
import { complete_syscall } from '../kernel/sched.ts';
import { SYSCALL_BLOCKED, __NR_getpid, __NR_gettimeofday, __NR_write, type SyscallEntry } from '../kernel/syscalls.ts';
import type { Node } from '../kernel/node.ts';
import type { Task } from '../kernel/task.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { DEP_SYSCALL, REM_SYSCALL, type Msg } from './proto.ts';
import { om_node, om_task } from './state.ts';

/** Calls that openMosix sends home (the rest run where the process is). */
const REMOTE_CALLS = new Set([__NR_write, __NR_gettimeofday, __NR_getpid]);

/** remote_do_syscall: ship a migrant's call to its deputy and wait for the reply. */
export function remote_do_syscall(task: Task, ent: SyscallEntry, args: number[]): number | typeof SYSCALL_BLOCKED | undefined {
  if (task.node === task.home || !REMOTE_CALLS.has(ent.nr)) return undefined;
  const st = om_task(task);
  if (!st) return undefined;
  if (task.efault) return ent.fn(task, args); // the local check already failed: -EFAULT
  const mm = task.mm as MmStruct;
  let data: Uint8Array = new Uint8Array(0);
  if (ent.nr === __NR_write && (args[2] ?? 0) > 0 && (args[0] === 1 || args[0] === 2)) data = mm.copy_from_user(args[1]!, Math.min(args[2]!, 1 << 20));
  task.charge(task.node.cpu.cost_ns(register_om_costs(task.node.cpu).om_msg, 1));
  st.pending_call = { nr: ent.nr, args: args.slice(0, 6) };
  comm_send(task.node, task.home, { type: REM_SYSCALL, pid: task.pid, call: { nr: ent.nr, args: args.slice(0, 6), data } }, task.clock_ns);
  return SYSCALL_BLOCKED;
}

/** DEP_SYSCALL: the deputy's answer to the call the migrant waits on. */
export function syscall_reply(node: Node, m: Msg): void {
  if (m.type !== DEP_SYSCALL) return;
  const st = om_node(node).migrants.get(m.pid);
  const call = st?.pending_call;
  if (!st || !call || !st.task.alive) return;
  st.pending_call = null;
  const task = st.task;
  if (call.nr === __NR_gettimeofday && m.ret === 0 && call.args[0]) (task.mm as MmStruct).copy_to_user(call.args[0], m.data);
  task.clock_ns = Math.max(task.clock_ns, node.cluster.queue.now_ns);
  complete_syscall(task, m.ret);
}
