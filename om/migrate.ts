// Process migration, the source's side (after openMosix's mig_send_* and
// mig_do_send).
//
// The source stops the task at an operation boundary, shakes hands with the
// destination, then sends the mm, the VMAs, the pages its scheme moves, the
// page table the scheme sends (AMPoM's MPT at 6 bytes a page; NoPrefetch's
// ranges; exact runs) and last the process context. Nothing at the source
// changes while it sends: pages are copied, not taken. The destination
// answers MIG_DONE once all of it is applied; only then does the source
// commit: it frees the pages that moved, keeps the rest as a page holder
// (HPT) and tells the destination to go (MIG_GO). Until that point either
// side can abort (MIG_ABORT) and the process goes on at its source with
// every page. A pre-copy scheme shakes hands and copies rounds of pages
// while the process still runs (om/precopy.ts) before it stops it.
// The freeze is measured from the stop to the resume at the destination.
import { kdebug } from '../kernel/klog.ts';
import { CPU_COPY_PAGE } from '../kernel/cpu.ts';
import { EBUSY, ECONNABORTED, EHOSTUNREACH, EINVAL, ESRCH } from '../kernel/errno.ts';
import type { Node } from '../kernel/node.ts';
import { wake_up_process } from '../kernel/sched.ts';
import { TASK_RUNNING, TASK_STOPPED, TASK_ZOMBIE, type Task } from '../kernel/task.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { PAGE_SIZE, _PAGE_DIRTY, pte_pfn, pte_present } from '../mm/pgtable.ts';
import { VM_SHARED } from '../mm/vma.ts';
import { audit_of } from './audit.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { depends_on, peer_lost } from './liveness.ts';
import { mig_abort_planned, mig_attempt_begins, type MigStep } from './faults.ts';
import { kernel_work } from './kclock.ts';
import { copy_page, drop_page, install_page, own_page } from './pages.ts';
import { page_table_to_send } from './page_table.ts';
import { mig_vmas, precopy_run, precopy_state, vmas_key, type PrecopyState } from './precopy.ts';
import {
  MIG_ABORT, MIG_GO, MIG_HSHAKE, MIG_MM, MIG_MPT, MIG_PAGE, MIG_RANGES, MIG_TASK, MIG_UNMAP, MIG_VMA, MPT_ENTRY_B, OMP_PREEMPT_OFF, OMP_PREEMPT_ON, OMP_WINDOW_REMOTE, REM_PUSH_STOP, REM_WHERE,
  message_B, type Msg, type PageRec,
} from './proto.ts';
import { count_wasted, register_mm_owner } from './remote.ts';
import { scheme_of, type Scheme } from './schemes/index.ts';
import { figures_of, om_node, om_task, om_task_init, PageHolder, POLICY_CODE, type OmTask, type Policy } from './state.ts';
import { note_emptied } from './push.ts';

const dbg = kdebug('om:mig');

/** Pages a MIG_PAGE message carries (openMosix sends them in a stream). */
const MIG_PAGES_PER_MSG = 16;

export interface MigrationResult {
  ok: boolean;
  errno: number;
}

/**
 * What rides with MIG_TASK besides its bytes: the program (a generator,
 * standing for the code that a real migration finds in the pages), and the
 * marks it passed and its waits so far (instrumentation the host reads).
 */
export interface MigAttach {
  prog: Task['prog'];
  marks: Task['marks'];
  /** The experimenter's count of the process's waits (kernel/sched.ts), which follows it as its marks do. */
  waits: Pick<Task, 'page_wait_ns' | 'page_waits' | 'sys_wait_ns'>;
  /**
   * Where the program is in an operation a migration may stop inside (a
   * sweep between two of its steps): its loop counter, as the registers
   * would hold it.
   */
  at: Pick<Task, 'op' | 'ref_idx' | 'pre_charged'>;
}

/** The source's record of a migration it is sending. */
interface MigOut {
  task: Task;
  st: OmTask;
  src: Node;
  dest: Node;
  scheme: Scheme;
  /** Pages moved while frozen. */
  send: number[];
  frozen_at_ns: number;
  /**
   * 'hshake' until the destination accepts; 'precopy' while rounds copy
   * pages and the process runs; 'sending' once frozen, until MIG_DONE.
   */
  phase: 'hshake' | 'precopy' | 'sending';
  precopy: PrecopyState | null;
  done: (r: MigrationResult) => void;
  /**
   * This attempt's number among the process's migrations (MIG_TASK carries
   * it): orders the deputy's news of where the process is, and names the
   * attempt a destination gave up (each attempt has its own).
   */
  gen: number;
}

const outgoing = (n: Node): Map<number, MigOut> => om_node(n).outgoing as Map<number, MigOut>;

/**
 * Ask for a task to migrate to dest (what a write to /proc/PID/where does).
 * The task stops at its next operation boundary (a pre-copy scheme first
 * copies while it runs). Returns 0 or -errno. `done` runs here, on the
 * source, when the migration ends for this node: it committed (ok: the
 * process is the destination's now; the destination resumes it when MIG_GO
 * arrives) or it was called off (the process goes on here).
 */
export function request_migration(task: Task, dest: Node, policy?: Policy, done?: (r: MigrationResult) => void): number {
  if (task.state === TASK_ZOMBIE) return -ESRCH;
  if (peer_lost(task.node, dest.id)) return -EHOSTUNREACH;
  const known = om_task(task);
  if (known && lost_pusher(known) >= 0) return -EHOSTUNREACH;
  if (dest === task.node) return -EINVAL;
  const mm = task.mm as MmStruct | null;
  if (!mm) return -EBUSY; // on its way somewhere already
  // openMosix does not migrate a process that shares memory.
  if (mm.vmas.list.some((v) => v.flags & VM_SHARED)) return -EBUSY;
  const st = om_task(task) ?? om_task_init(task, policy ?? 'ampom');
  if (policy) st.policy = policy;
  // From now on its munmap is om's business (a pre-copy round must forget
  // an unmapped range, a migrant's holders must drop theirs).
  register_mm_owner(mm, task);
  if (task.stop_hook || outgoing(task.node).has(task.pid)) return -EBUSY;
  const cb = done ?? (() => {});
  const scheme = scheme_of(st.policy);
  if (scheme.precopy) return precopy_begin(task, st, dest, scheme, cb);
  task.stop_hook = () => mig_start(task, st, dest, cb);
  // A sleeping task (e.g. waiting on input) still has to reach a boundary.
  if (task.state === TASK_RUNNING) wake_up_process(task);
  return 0;
}

function new_out(task: Task, st: OmTask, dest: Node, scheme: Scheme, done: (r: MigrationResult) => void): MigOut {
  const out: MigOut = { task, st, src: task.node, dest, scheme, send: [], frozen_at_ns: -1, phase: 'hshake', precopy: null, done, gen: 0 };
  outgoing(task.node).set(task.pid, out);
  mig_attempt_begins(task.node.cluster, task.pid);
  figures_of(task.node, task.pid).started.push(Math.max(task.clock_ns, task.node.cluster.queue.now_ns));
  return out;
}

/** Pre-copy: shake hands and copy rounds while the process runs; freeze when the rule says. */
function precopy_begin(task: Task, st: OmTask, dest: Node, scheme: Scheme, done: (r: MigrationResult) => void): number {
  const out = new_out(task, st, dest, scheme, done);
  const mm = task.mm as MmStruct;
  out.precopy = precopy_state(st.precopy_rule ?? scheme.precopy!, mm, () => {
    task.stop_hook = () => mig_start(task, st, dest, done);
    if (task.state === TASK_RUNNING) wake_up_process(task);
  });
  if (mig_abort_planned(task.node.cluster, task.pid, 'mig_send_hshake', 'src')) {
    mig_abort_local(out, -ECONNABORTED);
    return 0;
  }
  mig_send_hshake(out, Math.max(task.clock_ns, task.node.cluster.queue.now_ns));
  return 0;
}

/**
 * A node pushing pages to the process that this node takes as unreachable
 * while it still holds some of them, or -1. Pages it pushed may have been
 * lost with their connection and kept to go again here (om/resend.ts),
 * where the process would no longer be, while it answers a request from
 * the process's next node that they are on their way: that node would
 * wait for them for ever. No stop can be asked of it until it is heard,
 * so a migration is refused meanwhile (the process goes on here, paused
 * if it needs one of those pages), and may be asked again once it is.
 */
function lost_pusher(st: OmTask): number {
  for (const h of st.pushers) if (peer_lost(st.task.node, h) && depends_on(st, h)) return h;
  return -1;
}

/** Stop the task (at an operation boundary) and begin. */
function mig_start(task: Task, st: OmTask, dest: Node, done: (r: MigrationResult) => void): void {
  const pusher = st.push_stopping.size === 0 ? lost_pusher(st) : -1;
  if (pusher >= 0) {
    dbg(task.node, 'pid %d: not migrating to %s while node%d, which pushes its pages, is unreachable', task.pid, dest.name, pusher);
    const existing = outgoing(task.node).get(task.pid);
    if (!existing) return done({ ok: false, errno: -EHOSTUNREACH });
    // Pre-copy's: the destination shook hands and holds its rounds' pages; it is told, as at any abort.
    comm_send(task.node, existing.dest, { type: MIG_ABORT, pid: task.pid, errno: -EHOSTUNREACH }, Math.max(task.clock_ns, task.node.cluster.queue.now_ns), { conn: 'mig' });
    return mig_abort_local(existing, -EHOSTUNREACH);
  }
  task.state = TASK_STOPPED;
  // Let the pages on their way land first (they are part of what moves),
  // and let every holder that pushes say it stopped.
  if (st.pushers.size > 0 && st.push_stopping.size === 0) {
    for (const h of st.pushers) {
      // Unreachable and holding nothing of it any more (lost_pusher above): what it pushed is here; it would not answer.
      if (peer_lost(task.node, h)) continue;
      st.push_stopping.add(h);
      comm_send(task.node, task.node.cluster.node(h), { type: REM_PUSH_STOP, pid: task.pid }, task.clock_ns);
    }
    st.pushers.clear();
  }
  if (st.inflight.size > 0 || st.push_stopping.size > 0 || st.demand_out.size > 0) {
    st.deferred = () => mig_start(task, st, dest, done);
    return;
  }
  const mm = task.mm as MmStruct;
  install_all_arrived(st, mm);
  count_wasted(st, mm);
  const c = task.node.cluster;
  const existing = outgoing(task.node).get(task.pid);
  const out = existing ?? new_out(task, st, dest, scheme_of(st.policy), done);
  out.frozen_at_ns = task.clock_ns;
  out.send = out.scheme.freeze_pages(task, mm, out.precopy?.sent);
  audit_of(c).freeze(task.pid, mm);
  dbg(task.node, 'pid %d: %s -> %s (%s) frozen at %d', task.pid, out.src.name, dest.name, st.policy, out.frozen_at_ns);
  if (peer_lost(out.src, dest.id)) return mig_abort_local(out, -EHOSTUNREACH);
  if (existing) {
    // Pre-copy shook hands already: the fixed cost, then the rest moves.
    out.phase = 'sending';
    kernel_work(out.src, out.frozen_at_ns, out.src.cpu.cost_ns(register_om_costs(out.src.cpu).mig_setup, 1));
    return mig_do_send(out);
  }
  if (mig_abort_planned(c, task.pid, 'mig_send_hshake', 'src')) return mig_abort_local(out, -ECONNABORTED);
  mig_send_hshake(out, out.frozen_at_ns);
}

/** Pages that landed but were not installed yet are installed before moving. */
function install_all_arrived(st: OmTask, mm: MmStruct): void {
  for (const [vpn, { pfn, flags }] of st.arrived) install_page(mm, vpn, pfn, flags, !st.zone_unused.has(vpn));
  st.arrived.clear();
}

/**
 * The handshake. The fixed cost of a migration (stopping the process, the
 * protocol set-up, the deputy and the remote process: om/costs.ts) is
 * charged when the process stops; pre-copy shakes hands while it still runs
 * and pays that cost at its freeze, like every other scheme.
 */
function mig_send_hshake(out: MigOut, at_ns: number): void {
  const { src, dest, task } = out;
  const mm = task.mm as MmStruct;
  const costs = register_om_costs(src.cpu);
  const setup = out.precopy ? 0 : src.cpu.cost_ns(costs.mig_setup, 1);
  const t = kernel_work(src, at_ns, setup + src.cpu.cost_ns(costs.om_msg, 1));
  const npages = out.precopy ? mm.rss : out.send.length;
  const hshake = { home: task.home.id, policy: POLICY_CODE[out.scheme.name], npages, vm_pages: Math.ceil(mm.vm_size_B() / PAGE_SIZE) };
  const preempt = out.st.preempt === null ? 0 : out.st.preempt ? OMP_PREEMPT_ON : OMP_PREEMPT_OFF;
  send(out, { type: MIG_HSHAKE, pid: task.pid, hshake, flags: (out.st.ampom_window === 'remote' ? OMP_WINDOW_REMOTE : 0) | preempt }, t);
}

/** Send a migration message, counting what the freeze costs in bytes. */
function send(out: MigOut, m: Msg, at_ns: number, attach?: MigAttach): void {
  if (out.phase === 'sending') figures_of(out.src, out.task.pid).downtime_bytes += message_B(m);
  comm_send(out.src, out.dest, m, at_ns, { conn: 'mig', attach });
}

/** The destination accepted: pre-copy begins its rounds, the others send everything. */
export function mig_hshake_acked(node: Node, from: Node, pid: number): void {
  const out = outgoing(node).get(pid);
  if (!out || out.dest !== from || out.phase !== 'hshake') return refuse_stale(node, from, pid);
  if (!out.precopy) {
    out.phase = 'sending';
    return mig_do_send(out);
  }
  out.phase = 'precopy';
  const mm = out.task.mm as MmStruct;
  const c: SendCtx = { out, t: node.cluster.queue.now_ns };
  if (mig_abort_planned(node.cluster, pid, 'mig_send_mm', 'src')) return mig_abort_to_dest(c);
  mig_send_mm(c, mm);
  if (mig_abort_planned(node.cluster, pid, 'mig_send_vmas', 'src')) return mig_abort_to_dest(c);
  mig_send_vmas(c, mm);
  if (mig_abort_planned(node.cluster, pid, 'mig_send_pages', 'src')) return mig_abort_to_dest(c);
  // The rounds go on while this migration is still this node's and the process lives.
  precopy_run(node, out.dest, mm, out.precopy, pid, () => outgoing(node).get(pid) === out && out.task.state !== TASK_ZOMBIE);
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
  send(c.out, m, c.t, attach);
}

/** Tell the destination to drop what it has, then go on here. */
function mig_abort_to_dest(c: SendCtx): void {
  send_after(c, 0, { type: MIG_ABORT, pid: c.out.task.pid, errno: -ECONNABORTED });
  mig_abort_local(c.out, -ECONNABORTED);
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
    if (mig_abort_planned(out.src.cluster, out.task.pid, step, 'src')) return mig_abort_to_dest(c);
    run();
  }
}

function mig_send_mm(c: SendCtx, mm: MmStruct): void {
  send_after(c, 0, { type: MIG_MM, pid: c.out.task.pid, mm: { start_code: mm.start_code, end_code: mm.end_code, start_data: mm.start_data, end_data: mm.end_data, start_brk: mm.start_brk, brk: mm.brk, start_stack: mm.start_stack } });
}

function mig_send_vmas(c: SendCtx, mm: MmStruct): void {
  // After pre-copy's rounds: what was unmapped since they last said so goes first.
  const un = c.out.precopy?.unmapped;
  if (un && un.length > 0 && c.out.phase === 'sending') send_after(c, 0, { type: MIG_UNMAP, pid: c.out.task.pid, ranges: un.splice(0) });
  send_after(c, 0, { type: MIG_VMA, pid: c.out.task.pid, vmas: mig_vmas(mm) });
  if (c.out.precopy) c.out.precopy.vmas_sent = vmas_key(mm);
}

/** The pages the scheme moves now, copied: the source keeps them until the commit. */
function mig_send_pages(c: SendCtx, mm: MmStruct): void {
  const { send: vpns, src, task } = c.out;
  for (let i = 0; i < vpns.length; i += MIG_PAGES_PER_MSG) {
    const pages: PageRec[] = [];
    // The process is frozen: the frames themselves travel (encoded at the wire).
    for (const vpn of vpns.slice(i, i + MIG_PAGES_PER_MSG)) pages.push({ vpn, ...copy_page(mm, vpn, true)! });
    figures_of(src, task.pid).pages_transferred += pages.length;
    send_after(c, src.cpu.cost_ns(CPU_COPY_PAGE, pages.length), { type: MIG_PAGE, pid: task.pid, pages });
  }
}

/** Where the pages left behind are: MPT entries (6 bytes a page) and ranges. */
function mig_send_mpt(c: SendCtx, mm: MmStruct): void {
  const { src, task, scheme } = c.out;
  const pid = task.pid;
  const moved = new Set(c.out.send);
  if (c.out.precopy) for (const v of c.out.precopy.sent) moved.add(v);
  const costs = register_om_costs(src.cpu);
  const tab = page_table_to_send(src.id, scheme, mm, moved);
  if (tab.ranges.length > 0) send_after(c, src.cpu.cost_ns(costs.pte_scan, tab.scanned), { type: MIG_RANGES, pid, ranges: tab.ranges });
  if (scheme.table === 'mpt' && scheme.prefetcher !== null || tab.entries.length > 0) {
    figures_of(src, pid).mpt_bytes += tab.entries.length * MPT_ENTRY_B;
    send_after(c, src.cpu.cost_ns(costs.mpt_entry, tab.entries.length), { type: MIG_MPT, pid, entries: tab.entries });
  }
}

function mig_send_proc_context(c: SendCtx): void {
  const t = c.out.task;
  send_after(
    c, 0,
    {
      type: MIG_TASK, pid: t.pid,
      task: {
        eip: t.regs.eip, esp: t.regs.esp, last_data: t.regs.last_data, min_flt: t.min_flt, maj_flt: t.maj_flt, comm: t.comm, eax: t.sys_ret,
        utime_ns: t.utime_ns, start_ns: t.start_ns, nr_syscalls: t.nr_syscalls, frozen_at_ns: c.out.frozen_at_ns, gen: (c.out.gen = ++c.out.st.mig_gen),
      },
    },
    { prog: t.prog, marks: t.marks, waits: { page_wait_ns: t.page_wait_ns, page_waits: t.page_waits, sys_wait_ns: t.sys_wait_ns }, at: { op: t.op, ref_idx: t.ref_idx, pre_charged: t.pre_charged } },
  );
}

/** The migration did not happen: the process goes on here with all its pages. */
function mig_abort_local(out: MigOut, errno: number): void {
  const { task, src } = out;
  outgoing(src).delete(task.pid);
  if (out.precopy) out.precopy.over = true;
  // A stop that pre-copy's rounds asked for (or a freeze waiting for pages
  // on their way) belongs to this migration: it must not start it again.
  task.stop_hook = null;
  out.st.deferred = null;
  figures_of(src, task.pid).aborts++;
  dbg(out.src, 'pid %d: migration to %s aborted (%d)', task.pid, out.dest.name, errno);
  if (task.state === TASK_ZOMBIE) return;
  const mm = task.mm as MmStruct;
  // Pre-copy cleared dirty bits the process never asked to lose: they come back.
  if (out.precopy) for (const v of out.precopy.sent) if (own_page(mm, v) >= 0) mm.pte_set(v, mm.pte_get(v) | _PAGE_DIRTY);
  if (out.frozen_at_ns >= 0) {
    // The pages never left: they must be as they were at the freeze.
    audit_of(src.cluster).unfreeze(task.pid, mm);
    task.state = TASK_RUNNING;
    task.clock_ns = Math.max(task.clock_ns, src.cluster.queue.now_ns);
    wake_up_process(task);
  }
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
  here.left.set(pid, { to: dest.id, gen: out.gen });
  const mm = task.mm as MmStruct;
  for (const vpn of out.send) drop_page(mm, vpn);
  if (out.precopy) for (const vpn of out.precopy.sent) drop_page(mm, vpn);
  strip_to_hpt(mm);
  const keeps = mm.rss > 0;
  if (keeps) here.holders.set(pid, new PageHolder(pid, task.home.id, mm));
  else {
    mm.exit_mm();
    note_emptied(src, pid); // nothing left behind: no residual dependency
  }
  // From here on the process is the destination's: this node lets go of
  // its task_struct (the destination built its own from MIG_TASK).
  src.cluster.release_task(task, out.gen, dest);
  const at = kernel_work(src, src.cluster.queue.now_ns, src.cpu.cost_ns(register_om_costs(src.cpu).om_msg, 1));
  comm_send(src, dest, { type: MIG_GO, pid }, at, { conn: 'mig' });
  out.done({ ok: true, errno: 0 });
  const holders = keeps ? [src.id] : [];
  if (src === task.home) {
    const dep = here.deputies.get(pid);
    if (dep) {
      dep.where = dest.id;
      dep.where_gen = out.gen;
      for (const h of holders) dep.holders.add(h);
    }
  } else {
    comm_send(src, task.home, { type: REM_WHERE, pid, node: dest.id, gen: out.gen, holders }, at);
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
  mm.remote_ranges.clear();
}

/** munmap while pre-copy runs: the destination's copies of those pages go at the freeze. */
export function precopy_unmapped(node: Node, pid: number, start: number, end: number): void {
  const ps = outgoing(node).get(pid)?.precopy;
  if (!ps) return;
  ps.unmapped.push({ start, end });
  for (let v = start / PAGE_SIZE; v < end / PAGE_SIZE; v++) ps.sent.delete(v);
}

/** This node lost touch with `peer`: a migration to it that has not committed is called off. */
export function mig_peer_lost(node: Node, peer: number): void {
  for (const out of [...outgoing(node).values()]) {
    if (out.dest.id !== peer) continue;
    // Said to the peer as well: the verdict may be this node's alone (a
    // connection that gave up one way), and a destination still waiting
    // for the rest of the migration would wait for ever.
    comm_send(node, out.dest, { type: MIG_ABORT, pid: out.task.pid, errno: -EHOSTUNREACH }, node.cluster.queue.now_ns, { conn: 'mig' });
    mig_abort_local(out, -EHOSTUNREACH);
  }
}

export { MIG_RANGES };
