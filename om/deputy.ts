// The deputy and the page holders: what a node does for a process that runs
// elsewhere. A holder answers REM_PAGE from its home page table (HPT),
// deleting its copy of each page it sends (a page it never had goes back as
// a header with PG_ABSENT), and drops pages the migrant unmapped
// (REM_UNMAP). The deputy, at home, also runs the migrant's system calls
// (REM_SYSCALL) and keeps track of where the process is (REM_WHERE). When the
// process exits (REM_EXIT) every node lets go of what it held for it.
import { kdebug } from '../kernel/klog.ts';
import { CPU_COPY_PAGE } from '../kernel/cpu.ts';
import type { Node } from '../kernel/node.ts';
import { sys_call_table, __NR_gettimeofday, __NR_write, __NR_getpid } from '../kernel/syscalls.ts';
import { NS_PER_S, NS_PER_US } from '../kernel/time.ts';
import { EBADF, EINVAL, ENOSYS, ESRCH } from '../kernel/errno.ts';
import { audit_of } from './audit.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { kernel_work } from './kclock.ts';
import { copy_page, drop_page, own_page } from './pages.ts';
import {
  DEP_PAGES, DEP_SYSCALL, HOLD_ANSWER, MIG_DROPPED, OMP_DEMAND, OMP_PREEMPT_ON, OMP_PUSH_DEMAND, PG_ABSENT, PG_ONWAY, REM_EXIT, REM_PAGE, REM_PUSH_START, REM_PUSH_STOP, REM_SYSCALL, REM_UNMAP, REM_WHERE,
  message_B, type Msg, type PageRec, type RemSyscall,
} from './proto.ts';
import { holder_emptied, push_pump, push_start, push_stop, pusher_of } from './push.ts';
import { figures_of, om_node, type Deputy, type PageHolder } from './state.ts';

const dbg = kdebug('om:deputy');

/** Pages per DEP_PAGES reply: the faulting page travels in the first one. */
export const DEP_PAGES_PER_MSG = 8;

/** deputy_main_loop: a message from a migrant arrived at its deputy or a page holder. */
export function deputy_main_loop(node: Node, from: Node, m: Msg): void {
  const here = om_node(node);
  if ((m.type === REM_PAGE || m.type === REM_SYSCALL) && here.given_up.has(m.pid) && !here.deputies.has(m.pid)) {
    // This home let the process's pages go: an answer of "never existed"
    // would have a NoPrefetch migrant zero-fill pages it wrote.
    comm_send(node, from, { type: HOLD_ANSWER, pid: m.pid, alive: false }, node.cluster.queue.now_ns);
    return;
  }
  deputy_process_communication(node, from, m, here.holders.get(m.pid), here.deputies.get(m.pid));
}

function deputy_process_communication(node: Node, from: Node, m: Msg, holder: PageHolder | undefined, dep: Deputy | undefined): void {
  const costs = register_om_costs(node.cpu);
  const now = node.cluster.queue.now_ns;
  switch (m.type) {
    case REM_PAGE: {
      let t = kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      const audit = audit_of(node.cluster);
      const f = figures_of(node, m.pid);
      const pusher = pusher_of(node, m.pid);
      const held_before = holder ? holder.hpt.rss : 0;
      // A demand request (OMP_DEMAND) has its faulting page answered alone,
      // on the demand connection it came by; the rest follow as usual.
      const demand = m.flags !== undefined && (m.flags & OMP_DEMAND) !== 0;
      for (let i = 0; i < m.vpns.length; ) {
        const n = demand && i === 0 ? 1 : DEP_PAGES_PER_MSG;
        const pages: PageRec[] = [];
        // A page leaves once the reply holding its bytes is made (below).
        const sent: number[] = [];
        let copied = 0;
        for (let j = i, end = Math.min(i + n, m.vpns.length); j < end; j++) {
          const vpn = m.vpns[j]!;
          const p = holder && !sent.includes(vpn) ? copy_page(holder.hpt, vpn, true) : null;
          const again = demand && i === 0 && !p ? pusher?.copy_on_way(vpn) : undefined;
          if (p) {
            sent.push(vpn);
            copied++;
            pages.push({ vpn, flags: p.flags, data: p.data });
            f.pages_transferred++;
            audit.sent(m.pid, vpn, node.id);
            pusher?.gone(vpn);
          } else if (again) {
            // Pushed, and perhaps still behind a send buffer of the push:
            // its copy goes again, ahead; the migrant takes the first.
            pages.push({ vpn, flags: again.flags, data: again.data });
            copied++;
            f.pages_transferred++;
            f.demand_resent_pages++;
          } else if (pusher?.was_pushed(vpn)) pages.push({ vpn, flags: PG_ONWAY, data: null });
          else pages.push({ vpn, flags: PG_ABSENT, data: null });
        }
        t = kernel_work(node, t, node.cpu.cost_ns(CPU_COPY_PAGE, copied) + node.cpu.cost_ns(costs.om_msg, 1));
        const reply: Msg = demand && i === 0 ? { type: DEP_PAGES, pid: m.pid, pages, flags: OMP_DEMAND } : { type: DEP_PAGES, pid: m.pid, pages };
        f.postcopy_bytes += message_B(reply);
        comm_send(node, from, reply, t, { encode_now: true, conn: demand && i === 0 ? 'demand' : 'om' });
        for (const vpn of sent) drop_page(holder!.hpt, vpn);
        i += n;
      }
      if (pusher && m.vpns.length > 0) {
        pusher.requested(m.vpns);
        push_pump(node, m.pid);
      } else if (holder && held_before > 0 && holder.hpt.rss === 0) holder_emptied(node, m.pid);
      break;
    }
    case REM_PUSH_START:
      kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      push_start(node, from, m.pid, m.flags !== undefined && (m.flags & OMP_PREEMPT_ON) !== 0, m.flags !== undefined && (m.flags & OMP_PUSH_DEMAND) !== 0 ? 'demand' : 'address');
      break;
    case REM_PUSH_STOP:
      kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      push_stop(node, from, m.pid);
      break;
    case REM_SYSCALL: {
      const t = kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 2));
      const { ret, data } = dep ? deputy_do_syscall(node, dep, m.call, t) : { ret: -ESRCH, data: new Uint8Array(0) };
      comm_send(node, from, { type: DEP_SYSCALL, pid: m.pid, ret, data }, t);
      break;
    }
    case REM_UNMAP: {
      kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      const pusher = pusher_of(node, m.pid);
      if (holder) {
        for (const vpn of m.vpns) {
          drop_page(holder.hpt, vpn);
          pusher?.gone(vpn);
        }
      }
      break;
    }
    case REM_WHERE: {
      kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      if (!dep) {
        // No such process here any more: it ended, or this home took it as
        // lost (its node went silent before this news came). A migrant
        // that still runs must stop, with that reason, not page from here.
        comm_send(node, from, { type: HOLD_ANSWER, pid: m.pid, alive: false }, now);
        break;
      }
      for (const h of m.holders) dep.holders.add(h);
      if (m.gen > dep.where_gen) {
        dep.where = m.node;
        dep.where_gen = m.gen;
        // Its destination had given this migration up: the process is nowhere.
        if (dep.dropped.get(m.gen) === m.node) deputy_exit(node, dep, { exit_code: 137, lost: lost_in_migration(m.node) });
      }
      break;
    }
    case MIG_DROPPED:
      kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      deputy_dropped(node, m.pid, from.id, m.gen);
      break;
    case REM_EXIT: {
      kernel_work(node, now, node.cpu.cost_ns(costs.om_msg, 1));
      if (holder) drop_holder(node, m.pid, true);
      om_node(node).pushers.delete(m.pid);
      if (dep) deputy_exit(node, dep, { exit_code: m.code, lost: null });
      break;
    }
    default:
      dbg(node, 'unexpected message %d for pid %d', m.type, m.pid);
  }
}

const lost_in_migration = (at: number): string => `lost in migration: node ${at} gave it up before it could resume there`;

/**
 * The destination `at` gave up migration `gen` of pid after MIG_DONE: if
 * its source had let go (this deputy heard so, or is that source), the
 * process is lost; if that news has not come yet, it is kept for when it
 * does. A migration the source called off is nothing to this deputy.
 */
export function deputy_dropped(node: Node, pid: number, at: number, gen: number): void {
  const dep = om_node(node).deputies.get(pid);
  if (!dep) return;
  if (dep.where === at && dep.where_gen === gen) deputy_exit(node, dep, { exit_code: 137, lost: lost_in_migration(at) });
  else if (dep.where_gen < gen) dep.dropped.set(gen, at);
}

/**
 * A holder lets go of a process's pages. At its exit (checked) each page
 * still here is shown to the audit first: pages that never had to move are
 * proven intact too.
 */
export function drop_holder(node: Node, pid: number, at_exit = false): void {
  const here = om_node(node);
  const h = here.holders.get(pid);
  if (!h) return;
  if (at_exit) {
    const audit = audit_of(node.cluster);
    h.hpt.for_each_pte(0, 1 << 20, (vpn) => {
      const pfn = own_page(h.hpt, vpn);
      if (pfn >= 0) audit.seen(pid, vpn, h.hpt.mem.bytes(pfn));
    });
  }
  h.hpt.exit_mm();
  here.holders.delete(pid);
  here.pushers.delete(pid);
}

/**
 * The process has ended (exited away from home, or was lost with the node
 * it ran on): the deputy tells every holder it knows and goes.
 */
export function deputy_exit(node: Node, dep: Deputy, outcome: Deputy['outcome']): void {
  const here = om_node(node);
  dep.outcome = outcome;
  if (outcome) here.ended.set(dep.pid, outcome);
  if (outcome?.lost) {
    here.reports.push(`pid ${dep.pid}: lost (${outcome.lost})`);
    here.given_up.add(dep.pid);
    node.cluster.process_lost(dep.pid);
    // If the process runs on after all (the node was only cut off), it
    // must stop: its home pages are about to go.
    if (dep.where !== node.id) comm_send(node, node.cluster.node(dep.where), { type: HOLD_ANSWER, pid: dep.pid, alive: false }, node.cluster.queue.now_ns);
  }
  drop_holder(node, dep.pid, outcome?.lost === null);
  for (const h of dep.holders) {
    if (h === node.id || h === dep.where) continue;
    comm_send(node, node.cluster.node(h), { type: REM_EXIT, pid: dep.pid, code: outcome?.exit_code ?? 137 }, node.cluster.queue.now_ns);
  }
  here.deputies.delete(dep.pid);
}

/** Run a migrant's system call at home; out-data (timeval) goes back with the reply. */
export function deputy_do_syscall(node: Node, dep: Deputy, call: RemSyscall, t_ns: number): { ret: number; data: Uint8Array } {
  const none = new Uint8Array(0);
  switch (call.nr) {
    case __NR_getpid:
      return { ret: dep.pid, data: none };
    case __NR_gettimeofday: {
      const data = new Uint8Array(8);
      const v = new DataView(data.buffer);
      v.setInt32(0, Math.floor(t_ns / NS_PER_S), true);
      v.setInt32(4, Math.floor((t_ns % NS_PER_S) / NS_PER_US), true);
      return { ret: 0, data };
    }
    case __NR_write: {
      const fd = call.args[0];
      if (fd !== 1 && fd !== 2) return { ret: -EBADF, data: none };
      node.console += new TextDecoder().decode(call.data);
      return { ret: call.data.length, data: none };
    }
    default:
      return { ret: sys_call_table.has(call.nr) ? -EINVAL : -ENOSYS, data: none };
  }
}

export { REM_SYSCALL };
