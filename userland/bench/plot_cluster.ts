// The cluster figure: preemptive against birth placement (mean slowdown by
// balancer) and the paper's question (mean bounded slowdown against offered
// load, a panel a size range), each a mean over seeds, filled, with its
// 95% interval. Slowdowns start at 1 (a process that ran as if alone), and
// an interval is cut there (a slowdown cannot be less; the t interval of a
// few seeds can reach below it). Series at one load are set apart, so no
// balancer hides behind another.
import type { TopLevelSpec } from 'vega-lite';
import { groups, stat, type ClusterPoint } from './cluster_fig.ts';

const LEAST = 1;

export function cluster_spec(points: ClusterPoint[]): TopLevelSpec {
  const rows = groups(points).filter((g) => g.key.experiment !== 'demo').map((g) => {
    const f = g.key.experiment === 'versus' ? 'mean_slowdown' : 'mean_bounded_slowdown';
    const s = stat(g, f);
    const half = Number.isFinite(s.ci) ? s.ci : 0;
    const label = g.key.balancer === 'mosix' ? `mosix ${g.key.scheme} t=${g.key.threshold}` : g.key.balancer === 'hbd' ? `hbd ${g.key.scheme}` : g.key.balancer;
    return { ...g.key, label, load_label: g.key.load === null ? '' : `load ${g.key.load}`, panel: `${g.key.mib} MiB`, y: s.mean, lo: Math.max(LEAST, s.mean - half), hi: s.mean + half, seeds: s.n };
  });
  // Each chart's axis from 1 to its own highest interval.
  const y = (experiment: string, title: string) => {
    const top = Math.max(LEAST + 0.05, ...rows.filter((r) => r.experiment === experiment).map((r) => r.hi));
    return { field: 'y', type: 'quantitative', title, scale: { domain: [LEAST, top], nice: true, zero: false } };
  };
  const labels = [...new Set(rows.map((r) => r.label))];
  const color = { field: 'label', type: 'nominal', title: 'balancer (scheme, threshold)', sort: labels, legend: { labelLimit: 320, titleLimit: 320 } };
  const marks = (experiment: string, x: object, off: object, ytitle: string) => [
    { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, ...off, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
    { mark: { type: 'point', filled: true, size: 60, opacity: 1 }, encoding: { x, ...off, y: y(experiment, ytitle), color, tooltip: [{ field: 'label' }, { field: 'y', format: '.3f' }, { field: 'lo', format: '.3f' }, { field: 'hi', format: '.3f' }, { field: 'seeds' }] } },
  ];
  const versus_x = { field: 'label', type: 'nominal', title: null, sort: labels, axis: { labelAngle: -30 } };
  const load_x = { field: 'load_label', type: 'ordinal', title: 'offered load', sort: 'ascending', axis: { labelAngle: 0 } };
  const off = { xOffset: { field: 'label', type: 'nominal', sort: labels } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'The cluster: preemptive against birth placement, and whether cheaper migration makes a bolder balancer pay', subtitle: 'filled: mean over seeds · bars: 95% interval, cut at 1 (the least slowdown) · axes from 1', anchor: 'start' },
    data: { values: rows },
    hconcat: [
      { title: 'Preemptive against birth (pareto, 16 nodes)', transform: [{ filter: "datum.experiment === 'versus'" }], width: 220, height: 240, layer: marks('versus', versus_x, {}, 'mean slowdown') },
      {
        title: "The paper's question: bounded slowdown against load",
        transform: [{ filter: "datum.experiment === 'question'" }],
        facet: { column: { field: 'panel', type: 'nominal', title: null } },
        spec: { width: 260, height: 240, layer: marks('question', load_x, off, 'mean bounded slowdown') },
        resolve: { scale: { xOffset: 'independent' } },
      },
    ],
    resolve: { scale: { xOffset: 'independent', x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
}
