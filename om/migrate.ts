// Process migration (after openMosix's mig_send_* / mig_do_receive).
//
// The source stops the task at an operation boundary, shakes hands with the
// destination, then sends the mm, the VMAs, the pages its policy moves, for
// AMPoM the master page table (6 bytes a page), and last the process context.
// The destination applies each message as it arrives and resumes the task
// after the context. The freeze is measured in virtual time from the stop to
// the resume: it holds every byte on the wire and the CPU work at both ends.
import createDebug from 'debug';
import { CPU_COPY_PAGE, CPU_PTE } from '../kernel/cpu.ts';
import { EBUSY, EINVAL, ENOMEM, ESRCH } from '../kernel/errno.ts';
import type { Node } from '../kernel/node.ts';
import { wake_up_process } from '../kernel/sched.ts';
import { TASK_RUNNING, TASK_STOPPED, TASK_ZOMBIE, type Task } from '../kernel/task.ts';
import { MmStruct } from '../mm/mm_struct.ts';
import { PAGE_SIZE, is_remote_pte, mk_remote_pte, swp_offset } from '../mm/pgtable.ts';
import { make_prefetcher } from '../mm/prefetch.ts';
import { VM_SHARED, VmArea } from '../mm/vma.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { install_page, frame_with, own_page, record_checksums, take_page, verify_page } from './pages.ts';
import {
  MIG_ABORT, MIG_HSHAKE, MIG_HSHAKE_ACK, MIG_MM, MIG_MPT, MIG_PAGE, MIG_TASK, MIG_VMA, MPT_ENTRY_B, OMP_REQ_B,
  type MptEntry, type Msg, type PageRec,
} from './proto.ts';
import { om_task, om_task_init, POLICY_CODE, type OmTask, type Policy } from './state.ts';
import { register_mm_owner } from './remote.ts';

const dbg = createDebug('om:mig');

/** Pages a MIG_PAGE message carries (openMosix sends them in a stream). */
const MIG_PAGES_PER_MSG = 16;

/** A node's kernel-side clock for work done outside any task (send/receive paths). */
function kclock(node: Node): { t: number } {
  return node.attach('om_kclock', () => ({ t: 0 }));
}

/** Run CPU work of `ns` on a node's kernel no earlier than at_ns; returns when it ends. */
export function kernel_work(node: Node, at_ns: number, ns: number): number {
  const k = kclock(node);
  k.t = Math.max(k.t, at_ns, node.cluster.queue.now_ns) + Math.round(ns);
  node.busy_ns += ns;
  return k.t;
}

export interface MigrationResult {
  ok: boolean;
  errno: number;
}

/**
 * Ask for a task to migrate to dest (what a write to /proc/PID/where does).
 * The task stops at its next operation boundary. Returns 0 or -errno.
 */
export function request_migration(task: Task, dest: Node, policy?: Policy, done?: (r: MigrationResult) => void): number {
  if (task.state === TASK_ZOMBIE) return -ESRCH;
  if (dest === task.node) return -EINVAL;
  const mm = task.mm as MmStruct;
  // openMosix does not migrate a process that shares memory.
  if (mm.vmas.list.some((v) => v.flags & VM_SHARED)) return -EBUSY;
  const st = om_task_init(task, policy ?? om_task(task)?.policy ?? 'ampom');
  if (task.stop_hook) return -EBUSY;
  task.stop_hook = () => mig_start(task, st, dest, done ?? (() => {}));
  // A sleeping task (e.g. waiting on input) still has to reach a boundary.
  if (task.state === TASK_RUNNING) wake_up_process(task);
  return 0;
}

/** Stop the task (at an operation boundary) and begin. */
function mig_start(task: Task, st: OmTask, dest: Node, done: (r: MigrationResult) => void): void {
  task.state = TASK_STOPPED;
  if (st.inflight.size > 0) {
    // Let the pages on their way land first; they are part of what moves.
    st.deferred = () => mig_start(task, st, dest, done);
    return;
  }
  const src = task.node;
  const t0 = task.clock_ns;
  st.stats.mig_start_ns = t0;
  const mm = task.mm as MmStruct;
  install_all_arrived(task, st, mm);
  record_checksums(st, mm);
  dbg('pid %d: %s -> %s (%s) at %d', task.pid, src.name, dest.name, st.policy, t0);
  mig_send_hshake(task, st, src, dest, t0, done);
}

/** Pages that landed but were not installed yet are installed before moving. */
function install_all_arrived(task: Task, st: OmTask, mm: MmStruct): void {
  for (const [vpn, { pfn }] of st.arrived) install_page(mm, vpn, pfn);
  st.arrived.clear();
  void task;
}

function pages_to_send(task: Task, st: OmTask, mm: MmStruct): number[] {
  const out: number[] = [];
  if (st.policy === 'openmosix') {
    // Every dirty page: in this model every private page with contents.
    mm.for_each_pte(0, 1 << 20, (vpn) => {
      if (own_page(mm, vpn) >= 0) out.push(vpn);
    });
    return out;
  }
  // The current code, data and stack pages (FFA's three).
  for (const a of [task.regs.eip, task.regs.last_data, task.regs.esp]) {
    const vpn = Math.floor(a / PAGE_SIZE);
    if (own_page(mm, vpn) >= 0 && !out.includes(vpn)) out.push(vpn);
  }
  return out;
}

function mig_send_hshake(task: Task, st: OmTask, src: Node, dest: Node, t0: number, done: (r: MigrationResult) => void): void {
  const mm = task.mm as MmStruct;
  const costs = register_om_costs(src.cpu);
  const send = pages_to_send(task, st, mm);
  const t = kernel_work(src, t0, src.cpu.cost_ns(costs.mig_setup, 1) + src.cpu.cost_ns(costs.om_msg, 1));
  comm_send(src, dest, { type: MIG_HSHAKE, hshake: { pid: task.pid, home: task.home.id, policy: POLICY_CODE[st.policy], npages: send.length } }, t, (m) => {
    // Destination: is there room for what will come (pages, tables, slack)?
    if (m.type !== MIG_HSHAKE) return;
    const need = m.hshake.npages + Math.ceil(mm.vm_size_B() / PAGE_SIZE / 1024) + 2;
    const ok = dest.mem.free_frames >= need;
    const at = kernel_work(dest, dest.cluster.queue.now_ns, dest.cpu.cost_ns(register_om_costs(dest.cpu).om_msg, 2));
    const reply: Msg = ok ? { type: MIG_HSHAKE_ACK, ack: { ok: 1, errno: 0 } } : { type: MIG_ABORT, errno: -ENOMEM };
    comm_send(dest, src, reply, at, (a) => {
      if (a.type === MIG_ABORT) {
        // Refused: the process goes on at the source.
        dbg('pid %d: %s refused the migration (%d)', task.pid, dest.name, a.errno);
        task.state = TASK_RUNNING;
        task.clock_ns = Math.max(task.clock_ns, src.cluster.queue.now_ns);
        wake_up_process(task);
        done({ ok: false, errno: a.errno });
        return;
      }
      if (a.type === MIG_HSHAKE_ACK) mig_do_send(task, st, src, dest, send, done);
    }, st);
  }, st);
}

interface SendCtx {
  task: Task;
  st: OmTask;
  src: Node;
  dest: Node;
  rx: (m: Msg) => void;
  /** The source kernel's clock: when the next message can leave. */
  t: number;
}

/** Charge the source kernel for work and send a message when it is done. */
function send_after(c: SendCtx, work_ns: number, m: Msg): void {
  c.t = kernel_work(c.src, c.t, work_ns + c.src.cpu.cost_ns(register_om_costs(c.src.cpu).om_msg, 1));
  comm_send(c.src, c.dest, m, c.t, c.rx, c.st);
}

function mig_send_mm(c: SendCtx, mm: MmStruct): void {
  send_after(c, 0, { type: MIG_MM, mm: { start_code: mm.start_code, end_code: mm.end_code, start_data: mm.start_data, end_data: mm.end_data, start_brk: mm.start_brk, brk: mm.brk, start_stack: mm.start_stack } });
}

function mig_send_vmas(c: SendCtx, mm: MmStruct): void {
  send_after(c, 0, { type: MIG_VMA, vmas: mm.vmas.list.map((v) => ({ start: v.start, end: v.end, flags: v.flags, name: v.name })) });
}

/** The pages the policy moves now; each leaves the source as it is sent. */
function mig_send_pages(c: SendCtx, mm: MmStruct, send: number[]): void {
  for (let i = 0; i < send.length; i += MIG_PAGES_PER_MSG) {
    const pages: PageRec[] = send.slice(i, i + MIG_PAGES_PER_MSG).map((vpn) => ({ vpn, flags: 0, data: take_page(mm, vpn)! }));
    c.st.stats.pages_transferred += pages.length;
    send_after(c, c.src.cpu.cost_ns(CPU_COPY_PAGE, pages.length), { type: MIG_PAGE, pages });
  }
}

/**
 * The master page table: where every page left behind lives, 6 bytes each.
 * Returns how many pages stay on the source itself.
 */
function mig_send_mpt(c: SendCtx, mm: MmStruct): number {
  const entries: MptEntry[] = [];
  let held_here = 0;
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    if (own_page(mm, vpn) >= 0) {
      entries.push({ vpn, node: c.src.id, flags: 0 });
      held_here++;
    } else if (is_remote_pte(pte)) {
      entries.push({ vpn, node: swp_offset(pte), flags: 0 });
    }
  });
  // NoPrefetch sends no MPT (its migrant asks the source for any missing
  // page), except for pages that already live on a third node.
  const lazy = c.st.policy === 'noprefetch';
  const sent = lazy ? entries.filter((e) => e.node !== c.src.id) : entries;
  if (c.st.policy === 'ampom' || sent.length > 0) {
    c.st.stats.mpt_bytes += sent.length * MPT_ENTRY_B;
    send_after(c, c.src.cpu.cost_ns(register_om_costs(c.src.cpu).mpt_entry, sent.length), { type: MIG_MPT, entries: sent });
  }
  return held_here;
}

function mig_send_proc_context(c: SendCtx): void {
  const t = c.task;
  send_after(c, 0, {
    type: MIG_TASK,
    task: { pid: t.pid, eip: t.regs.eip, esp: t.regs.esp, last_data: t.regs.last_data, min_flt: t.min_flt, maj_flt: t.maj_flt, comm: t.comm },
  });
}

function mig_do_send(task: Task, st: OmTask, src: Node, dest: Node, send: number[], done: (r: MigrationResult) => void): void {
  const mm = task.mm as MmStruct;
  const c: SendCtx = { task, st, src, dest, rx: mig_do_receive(task, st, src, dest, done), t: src.cluster.queue.now_ns };
  mig_send_mm(c, mm);
  mig_send_vmas(c, mm);
  mig_send_pages(c, mm, send);
  const held_here = mig_send_mpt(c, mm);
  mig_send_proc_context(c);
  // The source's page table becomes this node's HPT for the pages it keeps.
  const old = st.holders.get(src.id);
  if (old && old !== mm) throw new Error(`pid ${task.pid}: ${src.name} already holds pages for it`);
  if (held_here > 0 || src === task.home) {
    strip_to_hpt(mm);
    st.holders.set(src.id, mm);
  } else {
    mm.exit_mm();
    st.holders.delete(src.id);
  }
}

/** Keep only the pages an mm holds itself: the table of a holder (HPT). */
function strip_to_hpt(mm: MmStruct): void {
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    if (own_page(mm, vpn) < 0) {
      if (pte & 1) mm.mem.put(pte >>> 12); // a zero-page mapping
      mm.pte_set(vpn, 0);
    }
  });
}

/** The destination side: a receiver for the migration's messages, in order. */
function mig_do_receive(task: Task, st: OmTask, src: Node, dest: Node, done: (r: MigrationResult) => void): (m: Msg) => void {
  const costs = register_om_costs(dest.cpu);
  const cpu = dest.cpu;
  let mm: MmStruct | null = null;
  return (m: Msg) => {
    const now = dest.cluster.queue.now_ns;
    switch (m.type) {
      case MIG_MM:
        kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1));
        mm = new MmStruct(dest);
        Object.assign(mm, m.mm);
        break;
      case MIG_VMA:
        kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1));
        for (const v of m.vmas) mm!.vmas.insert(new VmArea(v.start, v.end, v.flags, v.name));
        break;
      case MIG_PAGE:
        kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1) + cpu.cost_ns(CPU_COPY_PAGE, m.pages.length) + cpu.cost_ns(CPU_PTE, m.pages.length));
        for (const p of m.pages) {
          verify_page(st, p.vpn, p.data);
          const pfn = frame_with(mm!, p.data);
          if (pfn < 0 || !install_page(mm!, p.vpn, pfn)) throw new Error(`${dest.name}: no frame for a migrating page (the handshake checked room)`);
        }
        break;
      case MIG_MPT:
        kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1) + cpu.cost_ns(costs.mpt_entry, m.entries.length));
        for (const e of m.entries) {
          if (e.node === dest.id) {
            // Coming back to a node that holds the page: map it in place.
            const hpt = st.holders.get(dest.id);
            const pfn = hpt ? own_page(hpt, e.vpn) : -1;
            if (pfn >= 0) {
              hpt!.pte_set(e.vpn, 0);
              hpt!.rss--;
              install_page(mm!, e.vpn, pfn);
              continue;
            }
          }
          mm!.pte_set(e.vpn, mk_remote_pte(e.node));
        }
        break;
      case MIG_TASK: {
        const t_run = kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1));
        const newmm = mm!;
        if (st.policy === 'noprefetch') {
          newmm.lazy_remote = newmm.vmas.list.map((v) => [v.start, v.end] as [number, number]);
          newmm.lazy_remote_node = src.id;
        }
        const hpt_here = st.holders.get(dest.id);
        if (hpt_here && hpt_here.rss === 0 && dest !== task.home) {
          hpt_here.exit_mm();
          st.holders.delete(dest.id);
        }
        dest.cluster.queue.at(t_run, () => {
          task.mm = newmm;
          register_mm_owner(newmm, task);
          task.node = dest;
          task.regs.eip = m.task.eip;
          task.regs.esp = m.task.esp;
          task.regs.last_data = m.task.last_data;
          task.clock_ns = t_run;
          st.stats.freeze_ns = t_run - st.stats.mig_start_ns;
          st.stats.migrations++;
          st.prefetcher = st.policy === 'openmosix' ? null : make_prefetcher(st.policy);
          task.state = TASK_RUNNING;
          dbg('pid %d resumes on %s, freeze %d ns', task.pid, dest.name, st.stats.freeze_ns);
          wake_up_process(task);
          done({ ok: true, errno: 0 });
        });
        break;
      }
      default:
        throw new Error(`unexpected ${m.type} during migration`);
    }
  };
}
