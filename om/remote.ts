// Remote paging on the migrant's side (its system calls: remote_syscall.ts;
// its munmap and exit: remote_exit.ts).
//
// A fault on a PTE that names another node (or, after a NoPrefetch
// migration, on a page not here yet) runs Algorithm 1 of the paper: install
// the pages that arrived since the last fault, let the prefetcher record the
// fault and pick its dependent zone, request the faulting page and the zone
// pages that are neither local nor in flight from their holder in one
// REM_PAGE, and wait for the faulting page.
import { kdebug } from '../kernel/klog.ts';
import { CPU_PTE, CPU_COPY_PAGE } from '../kernel/cpu.ts';
import { block_task, wake_up_process } from '../kernel/sched.ts';
import type { Node } from '../kernel/node.ts';
import type { Task } from '../kernel/task.ts';
import { VM_FAULT_BLOCKED, VM_FAULT_MINOR, VM_FAULT_OOM, VM_FAULT_SIGBUS } from '../mm/fault.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { PAGE_SIZE, _PAGE_ACCESSED, _PAGE_PRESENT, is_remote_pte, pte_none, swp_offset } from '../mm/pgtable.ts';
import type { PrefetchCtx } from '../mm/prefetch.ts';
import type { VmArea } from '../mm/vma.ts';
import { infod_of } from '../net/infod.ts';
import { audit_of } from './audit.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { kill_migrant } from './kill.ts';
import { timeline_of } from './timeline.ts';
import { INSTALL_OOM, frame_with, install_page, own_page } from './pages.ts';
import { DEP_PAGES, OMP_BACKGROUND, OMP_DEMAND, PG_ABSENT, PG_ONWAY, REM_PAGE, type Msg } from './proto.ts';
import { scheme_of } from './schemes/index.ts';
import { figures_of, om_node, om_task, type OmTask } from './state.ts';
import { peer_lost } from './liveness.ts';
import { ref_recorder_of } from './future_refs.ts';
import { pause_begin, pause_end } from './pause.ts';

const dbg = kdebug('om:remote');

/** CPU cost of one basic step of a prefetcher's analysis (a compare, a load). */
export const ANALYSIS_NS_PER_OP = 1;

const owners = new WeakMap<MmStruct, Task>();
export function register_mm_owner(mm: MmStruct, task: Task): void {
  owners.set(mm, task);
}
export const mm_owner = (mm: MmStruct): Task | undefined => owners.get(mm);

/** Where a missing page lives: a holder node id, or -1 (a new page). */
export function holder_of(mm: MmStruct, vpn: number): number {
  // No remote entry near vpn and no range: no holder, without walking the table.
  if (!mm.may_be_remote(vpn) && mm.remote_ranges.empty) return -1;
  const pte = mm.pte_get(vpn);
  if (is_remote_pte(pte)) return swp_offset(pte);
  if (pte_none(pte) && !mm.remote_ranges.empty) return mm.remote_ranges.node_of(vpn);
  return -1;
}

/**
 * Pages that arrived enter the address space: all of them at this fault
 * (Algorithm 1, line 1: AMPoM), or, for the Linux-family schemes that keep
 * them in the swap cache until touched, only the faulting one. False when
 * a page table could not be allocated.
 */
function install_arrived(task: Task, st: OmTask, mm: MmStruct, vpn: number, on_touch: boolean): boolean {
  if (st.arrived.size === 0) return true;
  if (on_touch) {
    const a = st.arrived.get(vpn);
    if (!a) return true;
    st.arrived.delete(vpn);
    task.charge(task.node.cpu.cost_ns(CPU_PTE, 1));
    return install_page(mm, vpn, a.pfn, a.flags) !== INSTALL_OOM;
  }
  task.charge(task.node.cpu.cost_ns(CPU_PTE, st.arrived.size));
  let ok = true;
  for (const [v, { pfn, flags }] of st.arrived) {
    // A zone page nobody touched yet goes in with ACCESSED clear (see count_wasted).
    if (install_page(mm, v, pfn, flags, v === vpn || !st.zone_unused.has(v)) === INSTALL_OOM) ok = false;
  }
  st.arrived.clear();
  return ok;
}

/**
 * Zone pages that were never used, counted when the process exits or moves
 * on: still waiting unmapped, or mapped with ACCESSED still clear. A zone
 * page used without a fault (AMPoM maps its zones) counts as a hit here;
 * one still on its way at exit is in flight (a migration waits for them).
 */
export function count_wasted(st: OmTask, mm: MmStruct): void {
  if (st.zone_unused.size === 0) return;
  const f = figures_of(st.task.node, st.pid);
  for (const v of st.zone_unused) {
    if (st.arrived.has(v)) f.wasted_prefetch++;
    else if (own_page(mm, v) >= 0) {
      if (mm.pte_get(v) & _PAGE_ACCESSED) f.prefetch_hits++;
      else f.wasted_prefetch++;
    } else if (st.inflight.has(v)) f.prefetch_in_flight++;
    else f.wasted_prefetch++;
  }
  st.zone_unused.clear();
}

const zone = new Int32Array(4096);

// The prefetcher's questions about a page, made by factories: tsx keeps
// function names, so a closure written as a named property or const would
// be renamed (a defineProperty) at every fault.
function wanted_by(st: OmTask, mm: MmStruct): (v: number) => boolean {
  return (v) => {
    // On its way first (a zone asks again for most of what it asked for at
    // the last fault; a look into a VpnSet), then whether another node
    // holds it (holder_of: no walk where no remote entry can be), then
    // whether it arrived: the same answer in any order, all three only look.
    if (v < 0 || v >= 1 << 20 || st.inflight.has(v) || holder_of(mm, v) < 0 || st.arrived.has(v)) return false;
    const a = mm.vmas.find_vma(v * PAGE_SIZE);
    return !!a && a.start <= v * PAGE_SIZE;
  };
}

function exists_in(st: OmTask, mm: MmStruct): (v: number) => boolean {
  return (v) => {
    if (v < 0 || v >= 1 << 20) return false;
    if (st.inflight.has(v) || st.arrived.has(v) || own_page(mm, v) >= 0) return true;
    return is_remote_pte(mm.pte_get(v));
  };
}

/**
 * The prefetcher's part of Algorithm 1 at a fault on vpn: record the fault
 * and pick the dependent zone (into `zone`); its analysis is charged to the
 * task. Returns the zone's size.
 */
function fault_zone(task: Task, st: OmTask, mm: MmStruct, vma: VmArea, vpn: number, satisfied: boolean, miss: boolean, hit: boolean): number {
  const pf = st.prefetcher;
  if (!pf) return 0;
  const now = task.clock_ns;
  const node = task.node;
  const holder = satisfied ? st.home : holder_of(mm, vpn);
  const infod = infod_of(node);
  // C_i is the node's CPU utilisation as oM_infoD monitors it (§4), not
  // the task's share since its last fault: a task that just waited for a
  // page would otherwise shrink its own zone exactly when it is paging.
  const ops0 = pf.analysis_ops;
  const ctx: PrefetchCtx = {
    now_ns: now, vpn, cpu_util: infod.cpu_util,
    t0_ns: infod.t0_to(holder >= 0 ? holder : st.home),
    td_ns: infod.td_ns(),
    vma_start: vma.start / PAGE_SIZE,
    vma_end: vma.end / PAGE_SIZE,
    miss,
    hit,
    wanted: wanted_by(st, mm),
    exists: exists_in(st, mm),
    free_frames: mm.mem.free_frames - st.inflight.size,
  };
  const n = pf.on_fault(ctx, zone);
  if (pf.looped) infod.measure_bandwidth(now);
  const ns = (pf.analysis_ops - ops0) * ANALYSIS_NS_PER_OP;
  figures_of(node, task.pid).analysis_ns += ns;
  task.charge(ns);
  return n;
}

/** Note v for its holder's request unless it is here, on its way, or nowhere. */
function want(st: OmTask, mm: MmStruct, by_holder: Map<number, number[]>, v: number): boolean {
  if (st.inflight.has(v)) return false; // the cheapest look first (see wanted_by)
  const h = holder_of(mm, v);
  if (h < 0 || st.arrived.has(v)) return false;
  st.inflight.add(v);
  let l = by_holder.get(h);
  if (!l) by_holder.set(h, (l = []));
  l.push(v);
  return true;
}

/** Whether the process's demand faults go first on the wire (its run's --preempt, else its scheme's). */
export const preempts = (st: OmTask): boolean => st.preempt ?? scheme_of(st.policy).preempt;

/**
 * Ask the holders: the faulting page (unless it is here) and the zone's
 * pages that are neither here nor on their way, one REM_PAGE per holder,
 * the faulting page first. A prefetcher that puts demand first has the
 * faulting page asked for alone, in a request that leaves before the
 * zone's, so its reply carries no prefetched page. With the wire's demand
 * band (preempts), the request that carries the faulting page goes on the
 * demand connection, flagged so that its holder sends that page back alone
 * on it (om/deputy.ts).
 */
function request_pages(task: Task, st: OmTask, mm: MmStruct, vpn: number, satisfied: boolean, nzone: number): void {
  const by_holder = new Map<number, number[]>();
  const tl = timeline_of(task.node.cluster);
  const demand = !satisfied && want(st, mm, by_holder, vpn);
  if (demand) tl?.requested(vpn, 'demand');
  st.demand_sent_ns = demand ? task.clock_ns : -1;
  if (demand && st.prefetcher?.demand_first && nzone > 0) {
    send_requests(task, st, by_holder, vpn);
    by_holder.clear();
  }
  for (let i = 0; i < nzone; i++) {
    if (!want(st, mm, by_holder, zone[i]!)) continue;
    st.zone_unused.add(zone[i]!);
    tl?.requested(zone[i]!, 'zone');
  }
  send_requests(task, st, by_holder, demand ? vpn : -1);
}

/**
 * One REM_PAGE to each holder for its pages; `demand` (or -1) is the
 * faulting page, first in its holder's list and not counted as prefetched.
 */
function send_requests(task: Task, st: OmTask, by_holder: Map<number, number[]>, demand: number): void {
  const node = task.node;
  const f = figures_of(node, task.pid);
  const costs = register_om_costs(node.cpu);
  const first = demand >= 0 && preempts(st);
  for (const [h, vpns] of by_holder) {
    task.charge(node.cpu.cost_ns(costs.om_msg, 1));
    f.request_messages++;
    const has_demand = demand >= 0 && vpns[0] === demand;
    f.prefetched_pages += vpns.length - (has_demand ? 1 : 0);
    if (first && has_demand) st.demand_out.set(demand, h);
    if (first && has_demand) comm_send(node, node.cluster.node(h), { type: REM_PAGE, pid: task.pid, vpns, flags: OMP_DEMAND }, task.clock_ns, { conn: 'demand' });
    else comm_send(node, node.cluster.node(h), { type: REM_PAGE, pid: task.pid, vpns }, task.clock_ns);
  }
}

/**
 * The process resumes at its destination: a prefetcher that knows what
 * comes (the oracle) asks for pages before the first fault, a batch a
 * request.
 */
export function prefetch_at_resume(task: Task): void {
  const st = om_task(task);
  const pf = st?.prefetcher;
  const mm = task.mm as MmStruct | null;
  if (!st || !pf?.on_resume || !mm) return;
  const infod = infod_of(task.node);
  const tl = timeline_of(task.node.cluster);
  for (;;) {
    const ctx: PrefetchCtx = {
      now_ns: task.clock_ns, vpn: -1, cpu_util: infod.cpu_util, t0_ns: infod.t0_to(st.home), td_ns: infod.td_ns(),
      wanted: wanted_by(st, mm), free_frames: mm.mem.free_frames - st.inflight.size,
    };
    const ops0 = pf.analysis_ops;
    const n = pf.on_resume(ctx, zone);
    const ns = (pf.analysis_ops - ops0) * ANALYSIS_NS_PER_OP;
    figures_of(task.node, task.pid).analysis_ns += ns;
    task.charge(ns);
    if (n === 0) return;
    const by_holder = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      if (!want(st, mm, by_holder, zone[i]!)) continue;
      st.zone_unused.add(zone[i]!);
      tl?.requested(zone[i]!, 'zone');
    }
    send_requests(task, st, by_holder, -1);
  }
}

/** The remote-page hook: a fault on a page another node holds (Algorithm 1). */
export function remote_page_fault(task: Task, mm: MmStruct, vma: VmArea, address: number, _write: boolean, _pte: number): number {
  const st = om_task(task);
  if (!st) return VM_FAULT_SIGBUS;
  const vpn = address / PAGE_SIZE;
  if (!install_arrived(task, st, mm, vpn, st.prefetcher?.install === 'on-touch')) return VM_FAULT_OOM;
  // If this fault waits, its wait (the blocked time) runs from here: the
  // prefetcher's analysis and the requests it sends are part of it.
  const need_ns = task.clock_ns;
  // Whether or not the faulting page was among them, the fault is recorded
  // and the zone requested (Algorithm 1 runs for every page fault).
  const satisfied = (mm.pte_get(vpn) & _PAGE_PRESENT) !== 0;
  const miss = !satisfied && !st.inflight.has(vpn) && !st.arrived.has(vpn) && holder_of(mm, vpn) >= 0;
  // The first use of a page a zone brought (arrived or still on its way).
  const hit = st.zone_unused.delete(vpn);
  const f = figures_of(task.node, task.pid);
  if (hit) f.prefetch_hits++;
  f.remote_faults++;
  if (miss) {
    f.remote_fault_requests++;
    ref_recorder_of(task.node.cluster)?.miss(task.pid, vpn);
  }
  request_pages(task, st, mm, vpn, satisfied, fault_zone(task, st, mm, vma, vpn, satisfied, miss, hit));
  dbg(task.node, 'pid %d: remote fault on %s', task.pid, vpn.toString(16));
  if (satisfied) return VM_FAULT_MINOR; // a prefetched page: no wait
  task.maj_flt++;
  st.waiting_vpn = vpn;
  st.wait_from_ns = need_ns;
  st.waiting_on = holder_of(mm, vpn);
  if (st.waiting_on >= 0 && peer_lost(task.node, st.waiting_on)) pause_begin(st, task.clock_ns);
  timeline_of(task.node.cluster)?.wait_begins(task.clock_ns, vpn);
  block_task(task);
  return VM_FAULT_BLOCKED;
}

/**
 * Any other fault of a migrant that mapped a page (a first touch, a copy on
 * write): with AMPoM's window fed by every fault, as §3.1 reads ("the page
 * being accessed in the i-th page fault"), it enters the window and runs
 * Algorithm 1 too; the page itself needs no request.
 */
export function local_fault(task: Task, mm: MmStruct, vma: VmArea, vpn: number): void {
  const st = om_task(task);
  if (!st || !st.prefetcher || st.prefetcher.name !== 'ampom' || st.ampom_window !== 'all') return;
  if (!install_arrived(task, st, mm, vpn, false)) return; // out of frames for a table: the next remote fault says so
  figures_of(task.node, task.pid).local_window_faults++;
  request_pages(task, st, mm, vpn, true, fault_zone(task, st, mm, vma, vpn, true, false, false));
}

/** Whether vpn is a page the migrant's table says exists at its holder (an MPT entry or an exact run). */
function known_to_exist(mm: MmStruct, vpn: number): boolean {
  const pte = mm.pte_get(vpn);
  if (is_remote_pte(pte)) return true;
  return pte_none(pte) && (mm.remote_ranges.find(vpn)?.exact ?? false);
}

/** DEP_PAGES arrived on the migrant's node (asked for, or pushed). */
export function pages_arrived(node: Node, from: Node, m: Msg): void {
  if (m.type !== DEP_PAGES) return;
  const audit = audit_of(node.cluster);
  for (const p of m.pages) if (!(p.flags & PG_ONWAY)) audit.arrived(m.pid, p.vpn, p.data);
  const st = om_node(node).migrants.get(m.pid);
  if (m.flags !== undefined && m.flags & OMP_DEMAND) st?.demand_out.delete(m.pages[0]!.vpn);
  const task = st?.task;
  const mm = task?.mm as MmStruct | null | undefined;
  if (!st || !task || !task.alive || !mm) return; // it exited (or left) meanwhile: the pages go with it
  node.busy_ns += node.cpu.cost_ns(register_om_costs(node.cpu).om_msg, 1);
  for (const p of m.pages) {
    // Taken in only if the table still says that node holds it: not if it
    // was unmapped while it travelled, or is here already by another way (a
    // pushed copy that beat the reply).
    if (holder_of(mm, p.vpn) !== from.id || st.arrived.has(p.vpn)) {
      st.inflight.delete(p.vpn);
      continue;
    }
    if (p.flags & PG_ONWAY) continue; // pushed already: that copy will come
    // A page its table says that node holds, and that node no longer has:
    // lost (the holder let it go). The process cannot go on without it.
    if (p.flags & PG_ABSENT && known_to_exist(mm, p.vpn)) {
      return kill_migrant(st, `page 0x${p.vpn.toString(16)} lost: node ${from.id} no longer holds it`);
    }
    st.inflight.delete(p.vpn);
    const tl = timeline_of(node.cluster);
    if (tl) {
      if (m.flags && m.flags & OMP_BACKGROUND) tl.arrived(node.cluster.queue.now_ns, p.vpn, 'push');
      else tl.reply_arrived(node.cluster.queue.now_ns, p.vpn);
    }
    const pfn = frame_with(mm, p.data);
    if (pfn < 0) return kill_migrant(st, `out of memory: ${node.name} has no free page frame for an arriving page`);
    st.arrived.set(p.vpn, { pfn, flags: p.flags });
  }
  const w = st.waiting_vpn;
  const got = w >= 0 ? st.arrived.get(w) : undefined;
  if (got) {
    // The faulting page is here: the fault handler installs it and returns.
    st.arrived.delete(w);
    task.clock_ns = Math.max(task.clock_ns, node.cluster.queue.now_ns);
    task.charge(node.cpu.cost_ns(CPU_PTE, 1) + node.cpu.cost_ns(CPU_COPY_PAGE, 0));
    st.waiting_vpn = -1;
    st.waiting_on = -1;
    if (st.demand_sent_ns >= 0) figures_of(node, m.pid).demand_fault_ns.push(node.cluster.queue.now_ns - st.demand_sent_ns);
    st.demand_sent_ns = -1;
    if (st.wait_from_ns >= 0) figures_of(node, task.pid).page_waits_ns.push(Math.max(0, node.cluster.queue.now_ns - st.wait_from_ns));
    st.wait_from_ns = -1;
    pause_end(st, node.cluster.queue.now_ns);
    timeline_of(node.cluster)?.wait_ends(node.cluster.queue.now_ns);
    if (install_page(mm, w, got.pfn, got.flags) === INSTALL_OOM) return kill_migrant(st, `out of memory: ${node.name} has no free page frame for a page table`);
    wake_up_process(task);
  }
  run_deferred(st);
}

/** A migration waiting for pages on their way, or for pushes to stop, goes on when all are done. */
export function run_deferred(st: OmTask): void {
  if (st.inflight.size === 0 && st.push_stopping.size === 0 && st.demand_out.size === 0 && st.deferred) {
    const d = st.deferred;
    st.deferred = null;
    d();
  }
}

/** DEP_PUSH_STOPPED: that holder pushes no more (its last pushed page came before this). */
export function push_stopped(node: Node, from: Node, m: Msg): void {
  const st = om_node(node).migrants.get(m.pid);
  if (!st) return;
  st.push_stopping.delete(from.id);
  run_deferred(st);
}
