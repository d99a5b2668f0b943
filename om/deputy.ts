// The deputy: what stays of a migrated process on its home node. It answers
// REM_PAGE from its home page table (HPT), deleting its copy of each page it
// sends, runs the migrant's system calls (REM_SYSCALL), and drops pages the
// migrant unmapped (REM_UNMAP). A node that a task migrated away from, and
// that still holds some of its pages, serves REM_PAGE for them the same way.
import createDebug from 'debug';
import { CPU_COPY_PAGE } from '../kernel/cpu.ts';
import type { Node } from '../kernel/node.ts';
import { sys_call_table } from '../kernel/syscalls.ts';
import type { Task } from '../kernel/task.ts';
import { NS_PER_S, NS_PER_US } from '../kernel/time.ts';
import { __NR_gettimeofday, __NR_write, __NR_getpid } from '../kernel/syscalls.ts';
import { EINVAL, ENOSYS } from '../kernel/errno.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { kernel_work } from './migrate.ts';
import { PAGE_ABSENT, take_page } from './pages.ts';
import { DEP_PAGES, DEP_SYSCALL, REM_PAGE, REM_SYSCALL, REM_UNMAP, type Msg, type PageRec, type RemSyscall } from './proto.ts';
import { om_task, type OmTask } from './state.ts';

const dbg = createDebug('om:deputy');

/** Pages per DEP_PAGES reply: the faulting page travels in the first one. */
export const DEP_PAGES_PER_MSG = 8;

/** deputy_main_loop: one message for the task arrived at a holder node. */
export function deputy_main_loop(node: Node, task: Task, from: Node, m: Msg, reply: (m: Msg) => void): void {
  const st = om_task(task);
  if (!st) return;
  deputy_process_communication(node, task, st, from, m, reply);
}

function deputy_process_communication(node: Node, task: Task, st: OmTask, from: Node, m: Msg, reply: (m: Msg) => void): void {
  const costs = register_om_costs(node.cpu);
  const now = node.cluster.queue.now_ns;
  switch (m.type) {
    case REM_PAGE: {
      const hpt = st.holders.get(node.id);
      let t = kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      for (let i = 0; i < m.vpns.length; i += DEP_PAGES_PER_MSG) {
        const pages: PageRec[] = [];
        for (const vpn of m.vpns.slice(i, i + DEP_PAGES_PER_MSG)) {
          const data = hpt ? take_page(hpt, vpn) : null;
          pages.push(data ? { vpn, flags: 0, data } : { vpn, flags: PAGE_ABSENT, data: new Uint8Array(4096) });
          if (data) {
            st.stats.pages_transferred++;
            st.onwire.add(vpn);
          }
        }
        t = kernel_work(node, t, node.cpu.cost_ns(CPU_COPY_PAGE, pages.length) + node.cpu.cost_ns(costs.om_msg, 1));
        comm_send(node, from, { type: DEP_PAGES, pages }, t, reply, st);
      }
      break;
    }
    case REM_SYSCALL: {
      const t = kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 2));
      const { ret, data } = deputy_do_syscall(node, task, m.call, t);
      comm_send(node, from, { type: DEP_SYSCALL, ret, data }, t, reply, st);
      break;
    }
    case REM_UNMAP: {
      kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      const hpt = st.holders.get(node.id);
      if (hpt) for (const vpn of m.vpns) take_page(hpt, vpn);
      break;
    }
    default:
      dbg('%s: unexpected message %d for pid %d', node.name, m.type, task.pid);
  }
}

/** Run a migrant's system call at home; out-data (timeval) goes back with the reply. */
export function deputy_do_syscall(node: Node, task: Task, call: RemSyscall, t_ns: number): { ret: number; data: Uint8Array } {
  const none = new Uint8Array(0);
  switch (call.nr) {
    case __NR_getpid:
      return { ret: task.pid, data: none };
    case __NR_gettimeofday: {
      const data = new Uint8Array(8);
      const v = new DataView(data.buffer);
      v.setInt32(0, Math.floor(t_ns / NS_PER_S), true);
      v.setInt32(4, Math.floor((t_ns % NS_PER_S) / NS_PER_US), true);
      return { ret: 0, data };
    }
    case __NR_write: {
      const fd = call.args[0];
      if (fd !== 1 && fd !== 2) return { ret: -9, data: none };
      node.console += new TextDecoder().decode(call.data);
      return { ret: call.data.length, data: none };
    }
    default:
      return { ret: sys_call_table.has(call.nr) ? -EINVAL : -ENOSYS, data: none };
  }
}

export { REM_SYSCALL };
