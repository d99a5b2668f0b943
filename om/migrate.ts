// Process migration, the source's side (after openMosix's mig_send_* and
// mig_do_send).
//
// The source stops the task at an operation boundary, shakes hands with the
// destination, then sends the mm, the VMAs, the pages its policy moves, the
// page table the policy sends (AMPoM's MPT at 6 bytes a page; NoPrefetch's
// lazy ranges) and last the process context. Nothing at the source changes
// while it sends: pages are copied, not taken. The destination answers
// MIG_DONE once all of it is applied; only then does the source commit: it
// frees the pages that moved, keeps the rest as a page holder (HPT) and
// tells the destination to go (MIG_GO). Until that point either side can
// abort (MIG_ABORT) and the process goes on at its source with every page.
// The freeze is measured from the stop to the resume at the destination.
import createDebug from 'debug';
import { CPU_COPY_PAGE } from '../kernel/cpu.ts';
import { EBUSY, ECONNABORTED, EHOSTUNREACH, EINVAL, ESRCH } from '../kernel/errno.ts';
import type { Node } from '../kernel/node.ts';
import { wake_up_process } from '../kernel/sched.ts';
import { TASK_RUNNING, TASK_STOPPED, TASK_ZOMBIE, type Task } from '../kernel/task.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { PAGE_SIZE, is_remote_pte, pte_pfn, pte_present, swp_offset } from '../mm/pgtable.ts';
import { VM_SHARED } from '../mm/vma.ts';
import { audit_of } from './audit.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { mig_abort_planned, mig_attempt_begins, type MigStep } from './faults.ts';
import { kernel_work } from './kclock.ts';
import { copy_page, drop_page, install_page, own_page, page_state } from './pages.ts';
import { MIG_ABORT, MIG_GO, MIG_HSHAKE, MIG_LAZY, MIG_MM, MIG_MPT, MIG_PAGE, MIG_TASK, MIG_VMA, MPT_ENTRY_B, REM_WHERE, type LazyRange, type MptEntry, type Msg, type PageRec } from './proto.ts';
import { figures_of, om_node, om_task, om_task_init, PageHolder, POLICY_CODE, sends_mpt, type OmTask, type Policy } from './state.ts';
import { count_wasted } from './remote.ts';

const dbg = createDebug('om:mig');

/** Pages a MIG_PAGE message carries (openMosix sends them in a stream). */
const MIG_PAGES_PER_MSG = 16;

export interface MigrationResult {
  ok: boolean;
  errno: number;
}

/** What rides with MIG_TASK besides its bytes: the process itself, and who asked. */
export interface MigAttach {
  task: Task;
  done: (r: MigrationResult) => void;
}

/** The source's record of a migration it is sending. */
interface MigOut {
  task: Task;
  st: OmTask;
  src: Node;
  dest: Node;
  policy: Policy;
  /** Pages moved while frozen. */
  send: number[];
  frozen_at_ns: number;
  /** 'sending' until MIG_DONE; then the source has let go. */
  phase: 'hshake' | 'sending';
  done: (r: MigrationResult) => void;
}

const outgoing = (n: Node): Map<number, MigOut> => om_node(n).outgoing as Map<number, MigOut>;

/**
 * Ask for a task to migrate to dest (what a write to /proc/PID/where does).
 * The task stops at its next operation boundary. Returns 0 or -errno.
 */
export function request_migration(task: Task, dest: Node, policy?: Policy, done?: (r: MigrationResult) => void): number {
  if (task.state === TASK_ZOMBIE) return -ESRCH;
  if (!dest.alive) return -EHOSTUNREACH;
  if (dest === task.node) return -EINVAL;
  const mm = task.mm as MmStruct | null;
  if (!mm) return -EBUSY; // on its way somewhere already
  // openMosix does not migrate a process that shares memory.
  if (mm.vmas.list.some((v) => v.flags & VM_SHARED)) return -EBUSY;
  const st = om_task(task) ?? om_task_init(task, policy ?? 'ampom');
  if (policy) st.policy = policy;
  if (task.stop_hook || outgoing(task.node).has(task.pid)) return -EBUSY;
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
  const mm = task.mm as MmStruct;
  install_all_arrived(st, mm);
  count_wasted(st, mm);
  const c = src.cluster;
  audit_of(c).freeze(task.pid, mm);
  mig_attempt_begins(c, task.pid);
  const out: MigOut = { task, st, src, dest, policy: st.policy, send: pages_to_send(task, st, mm), frozen_at_ns: task.clock_ns, phase: 'hshake', done };
  outgoing(src).set(task.pid, out);
  dbg('pid %d: %s -> %s (%s) at %d', task.pid, src.name, dest.name, st.policy, out.frozen_at_ns);
  if (!dest.alive) return mig_abort_local(out, -EHOSTUNREACH);
  if (mig_abort_planned(c, task.pid, 'mig_send_hshake', 'src')) return mig_abort_local(out, -ECONNABORTED);
  mig_send_hshake(out);
}

/** Pages that landed but were not installed yet are installed before moving. */
function install_all_arrived(st: OmTask, mm: MmStruct): void {
  for (const [vpn, { pfn, flags }] of st.arrived) install_page(mm, vpn, pfn, flags, !st.zone_unused.has(vpn));
  st.arrived.clear();
}

function pages_to_send(task: Task, st: OmTask, mm: MmStruct): number[] {
  const out: number[] = [];
  if (st.policy === 'openmosix') {
    // Every page with contents (in this model every private page is dirty).
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

/**
 * The page table the destination gets: every page left behind and where it
 * is (MPT entries), and the ranges whose missing pages one node holds
 * (NoPrefetch, which sends no per-page table for the pages at its source).
 */
function page_table_to_send(out: MigOut, mm: MmStruct): { entries: MptEntry[]; lazy: { node: number; ranges: LazyRange[] } | null } {
  const src = out.src.id;
  let lazy: { node: number; ranges: LazyRange[] } | null = null;
  if (mm.lazy_remote_node >= 0) lazy = { node: mm.lazy_remote_node, ranges: mm.lazy_remote.map(([start, end]) => ({ start, end })) };
  else if (out.policy === 'noprefetch') lazy = { node: src, ranges: mm.vmas.list.map((v) => ({ start: v.start, end: v.end })) };
  // Pages staying here need entries unless the lazy ranges already say "here".
  const list_local = !(lazy && lazy.node === src);
  const moved = new Set(out.send);
  const entries: MptEntry[] = [];
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    if (is_remote_pte(pte)) entries.push({ vpn, node: swp_offset(pte), flags: 0 });
    else if (list_local && !moved.has(vpn) && own_page(mm, vpn) >= 0) entries.push({ vpn, node: src, flags: page_state(pte) });
  });
  return { entries, lazy };
}

function mig_send_hshake(out: MigOut): void {
  const { src, dest, task } = out;
  const mm = task.mm as MmStruct;
  const costs = register_om_costs(src.cpu);
  const t = kernel_work(src, out.frozen_at_ns, src.cpu.cost_ns(costs.mig_setup, 1) + src.cpu.cost_ns(costs.om_msg, 1));
  const hshake = { home: task.home.id, policy: POLICY_CODE[out.policy], npages: out.send.length, vm_pages: Math.ceil(mm.vm_size_B() / PAGE_SIZE) };
  comm_send(src, dest, { type: MIG_HSHAKE, pid: task.pid, hshake }, t, { conn: 'mig' });
}

/** The destination accepted: send everything, in mig_do_send's order. */
export function mig_hshake_acked(node: Node, from: Node, pid: number): void {
  const out = outgoing(node).get(pid);
  if (!out || out.dest !== from || out.phase !== 'hshake') return refuse_stale(node, from, pid);
  out.phase = 'sending';
  mig_do_send(out);
}

interface SendCtx {
  out: MigOut;
  /** The source kernel's clock: when the next message can leave. */
  t: number;
}

/** Charge the source kernel for work and send a message when it is done. */
function send_after(c: SendCtx, work_ns: number, m: Msg, attach?: MigAttach): void {
  const src = c.out.src;
  c.t = kernel_work(src, c.t, work_ns + src.cpu.cost_ns(register_om_costs(src.cpu).om_msg, 1));
  comm_send(src, c.out.dest, m, c.t, { conn: 'mig', attach });
}

function mig_do_send(out: MigOut): void {
  const mm = out.task.mm as MmStruct;
  const c: SendCtx = { out, t: out.src.cluster.queue.now_ns };
  const steps: [MigStep, () => void][] = [
    ['mig_send_mm', () => mig_send_mm(c, mm)],
    ['mig_send_vmas', () => mig_send_vmas(c, mm)],
    ['mig_send_pages', () => mig_send_pages(c, mm)],
    ['mig_send_mpt', () => mig_send_mpt(c, mm)],
    ['mig_send_proc_context', () => mig_send_proc_context(c)],
  ];
  for (const [step, run] of steps) {
    if (mig_abort_planned(out.src.cluster, out.task.pid, step, 'src')) {
      // Tell the destination to drop what it has, then go on here.
      send_after(c, 0, { type: MIG_ABORT, pid: out.task.pid, errno: -ECONNABORTED });
      return mig_abort_local(out, -ECONNABORTED);
    }
    run();
  }
}

function mig_send_mm(c: SendCtx, mm: MmStruct): void {
  send_after(c, 0, { type: MIG_MM, pid: c.out.task.pid, mm: { start_code: mm.start_code, end_code: mm.end_code, start_data: mm.start_data, end_data: mm.end_data, start_brk: mm.start_brk, brk: mm.brk, start_stack: mm.start_stack } });
}

function mig_send_vmas(c: SendCtx, mm: MmStruct): void {
  send_after(c, 0, { type: MIG_VMA, pid: c.out.task.pid, vmas: mm.vmas.list.map((v) => ({ start: v.start, end: v.end, flags: v.flags, name: v.name })) });
}

/** The pages the policy moves now, copied: the source keeps them until the commit. */
function mig_send_pages(c: SendCtx, mm: MmStruct): void {
  const { send, src, task } = c.out;
  for (let i = 0; i < send.length; i += MIG_PAGES_PER_MSG) {
    const pages: PageRec[] = [];
    for (const vpn of send.slice(i, i + MIG_PAGES_PER_MSG)) pages.push({ vpn, ...copy_page(mm, vpn)! });
    figures_of(src, task.pid).pages_transferred += pages.length;
    send_after(c, src.cpu.cost_ns(CPU_COPY_PAGE, pages.length), { type: MIG_PAGE, pid: task.pid, pages });
  }
}

/** The master page table (6 bytes a page) and, for NoPrefetch, the lazy ranges. */
function mig_send_mpt(c: SendCtx, mm: MmStruct): void {
  const { src, task, policy } = c.out;
  const pid = task.pid;
  const { entries, lazy } = page_table_to_send(c.out, mm);
  if (lazy) send_after(c, 0, { type: MIG_LAZY, pid, node: lazy.node, ranges: lazy.ranges });
  if (sends_mpt(policy) || entries.length > 0) {
    figures_of(src, pid).mpt_bytes += entries.length * MPT_ENTRY_B;
    send_after(c, src.cpu.cost_ns(register_om_costs(src.cpu).mpt_entry, entries.length), { type: MIG_MPT, pid, entries });
  }
}

function mig_send_proc_context(c: SendCtx): void {
  const t = c.out.task;
  send_after(
    c, 0,
    { type: MIG_TASK, pid: t.pid, task: { eip: t.regs.eip, esp: t.regs.esp, last_data: t.regs.last_data, min_flt: t.min_flt, maj_flt: t.maj_flt, comm: t.comm, frozen_at_ns: c.out.frozen_at_ns } },
    { task: t, done: c.out.done },
  );
}

/** The migration did not happen: the process goes on here with all its pages. */
function mig_abort_local(out: MigOut, errno: number): void {
  const { task, src } = out;
  outgoing(src).delete(task.pid);
  figures_of(src, task.pid).aborts++;
  dbg('pid %d: migration to %s aborted (%d)', task.pid, out.dest.name, errno);
  if (task.state === TASK_ZOMBIE) return;
  // The pages never left: they must be as they were at the freeze.
  audit_of(src.cluster).unfreeze(task.pid, task.mm as MmStruct);
  task.state = TASK_RUNNING;
  task.clock_ns = Math.max(task.clock_ns, src.cluster.queue.now_ns);
  wake_up_process(task);
  out.done({ ok: false, errno });
}

/** MIG_ABORT from the destination: it refused; go on here. */
export function mig_refused(node: Node, from: Node, pid: number, errno: number): void {
  const out = outgoing(node).get(pid);
  if (!out || out.dest !== from) return;
  mig_abort_local(out, errno);
}

/** A reply about a migration this node no longer sends: make the other side drop it. */
function refuse_stale(node: Node, from: Node, pid: number): void {
  comm_send(node, from, { type: MIG_ABORT, pid, errno: -ECONNABORTED }, node.cluster.queue.now_ns, { conn: 'mig' });
}

/**
 * MIG_DONE: the destination has everything. The source commits: the pages
 * that moved are freed, the rest stay here as an HPT, the deputy learns
 * where the process is, and the destination may resume it (MIG_GO).
 */
export function mig_commit(node: Node, from: Node, pid: number): void {
  const out = outgoing(node).get(pid);
  if (!out || out.dest !== from || out.phase !== 'sending') return refuse_stale(node, from, pid);
  const { task, src, dest } = out;
  outgoing(src).delete(pid);
  const here = om_node(src);
  here.migrants.delete(pid);
  const mm = task.mm as MmStruct;
  for (const vpn of out.send) drop_page(mm, vpn);
  strip_to_hpt(mm);
  const keeps = mm.rss > 0;
  if (keeps) here.holders.set(pid, new PageHolder(pid, task.home.id, mm));
  else mm.exit_mm();
  // From here on the process is the destination's: a crash there ends it.
  task.mm = null;
  task.node = dest;
  const at = kernel_work(src, src.cluster.queue.now_ns, src.cpu.cost_ns(register_om_costs(src.cpu).om_msg, 1));
  comm_send(src, dest, { type: MIG_GO, pid }, at, { conn: 'mig' });
  const holders = keeps ? [src.id] : [];
  if (src === task.home) {
    const dep = here.deputies.get(pid);
    if (dep) {
      dep.where = dest.id;
      for (const h of holders) dep.holders.add(h);
    }
  } else {
    comm_send(src, task.home, { type: REM_WHERE, pid, node: dest.id, holders }, at);
  }
}

/** Keep only the pages an mm holds itself: the table of a holder (HPT). */
function strip_to_hpt(mm: MmStruct): void {
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    if (own_page(mm, vpn) < 0) {
      if (pte_present(pte)) mm.mem.put(pte_pfn(pte)); // a zero-page mapping
      mm.pte_set(vpn, 0);
    }
  });
  mm.lazy_remote = [];
  mm.lazy_remote_node = -1;
}

/** This node lost touch with `peer`: a migration to it that has not committed is called off. */
export function mig_peer_lost(node: Node, peer: number): void {
  for (const out of [...outgoing(node).values()]) if (out.dest.id === peer) mig_abort_local(out, -EHOSTUNREACH);
}
