// A migrant's system calls: openMosix runs the ones that touch the process's
// home environment at its deputy (REM_SYSCALL, answered by DEP_SYSCALL); the
// others run where the process is.
import { block_task, complete_syscall } from '../kernel/sched.ts';
import { SYSCALL_BLOCKED, __NR_exit, __NR_getpid, __NR_gettimeofday, __NR_write, do_exit, type SyscallEntry } from '../kernel/syscalls.ts';
import type { Node } from '../kernel/node.ts';
import type { Task } from '../kernel/task.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { DEP_SYSCALL, REM_SYSCALL, type Msg } from './proto.ts';
import { om_node, om_task, type OmTask } from './state.ts';
import { lost_dependency, peer_lost } from './liveness.ts';
import { pause_begin, pause_end } from './pause.ts';

/**
 * Calls that openMosix sends home (the rest run where the process is). exit
 * is one: the deputy ends the process at home, where its parent waits.
 */
const REMOTE_CALLS = new Set([__NR_write, __NR_gettimeofday, __NR_getpid, __NR_exit]);

/** remote_do_syscall: ship a migrant's call to its deputy and wait for the reply. */
export function remote_do_syscall(task: Task, ent: SyscallEntry, args: number[]): number | typeof SYSCALL_BLOCKED | undefined {
  const st = om_task(task);
  if (!st) return undefined;
  if (task.node === task.home) return ent.nr === __NR_exit ? om_exit(st, args[0] ?? 0) : undefined;
  if (!REMOTE_CALLS.has(ent.nr)) return undefined;
  if (task.efault) return ent.fn(task, args); // the local check already failed: -EFAULT
  const mm = task.mm as MmStruct;
  let data: Uint8Array = new Uint8Array(0);
  if (ent.nr === __NR_write && (args[2] ?? 0) > 0 && (args[0] === 1 || args[0] === 2)) data = mm.copy_from_user(args[1]!, Math.min(args[2]!, 1 << 20));
  task.charge(task.node.cpu.cost_ns(register_om_costs(task.node.cpu).om_msg, 1));
  st.pending_call = { nr: ent.nr, args: args.slice(0, 6) };
  st.waiting_on = task.home.id;
  if (peer_lost(task.node, task.home.id)) pause_begin(st, task.clock_ns);
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
  st.waiting_on = -1;
  pause_end(st, node.cluster.queue.now_ns);
  const task = st.task;
  if (call.nr === __NR_exit) {
    task.clock_ns = Math.max(task.clock_ns, node.cluster.queue.now_ns);
    if (om_exit(st, call.args[0] ?? 0) === undefined) do_exit(task, (call.args[0] ?? 0) & 0xff);
    return;
  }
  if (call.nr === __NR_gettimeofday && m.ret === 0 && call.args[0]) (task.mm as MmStruct).copy_to_user(call.args[0], m.data);
  task.clock_ns = Math.max(task.clock_ns, node.cluster.queue.now_ns);
  complete_syscall(task, m.ret);
}

/**
 * The process exits: not while a node that holds pages of it is taken as
 * unreachable (the pages would be stranded there, or lost with it). It
 * waits, paused, until that node is heard again (exit_waits) or the
 * partition limit kills it. Returns undefined when it may exit now.
 */
function om_exit(st: OmTask, code: number): typeof SYSCALL_BLOCKED | undefined {
  const peer = lost_dependency(st);
  if (peer < 0) return undefined;
  st.exit_code = code & 0xff;
  st.waiting_on = peer;
  pause_begin(st, st.task.clock_ns);
  block_task(st.task);
  st.task.sys_pending = true;
  return SYSCALL_BLOCKED;
}

/** A node was heard again: a process waiting to exit on it may exit now. */
export function exit_waits(node: Node): void {
  for (const st of [...om_node(node).migrants.values()]) {
    if (st.exit_code < 0 || lost_dependency(st) >= 0) continue;
    const code = st.exit_code;
    st.exit_code = -1;
    st.waiting_on = -1;
    pause_end(st, node.cluster.queue.now_ns);
    st.task.clock_ns = Math.max(st.task.clock_ns, node.cluster.queue.now_ns);
    do_exit(st.task, code);
  }
}
