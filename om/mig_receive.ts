// Process migration, the destination's side (after openMosix's
// mig_do_receive): build the new address space from the messages as they
// arrive, answer MIG_DONE when all is applied, and resume the process at
// MIG_GO. The destination may refuse at any step (no room, or the fault
// plan says so): it drops what it built and sends MIG_ABORT.
import { kdebug } from '../kernel/klog.ts';
import { CPU_COPY_PAGE, CPU_PTE } from '../kernel/cpu.ts';
import { ECONNABORTED, ENOMEM } from '../kernel/errno.ts';
import type { Node } from '../kernel/node.ts';
import { wake_up_process } from '../kernel/sched.ts';
import { TASK_RUNNING, TASK_STOPPED, Task } from '../kernel/task.ts';
import { MmStruct, OutOfFrames } from '../mm/mm_struct.ts';
import { OM_TCP_USER_TIMEOUT_NS } from '../net/tcp.ts';
import { make_prefetcher } from '../mm/prefetch.ts';
import { PAGE_SIZE, _PAGE_DIRTY, mk_remote_pte, pte_none, pte_present } from '../mm/pgtable.ts';
import { VmArea } from '../mm/vma.ts';
import { audit_of } from './audit.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { MIG_STEPS, mig_abort_planned, mig_attempt_now, type MigStep } from './faults.ts';
import { kernel_work } from './kclock.ts';
import type { MigAttach } from './migrate.ts';
import { INSTALLED, PROT_BITS, frame_with, install_page, own_page, page_state, vma_page_bits } from './pages.ts';
import {
  MIG_ABORT, MIG_DONE, MIG_DROPPED, MIG_GO, MIG_HSHAKE, MIG_HSHAKE_ACK, MIG_MM, MIG_MPT, MIG_PAGE, MIG_RANGES, MIG_TASK, MIG_UNMAP, MIG_VMA,
  OMP_BACKGROUND, OMP_PREEMPT_OFF, OMP_PREEMPT_ON, OMP_PUSH_DEMAND, OMP_WINDOW_REMOTE, REM_PUSH_START, REM_WHERE, type MigTask, type MigVma, type Msg,
} from './proto.ts';
import { scheme_of } from './schemes/index.ts';
import type { RemoteRange } from '../mm/remote_ranges.ts';
import { zap_page_range } from '../mm/mm_struct.ts';
import { prefetch_at_resume, preempts, register_mm_owner } from './remote.ts';
import { future_refs_of } from './future_refs.ts';
import { figures_of, om_node, OmTask, policy_of_code, type Policy } from './state.ts';
import { kill_migrant } from './kill.ts';
import { deputy_dropped } from './deputy.ts';
import { peer_lost } from './liveness.ts';
import { timeline_of } from './timeline.ts';

const dbg = kdebug('om:mig');

/** The destination's record of a migration it is receiving. */
interface MigIn {
  pid: number;
  src: Node;
  home: number;
  policy: Policy;
  mm: MmStruct | null;
  /** Pages this node already holds for the process, to map in place at MIG_GO. */
  here: number[];
  /** Pages that came in MIG_PAGE, checked against the freeze once the migration commits. */
  moved: Set<number>;
  /** Ranges whose pages this node already holds, to map in place at MIG_GO. */
  here_ranges: RemoteRange[];
  /** Nodes the new page table names as holders. */
  holders: Set<number>;
  ctx: MigTask | null;
  attach: MigAttach | null;
  /** How many of mig_do_send's steps the fault plan was already asked about. */
  asked: number;
  /** Which of the run's migrations this is (for the fault plan). */
  nth: number;
  /** The process's AMPoM window mode, as the handshake said. */
  window: 'all' | 'remote';
  /** Its demand-first setting, as the handshake said (null: its scheme's). */
  preempt: boolean | null;
  /** When the source was last heard about this migration. */
  heard_ns: number;
}

/**
 * A migration whose source has not been heard for this long is given up
 * here as if the source were lost: twice TCP's user timeout, after which
 * the source's own connection has given up (a timed-out connection sends
 * no reset, so a receiver that only listens would wait for ever).
 */
export const MIG_IN_IDLE_NS = 2 * OM_TCP_USER_TIMEOUT_NS;

const incoming = (n: Node): Map<number, MigIn> => om_node(n).incoming as Map<number, MigIn>;

/** Frames the destination wants free before it accepts: the pages, their tables, slack. */
/** The handshake's demand-first flags: on, off, or neither (the scheme's default). */
const preempt_of = (flags: number): boolean | null => (flags & OMP_PREEMPT_ON ? true : flags & OMP_PREEMPT_OFF ? false : null);
const room_needed = (npages: number, vm_pages: number): number => npages + Math.ceil(vm_pages / 1024) + 2;

/** mig_do_receive: one migration message arrived at its destination. */
export function mig_do_receive(dest: Node, src: Node, m: Msg, attach: unknown): void {
  const cpu = dest.cpu;
  const costs = register_om_costs(cpu);
  const now = dest.cluster.queue.now_ns;
  if (m.type === MIG_HSHAKE) {
    incoming(dest).get(m.pid)?.mm?.exit_mm(); // a stale attempt's leftovers
    incoming(dest).delete(m.pid);
    const policy = policy_of_code(m.hshake.policy);
    const at = kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 2));
    const ok = policy !== undefined && dest.mem.free_frames >= room_needed(m.hshake.npages, m.hshake.vm_pages);
    if (!ok || mig_abort_planned(dest.cluster, m.pid, 'mig_send_hshake', 'dest')) {
      comm_send(dest, src, { type: MIG_ABORT, pid: m.pid, errno: ok ? -ECONNABORTED : -ENOMEM }, at, { conn: 'mig' });
      return;
    }
    incoming(dest).set(m.pid, { pid: m.pid, src, home: m.hshake.home, policy: policy!, mm: null, here: [], moved: new Set(), here_ranges: [], holders: new Set(), ctx: null, attach: null, asked: 1, nth: mig_attempt_now(dest.cluster, m.pid), window: m.flags && m.flags & OMP_WINDOW_REMOTE ? 'remote' : 'all', preempt: preempt_of(m.flags ?? 0), heard_ns: now });
    comm_send(dest, src, { type: MIG_HSHAKE_ACK, pid: m.pid, ack: { ok: 1, errno: 0 } }, at, { conn: 'mig' });
    return;
  }
  const mi = incoming(dest).get(m.pid);
  if (!mi || mi.src !== src) return; // what is left of an attempt that was called off (its source heard so)
  mi.heard_ns = now;
  if (m.type === MIG_ABORT) return mig_drop(dest, mi);
  if (m.type === MIG_GO) return mig_resume(dest, mi);
  // A refusal planned at a step that sent nothing (openMosix sends no MPT)
  // happens at the first message after it.
  const step = STEP_OF[m.type];
  if (step) {
    const upto = MIG_STEPS.indexOf(step);
    for (; mi.asked <= upto; mi.asked++) {
      if (mig_abort_planned(dest.cluster, m.pid, MIG_STEPS[mi.asked]!, 'dest', mi.nth)) return mig_refuse(dest, mi, -ECONNABORTED);
    }
  }
  switch (m.type) {
    case MIG_MM:
      kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1));
      if (!mi.mm) {
        try {
          mi.mm = new MmStruct(dest);
        } catch (e) {
          if (e instanceof OutOfFrames) return mig_refuse(dest, mi, -ENOMEM);
          throw e;
        }
      }
      Object.assign(mi.mm, m.mm); // again at a pre-copy's freeze: brk may have moved
      break;
    case MIG_VMA:
      kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1));
      set_vmas(mi.mm!, m.vmas, mi.moved);
      break;
    case MIG_UNMAP:
      kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1));
      for (const r of m.ranges) {
        zap_page_range(mi.mm!, r.start, r.end);
        for (let v = r.start / PAGE_SIZE; v < r.end / PAGE_SIZE; v++) mi.moved.delete(v);
      }
      break;
    case MIG_PAGE: {
      kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1) + cpu.cost_ns(CPU_COPY_PAGE, m.pages.length) + cpu.cost_ns(CPU_PTE, m.pages.length));
      const mm = mi.mm!;
      for (const p of m.pages) {
        const have = own_page(mm, p.vpn);
        if (have >= 0) {
          // A newer copy of a page a pre-copy round sent before.
          mm.mem.copy(have, p.data!);
          const pte = mm.pte_get(p.vpn);
          mm.pte_set(p.vpn, ((pte & ~_PAGE_DIRTY) | (p.flags & _PAGE_DIRTY)) >>> 0);
        } else {
          const pfn = frame_with(mm, p.data);
          if (pfn < 0 || install_page(mm, p.vpn, pfn, p.flags) !== INSTALLED) return mig_refuse(dest, mi, -ENOMEM);
        }
        mi.moved.add(p.vpn);
        timeline_of(dest.cluster)?.arrived(now, p.vpn, m.flags && m.flags & OMP_BACKGROUND ? 'precopy' : 'freeze');
      }
      break;
    }
    case MIG_MPT:
      kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1) + cpu.cost_ns(costs.mpt_entry, m.entries.length));
      for (const e of m.entries) {
        if (e.node === dest.id) {
          mi.here.push(e.vpn); // mapped in place once the migration commits
          continue;
        }
        mi.holders.add(e.node);
        if (!mi.mm!.pte_set(e.vpn, mk_remote_pte(e.node))) return mig_refuse(dest, mi, -ENOMEM);
      }
      break;
    case MIG_RANGES: {
      kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 1) + cpu.cost_ns(costs.pte_scan, m.ranges.length));
      const elsewhere: RemoteRange[] = [];
      for (const r of m.ranges) {
        const rr = { start_vpn: r.start / PAGE_SIZE, end_vpn: r.end / PAGE_SIZE, node: r.node, exact: r.exact };
        if (r.node === dest.id) mi.here_ranges.push(rr); // mapped in place once the migration commits
        else {
          elsewhere.push(rr);
          mi.holders.add(r.node);
        }
      }
      mi.mm!.remote_ranges.set(elsewhere);
      break;
    }
    case MIG_TASK: {
      const at = kernel_work(dest, now, cpu.cost_ns(costs.om_msg, 2));
      mi.ctx = m.task;
      mi.attach = attach as MigAttach;
      comm_send(dest, src, { type: MIG_DONE, pid: m.pid }, at, { conn: 'mig' });
      break;
    }
    default:
      dbg(dest, 'unexpected %d during the migration of pid %d', m.type, m.pid);
  }
}

const STEP_OF: Partial<Record<number, MigStep>> = {
  [MIG_MM]: 'mig_send_mm', [MIG_VMA]: 'mig_send_vmas', [MIG_PAGE]: 'mig_send_pages',
  [MIG_MPT]: 'mig_send_mpt', [MIG_RANGES]: 'mig_send_mpt', [MIG_TASK]: 'mig_send_proc_context',
};

/**
 * The VMAs of the process: on a first MIG_VMA as they come; again at a
 * pre-copy's freeze, when the process may have mapped, unmapped or
 * protected memory since its rounds began: pages outside the new VMAs go,
 * the others take their VMA's protection as it is now.
 */
function set_vmas(mm: MmStruct, vmas: MigVma[], moved: Set<number>): void {
  const old = mm.vmas.list;
  const same = old.length === vmas.length && old.every((v, i) => v.start === vmas[i]!.start && v.end === vmas[i]!.end && v.flags === vmas[i]!.flags);
  if (same) return;
  const fresh = old.length === 0;
  old.length = 0;
  for (const v of vmas) mm.vmas.insert(new VmArea(v.start, v.end, v.flags, v.name));
  if (fresh) return;
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    const a = vpn * PAGE_SIZE;
    const vma = mm.vmas.find_vma(a);
    if (!vma || vma.start > a) {
      zap_page_range(mm, a, a + PAGE_SIZE);
      moved.delete(vpn);
    } else if (pte_present(pte)) mm.pte_set(vpn, ((pte & ~PROT_BITS) | vma_page_bits(vma)) >>> 0);
  });
}

/** Drop what was built for a migration that will not happen. */
function mig_drop(dest: Node, mi: MigIn): void {
  mi.mm?.exit_mm();
  incoming(dest).delete(mi.pid);
}

function mig_refuse(dest: Node, mi: MigIn, errno: number): void {
  dbg(dest, 'refuses the migration of pid %d (%d)', mi.pid, errno);
  mig_drop(dest, mi);
  comm_send(dest, mi.src, { type: MIG_ABORT, pid: mi.pid, errno }, dest.cluster.queue.now_ns, { conn: 'mig' });
}

/**
 * This node took `peer` as unreachable: a migration from it that has not
 * reached MIG_DONE is dropped (the process goes on at its source, which
 * calls the migration off too). One in doubt (after MIG_DONE) waits for the
 * partition limit: its MIG_GO may still come.
 */
export function mig_in_peer_lost(node: Node, peer: number): void {
  for (const mi of [...incoming(node).values()]) if (mi.src.id === peer && mi.ctx === null) mig_in_give_up(node, mi);
}

/** `peer` has been unreachable for the partition limit: a migration from it still in doubt is given up. */
export function mig_in_peer_gone(node: Node, peer: number): void {
  for (const mi of [...incoming(node).values()]) if (mi.src.id === peer) mig_in_give_up(node, mi);
}

/**
 * Migrations whose source has gone quiet are given up as if it were lost:
 * after MIG_IN_IDLE_NS, or, once MIG_DONE went, after the partition limit
 * if that is longer (the source may be cut off and its MIG_GO on its way).
 */
export function mig_in_idle(node: Node, now_ns: number, limit_ns: number): void {
  for (const mi of [...incoming(node).values()]) {
    const idle_ns = mi.ctx === null ? MIG_IN_IDLE_NS : Math.max(MIG_IN_IDLE_NS, limit_ns);
    if (now_ns - mi.heard_ns < idle_ns) continue;
    dbg(node, 'no word from %s on pid %d for %d ns: giving up its migration here', mi.src.name, mi.pid, now_ns - mi.heard_ns);
    mig_in_give_up(node, mi);
  }
}

/**
 * The source is gone: the migration is dropped. After MIG_DONE this node
 * cannot know whether the source let go (its MIG_GO may be lost with it) or
 * called the migration off and runs the process on; to resume here could
 * make two of it, so this node drops it too, and tells the process's home
 * (MIG_DROPPED): if the source had let go, the process is lost, and its
 * deputy says so.
 */
function mig_in_give_up(node: Node, mi: MigIn): void {
  const in_doubt = mi.ctx !== null;
  mig_drop(node, mi);
  if (!in_doubt) {
    // Said to the source as well (best effort): it may only be slow, and
    // would wait for the rest of a migration this node no longer takes.
    comm_send(node, mi.src, { type: MIG_ABORT, pid: mi.pid, errno: -ECONNABORTED }, node.cluster.queue.now_ns, { conn: 'mig' });
    return;
  }
  const gen = mi.ctx!.gen;
  dbg(node, 'gives up the migration of pid %d (gen %d) after MIG_DONE', mi.pid, gen);
  node.cluster.transit_dropped(mi.pid, gen);
  if (mi.home === node.id) deputy_dropped(node, mi.pid, node.id, gen);
  else comm_send(node, node.cluster.node(mi.home), { type: MIG_DROPPED, pid: mi.pid, gen }, node.cluster.queue.now_ns);
}

/**
 * MIG_GO: the source has let go. This node builds its own task_struct of
 * the process from MIG_TASK, maps in place the pages it already held, and
 * resumes the process.
 */
function mig_resume(dest: Node, mi: MigIn): void {
  incoming(dest).delete(mi.pid);
  const { ctx, attach, mm } = mi;
  if (!ctx || !attach || !mm) {
    mm?.exit_mm(); // MIG_GO before MIG_TASK: the source misbehaved; nothing to resume
    return;
  }
  const c = dest.cluster;
  const here = om_node(dest);
  const t_run = kernel_work(dest, c.queue.now_ns, dest.cpu.cost_ns(register_om_costs(dest.cpu).om_msg, 1));
  // Only now is it sure these pages belong to this attempt's freeze (a
  // called-off attempt's pages may arrive after a new freeze).
  const audit = audit_of(c);
  for (const vpn of mi.moved) audit.seen_frame(mi.pid, vpn, mm.mem, own_page(mm, vpn));
  const oom = map_held_pages(dest, mi, mm);
  // The process is this node's from now on, in a task_struct of its own:
  // installed at once, so that whatever this node decides before it runs
  // (a peer taken as lost in the same pass, a kill) sees it as it is. It
  // runs once the resume's own work is done (t_run); a task killed before
  // then stays dead, and its migration did not complete.
  const task = new Task(mi.pid, ctx.comm, c.node(mi.home), mm, attach.prog, dest);
  task.regs.eip = ctx.eip;
  task.regs.esp = ctx.esp;
  task.regs.last_data = ctx.last_data;
  task.min_flt = ctx.min_flt;
  task.maj_flt = ctx.maj_flt;
  task.sys_ret = ctx.eax;
  task.utime_ns = ctx.utime_ns;
  task.start_ns = ctx.start_ns;
  task.nr_syscalls = ctx.nr_syscalls;
  task.marks.push(...attach.marks);
  Object.assign(task, attach.waits, attach.at);
  task.clock_ns = t_run;
  task.arrived_ns = t_run;
  task.state = TASK_STOPPED;
  c.install_task(task);
  register_mm_owner(mm, task);
  const st = new OmTask(task, mi.policy, mi.home);
  st.ampom_window = mi.window;
  st.preempt = mi.preempt;
  for (const h of mi.holders) if (h !== dest.id) st.holders.add(h);
  here.migrants.set(mi.pid, st);
  const scheme = scheme_of(mi.policy);
  if (mi.home === dest.id) here.deputies.get(mi.pid)?.holders.forEach((h) => st.holders.add(h));
  // Every node that holds pages of it pushes them, once the process runs
  // here: after a second migration that is the home as well as the source.
  // (Not a node this one has taken as gone: it would never say it stopped.)
  if (scheme.push) for (const h of st.holders) if (h !== dest.id && !peer_lost(dest, h)) st.pushers.add(h);
  st.prefetcher = scheme.prefetcher ? make_prefetcher(scheme.prefetcher, { future_refs: future_refs_of(c, mi.pid) }) : null;
  st.mig_gen = ctx.gen;
  if (oom) return kill_migrant(st, `out of memory: ${dest.name} has no free page frame for the pages it held`);
  if (mi.home === dest.id) {
    // Back home: the deputy learns at once (a peer lost in the same pass
    // must not take the process as lost with the node it left).
    const dep = here.deputies.get(mi.pid);
    if (!dep) return kill_migrant(st, `home node ${dest.id} took it as lost`);
    dep.where = dest.id;
    dep.where_gen = ctx.gen;
  }
  c.queue.at(t_run, () => {
    if (!dest.alive || !task.alive) return;
    const f = figures_of(dest, mi.pid);
    f.migrations++;
    f.freezes.push([ctx.frozen_at_ns, t_run - ctx.frozen_at_ns]);
    // A process whose demand goes first has its pushers keep copies of the pages still on their way (om/push.ts).
    const flags = (preempts(st) ? OMP_PREEMPT_ON : 0) | (scheme.push === 'demand' ? OMP_PUSH_DEMAND : 0);
    for (const h of st.pushers) comm_send(dest, c.node(h), { type: REM_PUSH_START, pid: mi.pid, flags }, t_run);
    if (mi.home !== dest.id) {
      // The process tells its deputy where it is itself, as a new remote
      // connects to its deputy: the source's REM_WHERE is lost if the
      // source crashes before it gets through, and a deputy that still
      // thinks the process is there would take it as lost with that node.
      comm_send(dest, c.node(mi.home), { type: REM_WHERE, pid: mi.pid, node: dest.id, gen: ctx.gen, holders: [...st.holders] }, t_run);
    }
    prefetch_at_resume(task);
    task.state = TASK_RUNNING;
    dbg(dest, 'pid %d resumes on %s, freeze %d ns', mi.pid, dest.name, t_run - ctx.frozen_at_ns);
    wake_up_process(task);
    c.task_resumed(task);
  }, dest.id);
}

/**
 * Pages this node held for the process (its HPT) come back into the
 * process's own table without moving. True if a page table could not be
 * allocated for one of them.
 */
function map_held_pages(dest: Node, mi: MigIn, mm: MmStruct): boolean {
  const here = om_node(dest);
  const h = here.holders.get(mi.pid);
  if (!h) return false;
  const hpt = h.hpt;
  const audit = audit_of(dest.cluster);
  let oom = false;
  const take = (vpn: number): void => {
    const pfn = own_page(hpt, vpn);
    if (pfn < 0) return;
    const flags = page_state(hpt.pte_get(vpn));
    audit.seen_frame(mi.pid, vpn, hpt.mem, pfn);
    hpt.pte_set(vpn, 0);
    hpt.rss--;
    if (install_page(mm, vpn, pfn, flags) !== INSTALLED && mm.vmas.find_vma(vpn * PAGE_SIZE)) oom = true;
  };
  for (const vpn of mi.here) take(vpn);
  for (const r of mi.here_ranges) hpt.for_each_pte(r.start_vpn, r.end_vpn, (vpn) => pte_none(mm.pte_get(vpn)) && take(vpn));
  if (hpt.rss === 0) {
    hpt.exit_mm();
    here.holders.delete(mi.pid);
  }
  return oom;
}
