// Model-based test of the MMU: random mmap/munmap/mprotect/brk/read/write
// sequences against a plain model (a Map from address to byte, and page
// protections). After every command the invariants are checked: reads return
// what the model says, bad accesses are SIGSEGV with the right code, VMAs are
// sorted and disjoint, the TLB agrees with the page tables, no frame leaks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Driver, newCluster, node_frames } from '../helpers/driver.ts';
import { sys_brk, sys_mmap, sys_mprotect, sys_munmap } from '../../userland/libc.ts';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../mm/mmap.ts';
import { PAGE_SIZE, TASK_UNMAPPED_BASE, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, pte_pfn } from '../../mm/pgtable.ts';
import { SEGV_ACCERR, SEGV_MAPERR, SIGSEGV } from '../../kernel/signal.ts';
import { node_tlb } from '../../mm/mm_struct.ts';
import type { Cluster } from '../../kernel/cluster.ts';

const AREA_PAGES = 8; // the mmap area the commands play in
const HEAP_PAGES = 3;

interface Model {
  /** vpn -> prot bits for every mapped page in the tested areas. */
  prot: Map<number, number>;
  bytes: Map<number, number>;
  brk: number;
  start_brk: number;
}

interface Real {
  c: Cluster;
  d: Driver;
}

const mmapPage = (i: number) => TASK_UNMAPPED_BASE + i * PAGE_SIZE;

function check_invariants(r: Real): void {
  const { d, c } = r;
  if (!d.alive) {
    assert.is(c.node(0).mem.used_frames, node_frames(c.node(0)), 'frames leaked after exit');
    return;
  }
  const l = d.mm.vmas.list;
  for (let i = 0; i < l.length; i++) {
    assert.ok(l[i]!.start < l[i]!.end, 'empty vma');
    if (i > 0) assert.ok(l[i - 1]!.end <= l[i]!.start, 'vmas overlap or are unsorted');
  }
  const tlb = node_tlb(c.node(0));
  if (tlb.owner === d.mm) {
    for (const vpn of tlb.entries()) {
      const pte = d.mm.pte_get(vpn);
      assert.ok((pte & (_PAGE_PRESENT | _PAGE_USER)) === (_PAGE_PRESENT | _PAGE_USER), `TLB maps vpn ${vpn} the tables do not`);
      assert.is(tlb.read_pfn(vpn), pte_pfn(pte), 'TLB frame differs');
      if (tlb.write_pfn(vpn) >= 0) assert.ok(pte & _PAGE_RW, `TLB allows writes to read-only vpn ${vpn}`);
    }
  }
  assert.is(c.node(0).mem.used_frames, d.mm.frames_held() + node_frames(c.node(0)), 'frame accounting');
}

/** Expectation for an access: ok, or which SIGSEGV code. */
function expect_access(m: Model, vpn: number, write: boolean): 'ok' | number {
  const p = m.prot.get(vpn);
  if (p === undefined) return SEGV_MAPERR;
  if (write ? !(p & PROT_WRITE) : !(p & (PROT_READ | PROT_WRITE))) return SEGV_ACCERR;
  return 'ok';
}

function restart(m: Model, r: Real): void {
  r.d = new Driver(r.c);
  m.prot.clear();
  m.bytes.clear();
  m.start_brk = m.brk = r.d.mm.start_brk;
}

class MmapCmd implements fc.Command<Model, Real> {
  constructor(readonly page: number, readonly npages: number, readonly prot: number, readonly fixed: boolean) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const len = this.npages * PAGE_SIZE;
    const ret = r.d.exec(sys_mmap(this.fixed ? mmapPage(this.page) : 0, len, this.prot, MAP_PRIVATE | MAP_ANONYMOUS | (this.fixed ? MAP_FIXED : 0)));
    assert.ok(ret >= 0, `mmap failed with ${ret}`);
    if (this.fixed) assert.is(ret, mmapPage(this.page));
    const vpn0 = ret / PAGE_SIZE;
    for (let v = vpn0; v < vpn0 + this.npages; v++) {
      if (!this.fixed) assert.not.ok(m.prot.has(v), 'mmap without MAP_FIXED overlapped a mapping');
      m.prot.set(v, this.prot);
      for (let o = 0; o < PAGE_SIZE; o++) m.bytes.delete(v * PAGE_SIZE + o);
    }
    check_invariants(r);
  }
  toString = () => `mmap(${this.fixed ? `fixed p${this.page}` : 'any'}, ${this.npages}p, prot ${this.prot})`;
}

class MunmapCmd implements fc.Command<Model, Real> {
  constructor(readonly page: number, readonly npages: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    assert.is(r.d.exec(sys_munmap(mmapPage(this.page), this.npages * PAGE_SIZE)), 0);
    for (let v = mmapPage(this.page) / PAGE_SIZE, k = 0; k < this.npages; k++, v++) m.prot.delete(v);
    check_invariants(r);
  }
  toString = () => `munmap(p${this.page}, ${this.npages}p)`;
}

class MprotectCmd implements fc.Command<Model, Real> {
  constructor(readonly page: number, readonly npages: number, readonly prot: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const v0 = mmapPage(this.page) / PAGE_SIZE;
    let all = true;
    for (let k = 0; k < this.npages; k++) all &&= m.prot.has(v0 + k);
    const ret = r.d.exec(sys_mprotect(mmapPage(this.page), this.npages * PAGE_SIZE, this.prot));
    if (!all) {
      assert.is(ret, -12, 'mprotect over a hole must be ENOMEM');
    } else {
      assert.is(ret, 0);
      for (let k = 0; k < this.npages; k++) m.prot.set(v0 + k, this.prot);
    }
    check_invariants(r);
  }
  toString = () => `mprotect(p${this.page}, ${this.npages}p, ${this.prot})`;
}

class BrkCmd implements fc.Command<Model, Real> {
  constructor(readonly pages: number, readonly extra: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const want = m.start_brk + this.pages * PAGE_SIZE - (this.pages > 0 ? this.extra : 0);
    const got = r.d.exec(sys_brk(want));
    assert.is(got, want, 'brk within the free heap area moves');
    const oldTop = Math.ceil(m.brk / PAGE_SIZE);
    const newTop = Math.ceil(want / PAGE_SIZE);
    for (let v = m.start_brk / PAGE_SIZE; v < Math.max(oldTop, newTop); v++) {
      if (v < newTop) {
        if (!m.prot.has(v)) m.prot.set(v, PROT_READ | PROT_WRITE);
      } else {
        m.prot.delete(v);
        for (let o = 0; o < PAGE_SIZE; o++) m.bytes.delete(v * PAGE_SIZE + o);
      }
    }
    m.brk = want;
    check_invariants(r);
  }
  toString = () => `brk(+${this.pages}p-${this.extra})`;
}

class AccessCmd implements fc.Command<Model, Real> {
  /** With mapped, page picks among the pages the model has mapped (so runs
   *  reach deep states instead of dying on the first unmapped access). */
  constructor(readonly heap: boolean, readonly page: number, readonly off: number, readonly write: boolean, readonly value: number, readonly mapped: boolean) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const base = this.heap ? m.start_brk : TASK_UNMAPPED_BASE;
    let addr = base + this.page * PAGE_SIZE + this.off;
    const live = [...m.prot.keys()].sort((a, b) => a - b);
    if (this.mapped && live.length > 0) addr = live[this.page % live.length]! * PAGE_SIZE + this.off;
    const vpn = Math.floor(addr / PAGE_SIZE);
    const want = expect_access(m, vpn, this.write);
    if (this.write) r.d.write_u8(addr, this.value);
    const got = this.write ? undefined : r.d.read_u8(addr);
    if (want === 'ok') {
      assert.ok(r.d.alive, `${this}: unexpected ${r.d.task.exit_reason}`);
      if (this.write) m.bytes.set(addr, this.value);
      else assert.is(got, m.bytes.get(addr) ?? 0, `${this}: read returned the wrong byte`);
      check_invariants(r);
    } else {
      assert.not.ok(r.d.alive, `${this}: expected SIGSEGV`);
      assert.equal(r.d.task.exit_signal, { signo: SIGSEGV, code: want, addr: vpn * PAGE_SIZE });
      check_invariants(r);
      restart(m, r);
    }
  }
  toString = () => `${this.write ? 'write' : 'read'}(${this.mapped ? 'mapped#' : this.heap ? 'heap ' : 'mmap '}p${this.page}+${this.off}${this.write ? ` = ${this.value}` : ''})`;
}

const protArb = fc.constantFrom(0, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE);
const commands = [
  fc.tuple(fc.integer({ min: 0, max: AREA_PAGES - 1 }), fc.integer({ min: 1, max: 4 }), protArb, fc.boolean())
    .map(([p, n, prot, fixed]) => new MmapCmd(p, Math.min(n, AREA_PAGES - p), prot, fixed)),
  fc.tuple(fc.integer({ min: 0, max: AREA_PAGES - 1 }), fc.integer({ min: 1, max: 4 }))
    .map(([p, n]) => new MunmapCmd(p, Math.min(n, AREA_PAGES - p))),
  fc.tuple(fc.integer({ min: 0, max: AREA_PAGES - 1 }), fc.integer({ min: 1, max: 3 }), protArb)
    .map(([p, n, prot]) => new MprotectCmd(p, Math.min(n, AREA_PAGES - p), prot)),
  fc.tuple(fc.integer({ min: 0, max: HEAP_PAGES }), fc.integer({ min: 0, max: PAGE_SIZE - 1 })).map(([p, x]) => new BrkCmd(p, x)),
  ...[false, true].map((heap) =>
    fc.tuple(fc.integer({ min: 0, max: heap ? HEAP_PAGES : AREA_PAGES - 1 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), fc.integer({ min: 1, max: 255 }), fc.nat(3))
      .map(([p, off, w, v, k]) => new AccessCmd(heap, p, off * 577, w, v, k > 0))),
];

test('model: random mm syscalls and accesses agree with a byte-map model', () => {
  check(
    fc.property(fc.commands(commands, { maxCommands: 80, size: 'max' }), (cmds) => {
      const c = newCluster(16);
      const r: Real = { c, d: null as unknown as Driver };
      const m: Model = { prot: new Map(), bytes: new Map(), brk: 0, start_brk: 0 };
      restart(m, r);
      fc.modelRun(() => ({ model: m, real: r }), cmds);
      // Tear down: exit returns every frame.
      if (r.d.alive) r.d.exec({ kind: 'sys', nr: 1, args: [0] });
      assert.is(c.node(0).mem.used_frames, node_frames(c.node(0)), 'frames leaked');
    }),
    { numRuns: 400 },
  );
});

test.run();
