// The cluster run as a Gantt chart (omemu cluster --plot): virtual time
// across, nodes up, one bar a process for each stretch it spent on a node
// (stretches on one node stacked in lanes so they do not hide each other),
// coloured by kernel, and each migration an arrow from where it left to
// where it arrived, as long as its freeze.
import type { TopLevelSpec } from 'vega-lite';
import type { ClusterResult, ProcRecord } from './run.ts';

export interface Stretch {
  pid: number;
  kernel: string;
  node: number;
  from_s: number;
  to_s: number;
}

/** A process's stretches: home from arrival to its first freeze, then each node it moved to. */
export function stretches(p: ProcRecord, end_s: number): Stretch[] {
  const out: Stretch[] = [];
  let at = p.arrival_s;
  const last = p.finish_s ?? end_s;
  const moves = Math.min(p.freezes.length, p.nodes.length - 1);
  for (let i = 0; i <= moves; i++) {
    const to = i < moves ? p.freezes[i]![0] : last;
    out.push({ pid: p.pid, kernel: p.kernel, node: p.nodes[i]!, from_s: at, to_s: to });
    if (i < moves) at = p.freezes[i]![0] + p.freezes[i]![1];
  }
  return out;
}

/** Lanes: each stretch gets the lowest lane of its node free at its start. */
function lanes(ss: Stretch[]): number[] {
  const busy = new Map<number, number[]>();
  const order = ss.map((_, i) => i).sort((a, b) => ss[a]!.from_s - ss[b]!.from_s || ss[a]!.pid - ss[b]!.pid);
  const lane = new Array<number>(ss.length).fill(0);
  for (const i of order) {
    const s = ss[i]!;
    const ends = busy.get(s.node) ?? [];
    let l = ends.findIndex((e) => e <= s.from_s);
    if (l < 0) l = ends.length;
    ends[l] = s.to_s;
    busy.set(s.node, ends);
    lane[i] = l;
  }
  return lane;
}

export function gantt_spec(r: ClusterResult): TopLevelSpec {
  const end_s = Math.max(0, ...r.processes.map((p) => p.finish_s ?? 0));
  const ss = r.processes.flatMap((p) => stretches(p, end_s));
  const lane = lanes(ss);
  const lanes_max = Math.max(1, ...lane.map((l) => l + 1));
  const y = (node: number, l: number): number => node + (l + 0.5) / (lanes_max + 1);
  const bars = ss.map((s, i) => ({ what: 'bar', ...s, y0: y(s.node, lane[i]!) - 0.4 / (lanes_max + 1), y1: y(s.node, lane[i]!) + 0.4 / (lanes_max + 1) }));
  const arrows = r.processes.flatMap((p) => {
    const mine = ss.map((s, i) => ({ s, i })).filter((x) => x.s.pid === p.pid);
    return mine.slice(1).map(({ s, i }, k) => {
      const prev = mine[k]!;
      return { what: 'arrow', pid: p.pid, kernel: p.kernel, t0: prev.s.to_s, t1: s.from_s, ya: y(prev.s.node, lane[prev.i]!), yb: y(s.node, lane[i]!) };
    });
  });
  const title = `${r.nodes} nodes, ${r.processes.length} processes, ${r.scheme}, balancer ${r.balancer}${r.balancer === 'mosix' ? ` (threshold ${r.threshold})` : ''}: mean slowdown ${r.totals.mean_slowdown}, ${r.totals.migrations} migrations`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 900,
    height: Math.max(200, 28 * r.nodes),
    data: { values: [...bars, ...arrows] },
    layer: [
      {
        transform: [{ filter: "datum.what === 'bar'" }],
        mark: { type: 'rect', opacity: 0.8 },
        encoding: {
          x: { field: 'from_s', type: 'quantitative', title: 'virtual time (s)' },
          x2: { field: 'to_s' },
          y: { field: 'y0', type: 'quantitative', title: 'node', scale: { domain: [0, r.nodes] }, axis: { tickMinStep: 1, format: 'd' } },
          y2: { field: 'y1' },
          color: { field: 'kernel', type: 'nominal' },
          tooltip: [{ field: 'pid' }, { field: 'kernel' }, { field: 'node' }],
        },
      },
      {
        transform: [{ filter: "datum.what === 'arrow'" }],
        mark: { type: 'rule', color: 'black', strokeWidth: 1 },
        encoding: { x: { field: 't0', type: 'quantitative' }, x2: { field: 't1' }, y: { field: 'ya', type: 'quantitative' }, y2: { field: 'yb' } },
      },
      {
        transform: [{ filter: "datum.what === 'arrow'" }, { calculate: 'datum.yb > datum.ya ? 0 : 180', as: 'angle' }],
        mark: { type: 'point', shape: 'triangle-up', filled: true, color: 'black', size: 30 },
        encoding: { x: { field: 't1', type: 'quantitative' }, y: { field: 'yb', type: 'quantitative' }, angle: { field: 'angle', type: 'quantitative', scale: null } },
      },
    ],
  } as TopLevelSpec;
}
