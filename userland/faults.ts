// The fault-plan language of --faults, parsed once into kernel/faultplan.ts's
// data. Items are separated by commas:
//   crash:N@TIME                node N crashes at TIME (since the run started)
//   partition:A-B@TIME+DUR      A and B cannot reach each other for DUR from TIME
//   abort[:src|:dest]@STEP[#K]  the Kth migration (default the first) is aborted at
//                               mig_do_send's STEP, by its source (default) or
//                               refused by its destination
//   loss:P[@TIME+DUR]           netem loses a share P of the frames on every link
//   duplicate:P[@TIME+DUR]      ... sends a share P twice
//   reorder:P[@TIME+DUR]        ... sends a share P ahead of the others (needs a delay)
//                               (without @TIME+DUR: for the whole run)
// TIME and DUR are virtual times with a unit: 3.5s, 300ms, 20us.
import type { Fault, FaultPlan } from '../kernel/faultplan.ts';
import { MIG_STEPS } from '../om/faults.ts';

export class FaultSpecError extends Error {}

/** A virtual time with its unit (s, ms, us), as ns; null if it is not one. */
export function parse_time_ns(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|ms|us)$/.exec(v.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * { s: 1e9, ms: 1e6, us: 1e3 }[m[2] as 's' | 'ms' | 'us']);
}

function time(item: string, v: string, what: string): number {
  const t = parse_time_ns(v);
  if (t === null) throw new FaultSpecError(`--faults '${item}': ${what} '${v}' is not a time such as 3.5s, 300ms or 20us`);
  return t;
}

function node_id(item: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new FaultSpecError(`--faults '${item}': '${v}' is not a node number`);
  return Number(v);
}

function parse_item(item: string): Fault {
  let m = /^crash:([^@]*)@(.*)$/.exec(item);
  if (m) return { kind: 'crash', node: node_id(item, m[1]!), at_ns: time(item, m[2]!, 'the time') };
  m = /^partition:([^-@]*)-([^@]*)@([^+]*)\+(.*)$/.exec(item);
  if (m) {
    const a = node_id(item, m[1]!);
    const b = node_id(item, m[2]!);
    if (a === b) throw new FaultSpecError(`--faults '${item}': a partition needs two different nodes`);
    const dur_ns = time(item, m[4]!, 'the duration');
    if (dur_ns <= 0) throw new FaultSpecError(`--faults '${item}': the duration must be more than 0`);
    return { kind: 'partition', a, b, at_ns: time(item, m[3]!, 'the time'), dur_ns };
  }
  m = /^(loss|duplicate|reorder):([0-9.]+)(?:@([^+]*)\+(.*))?$/.exec(item);
  if (m) {
    const share = Number(m[2]);
    if (!(share >= 0 && share < 1)) throw new FaultSpecError(`--faults '${item}': the share must be a number in [0, 1), got '${m[2]}'`);
    const at_ns = m[3] === undefined ? 0 : time(item, m[3], 'the time');
    const dur_ns = m[4] === undefined ? Infinity : time(item, m[4], 'the duration');
    return { kind: 'netem', what: m[1] as 'loss' | 'duplicate' | 'reorder', share, at_ns, dur_ns };
  }
  m = /^abort(?::(src|dest))?@([a-z_]+)(?:#(\d+))?$/.exec(item);
  if (m) {
    const step = m[2]!;
    if (!(MIG_STEPS as readonly string[]).includes(step)) throw new FaultSpecError(`--faults '${item}': '${step}' is not a step of mig_do_send (${MIG_STEPS.join(', ')})`);
    const nth = m[3] === undefined ? 1 : Number(m[3]);
    if (nth < 1) throw new FaultSpecError(`--faults '${item}': migrations count from #1`);
    return { kind: 'abort', side: (m[1] ?? 'src') as 'src' | 'dest', step, nth };
  }
  throw new FaultSpecError(`--faults: '${item}' is not a fault (crash:N@TIME, partition:A-B@TIME+DUR, abort[:src|:dest]@STEP[#K], loss|duplicate|reorder:P[@TIME+DUR])`);
}

/** Parse a --faults value; `nodes` (when known) bounds the node numbers. */
export function parse_fault_plan(spec: string, nodes?: number): FaultPlan {
  const items = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const plan: FaultPlan = { faults: [], t0_ns: 0 };
  for (const item of items) {
    const fault = parse_item(item);
    if (nodes !== undefined) {
      const named = fault.kind === 'crash' ? [fault.node] : fault.kind === 'partition' ? [fault.a, fault.b] : [];
      const bad = named.find((n) => n >= nodes);
      if (bad !== undefined) throw new FaultSpecError(`--faults '${item}': there is no node ${bad} (the cluster has nodes 0..${nodes - 1})`);
    }
    plan.faults.push({ spec: item, fault, injected_ns: null });
  }
  return plan;
}
