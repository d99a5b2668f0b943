// Pre-copy's rounds, at the source, while the process goes on running.
//
// Dirty tracking is the emulated PTE dirty bits, as a log-dirty mode keeps
// them: at the start of a round the bit of every page the round will send is
// cleared (and its TLB entry flushed, so the next write walks the table and
// sets it again). A round sends its pages in MIG_PAGE messages of 16, each
// copied when it is composed; a page whose bit is set again by then was
// dirtied during the round and waits for the next one. Messages are written
// as the socket's send buffer has room (om/sndbuf.ts), so they are composed
// as the wire drains. When a round's last message is written, the stop
// rule (Xen's simple_precopy_policy: fewer than 50 dirty pages, or 5 rounds;
// or the legacy 30 rounds or 3 times the memory sent) decides between
// another round and the freeze (om/migrate.ts), which moves what is left.
import { kdebug } from '../kernel/klog.ts';
import { CPU_COPY_PAGE } from '../kernel/cpu.ts';
import type { Node } from '../kernel/node.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { _PAGE_DIRTY } from '../mm/pgtable.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { kernel_work } from './kclock.ts';
import { copy_page, own_page } from './pages.ts';
import { MIG_PAGE, MIG_UNMAP, MIG_VMA, OMP_BACKGROUND, message_B, type MigVma, type Msg, type PageRec } from './proto.ts';
import type { PrecopyRule } from './schemes/index.ts';
import { write_while_room } from './sndbuf.ts';
import { figures_of } from './state.ts';

const dbg = kdebug('om:mig');

const PRECOPY_PAGES_PER_MSG = 16;

export interface PrecopyState {
  rule: PrecopyRule;
  round: number;
  /** The round's pages, ascending, and how far the round got. */
  queue: number[];
  at: number;
  /** The rounds are over (the freeze has begun, or the migration was called off). */
  over: boolean;
  /** Pages the destination has a copy of. */
  readonly sent: Set<number>;
  /**
   * Ranges unmapped and not yet told: the next message of the rounds (or
   * the freeze) is a MIG_UNMAP, so the destination drops its copies before
   * any page of a new mapping at the same place reaches it.
   */
  readonly unmapped: { start: number; end: number }[];
  /** The VMAs the destination was last sent (their key): a changed list goes again before more pages. */
  vmas_sent: string;
  sent_pages: number;
  /** The process's memory when pre-copy began, bytes (for the legacy 3x rule). */
  mem_B: number;
  /** Called when the rule says stop: freeze and move the rest. */
  on_done: () => void;
}

export function precopy_state(rule: PrecopyRule, mm: MmStruct, on_done: () => void): PrecopyState {
  return { rule, round: 0, queue: [], at: 0, over: false, sent: new Set(), unmapped: [], vmas_sent: '', sent_pages: 0, mem_B: mm.rss * 4096, on_done };
}

/** The VMAs as MIG_VMA carries them. */
export const mig_vmas = (mm: MmStruct): MigVma[] => mm.vmas.list.map((v) => ({ start: v.start, end: v.end, flags: v.flags, name: v.name }));

/** What the destination needs to know of the VMAs, as a key to compare. */
export const vmas_key = (mm: MmStruct): string => mm.vmas.list.map((v) => `${v.start}-${v.end}:${v.flags}`).join(',');

/** Start a round: its pages are those dirty now (round 1: all with contents); clear their bits. */
export function precopy_round(src: Node, mm: MmStruct, ps: PrecopyState, pid: number): void {
  ps.round++;
  const q: number[] = [];
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    if (own_page(mm, vpn) < 0) return;
    if (ps.round === 1 || pte & _PAGE_DIRTY || !ps.sent.has(vpn)) {
      q.push(vpn);
      if (pte & _PAGE_DIRTY) mm.pte_set(vpn, pte & ~_PAGE_DIRTY);
    }
  });
  ps.queue = q;
  ps.at = 0;
  figures_of(src, pid).precopy_rounds++;
  dbg(src, 'pid %d: pre-copy round %d, %d pages', pid, ps.round, q.length);
}

/** Run the rounds: write their messages as the socket has room, until the rule says stop. */
export function precopy_run(src: Node, dest: Node, mm: MmStruct, ps: PrecopyState, pid: number, going: () => boolean): void {
  precopy_round(src, mm, ps, pid);
  write_while_room(src, dest, 'mig', () => precopy_compose(src, dest, mm, ps, pid), () => !ps.over && going());
}

/** Compose and send the next message of the round; at the round's end, decide. False: no more. */
function precopy_compose(src: Node, dest: Node, mm: MmStruct, ps: PrecopyState, pid: number): boolean {
  // The address space changed under the rounds: say so first, in order.
  if (ps.unmapped.length > 0) {
    const ranges = ps.unmapped.splice(0);
    comm_send(src, dest, { type: MIG_UNMAP, pid, ranges }, src.cluster.queue.now_ns, { conn: 'mig' });
    return true;
  }
  if (vmas_key(mm) !== ps.vmas_sent) {
    ps.vmas_sent = vmas_key(mm);
    comm_send(src, dest, { type: MIG_VMA, pid, vmas: mig_vmas(mm) }, src.cluster.queue.now_ns, { conn: 'mig' });
    return true;
  }
  for (;;) {
    const pages: PageRec[] = [];
    while (pages.length < PRECOPY_PAGES_PER_MSG && ps.at < ps.queue.length) {
      const vpn = ps.queue[ps.at++]!;
      const pte = mm.pte_get(vpn);
      // Unmapped since, or dirtied again during this round: not now.
      if (own_page(mm, vpn) < 0 || pte & _PAGE_DIRTY) continue;
      pages.push({ vpn, ...copy_page(mm, vpn)! });
      ps.sent.add(vpn);
    }
    if (pages.length > 0) {
      const m: Msg = { type: MIG_PAGE, pid, pages, flags: OMP_BACKGROUND };
      const costs = register_om_costs(src.cpu);
      const t = kernel_work(src, src.cluster.queue.now_ns, src.cpu.cost_ns(CPU_COPY_PAGE, pages.length) + src.cpu.cost_ns(costs.om_msg, 1));
      const f = figures_of(src, pid);
      f.precopy_bytes += message_B(m);
      f.pages_transferred += pages.length;
      ps.sent_pages += pages.length;
      comm_send(src, dest, m, t, { conn: 'mig' });
      return true;
    }
    if (!precopy_round_end(src, mm, ps, pid)) return false;
  }
}

/** A round's pages are all written: another round (true), or stop and freeze. */
function precopy_round_end(src: Node, mm: MmStruct, ps: PrecopyState, pid: number): boolean {
  let dirty = 0;
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    if (own_page(mm, vpn) >= 0 && (pte & _PAGE_DIRTY || !ps.sent.has(vpn))) dirty++;
  });
  const r = ps.rule;
  const sent_enough = r.max_sent_factor > 0 && ps.sent_pages * 4096 >= r.max_sent_factor * ps.mem_B;
  if (dirty < r.min_dirty || ps.round >= r.max_rounds || sent_enough) {
    dbg(src, 'pid %d: pre-copy stops after round %d with %d dirty pages', pid, ps.round, dirty);
    ps.over = true;
    ps.on_done();
    return false;
  }
  precopy_round(src, mm, ps, pid);
  return true;
}
