// The page audit: the experimenter's probe that proves no page is lost or
// corrupted. It is instrumentation, not a node's state: nodes never read it,
// a crash does not touch it, and the figures it keeps are the run's checks.
//
// At each freeze it records the checksum of every page the migrant has
// locally (pages elsewhere keep the checksum of their last freeze: they did
// not change where they were held). A record is settled when its page is
// seen again: on arrival at the migrant, or where it stayed when the process
// exits. A page that arrives with other bytes is corrupt; one that a holder
// says never existed, or that is never seen again, is lost. munmap forgets.
// It also knows which pages are on the wire, and from where, for the
// location invariant; and, told by the host at a crash (om/index.ts), which
// pages went with the crashed node: held there, or on the wire from it.
import { crc32 } from 'node:zlib';
import type { Cluster } from '../kernel/cluster.ts';
import type { PhysMem } from '../kernel/physmem.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { PAGE_SIZE } from '../mm/pgtable.ts';
import { own_page } from './pages.ts';
import { VpnTable } from './vpn_table.ts';

/**
 * A page's checksum: CRC-32, except that a page of zeros (every page in
 * fast mode, where no bytes are written) is found by a native compare with
 * a zero page, several times cheaper than the CRC, and gets the CRC of zeros.
 */
const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);
const ZERO_CRC = crc32(ZERO_PAGE);
function page_sum(bytes: Uint8Array): number {
  return ZERO_PAGE.equals(bytes) ? ZERO_CRC : crc32(bytes);
}

/**
 * The checksum of a frame's bytes: page_sum(mem.bytes(pfn)), the obvious
 * version, except that a frame physmem knows to hold zeros (every page of
 * a fast-mode run not yet moved) is not read, and reading it (peek) does
 * not make physmem forget that it holds zeros.
 */
function frame_sum(mem: PhysMem, pfn: number): number {
  return mem.known_zero(pfn) ? ZERO_CRC : page_sum(mem.peek(pfn));
}

const changed = (vpn: number): string => `page 0x${vpn.toString(16)} changed where it was held`;

/** The checksum pending for vpn, which is settled now (its record goes), or -1 when none is. */
function take_pending(a: PidAudit, vpn: number): number {
  const want = a.pending.get(vpn);
  if (want === undefined) return -1;
  a.pending.delete(vpn);
  a.crashed.delete(vpn);
  return want;
}

class PidAudit {
  /** vpn -> checksum of the bytes the page must still have. */
  readonly pending = new VpnTable();
  /** Pages a holder sent that have not arrived yet, each with its sender's node number + 1. */
  readonly onwire = new VpnTable();
  /** Pages still to be seen whose only copy went with a node that crashed: vpn -> that node. */
  readonly crashed = new VpnTable();
  corrupt = 0;
  lost = 0;
  /** What went wrong first, for the failure message. */
  first_problem = '';
}

export class PageAudit {
  private readonly pids = new Map<number, PidAudit>();

  private of(pid: number): PidAudit {
    let a = this.pids.get(pid);
    if (!a) this.pids.set(pid, (a = new PidAudit()));
    return a;
  }

  /** The freeze: every page with contents here must reappear with these bytes. */
  freeze(pid: number, mm: MmStruct): void {
    const a = this.of(pid);
    mm.for_each_pte(0, 1 << 20, (vpn) => {
      const pfn = own_page(mm, vpn);
      if (pfn >= 0) {
        a.pending.set(vpn, frame_sum(mm.mem, pfn));
        a.crashed.delete(vpn); // its copy is here now, whatever went with a crash before
      }
    });
  }

  /**
   * A migration was called off: the pages still here never left, and must
   * be as they were at the freeze.
   */
  unfreeze(pid: number, mm: MmStruct): void {
    mm.for_each_pte(0, 1 << 20, (vpn) => {
      const pfn = own_page(mm, vpn);
      if (pfn >= 0) this.seen(pid, vpn, mm.mem.peek(pfn));
    });
  }

  /** A page left a holder (node `from`) for the migrant. */
  sent(pid: number, vpn: number, from: number): void {
    this.of(pid).onwire.set(vpn, from + 1);
  }

  /**
   * A node crashed: pages it held for pid (`held`), and those on the wire
   * from it (a crashed node finishes sending nothing), went with it. A
   * process that needs one afterwards is killed for the crash, with the
   * reason; one that completes never needed them (it would have asked for
   * them), and the verdict names the crash rather than counting them lost.
   */
  node_crashed(node: number, held: Map<number, number[]>): void {
    for (const [pid, a] of this.pids) {
      for (const vpn of held.get(pid) ?? []) if (a.pending.get(vpn) !== undefined) a.crashed.set(vpn, node);
      for (const vpn of a.onwire) if (a.onwire.get(vpn) === node + 1 && a.pending.get(vpn) !== undefined) a.crashed.set(vpn, node);
    }
  }

  /** A page arrived at the migrant (data null: the holder said it never existed). */
  arrived(pid: number, vpn: number, data: Uint8Array | null): void {
    const a = this.of(pid);
    a.onwire.delete(vpn);
    const want = take_pending(a, vpn);
    if (want < 0) return;
    if (data === null) this.problem(a, 'lost', `page 0x${vpn.toString(16)} came back as never existed`);
    else if (page_sum(data) !== want) this.problem(a, 'corrupt', `page 0x${vpn.toString(16)} arrived with other bytes`);
  }

  /** A page seen where it is: held at the process's exit, mapped back in place, or moved at a freeze. */
  seen(pid: number, vpn: number, data: Uint8Array): void {
    const a = this.of(pid);
    const want = take_pending(a, vpn);
    if (want >= 0 && page_sum(data) !== want) this.problem(a, 'corrupt', changed(vpn));
  }

  /**
   * seen(pid, vpn, mem.bytes(pfn)), the obvious version, for a page seen in
   * its frame: a frame physmem knows to hold zeros is not read (frame_sum),
   * and is not taken as written either (bytes() would, and the frame then
   * has its 4 KiB compared with zeros again when it is freed).
   */
  seen_frame(pid: number, vpn: number, mem: PhysMem, pfn: number): void {
    const a = this.of(pid);
    const want = take_pending(a, vpn);
    if (want >= 0 && frame_sum(mem, pfn) !== want) this.problem(a, 'corrupt', changed(vpn));
  }

  /** munmap: those pages no longer need to be found. */
  forget(pid: number, start: number, end: number): void {
    const a = this.pids.get(pid);
    if (!a) return;
    for (let v = start / PAGE_SIZE; v < end / PAGE_SIZE; v++) {
      a.pending.delete(v);
      a.crashed.delete(v);
    }
  }

  /** The pages a holder sent to pid that have not arrived yet. */
  in_flight(pid: number): Iterable<number> & { has(vpn: number): boolean; readonly size: number } {
    return this.of(pid).onwire;
  }

  /**
   * The verdict for a process: corrupt and lost pages. For one that
   * completed, every page never seen again is lost too, unless it went with
   * a node that crashed (node_crashed): those are counted apart
   * (`crash_lost`, with `crash_note` naming the nodes), as pages the process
   * no longer needed. For one that was killed, only pages that came back
   * wrong or as never existed count (it needs none of the others any more,
   * and a node that died with some took them along with the reason it was
   * killed). The message names the lowest page never seen again.
   */
  verdict(pid: number, completed = true): { corrupt: number; lost: number; problem: string; crash_lost: number; crash_note: string } {
    const a = this.of(pid);
    let crash_lost = 0;
    const by_node = new Map<number, number>();
    let first = -1;
    let unseen = 0;
    if (completed) {
      for (const vpn of a.pending) {
        const node = a.crashed.get(vpn);
        if (node !== undefined) {
          crash_lost++;
          by_node.set(node, (by_node.get(node) ?? 0) + 1);
        } else {
          unseen++;
          if (first < 0) first = vpn;
        }
      }
    }
    if (unseen > 0) this.problem(a, 'lost', `${unseen} pages were never seen again (first 0x${first.toString(16)})`, unseen);
    a.pending.clear();
    a.crashed.clear();
    const crash_note = [...by_node].sort((x, y) => x[0] - y[0]).map(([node, n]) => `${n} pages it no longer needed went with node ${node}, which crashed holding them`).join('; ');
    return { corrupt: a.corrupt, lost: a.lost, problem: a.first_problem, crash_lost, crash_note };
  }

  private problem(a: PidAudit, kind: 'lost' | 'corrupt', what: string, n = 1): void {
    a[kind] += n;
    if (!a.first_problem) a.first_problem = what;
  }
}

export function audit_of(cluster: Cluster): PageAudit {
  let a = cluster.ext.get('om_audit') as PageAudit | undefined;
  if (!a) cluster.ext.set('om_audit', (a = new PageAudit()));
  return a;
}
