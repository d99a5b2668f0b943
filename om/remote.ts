// Remote paging and remote system calls on the migrant's side.
//
// A fault on a PTE that names another node (or, after a NoPrefetch
// migration, on a page not here yet) runs Algorithm 1 of the paper: install
// the pages that arrived since the last fault, let the prefetcher record the
// fault and pick its dependent zone, request the faulting page and the zone
// pages that are neither local nor in flight from their holder in one
// REM_PAGE, and wait for the faulting page.
import createDebug from 'debug';
import { CPU_PTE, CPU_COPY_PAGE } from '../kernel/cpu.ts';
import { complete_syscall, block_task, wake_up_process } from '../kernel/sched.ts';
import { SYSCALL_BLOCKED, __NR_getpid, __NR_gettimeofday, __NR_write, type SyscallEntry } from '../kernel/syscalls.ts';
import type { Task } from '../kernel/task.ts';
import type { Cluster } from '../kernel/cluster.ts';
import { set_remote_page_hook, VM_FAULT_BLOCKED, VM_FAULT_MINOR, VM_FAULT_SIGBUS } from '../mm/fault.ts';
import { set_munmap_hook } from '../mm/mmap.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { PAGE_SIZE, _PAGE_PRESENT, is_remote_pte, pte_none, swp_offset } from '../mm/pgtable.ts';
import type { PrefetchCtx } from '../mm/prefetch.ts';
import type { VmArea } from '../mm/vma.ts';
import { infod_of } from '../net/infod.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { deputy_main_loop } from './deputy.ts';
import { PAGE_ABSENT, frame_with, install_page, own_page, verify_page } from './pages.ts';
import { DEP_PAGES, DEP_SYSCALL, REM_PAGE, REM_SYSCALL, REM_UNMAP, type Msg } from './proto.ts';
import { om_task, type OmTask } from './state.ts';

const dbg = createDebug('om:remote');

/** CPU cost of one basic step of a prefetcher's analysis (a compare, a load). */
export const ANALYSIS_NS_PER_OP = 1;

const owners = new WeakMap<MmStruct, Task>();
export function register_mm_owner(mm: MmStruct, task: Task): void {
  owners.set(mm, task);
}

/** Where a missing page lives: a holder node id, or -1 (a new page). */
function holder_of(mm: MmStruct, vpn: number): number {
  const pte = mm.pte_get(vpn);
  if (is_remote_pte(pte)) return swp_offset(pte);
  if (pte_none(pte) && mm.lazy_remote_node >= 0 && mm.is_lazy_remote(vpn)) return mm.lazy_remote_node;
  return -1;
}

/** Algorithm 1, line 1: copy the pages prefetched last time into the address space. */
function install_arrived(task: Task, st: OmTask, mm: MmStruct): void {
  if (st.arrived.size === 0) return;
  task.charge(task.node.cpu.cost_ns(CPU_PTE, st.arrived.size));
  for (const [vpn, { pfn }] of st.arrived) install_page(mm, vpn, pfn);
  st.arrived.clear();
}

const zone = new Int32Array(4096);

function remote_page_fault(task: Task, mm: MmStruct, vma: VmArea, address: number, _write: boolean, pte: number): number {
  const st = om_task(task);
  if (!st) return VM_FAULT_SIGBUS;
  const vpn = address / PAGE_SIZE;
  install_arrived(task, st, mm);
  // Whether or not the faulting page was among them, the fault is recorded
  // and the zone requested (Algorithm 1 runs for every page fault).
  const satisfied = (mm.pte_get(vpn) & _PAGE_PRESENT) !== 0;
  const now = task.clock_ns;
  // The prefetcher's view of the system at this fault.
  let nzone = 0;
  if (st.prefetcher) {
    const holder = satisfied ? task.home.id : holder_of(mm, vpn);
    const infod = infod_of(task.node);
    // C_i is the node's CPU utilisation as oM_infoD monitors it (§4), not
    // the task's share since its last fault: a task that just waited for a
    // page would otherwise shrink its own zone exactly when it is paging.
    const util = infod.cpu_util;
    const ops0 = st.prefetcher.analysis_ops;
    const ctx: PrefetchCtx = {
      now_ns: now, vpn, cpu_util: util,
      t0_ns: infod.t0_to(holder >= 0 ? holder : task.home.id),
      td_ns: infod.td_ns(),
      wanted: (v) => {
        if (v < 0 || v >= 1 << 20 || st.inflight.has(v) || st.arrived.has(v)) return false;
        const a = mm.vmas.find_vma(v * PAGE_SIZE);
        if (!a || a.start > v * PAGE_SIZE) return false;
        return holder_of(mm, v) >= 0;
      },
    };
    nzone = st.prefetcher.on_fault(ctx, zone);
    if (st.prefetcher.looped) infod.measure_bandwidth(now);
    const ns = (st.prefetcher.analysis_ops - ops0) * ANALYSIS_NS_PER_OP;
    st.stats.analysis_ns += ns;
    task.charge(ns);
  }
  // One request per holder: the faulting page first, then the zone.
  const by_holder = new Map<number, number[]>();
  const want = (v: number): void => {
    const h = holder_of(mm, v);
    if (h < 0 || st.inflight.has(v) || st.arrived.has(v)) return;
    st.inflight.add(v);
    let l = by_holder.get(h);
    if (!l) by_holder.set(h, (l = []));
    l.push(v);
  };
  st.stats.remote_faults++;
  if (!satisfied && !st.inflight.has(vpn) && !st.arrived.has(vpn) && holder_of(mm, vpn) >= 0) st.stats.remote_fault_requests++;
  if (!satisfied) want(vpn);
  for (let i = 0; i < nzone; i++) want(zone[i]!);
  const costs = register_om_costs(task.node.cpu);
  for (const [h, vpns] of by_holder) {
    task.charge(task.node.cpu.cost_ns(costs.om_msg, 1));
    st.stats.request_messages++;
    st.stats.prefetched_pages += vpns.filter((v) => v !== vpn).length;
    const holder = task.node.cluster.node(h);
    const here = task.node;
    comm_send(here, holder, { type: REM_PAGE, vpns }, task.clock_ns, (m) => {
      deputy_main_loop(holder, task, here, m, (r) => pages_arrived(task, st, r));
    }, st);
  }
  void vma;
  void pte;
  dbg('pid %d: remote fault on %s, %d zone pages', task.pid, vpn.toString(16), nzone);
  if (satisfied) return VM_FAULT_MINOR; // a prefetched page: no wait
  task.maj_flt++;
  st.waiting_vpn = vpn;
  block_task(task);
  return VM_FAULT_BLOCKED;
}

/** DEP_PAGES arrived on the migrant's node. */
function pages_arrived(task: Task, st: OmTask, m: Msg): void {
  if (m.type !== DEP_PAGES) return;
  for (const p of m.pages) st.onwire.delete(p.vpn);
  const mm = task.mm as MmStruct | null;
  if (!task.alive || !mm) return;
  const costs = register_om_costs(task.node.cpu);
  task.node.busy_ns += task.node.cpu.cost_ns(costs.om_msg, 1);
  for (const p of m.pages) {
    st.inflight.delete(p.vpn);
    st.onwire.delete(p.vpn);
    const absent = (p.flags & PAGE_ABSENT) !== 0;
    if (!absent) verify_page(st, p.vpn, p.data);
    const pfn = frame_with(mm, absent ? null : p.data);
    if (pfn < 0) throw new Error(`${task.node.name}: out of frames for an arriving page`);
    st.arrived.set(p.vpn, { pfn, flags: p.flags });
  }
  const w = st.waiting_vpn;
  if (w >= 0 && st.arrived.has(w)) {
    // The faulting page is here: the fault handler installs it and returns.
    const { pfn } = st.arrived.get(w)!;
    st.arrived.delete(w);
    task.clock_ns = Math.max(task.clock_ns, task.node.cluster.queue.now_ns);
    task.charge(task.node.cpu.cost_ns(CPU_PTE, 1) + task.node.cpu.cost_ns(CPU_COPY_PAGE, 0));
    install_page(mm, w, pfn);
    st.waiting_vpn = -1;
    wake_up_process(task);
  }
  if (st.inflight.size === 0 && st.deferred) {
    const d = st.deferred;
    st.deferred = null;
    d();
  }
}

/** Calls that openMosix sends home (the rest run where the process is). */
const REMOTE_CALLS = new Set([__NR_write, __NR_gettimeofday, __NR_getpid]);

/** remote_do_syscall: ship a migrant's call to its deputy and wait for the reply. */
function remote_do_syscall(task: Task, ent: SyscallEntry, args: number[]): number | typeof SYSCALL_BLOCKED | undefined {
  if (task.node === task.home || !REMOTE_CALLS.has(ent.nr)) return undefined;
  const st = om_task(task);
  if (!st) return undefined;
  if (task.efault) return ent.fn(task, args); // the local check already failed: -EFAULT
  const mm = task.mm as MmStruct;
  let data: Uint8Array = new Uint8Array(0);
  if (ent.nr === __NR_write && (args[2] ?? 0) > 0 && (args[0] === 1 || args[0] === 2)) data = mm.copy_from_user(args[1]!, Math.min(args[2]!, 1 << 20));
  const costs = register_om_costs(task.node.cpu);
  task.charge(task.node.cpu.cost_ns(costs.om_msg, 1));
  const here = task.node;
  const home = task.home;
  comm_send(here, home, { type: REM_SYSCALL, call: { nr: ent.nr, args: args.slice(0, 6), data } }, task.clock_ns, (m) => {
    deputy_main_loop(home, task, here, m, (r) => {
      if (r.type !== DEP_SYSCALL || !task.alive) return;
      if (ent.nr === __NR_gettimeofday && r.ret === 0 && args[0]) (task.mm as MmStruct).copy_to_user(args[0], r.data);
      task.clock_ns = Math.max(task.clock_ns, home.cluster.queue.now_ns);
      complete_syscall(task, r.ret);
    });
  }, st);
  return SYSCALL_BLOCKED;
}

/** munmap on a migrant: pages held elsewhere in the range are dropped there (§2.2). */
function remote_munmap(mm: MmStruct, start: number, end: number): void {
  const task = owners.get(mm);
  if (!task) return;
  const st = om_task(task);
  if (!st) return;
  const by_holder = new Map<number, number[]>();
  for (let v = start / PAGE_SIZE; v < end / PAGE_SIZE; v++) {
    const h = holder_of(mm, v);
    if (h < 0 || st.inflight.has(v)) continue;
    let l = by_holder.get(h);
    if (!l) by_holder.set(h, (l = []));
    l.push(v);
  }
  for (const [h, vpns] of by_holder) {
    const holder = task.node.cluster.node(h);
    const here = task.node;
    comm_send(here, holder, { type: REM_UNMAP, vpns }, task.clock_ns, (m) => deputy_main_loop(holder, task, here, m, () => {}), st);
  }
  mm.drop_lazy_remote(start, end);
}

/** When a migrant exits, every node holding pages for it lets them go. */
function remote_exit(task: Task): void {
  const st = om_task(task);
  if (!st) return;
  for (const hpt of st.holders.values()) {
    // Pages that never had to move are checked where they stayed, so every
    // page the task owned is proven intact, moved or not.
    hpt.for_each_pte(0, 1 << 20, (vpn) => {
      const pfn = own_page(hpt, vpn);
      const want = st.checksums.get(vpn);
      if (pfn >= 0 && want !== undefined && hpt.mem.checksum(pfn) !== want) st.stats.corrupt_pages++;
    });
    hpt.exit_mm();
  }
  st.holders.clear();
  st.inflight.clear();
  st.onwire.clear();
  st.deferred = null;
  for (const { pfn } of st.arrived.values()) task.node.mem.put(pfn);
  st.arrived.clear();
}

/** Install om's hooks into the kernel and mm (done once per cluster). */
export function install_remote_hooks(cluster: Cluster): void {
  set_remote_page_hook(remote_page_fault);
  set_munmap_hook(remote_munmap);
  cluster.syscall_redirect = remote_do_syscall;
  cluster.exit_listeners.push(remote_exit);
}

export { REM_SYSCALL };
