// Replay an ompt trace as a migrant: build its address space from the `pre`
// pages, migrate at the `migrate` line, then make the references with the
// time between them from the instruction count, in the program's
// operations where the trace has `step` lines, passing its `mark`s.
//
// Address space: a trace of one of omemu's own programs names its VMAs
// (`vmas=`, see vmas.ts) and the replay builds exactly those: the same
// image (text, data, stack), heap and mappings, so a migration sends what
// the program's did. Any other trace gets regions: its pages are grouped
// into regions (a new region after a gap of more than REGION_GAP_PAGES
// pages). When every page already lies in the emulated user space (a
// 32-bit trace) and none is written at the replayer's own text page, pages
// keep their numbers. Otherwise (x86_64: the binary near 0x400000,
// libraries and the stack far above 4 GiB) the regions are laid out in
// address order from 0x10000000 with REGION_SPACING_PAGES between them,
// each keeping its internal layout, so pages adjacent in the trace stay
// adjacent and strides survive. A footprint that does not fit is an error.
import type { Op, RefsOp } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import type { ImageSpec } from '../../mm/exec.ts';
import { ELF_TEXT_START, PAGE_SIZE, TASK_SIZE } from '../../mm/pgtable.ts';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../mm/mmap.ts';
import type { ProgramDef } from '../experiment.ts';
import { RefBatch, REF_W, sys_brk, sys_exit, sys_mmap, sys_mprotect } from '../libc.ts';
import { plan_vmas, type TraceVma } from './vmas.ts';
import { CPU_NS } from '../../kernel/cpu.ts';
import type { Trace } from './ompt.ts';

export const REGION_GAP_PAGES = 256;
const REGION_SPACING_PAGES = 16;
const RELOC_BASE_PAGE = 0x10000;
/** The replayer's own image: one text page and the stack VMA under TASK_SIZE. */
const IMAGE: ImageSpec = { comm: 'replay', text_B: PAGE_SIZE, data_B: 0, bss_B: 0, stack_B: 32 * PAGE_SIZE };
const OWN_TEXT = ELF_TEXT_START / PAGE_SIZE;
const OWN_STACK_LO = (TASK_SIZE - 32 * PAGE_SIZE) / PAGE_SIZE;
const TOP_PAGE = TASK_SIZE / PAGE_SIZE;
const REFS_PER_STEP = 1 << 16;
const TOUCH_PER_STEP = 1024;
const NO_REFS = new Uint32Array(0);

/** Defaults for the time between references: the P4's cycle and a CPI for memory-heavy code. */
export const DEFAULT_CPI = 1.5;

export class ReplayError extends Error {}

export interface Region {
  /** Trace pages [lo, hi] and where lo goes. */
  lo: number;
  hi: number;
  base: number;
}

export interface Layout {
  identity: boolean;
  regions: Region[];
  map: (vpn: number) => number;
  footprint_pages: number;
}

/** Group the trace's pages into regions and place them in the emulated space. */
export function layout_trace(t: Trace): Layout {
  const pages = new Float64Array(t.pre_vpn.length + t.n);
  pages.set(t.pre_vpn);
  pages.set(t.vpn.subarray(0, t.n), t.pre_vpn.length);
  pages.sort();
  const regions: Region[] = [];
  let footprint = 0;
  let prev = -Infinity;
  for (const p of pages) {
    if (p === prev) continue;
    footprint++;
    const r = regions[regions.length - 1];
    if (r && p - r.hi <= REGION_GAP_PAGES) r.hi = p;
    else regions.push({ lo: p, hi: p, base: p });
    prev = p;
  }
  // Page numbers are kept only when they all fit and none is written where
  // the replayer's own text page (read-only) sits.
  const writes_own_text = t.pre_vpn.some((v, i) => v === OWN_TEXT && t.pre_kind[i] === REF_W) || t.vpn.subarray(0, t.n).some((v, i) => v === OWN_TEXT && t.kind[i] === REF_W);
  const identity = regions.length === 0 || (!writes_own_text && regions[0]!.lo >= OWN_TEXT && regions[regions.length - 1]!.hi < TOP_PAGE);
  if (!identity) {
    let next = RELOC_BASE_PAGE;
    for (const r of regions) {
      r.base = next;
      next += r.hi - r.lo + 1 + REGION_SPACING_PAGES;
    }
    const last = regions[regions.length - 1]!;
    if (last.base + (last.hi - last.lo) >= OWN_STACK_LO) {
      const span = regions.reduce((a, r) => a + r.hi - r.lo + 1, 0);
      throw new ReplayError(
        `${t.file}: the trace's ${regions.length} regions span ${((span * PAGE_SIZE) / 2 ** 20).toFixed(1)} MiB (${footprint} pages used), ` +
          `more than the ${(((OWN_STACK_LO - RELOC_BASE_PAGE) * PAGE_SIZE) / 2 ** 20).toFixed(0)} MiB of emulated user space they can go in`,
      );
    }
  }
  const starts = Float64Array.from(regions, (r) => r.lo);
  const map = (vpn: number): number => {
    if (identity) return vpn;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= vpn) lo = mid;
      else hi = mid - 1;
    }
    const r = regions[lo]!;
    return r.base + (vpn - r.lo);
  };
  return { identity, regions, map, footprint_pages: footprint };
}

export interface ReplayOpts {
  /** Cycles per instruction and the clock, for the time between references. */
  cpi?: number;
  clock_hz?: number;
}

/** A ProgramDef that replays the trace (runs on the migrant's node from its home). */
export function replay_program(t: Trace, o: ReplayOpts = {}): ProgramDef & { layout: Layout } {
  const lay = layout_trace(t);
  const cpi = o.cpi ?? DEFAULT_CPI;
  const clock_hz = o.clock_hz ?? 2e9;
  if (!(cpi > 0 && Number.isFinite(cpi))) throw new ReplayError(`--cpi must be a number > 0, got ${cpi}`);
  // cpi x (ns a cycle): at 2 GHz a scaling by 0.5, exact, so a synthetic
  // trace's counts give back the kernel's charges to the bit.
  const ns_per_instr = cpi * (1e9 / clock_hz);
  const hint = (k: string): number => (t.header[k] !== undefined && /^[0-9a-f]+$/i.test(t.header[k]!) ? lay.map(parseInt(t.header[k]!, 16)) : -1);
  const migrate_ns = t.header.migrate_ns !== undefined ? Number(t.header.migrate_ns) : -1;

  // A trace of one of omemu's programs says what its VMAs were: build the same.
  const plan = lay.identity ? plan_vmas(t, IMAGE.comm) : null;

  function* gen(task: TaskView): Generator<Op, void, number> {
    const fail = (what: string, rc: number): Op => {
      task.exit_reason = `replay: ${what} failed (${rc})`;
      return sys_exit(12);
    };
    // Mappings made writable only to make their pages resident, protected after.
    const reprotect: TraceVma[] = [];
    if (plan) {
      if (plan.heap_end >= 0) {
        const want = plan.heap_end * PAGE_SIZE;
        const got: number = yield sys_brk(want);
        if (got < want) return void (yield fail(`brk to 0x${want.toString(16)}`, got));
      }
      for (const v of plan.maps) {
        let prot = v.prot;
        if (!(prot & PROT_WRITE) && t.pre_vpn.some((p) => p >= v.lo && p < v.hi)) {
          prot |= PROT_WRITE;
          reprotect.push(v);
        }
        const got: number = yield sys_mmap(v.lo * PAGE_SIZE, (v.hi - v.lo) * PAGE_SIZE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
        if (got < 0) return void (yield fail(`mmap of 0x${(v.lo * PAGE_SIZE).toString(16)}`, got));
      }
    } else {
      // Map each region (minus the replayer's own text page and stack VMA).
      const own = (p: number): boolean => p === OWN_TEXT || p >= OWN_STACK_LO;
      for (const r of lay.regions) {
        let a = r.base;
        const end = r.base + (r.hi - r.lo) + 1;
        while (a < end) {
          while (a < end && own(a)) a++;
          let b = a;
          while (b < end && !own(b)) b++;
          if (b > a) {
            const got: number = yield sys_mmap(a * PAGE_SIZE, (b - a) * PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
            if (got < 0) return void (yield fail(`mmap of trace region at 0x${(a * PAGE_SIZE).toString(16)}`, got));
          }
          a = b;
        }
      }
    }
    // The pre pages become resident private pages at home, in trace order
    // (those the loader made resident already are left as they are).
    const loaded = plan ? plan.loaded : (p: number): boolean => p === OWN_TEXT;
    const b = new RefBatch(TOUCH_PER_STEP);
    for (let i = 0; i < t.pre_vpn.length; i += TOUCH_PER_STEP) {
      b.reset(CPU_NS, 0);
      for (let j = i; j < Math.min(t.pre_vpn.length, i + TOUCH_PER_STEP); j++) {
        const v = lay.map(t.pre_vpn[j]!);
        if (!loaded(v)) b.add(v * PAGE_SIZE, REF_W);
      }
      yield b.op;
    }
    for (const v of reprotect) {
      const rc: number = yield sys_mprotect(v.lo * PAGE_SIZE, (v.hi - v.lo) * PAGE_SIZE, v.prot);
      if (rc < 0) return void (yield fail(`mprotect of 0x${(v.lo * PAGE_SIZE).toString(16)}`, rc));
    }
    // Registers as the trace last had them, so the policy moves those pages.
    for (const [k, reg] of [['eip', 'eip'], ['data', 'last_data'], ['stack', 'esp']] as const) {
      const v = hint(k);
      if (v >= 0) task.regs[reg] = v * PAGE_SIZE;
    }
    if (migrate_ns > task.clock_ns) yield { kind: 'refs', refs: new Uint32Array(0), n: 0, cls: CPU_NS, units: migrate_ns - task.clock_ns };
    yield { kind: 'mark', label: 'setup_done' };
    // The references, with the instructions between them as CPU time, in
    // the program's operations where the trace has them (`step` lines;
    // else REFS_PER_STEP at a time), and the marks it passes.
    let cap = REFS_PER_STEP;
    let op: RefsOp = { kind: 'refs', refs: new Uint32Array(cap), n: 0, cls: CPU_NS, units: 0, pre_ns: new Float64Array(cap) };
    const breaks = t.breaks;
    let prev = t.migrate_icount;
    let k = 0;
    for (let i = 0; ; ) {
      // The operation runs to the next break, or REFS_PER_STEP references when there is none.
      const stop = k < breaks.length ? breaks[k]!.index : Math.min(t.n, i + REFS_PER_STEP);
      if (stop - i > cap) {
        cap = stop - i;
        op = { ...op, refs: new Uint32Array(cap), pre_ns: new Float64Array(cap) };
      }
      const n = stop - i;
      for (let j = 0; j < n; j++) {
        const ic = t.icount[i + j]!;
        op.refs[j] = (lay.map(t.vpn[i + j]!) << 2) | t.kind[i + j]!;
        op.pre_ns![j] = (ic - prev) * ns_per_instr;
        prev = ic;
      }
      op.n = n;
      op.units = 0;
      i = stop;
      const br = k < breaks.length && breaks[k]!.index === i ? breaks[k++]! : null;
      if (br?.label === null) {
        // A step ends: the instructions since its last reference are its own work.
        op.units = (br.icount - prev) * ns_per_instr;
        prev = br.icount;
        yield op;
        continue;
      }
      if (n > 0) yield op;
      if (br) {
        if (br.icount > prev) yield { kind: 'refs', refs: NO_REFS, n: 0, cls: CPU_NS, units: (br.icount - prev) * ns_per_instr };
        prev = br.icount;
        yield { kind: 'mark', label: br.label! };
        continue;
      }
      if (i >= t.n) break;
    }
    // A trace without its own timed_done (a lackey trace) is timed to its end.
    if (!breaks.some((br) => br.label === 'timed_done')) yield { kind: 'mark', label: 'timed_done' };
  }

  // The marks it passes: setup_done at the migration point, the trace's own, and timed_done.
  const marks = [...new Set(['setup_done', ...t.breaks.flatMap((br) => (br.label === null ? [] : [br.label])), 'timed_done'])];
  return { name: `replay:${t.file.split('/').pop()}`, mode: 'replay', image: plan?.image ?? IMAGE, gen, layout: lay, marks, size: { problem: `${t.n} references after migration, ${lay.footprint_pages} pages`, used_B: lay.footprint_pages * PAGE_SIZE, working_set_B: lay.footprint_pages * PAGE_SIZE } };
}
