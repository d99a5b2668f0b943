// mm_struct: one address space — its page directory, VMAs and counters — and
// the MMU that resolves a task's references through it.
import { PhysMem } from '../kernel/physmem.ts';
import type { Node } from '../kernel/node.ts';
import type { AddressSpace, Task } from '../kernel/task.ts';
import { REF_W, REF_X } from '../kernel/op.ts';
import {
  PAGE_SHIFT, PAGE_SIZE, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, _PAGE_TABLE, _PAGE_USER,
  PF_USER, PF_WRITE, PF_PROT, pgd_index, pte_index, pte_pfn, pte_present, PTRS_PER_PTE, NR_VPAGES, is_remote_pte,
} from './pgtable.ts';
import { VmaList } from './vma.ts';
import { Tlb } from './tlb.ts';
import { RemoteRanges } from './remote_ranges.ts';
import { do_page_fault } from './fault.ts';

const new_tlb = (): Tlb => new Tlb();

/** The TLB of a node's CPU (created on first use; the factory is made once, not at each call of this hot path). */
export function node_tlb(node: Node): Tlb {
  return node.attach('tlb', new_tlb);
}

export class MmStruct implements AddressSpace {
  readonly vmas = new VmaList();
  /** The frame holding the page directory (what CR3 points at). */
  readonly pgd_pfn: number;
  /** Resident pages mapped privately (the zero page is not counted, as in 2.4). */
  rss = 0;
  /** Page-table pages (not counting the PGD). */
  pt_pages = 0;
  start_code = 0;
  end_code = 0;
  start_data = 0;
  end_data = 0;
  start_brk = 0;
  brk = 0;
  start_stack = 0;
  /**
   * Ranges whose pages, when missing here, another node holds (a migrant
   * that came without a per-page table): a fault there asks that node.
   */
  readonly remote_ranges = new RemoteRanges();
  /**
   * Entries that name a page another node holds (remote PTEs, the MPT's),
   * and a span [remote_lo_vpn, remote_hi_vpn) that holds every one of them
   * (it only widens while any is left, and empties with the last): a
   * prefetcher's zone, asked page by page whether another node holds it,
   * skips the page-table walk for pages no remote entry can be near.
   */
  remote_ptes = 0;
  remote_lo_vpn = 0;
  remote_hi_vpn = 0;
  private dead = false;
  /**
   * Bumped whenever a PTE loses one of the bits a sweep needs (present,
   * user, writable, accessed, dirty), by pte_set or an unmap: what a sweep
   * found ready stays ready while it does not move (sweep_ready), whatever
   * is added meanwhile (a page installed, the walk's accessed and dirty).
   */
  pte_gen = 0;
  /** sweep_ready's memo: the range, the generation it was found ready at, and how far a scan got at which generation. */
  private readonly sweep_memo = { base: -1, pages: 0, write: false, ready_gen: -1, scanned: 0, scanned_gen: -1 };
  /** run_refs_timed's running sums (see there), kept unboxed. */
  private readonly timed_acc = new Float64Array(4);

  constructor(readonly node: Node) {
    const pfn = node.mem.alloc();
    if (pfn < 0) throw new OutOfFrames(node);
    node.mem.clear(pfn);
    this.pgd_pfn = pfn;
  }

  get mem(): PhysMem {
    return this.node.mem;
  }

  // ---- page-table access ----

  /** The PTE of vpn, or 0 when its page-table page does not exist. */
  pte_get(vpn: number): number {
    const pgde = this.mem.read_u32(this.pgd_pfn, pgd_index(vpn));
    if (!(pgde & _PAGE_PRESENT)) return 0;
    return this.mem.read_u32(pte_pfn(pgde), pte_index(vpn));
  }

  /**
   * Set vpn's PTE, allocating its page-table page (pte_alloc) if needed.
   * False when no frame is left for the table. Flushes the TLB entry.
   */
  pte_set(vpn: number, pte: number): boolean {
    const gi = pgd_index(vpn);
    let pgde = this.mem.read_u32(this.pgd_pfn, gi);
    if (!(pgde & _PAGE_PRESENT)) {
      if (pte === 0) return true;
      const pt = this.mem.alloc();
      if (pt < 0) return false;
      this.mem.clear(pt);
      pgde = ((pt << PAGE_SHIFT) | _PAGE_TABLE) >>> 0;
      this.mem.write_u32(this.pgd_pfn, gi, pgde);
      this.pt_pages++;
    }
    const pt = pte_pfn(pgde);
    const old = this.mem.read_u32(pt, pte_index(vpn));
    if (old & _PAGE_PRESENT && old & ~pte & SWEEP_BITS) this.pte_gen++;
    if (is_remote_pte(old)) this.remote_gone();
    if (is_remote_pte(pte)) this.remote_set(vpn);
    this.mem.write_u32(pt, pte_index(vpn), pte >>> 0);
    this.flush_tlb_page(vpn);
    return true;
  }

  /** Whether a remote entry may stand at vpn (false: there is none there). */
  may_be_remote(vpn: number): boolean {
    return this.remote_ptes > 0 && vpn >= this.remote_lo_vpn && vpn < this.remote_hi_vpn;
  }

  private remote_set(vpn: number): void {
    if (this.remote_ptes++ === 0) {
      this.remote_lo_vpn = vpn;
      this.remote_hi_vpn = vpn + 1;
    } else {
      if (vpn < this.remote_lo_vpn) this.remote_lo_vpn = vpn;
      if (vpn >= this.remote_hi_vpn) this.remote_hi_vpn = vpn + 1;
    }
  }

  /** A remote entry was overwritten or cleared. */
  remote_gone(): void {
    this.remote_ptes--;
  }

  /**
   * AddressSpace.sweep_ready: every page of the range is mapped for the
   * user, ACCESSED (and writable and DIRTY for a write sweep), so the page
   * walk has nothing to change and no reference can fault. A scan that got
   * to page k at a generation need not look at pages before k again while
   * the generation holds (only the walk writes PTEs then, and it only adds
   * bits, or pte_set adds them); a range found ready stays so until the
   * generation moves.
   */
  sweep_ready(base_vpn: number, pages: number, write: boolean): boolean {
    const s = this.sweep_memo;
    if (s.base !== base_vpn || s.pages !== pages || s.write !== write) {
      s.base = base_vpn;
      s.pages = pages;
      s.write = write;
      s.ready_gen = -1;
      s.scanned_gen = -1;
    }
    if (s.ready_gen === this.pte_gen) return true;
    if (s.scanned_gen !== this.pte_gen) {
      s.scanned = 0;
      s.scanned_gen = this.pte_gen;
    }
    const need = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | (write ? _PAGE_RW | _PAGE_DIRTY : 0);
    for (let v = base_vpn + s.scanned, end = base_vpn + pages; v < end; v++) {
      if ((this.pte_get(v) & need) !== need) {
        s.scanned = v - base_vpn;
        return false;
      }
    }
    s.ready_gen = this.pte_gen;
    return true;
  }

  /**
   * Call fn(pt_pfn, lo, hi) for each existing page-table page covering part of
   * [start_vpn, end_vpn), with the part [lo, hi) it covers.
   */
  for_each_pte_table(start_vpn: number, end_vpn: number, fn: (pt: number, lo: number, hi: number) => void): void {
    if (end_vpn <= start_vpn) return;
    for (let gi = pgd_index(start_vpn); gi <= pgd_index(end_vpn - 1); gi++) {
      const pgde = this.mem.read_u32(this.pgd_pfn, gi);
      if (!(pgde & _PAGE_PRESENT)) continue;
      fn(pte_pfn(pgde), Math.max(start_vpn, gi * PTRS_PER_PTE), Math.min(end_vpn, (gi + 1) * PTRS_PER_PTE));
    }
  }

  /**
   * Call fn(vpn, pte) for every non-empty PTE in [start_vpn, end_vpn). The
   * obvious loop reads each entry with mem.read_u32(pt, pte_index(vpn));
   * this one finds each page-table page's place in its chunk once and reads
   * the entries from the view (the migration and liveness paths scan whole
   * address spaces this way). fn may change entries as it goes (the view is
   * the frame's own memory); it must not free the table. A property checks
   * the two loops agree.
   */
  for_each_pte(start_vpn: number, end_vpn: number, fn: (vpn: number, pte: number) => void): void {
    this.for_each_pte_table(start_vpn, end_vpn, (pt, lo, hi) => {
      const u32 = this.mem.views(pt).u32;
      const at = (PhysMem.offset_B(pt) >> 2) - (lo & ~(PTRS_PER_PTE - 1)); // entry of vpn: at + vpn
      for (let vpn = lo; vpn < hi; vpn++) {
        const pte = u32[at + vpn]!;
        if (pte !== 0) fn(vpn, pte);
      }
    });
  }

  // ---- TLB ----

  private tlb(): Tlb | null {
    const tlb = this.node.ext.get('tlb') as Tlb | undefined;
    return tlb && tlb.owner === this ? tlb : null;
  }

  flush_tlb_page(vpn: number): void {
    this.tlb()?.flush_page(vpn);
  }

  /** flush_tlb_range: page by page when short, the whole TLB when long. */
  flush_tlb_range(start_vpn: number, end_vpn: number): void {
    const tlb = this.tlb();
    if (!tlb) return;
    if (end_vpn - start_vpn > 256) tlb.flush_all();
    else for (let v = start_vpn; v < end_vpn; v++) tlb.flush_page(v);
  }

  flush_tlb_mm(): void {
    this.tlb()?.flush_all();
  }

  activate(node: Node): void {
    if (node !== this.node) throw new Error(`mm of ${this.node.name} activated on ${node.name}`);
    const tlb = node_tlb(node);
    if (tlb.owner !== this) {
      tlb.flush_all();
      tlb.owner = this;
    }
  }

  /**
   * The hardware page walk on a TLB miss: fills the TLB when the PTE allows
   * the access, setting ACCESSED (and DIRTY for a write) as the CPU does.
   */
  private walk(tlb: Tlb, vpn: number, write: boolean): boolean {
    if (vpn >= NR_VPAGES) return false;
    const mem = this.mem;
    const pgde = mem.read_u32(this.pgd_pfn, pgd_index(vpn));
    if (!(pgde & _PAGE_PRESENT)) return false;
    const pt = pte_pfn(pgde);
    const pte = mem.read_u32(pt, pte_index(vpn));
    if ((pte & (_PAGE_PRESENT | _PAGE_USER)) !== (_PAGE_PRESENT | _PAGE_USER)) return false;
    if (write && !(pte & _PAGE_RW)) return false;
    const npte = pte | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
    if (npte !== pte) mem.write_u32(pt, pte_index(vpn), npte >>> 0);
    // A write entry needs the dirty bit set already, else the CPU walks again.
    tlb.fill(vpn, pte_pfn(pte), (npte & (_PAGE_RW | _PAGE_DIRTY)) === (_PAGE_RW | _PAGE_DIRTY));
    return true;
  }

  run_refs(task: Task, refs: Uint32Array, from: number, n: number, user_copy: boolean, pre_ns?: Float64Array): number {
    // Resuming a step the task stopped in (to let events run, or waiting for
    // a page): those events may have changed pages the step had already
    // reached (a pre-copy round write-protects what it sends), and the loop
    // goes on using them (a step's later references to a page are folded
    // into its first), so they are resolved again first, at no CPU time of
    // their own: mostly TLB hits, a fault where an event took the page away.
    // When nothing can have changed (prefix_hits), that is skipped.
    const tlb = node_tlb(this.node);
    if (from > 0 && !(this.prefix_hits(task, tlb, refs, from) || this.resolve_refs(task, refs, 0, from, user_copy) === from)) {
      this.resume.upto = 0;
      return from;
    }
    const gen = tlb.gen;
    const i = pre_ns ? this.run_refs_timed(task, refs, from, n, pre_ns) : this.resolve_refs(task, refs, from, n, user_copy);
    this.note_stop(task, tlb, gen, refs, i);
    return i;
  }

  /**
   * Where the task's step stopped, and what held then: refs[0..upto) all
   * hit `tlb` as long as its gen has not moved, and the registers the step
   * had set (see prefix_hits).
   */
  private readonly resume = { task: null as Task | null, tlb: null as Tlb | null, refs: null as Uint32Array | null, gen: -1, upto: 0, eip: 0, last_data: 0 };

  /** After a run_refs call that started with its TLB at `gen`: remember the stop, if no entry was taken away meanwhile. */
  private note_stop(task: Task, tlb: Tlb, gen: number, refs: Uint32Array, i: number): void {
    const r = this.resume;
    if (tlb.gen !== gen || tlb.owner !== this) {
      r.upto = 0;
      return;
    }
    r.task = task;
    r.tlb = tlb;
    r.refs = refs;
    r.gen = gen;
    r.upto = i;
    r.eip = task.regs.eip;
    r.last_data = task.regs.last_data;
  }

  /**
   * Would resolving refs[0..from) again do nothing? The obvious path
   * resolves them all (resolve_refs from 0): every one a TLB hit unless an
   * event took an entry away, and then it leaves eip and last_data at the
   * last code and data pages among them. That is what the registers hold
   * already when the step stopped at `from` with every reference before it
   * in this TLB, this TLB has lost no entry since (gen), it still belongs
   * to this address space, and nothing set the registers meanwhile. Under
   * remote paging a RandomAccess step is resumed after each fault: the
   * obvious path re-resolved as many references as the run itself. A
   * property checks runs give the same results either way (tests/mm).
   */
  private prefix_hits(task: Task, tlb: Tlb, refs: Uint32Array, from: number): boolean {
    const r = this.resume;
    if (MmStruct.always_resolve_resumed) return false;
    return (
      r.task === task && r.tlb === tlb && r.refs === refs && tlb.gen === r.gen && tlb.owner === this && from <= r.upto &&
      task.regs.eip === r.eip && task.regs.last_data === r.last_data
    );
  }

  /** Tests: take the obvious path on every resume (prefix_hits always false). */
  static always_resolve_resumed = false;

  /** run_refs without time between references: resolve refs[from..n) through the TLB, the page walk and the fault path. */
  private resolve_refs(task: Task, refs: Uint32Array, from: number, n: number, user_copy: boolean): number {
    const tlb = node_tlb(this.node);
    if (tlb.owner !== this) this.activate(this.node);
    const rd = tlb.rd;
    const wr = tlb.wr;
    const q = this.node.cluster.queue;
    let x_vpn = -1;
    let d_vpn = -1;
    let i = from;
    for (; i < n; i++) {
      const r = refs[i]!;
      const vpn = r >>> 2;
      const kind = r & 3;
      if (kind === REF_W ? wr[vpn]! > 0 : rd[vpn]! > 0) {
        if (kind === REF_X) x_vpn = vpn;
        else d_vpn = vpn;
        continue;
      }
      if (this.walk(tlb, vpn, kind === REF_W)) {
        i--;
        continue;
      }
      // A page fault. Let whatever is due before it happen first.
      if (task.clock_ns >= q.limit_ns(task.node.id)) break;
      const present = vpn < NR_VPAGES && (this.pte_get(vpn) & _PAGE_PRESENT) !== 0;
      const error_code = (present ? PF_PROT : 0) | (kind === REF_W ? PF_WRITE : 0) | (user_copy ? 0 : PF_USER);
      if (!do_page_fault(task, this, error_code, vpn * PAGE_SIZE, user_copy)) break;
      i--; // retry the reference now that the fault is handled
    }
    if (x_vpn >= 0) task.regs.eip = x_vpn * PAGE_SIZE;
    if (d_vpn >= 0) task.regs.last_data = d_vpn * PAGE_SIZE;
    return i;
  }

  /**
   * run_refs for a stream with CPU time between its references (a loop's
   * work, a replayed trace's instructions): each reference's pre_ns is
   * charged once, before it, and the task stops to let due events run as
   * soon as the charges take its clock to the next event, as separate steps
   * would. A run of hits is charged in one go: its time is summed and put on
   * the clock only when the sum could reach the next event, before a fault,
   * or at the end. Only a fault can schedule an event, so the next event's
   * time is read again only after one.
   */
  private run_refs_timed(task: Task, refs: Uint32Array, from: number, n: number, pre_ns: Float64Array): number {
    const tlb = node_tlb(this.node);
    if (tlb.owner !== this) this.activate(this.node);
    const q = this.node.cluster.queue;
    let limit = q.limit_ns(task.node.id);
    const acc = this.timed_acc;
    // acc[OWED]: time summed but not yet on the clock; acc[ROOM]: how much may
    // be summed before the clock could reach the limit (the clock's fraction
    // of a ns is < 1). A reference whose time is on the clock already (a
    // resumed one, one retried after its fault) starts owing minus its time,
    // so adding it again nets zero.
    acc[OWED] = from < task.pre_charged ? -pre_ns[from]! : 0;
    acc[ROOM] = limit - task.clock_ns - 1;
    acc[X_VPN] = -1;
    acc[D_VPN] = -1;
    let i = from;
    while (i < n) {
      i = run_hits(refs, pre_ns, i, n, tlb.rd, tlb.wr, acc);
      if (i === n) break;
      // Reference i ends the run of hits: its time reaches the limit, or it misses.
      const owed = acc[OWED]! + pre_ns[i]!;
      if (owed >= acc[ROOM]!) {
        task.charge(owed);
        acc[OWED] = 0;
        if (task.clock_ns >= limit) break;
        acc[ROOM] = limit - task.clock_ns - 1;
      } else acc[OWED] = owed;
      const r = refs[i]!;
      const vpn = r >>> 2;
      const kind = r & 3;
      if ((kind === REF_W ? tlb.wr[vpn]! > 0 : tlb.rd[vpn]! > 0) || this.walk(tlb, vpn, kind === REF_W)) {
        acc[kind === REF_X ? X_VPN : D_VPN] = vpn;
        i++;
        continue;
      }
      // A page fault: the time before it goes on the clock, and whatever is
      // due before it happens first.
      if (acc[OWED] !== 0) {
        task.charge(acc[OWED]!);
        acc[OWED] = 0;
      }
      if (task.clock_ns >= limit) break;
      const present = vpn < NR_VPAGES && (this.pte_get(vpn) & _PAGE_PRESENT) !== 0;
      const error_code = (present ? PF_PROT : 0) | (kind === REF_W ? PF_WRITE : 0) | PF_USER;
      if (!do_page_fault(task, this, error_code, vpn * PAGE_SIZE, false)) break;
      limit = q.limit_ns(task.node.id);
      acc[ROOM] = limit - task.clock_ns - 1;
      acc[OWED] = -pre_ns[i]!; // retry the reference now that the fault is handled
    }
    if (acc[OWED] !== 0) task.charge(acc[OWED]!);
    // Every reference up to the one it stopped at has had its time charged.
    task.pre_charged = i < n ? i + 1 : n;
    if (acc[X_VPN]! >= 0) task.regs.eip = acc[X_VPN]! * PAGE_SIZE;
    if (acc[D_VPN]! >= 0) task.regs.last_data = acc[D_VPN]! * PAGE_SIZE;
    return i;
  }

  // ---- user memory (pages must be resident: the caller faulted them in) ----

  /** The frame behind a resident user address, or -1. */
  resolve(addr: number): number {
    const pte = this.pte_get(Math.floor(addr / PAGE_SIZE));
    return pte & _PAGE_PRESENT ? pte_pfn(pte) : -1;
  }

  private resident_pfn(addr: number): number {
    const pfn = this.resolve(addr);
    if (pfn < 0) throw new Error(`kernel bug: user page at 0x${addr.toString(16)} not resident`);
    return pfn;
  }

  copy_to_user(addr: number, src: Uint8Array): void {
    for (let off = 0; off < src.length; ) {
      const a = addr + off;
      const in_page = Math.min(src.length - off, PAGE_SIZE - (a % PAGE_SIZE));
      const pfn = this.resident_pfn(a);
      const vpn = Math.floor(a / PAGE_SIZE);
      const pte = this.pte_get(vpn);
      if (!(pte & _PAGE_DIRTY)) this.pte_set(vpn, pte | _PAGE_DIRTY | _PAGE_ACCESSED);
      this.mem.bytes(pfn).set(src.subarray(off, off + in_page), a % PAGE_SIZE);
      off += in_page;
    }
  }

  copy_from_user(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let off = 0; off < len; ) {
      const a = addr + off;
      const in_page = Math.min(len - off, PAGE_SIZE - (a % PAGE_SIZE));
      const page = this.mem.bytes(this.resident_pfn(a));
      out.set(page.subarray(a % PAGE_SIZE, (a % PAGE_SIZE) + in_page), off);
      off += in_page;
    }
    return out;
  }

  // ---- accounting and teardown ----

  vm_size_B(): number {
    return this.vmas.total_B();
  }

  rss_pages(): number {
    return this.rss;
  }

  proc_maps(): string {
    return this.vmas.list.map((v) => v.maps_line() + '\n').join('');
  }

  /** Frames this address space holds: pages, page tables and the PGD. */
  frames_held(): number {
    return this.dead ? 0 : this.rss + this.pt_pages + 1;
  }

  /**
   * exit_mm: drop every mapping and page table. Remote entries are left to
   * whoever holds those pages (om's deputy hears of the exit).
   */
  exit_mm(): void {
    if (this.dead) return;
    for (const v of [...this.vmas.list]) zap_page_range(this, v.start, v.end);
    this.vmas.list.length = 0;
    for (let gi = 0; gi < 1024; gi++) {
      const pgde = this.mem.read_u32(this.pgd_pfn, gi);
      if (pgde & _PAGE_PRESENT) {
        this.mem.put(pte_pfn(pgde));
        this.pt_pages--;
      }
    }
    this.mem.put(this.pgd_pfn);
    const tlb = this.node.ext.get('tlb') as Tlb | undefined;
    if (tlb && tlb.owner === this) {
      tlb.flush_all();
      tlb.owner = null;
    }
    this.dead = true;
  }
}

/** Thrown only while building an mm; a running task gets ENOMEM or OOM instead. */
export class OutOfFrames extends Error {
  constructor(node: Node) {
    super(`${node.name}: out of page frames`);
  }
}


/** zap_page_range: unmap [start, end), freeing the frames it maps. */
export function zap_page_range(mm: MmStruct, start: number, end: number): void {
  const zero = (mm.node.ext.get('zero_page') as number | undefined) ?? -1;
  const mem = mm.mem;
  mm.for_each_pte_table(start / PAGE_SIZE, end / PAGE_SIZE, (pt, vpn_lo, vpn_hi) => {
    for (let vpn = vpn_lo; vpn < vpn_hi; vpn++) {
      const pte = mem.read_u32(pt, pte_index(vpn));
      if (pte === 0) continue;
      if (pte_present(pte)) {
        // A mapped frame, accessible or PROT_NONE.
        const pfn = pte_pfn(pte);
        if (pfn !== zero) mm.rss--;
        mem.put(pfn);
      } else if (is_remote_pte(pte)) {
        // A remote entry just goes: its holder hears of the unmap (munmap_hook).
        mm.remote_gone();
      }
      mem.write_u32(pt, pte_index(vpn), 0);
    }
  });
  mm.pte_gen++;
  mm.flush_tlb_range(start / PAGE_SIZE, end / PAGE_SIZE);
}

/** The node's shared zero page (ZERO_PAGE), allocated once and never freed. */
export function zero_page_of(node: Node): number {
  let pfn = node.ext.get('zero_page') as number | undefined;
  if (pfn === undefined) {
    pfn = node.mem.alloc();
    if (pfn < 0) return -1;
    node.mem.clear(pfn);
    node.ext.set('zero_page', pfn);
  }
  return pfn;
}

/** The PTE bits a sweep's references need (sweep_ready). */
const SWEEP_BITS = _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;

const OWED = 0;
const ROOM = 1;
const X_VPN = 2;
const D_VPN = 3;

/**
 * The hot loop of run_refs_timed, on typed arrays only so that it compiles
 * to straight-line machine code: resolve TLB hits from refs[i] on, summing
 * their pre_ns into acc[OWED], until a reference misses or would take the
 * sum to acc[ROOM]. Returns the index of that reference (n when none),
 * whose time is not yet added.
 */
function run_hits(refs: Uint32Array, pre_ns: Float64Array, i: number, n: number, rd: Int32Array, wr: Int32Array, acc: Float64Array): number {
  let owed = acc[OWED]!;
  const room = acc[ROOM]!;
  let x_vpn = -1;
  let d_vpn = -1;
  for (; i < n; i++) {
    const next = owed + pre_ns[i]!;
    if (next >= room) break;
    const r = refs[i]!;
    const vpn = r >>> 2;
    const kind = r & 3;
    if (!(kind === REF_W ? wr[vpn]! > 0 : rd[vpn]! > 0)) break;
    owed = next;
    if (kind === REF_X) x_vpn = vpn;
    else d_vpn = vpn;
  }
  acc[OWED] = owed;
  if (x_vpn >= 0) acc[X_VPN] = x_vpn;
  if (d_vpn >= 0) acc[D_VPN] = d_vpn;
  return i;
}
