// A trace of one of omemu's own programs, in ompt: the pages resident when it
// passes 'setup_done' become `pre` lines, and every page reference after it
// a reference line whose instruction count is the program's CPU time since
// then (at `ns_per_instr` ns an instruction). Replayed with the same CPI it
// reproduces the program's run after migration.
import type { Op } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, pte_pfn } from '../../mm/pgtable.ts';
import { make_profile } from '../../net/profiles.ts';
import { REF_R, REF_W, REF_X } from '../../kernel/op.ts';
import { run_experiment, tap_program, type ProgramDef } from '../experiment.ts';
import { format_ompt } from './ompt.ts';

/** A synthetic trace's CPI at 2 GHz: one instruction a nanosecond. */
export const SYNTH_CPI = 2;
const NS_PER_INSTR = (SYNTH_CPI / 2e9) * 1e9;

export function trace_from_program(prog: ProgramDef, name: string): string {
  const pre_vpn: number[] = [];
  const pre_kind: number[] = [];
  const icount: number[] = [];
  const vpn: number[] = [];
  const kind: number[] = [];
  const header: Record<string, string> = { page: '4096', source: `omemu:${name}`, firsttouch: '0', cpi: String(SYNTH_CPI) };
  let t_ns = -1;
  let migrate_ns = 0;
  const tapped = tap_program(prog, (op: Op, task: TaskView) => {
    if (op.kind === 'mark' && op.label === 'setup_done' && t_ns < 0) {
      const mm = task.mm as MmStruct;
      const zero = (task.node.ext.get('zero_page') as number | undefined) ?? -1;
      mm.for_each_pte(0, 1 << 20, (p, pte) => {
        if (!(pte & _PAGE_PRESENT) || pte_pfn(pte) === zero) return;
        pre_vpn.push(p);
        pre_kind.push(!(pte & _PAGE_RW) ? REF_X : pte & _PAGE_DIRTY ? REF_W : REF_R);
      });
      header.eip = (task.regs.eip >>> 12).toString(16);
      header.data = (task.regs.last_data >>> 12).toString(16);
      header.stack = (task.regs.esp >>> 12).toString(16);
      migrate_ns = task.clock_ns;
      t_ns = 0;
    } else if (op.kind === 'refs' && t_ns >= 0) {
      const ic = Math.round(t_ns);
      let last = vpn.length > 0 ? vpn[vpn.length - 1]! : -1;
      for (let i = 0; i < op.n; i++) {
        const rf = op.refs[i]!;
        if (rf >>> 2 === last) continue;
        last = rf >>> 2;
        icount.push(ic);
        vpn.push(rf >>> 2);
        kind.push(rf & 3);
      }
      t_ns += task.node.cpu.cost_ns(op.cls, op.units) / NS_PER_INSTR;
    }
  });
  const r = run_experiment({ program: tapped, scheme: 'openmosix', profile: make_profile('fast-ethernet'), migrate_at: null, node_mem_B: 1 << 30 });
  if (t_ns < 0) throw new Error(`${name} never passed its setup_done mark`);
  if (!r.verified) throw new Error(`${name} did not run cleanly: ${r.failures.join('; ')}`);
  header.migrate_ns = String(migrate_ns);
  return format_ompt({
    header, page_B: 4096, firsttouch: false, pre_vpn, pre_kind, migrate_icount: 0, n: vpn.length,
    icount: Float64Array.from(icount), vpn: Float64Array.from(vpn), kind: Uint8Array.from(kind),
  });
}
