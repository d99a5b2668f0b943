// A trace of one of omemu's own programs, in ompt: the pages resident when it
// passes 'setup_done' become `pre` lines, its VMAs then the `vmas=` key, and
// every page reference after it a reference line whose instruction count is
// the program's CPU time since then, counted as the kernel charges it: each
// reference after the time the program spends before it (its pre_ns), and
// a `step` line where each operation ends, after its own work (cls, units
// and post_ns). The marks it passes (timed_done) become `mark` lines. No
// reference is collapsed. Replayed with SYNTH_CPI it makes the program's
// references at the program's times, in the program's operations.
//
// An instruction here is 1/192 ns and counts are summed as integers, so a
// charge that is a multiple of 1/192 ns (STREAM's 0.625 ns bytes, FFT's
// 1.25 ns flops, RandomAccess's updates, the kernel's own costs) is written
// exactly, and so is a count of DGEMM's 1/3 ns flops: the replay's charge,
// the count times float(1/192), rounds to the same double as the kernel's.
import type { Op } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, pte_pfn } from '../../mm/pgtable.ts';
import { make_profile } from '../../net/profiles.ts';
import { REF_R, REF_W, REF_X } from '../../kernel/op.ts';
import { __NR_exit } from '../../kernel/syscalls.ts';
import { run_experiment, tap_program, type ProgramDef } from '../experiment.ts';
import { format_ompt, type TraceBreak } from './ompt.ts';
import { format_vmas } from './vmas.ts';

/** Instructions a ns in a synthetic trace. */
const INSTR_PER_NS = 192;
/** A synthetic trace's CPI at the replay's 2 GHz clock: an instruction is 1/192 ns. */
export const SYNTH_CPI = 2 / INSTR_PER_NS;

/** A charge of ns in instructions (exact for multiples of 1/192 ns and for their doubles). */
const instr = (ns: number): number => Math.round(ns * INSTR_PER_NS);

export function trace_from_program(prog: ProgramDef, name: string): string {
  const pre_vpn: number[] = [];
  const pre_kind: number[] = [];
  const icount: number[] = [];
  const vpn: number[] = [];
  const kind: number[] = [];
  const breaks: TraceBreak[] = [];
  const header: Record<string, string> = { page: '4096', source: `omemu:${name}`, firsttouch: '0', cpi: String(SYNTH_CPI) };
  // Instructions since setup_done (-1: not there yet).
  let ic = -1;
  let migrate_ns = 0;
  const tapped = tap_program(prog, (op: Op, task: TaskView) => {
    if (op.kind === 'mark' && op.label === 'setup_done' && ic < 0) {
      const mm = task.mm as MmStruct;
      const zero = (task.node.ext.get('zero_page') as number | undefined) ?? -1;
      mm.for_each_pte(0, 1 << 20, (p, pte) => {
        if (!(pte & _PAGE_PRESENT) || pte_pfn(pte) === zero) return;
        pre_vpn.push(p);
        pre_kind.push(!(pte & _PAGE_RW) ? REF_X : pte & _PAGE_DIRTY ? REF_W : REF_R);
      });
      header.vmas = format_vmas(mm);
      header.eip = (task.regs.eip >>> 12).toString(16);
      header.data = (task.regs.last_data >>> 12).toString(16);
      header.stack = (task.regs.esp >>> 12).toString(16);
      migrate_ns = task.clock_ns;
      ic = 0;
    } else if (ic < 0) {
      return;
    } else if (op.kind === 'mark') {
      breaks.push({ label: op.label, index: vpn.length, icount: ic });
    } else if (op.kind === 'refs') {
      for (let i = 0; i < op.n; i++) {
        if (op.pre_ns) ic += instr(op.pre_ns[i]!);
        icount.push(ic);
        vpn.push(op.refs[i]! >>> 2);
        kind.push(op.refs[i]! & 3);
      }
      ic += instr(task.node.cpu.cost_ns(op.cls, op.units) + (op.post_ns ?? 0));
      breaks.push({ label: null, index: vpn.length, icount: ic });
    } else if (op.kind === 'sweep') {
      throw new Error(`${name} sweeps its pages in one fast-forwarded step (a CPU hog), which a trace has no record for: trace a kernel that lists its references`);
    } else if (op.nr !== __NR_exit) {
      throw new Error(`${name} makes a system call after setup_done (nr ${op.nr}): a trace has no record for it`);
    }
  });
  const r = run_experiment({ program: tapped, scheme: 'openmosix', profile: make_profile('fast-ethernet'), migrate_at: null, node_mem_B: 1 << 30 });
  if (ic < 0) throw new Error(`${name} never passed its setup_done mark`);
  if (!r.verified) throw new Error(`${name} did not run cleanly: ${r.failures.join('; ')}`);
  header.migrate_ns = String(migrate_ns);
  return format_ompt({
    header, page_B: 4096, firsttouch: false, pre_vpn, pre_kind, migrate_icount: 0, n: vpn.length,
    icount: Float64Array.from(icount), vpn: Float64Array.from(vpn), kind: Uint8Array.from(kind), breaks,
  });
}
