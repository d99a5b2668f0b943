// One SVG plot a figure, from vega-lite 5 specs rendered headless by vega
// (png.ts makes the PNG copies without a native canvas). vega and vega-lite
// take about half a second to load, so they load on the first drawing, not
// with the commands that import this file and may never draw.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchRecord } from './record.ts';

const SCHEME_TITLE = 'scheme';

function spec(title: string, values: object[], enc: { x: string; xt: string; y: string; yt: string; color: string; facet?: string; ylog?: boolean }): TopLevelSpec {
  const layer = {
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: enc.x, type: 'quantitative' as const, title: enc.xt },
      y: { field: enc.y, type: 'quantitative' as const, title: enc.yt, scale: enc.ylog ? { type: 'log' as const } : {} },
      color: { field: enc.color, type: 'nominal' as const, title: enc.color === 'scheme' ? SCHEME_TITLE : enc.color },
    },
  };
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, data: { values } };
  if (enc.facet) {
    const facet = { column: { field: enc.facet, type: 'nominal', title: enc.facet } };
    return { ...base, facet, spec: { width: 220, height: 180, ...layer }, resolve: { scale: { x: 'independent', y: 'independent' } } } as TopLevelSpec;
  }
  return { ...base, width: 420, height: 260, ...layer } as TopLevelSpec;
}

export function figure_specs(runs: BenchRecord[]): Record<string, TopLevelSpec> {
  const f58 = runs.filter((r) => r.figure === 'fig5-8');
  const f9: object[] = [];
  for (const r of runs.filter((x) => x.figure === 'fig9' && x.scheme !== 'openmosix')) {
    const o = runs.find((x) => x.figure === 'fig9' && x.kernel === r.kernel && x.bandwidth_mbps === r.bandwidth_mbps && x.scheme === 'openmosix');
    if (o) f9.push({ ...r, pct_of_openmosix: Math.round((10000 * r.runtime_s) / o.runtime_s) / 100 });
  }
  const ws = { x: 'working_set_mib', xt: 'memory size (MB)' };
  return {
    fig5: spec('Figure 5: freeze time (fast-ethernet)', f58, {
      ...ws, y: 'freeze_s', yt: 'freeze time (s, log)', color: 'scheme', facet: 'kernel', ylog: true,
    }),
    fig6: spec('Figure 6: total execution time after migration', f58, {
      ...ws, y: 'runtime_s', yt: 'execution time (s)', color: 'scheme', facet: 'kernel',
    }),
    fig7: spec('Figure 7: remote page-fault requests', f58.filter((r) => r.scheme !== 'openmosix'), {
      ...ws, y: 'remote_fault_requests', yt: 'page-fault requests', color: 'scheme', facet: 'kernel',
    }),
    fig8: spec('Figure 8: AMPoM prefetched pages per page fault', f58.filter((r) => r.scheme === 'ampom'), {
      ...ws, y: 'prefetched_per_fault', yt: 'prefetched pages per fault', color: 'kernel',
    }),
    fig9: spec('Figure 9: execution time vs network (DGEMM 115 MB, RandomAccess 129 MB)', f9, {
      x: 'bandwidth_mbps', xt: 'available bandwidth (Mb/s)', y: 'pct_of_openmosix', yt: 'execution time (% of openMosix)', color: 'scheme', facet: 'kernel',
    }),
    fig10: spec('Figure 10: DGEMM allocating 575 MB, working on less', runs.filter((r) => r.figure === 'fig10'), {
      x: 'working_set_mib', xt: 'working set (MB)', y: 'runtime_s', yt: 'execution time (s)', color: 'scheme',
    }),
    fig11: spec('Figure 11: AMPoM analysis time', runs.filter((r) => r.scheme === 'ampom' && r.figure === 'fig5-8'), {
      ...ws, y: 'analysis_pct', yt: 'analysis time (% of execution time)', color: 'kernel',
    }),
    ...schemes_spec(runs),
  };
}

/**
 * Beyond the paper: each kernel at its largest size, every scheme as a
 * point of freeze (log) against runtime, the trade-off the paper's three
 * stand on (the Pareto picture).
 */
function schemes_spec(runs: BenchRecord[]): Record<string, TopLevelSpec> {
  const values = runs.filter((r) => r.figure === 'schemes');
  if (values.length === 0) return {};
  const s = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Every scheme at each kernel\'s largest size: freeze against runtime (fast-ethernet)',
    data: { values },
    facet: { column: { field: 'kernel', type: 'nominal', title: 'kernel' } },
    spec: {
      width: 220, height: 200,
      layer: [
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: { field: 'runtime_s', type: 'quantitative', title: 'execution time (s)', scale: { zero: false } },
            y: { field: 'freeze_s', type: 'quantitative', title: 'freeze time (s, log)', scale: { type: 'log' } },
            color: { field: 'scheme', type: 'nominal', title: 'scheme' },
            shape: { field: 'scheme', type: 'nominal' },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
  return { schemes: s as unknown as TopLevelSpec };
}

export async function render_svg(s: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(s).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
