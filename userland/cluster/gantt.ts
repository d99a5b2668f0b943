// The cluster run as a Gantt chart (omemu cluster --plot): virtual time
// across, a band a node (node 0 at the top, a tick and a label a node),
// one bar a process for each stretch it spent on a node (stretches that
// overlap on a node share its band in rows), coloured by kernel and
// labelled with the pid where the label fits; each migration an arrow from
// where the process left to where it arrived, as long as its freeze (the
// process stood still); and each balancer's decision a tick on the source,
// with a dotted line until the source stopped running the process (the
// relief time). The band's height follows the node count, so 64 nodes stay
// legible.
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

/** Rows within each node's band: each stretch gets the lowest row of its node free at its start; and how many rows each node needed. */
export function rows_of(ss: Stretch[]): { row: number[]; rows: Map<number, number> } {
  const busy = new Map<number, number[]>();
  const order = ss.map((_, i) => i).sort((a, b) => ss[a]!.from_s - ss[b]!.from_s || ss[a]!.pid - ss[b]!.pid);
  const row = new Array<number>(ss.length).fill(0);
  for (const i of order) {
    const s = ss[i]!;
    const ends = busy.get(s.node) ?? [];
    let l = ends.findIndex((e) => e <= s.from_s);
    if (l < 0) l = ends.length;
    ends[l] = s.to_s;
    busy.set(s.node, ends);
    row[i] = l;
  }
  return { row, rows: new Map([...busy].map(([n, e]) => [n, e.length])) };
}

const WIDTH_PX = 900;
/** A node's band: as tall as 900 px shared by the nodes allow, between 12 and 36 px. */
export const band_px = (nodes: number): number => Math.max(12, Math.min(36, Math.floor(900 / nodes)));
/** A pid's label fits a bar at least this wide and this tall (DejaVu Sans 9 px: about 5.5 px a digit). */
const label_fits = (text: string, w_px: number, h_px: number): boolean => w_px >= 5.5 * text.length + 4 && h_px >= 9;

export function gantt_spec(r: ClusterResult): TopLevelSpec {
  const end_s = Math.max(1e-9, ...r.processes.map((p) => p.finish_s ?? 0));
  const ss = r.processes.flatMap((p) => stretches(p, end_s));
  const { row, rows } = rows_of(ss);
  const band = band_px(r.nodes);
  const px_per_s = WIDTH_PX / end_s;
  // A row's centre and half-height, in node units (a node's band is [node, node + 1)).
  const mid = (node: number, l: number): number => node + (l + 0.5) / (rows.get(node) ?? 1);
  const half = (node: number): number => 0.42 / (rows.get(node) ?? 1);
  const data: object[] = [];
  for (let n = 0; n < r.nodes; n += 2) data.push({ what: 'band', y0: n, y1: n + 1 });
  ss.forEach((s, i) => {
    const y = mid(s.node, row[i]!);
    const text = String(s.pid);
    const fits = label_fits(text, (s.to_s - s.from_s) * px_per_s, 2 * half(s.node) * band);
    data.push({ what: 'bar', ...s, y0: y - half(s.node), y1: y + half(s.node), y, label: fits ? text : '', mid_s: (s.from_s + s.to_s) / 2 });
  });
  for (const p of r.processes) {
    const mine = ss.map((s, i) => ({ s, i })).filter((x) => x.s.pid === p.pid);
    mine.slice(1).forEach(({ s, i }, k) => {
      const prev = mine[k]!;
      data.push({ what: 'arrow', pid: p.pid, t0: prev.s.to_s, t1: s.from_s, ya: mid(prev.s.node, row[prev.i]!), yb: mid(s.node, row[i]!), freeze_s: s.from_s - prev.s.to_s });
    });
    for (const m of p.moves) {
      if (!m.ok || m.relief_s === null) continue;
      const at = mine.find(({ s }) => s.node === m.from && s.from_s <= m.asked_s + 1e-9 && m.asked_s <= s.to_s + 1e-9);
      if (!at) continue;
      data.push({ what: 'relief', pid: p.pid, t0: m.asked_s, t1: m.asked_s + m.relief_s, y: mid(m.from, row[at.i]!), relief_s: m.relief_s });
    }
  }
  const x = { field: 'from_s', type: 'quantitative', title: 'virtual time (s)', scale: { domain: [0, end_s], nice: false } };
  const yscale = { domain: [0, r.nodes], reverse: true, nice: false };
  const ticks = Array.from({ length: r.nodes }, (_, n) => n + 0.5);
  const yaxis = { values: ticks, labelExpr: 'floor(datum.value)', grid: false, labelFontSize: r.nodes > 32 ? 8 : 10, title: 'node' };
  const only = (what: string) => [{ filter: `datum.what === '${what}'` }];
  // Every layer states the same axis, so vega-lite has one to merge: a tick and a label a node, at its band's middle.
  const y = (field: string) => ({ field, type: 'quantitative', scale: yscale, axis: yaxis });
  const title = `${r.nodes} nodes, ${r.processes.length} processes, ${r.scheme}, balancer ${r.balancer}${r.balancer === 'mosix' ? ` (threshold ${r.threshold})` : ''}: mean slowdown ${r.totals.mean_slowdown}, ${r.totals.migrations} migrations`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: 'bars: a process on a node (its pid where it fits) · arrows: migrations, as long as the freeze · tick and dots: the balancer\'s decision until the source stopped running the process (relief)', anchor: 'start' },
    width: WIDTH_PX,
    height: band * r.nodes,
    data: { values: data },
    layer: [
      { transform: only('band'), mark: { type: 'rect', color: '#f2f2f2' }, encoding: { y: y('y0'), y2: { field: 'y1' } } },
      {
        transform: only('bar'),
        mark: { type: 'rect', opacity: 0.85, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x, x2: { field: 'to_s' },
          y: y('y0'), y2: { field: 'y1' },
          color: { field: 'kernel', type: 'nominal', title: 'kernel' },
          tooltip: [{ field: 'pid' }, { field: 'kernel' }, { field: 'node' }, { field: 'from_s', title: 'from (s)' }, { field: 'to_s', title: 'to (s)' }],
        },
      },
      { transform: [...only('bar'), { filter: "datum.label !== ''" }], mark: { type: 'text', fontSize: 9, color: 'black' }, encoding: { x: { field: 'mid_s', type: 'quantitative' }, y: y('y'), text: { field: 'label' } } },
      { transform: only('relief'), mark: { type: 'rule', strokeDash: [1, 2], color: 'black', strokeWidth: 1.2 }, encoding: { x: { field: 't0', type: 'quantitative' }, x2: { field: 't1' }, y: y('y') } },
      { transform: only('relief'), mark: { type: 'tick', orient: 'vertical', color: 'black', thickness: 1.5, size: Math.max(6, band * 0.8) }, encoding: { x: { field: 't0', type: 'quantitative' }, y: y('y'), tooltip: [{ field: 'pid' }, { field: 'relief_s', title: 'relief (s)' }] } },
      { transform: only('arrow'), mark: { type: 'rule', color: '#b2182b', strokeWidth: 1.3 }, encoding: { x: { field: 't0', type: 'quantitative' }, x2: { field: 't1' }, y: y('ya'), y2: { field: 'yb' } } },
      {
        transform: [...only('arrow'), { calculate: 'datum.yb > datum.ya ? 180 : 0', as: 'angle' }],
        mark: { type: 'point', shape: 'triangle-up', filled: true, color: '#b2182b', size: 40, opacity: 1 },
        encoding: { x: { field: 't1', type: 'quantitative' }, y: y('yb'), angle: { field: 'angle', type: 'quantitative', scale: null }, tooltip: [{ field: 'pid' }, { field: 'freeze_s', title: 'freeze (s)' }] },
      },
    ],
  } as unknown as TopLevelSpec;
}
