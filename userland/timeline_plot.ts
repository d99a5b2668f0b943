// The migration timeline as a vega-lite plot (omemu run --plot): virtual
// time across, the process's pages up (in address order, gaps between its
// regions closed), one mark per page arrival coloured by how it came, and a
// grey line for each fault that waited, as long as it waited (demand
// arrivals drawn last, so the zones around them cannot hide them). Several schemes become panels with shared axes.
import type { TopLevelSpec } from 'vega-lite';
import { ARRIVAL_KINDS, type Timeline } from '../om/timeline.ts';
import { ordinal } from './cli/format.ts';

export interface TimelinePanel {
  scheme: string;
  tl: Timeline;
  /** The first migration's start, virtual ns: time 0 of the plot. */
  start_ns: number;
}

/** At most this many arrival marks a panel; above it every kth arrival is drawn (said in the title). */
const MAX_MARKS = 15000;
const MAX_WAITS = 3000;

export function timeline_spec(panels: TimelinePanel[], title: string): TopLevelSpec {
  const all = new Set<number>();
  for (const p of panels) {
    for (const v of p.tl.vpn) all.add(v);
    for (const w of p.tl.waits) all.add(w.vpn);
  }
  const rank = new Map([...all].sort((a, b) => a - b).map((v, i) => [v, i]));
  const points: object[] = [];
  const waits: object[] = [];
  let thinned = 1;
  for (const p of panels) {
    const n = p.tl.t_ns.length;
    const k = Math.max(1, Math.ceil(n / MAX_MARKS));
    thinned = Math.max(thinned, k);
    for (let i = 0; i < n; i += k) {
      points.push({ scheme: p.scheme, t_s: (p.tl.t_ns[i]! - p.start_ns) / 1e9, page: rank.get(p.tl.vpn[i]!), how: p.tl.kind[i] });
    }
    const wk = Math.max(1, Math.ceil(p.tl.waits.length / MAX_WAITS));
    for (let i = 0; i < p.tl.waits.length; i += wk) {
      const w = p.tl.waits[i]!;
      waits.push({ scheme: p.scheme, t_s: (w.t_ns - p.start_ns) / 1e9, t_end_s: (w.t_ns + w.wait_ns - p.start_ns) / 1e9, page: rank.get(w.vpn), wait_ms: w.wait_ns / 1e6 });
    }
  }
  const note = thinned > 1 ? ` (every ${ordinal(thinned)} arrival drawn)` : '';
  // Demand faults are few beside the zones and pushes around them: drawn last, so none hides behind those.
  const rank_of = (how: unknown): number => (how === 'demand' ? 1 : 0);
  points.sort((a, b) => rank_of((a as { how: unknown }).how) - rank_of((b as { how: unknown }).how));
  const values = [...waits.map((w) => ({ ...w, what: 'wait' })), ...points.map((p) => ({ ...p, what: 'arrival' }))];
  const layers = {
    layer: [
      {
        transform: [{ filter: "datum.what === 'wait'" }],
        mark: { type: 'rule' as const, color: '#888', strokeWidth: 1 },
        encoding: {
          x: { field: 't_s', type: 'quantitative' as const, title: 'time since the migration began (s, virtual)' },
          x2: { field: 't_end_s' },
          y: { field: 'page', type: 'quantitative' as const, title: 'page (address order)' },
        },
      },
      {
        transform: [{ filter: "datum.what === 'arrival'" }],
        mark: { type: 'point' as const, filled: true, opacity: 0.7 },
        encoding: {
          x: { field: 't_s', type: 'quantitative' as const },
          y: { field: 'page', type: 'quantitative' as const },
          color: { field: 'how', type: 'nominal' as const, title: 'how the page came', scale: { domain: ARRIVAL_KINDS } },
          size: { value: 8 },
        },
      },
    ],
  };
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: title + note, data: { values } };
  if (panels.length === 1) return { ...base, width: 640, height: 360, ...layers } as TopLevelSpec;
  return {
    ...base,
    facet: { row: { field: 'scheme', type: 'nominal', title: 'scheme', sort: panels.map((p) => p.scheme) } },
    spec: { width: 640, height: 200, ...layers },
    resolve: { scale: { x: 'shared', y: 'shared' } },
  } as unknown as TopLevelSpec;
}
