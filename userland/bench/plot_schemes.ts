// Beyond the paper: every scheme at each kernel's largest size, a row a
// kernel (the paper's order) and a line a scheme, its freeze (log scale)
// beside its execution time (from 0), so no scheme's mark can sit on
// another's. A scheme that did not migrate (pre-copy on a program that
// ends before its rounds do) has no freeze: its line says so in words and
// its execution time, at the source, is labelled.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchRecord } from './record.ts';
import { PAPER_KERNEL_ORDER } from './paper_values.ts';
import { KERNEL_NAME, named, only, scheme_color, SCHEME_ORDER_NAMES, top } from './plot_style.ts';

export function schemes_spec(runs: BenchRecord[]): Record<string, TopLevelSpec> {
  const rs = runs.filter((r) => r.figure === 'schemes');
  if (rs.length === 0) return {};
  const present = SCHEME_ORDER_NAMES.filter((n) => rs.some((r) => named(r).scheme_name === n));
  const color = scheme_color(present);
  const y = { field: 'scheme_name', type: 'nominal', title: null, sort: present };
  const rows: object[] = [];
  for (const r of rs) {
    const n = named(r);
    rows.push({ ...n, source: 'omemu', moved: r.freeze_s !== null });
    if (r.freeze_s === null) {
      const why = r.precopy_rounds > 0 ? `did not migrate: the program ended during pre-copy round ${r.precopy_rounds}` : 'did not migrate';
      rows.push({ source: 'dnm', kernel: r.kernel, scheme_name: n.scheme_name, text: why });
    }
  }
  for (const k of PAPER_KERNEL_ORDER) {
    const om = rs.find((r) => r.kernel === k && r.scheme === 'openmosix');
    if (om?.freeze_s != null) rows.push({ source: 'bound', kernel: k, runtime_s: om.runtime_s - om.freeze_s, label: 'compute only' });
  }
  const kernel_row = (k: string) => {
    const first = rs.find((r) => r.kernel === k);
    const keep = [{ filter: `datum.kernel === '${k}'` }];
    const freeze = { field: 'freeze_s', type: 'quantitative', title: 'freeze time (s, log scale)', scale: { type: 'log' } };
    const runtime = { field: 'runtime_s', type: 'quantitative', title: 'execution time (s, axis from 0)', scale: { zero: true } };
    return {
      title: { text: `${KERNEL_NAME[k]} ${first?.size_mib ?? ''} MB`, anchor: 'start', fontSize: 13 },
      transform: keep,
      // 'flush': the words of a scheme that did not migrate may run past the panel without pushing the next one away.
      bounds: 'flush',
      spacing: 95,
      hconcat: [
        {
          width: 300, height: 18 * present.length,
          layer: [
            { transform: [...only('omemu'), { filter: 'datum.moved' }], mark: { type: 'point', filled: true, size: 70, opacity: 1 }, encoding: { x: freeze, y, color } },
            { transform: only('dnm'), mark: { type: 'text', align: 'left', x: 4, fontSize: 10, fontStyle: 'italic' }, encoding: { y, text: { field: 'text', type: 'nominal' } } },
          ],
        },
        {
          width: 300, height: 18 * present.length,
          layer: [
            { transform: only('bound'), mark: { type: 'rule', strokeDash: [6, 4], color: '#555555' }, encoding: { x: runtime } },
            { transform: only('bound'), mark: { type: 'text', align: 'left', dx: 3, y: 0, baseline: 'top', fontSize: 10, color: '#333333' }, encoding: { x: runtime, text: { field: 'label' } } },
            { transform: only('omemu'), mark: { type: 'point', filled: true, size: 70, opacity: 1 }, encoding: { x: runtime, y, color } },
            { transform: [...only('omemu'), { filter: '!datum.moved' }], mark: { type: 'text', align: 'left', dx: 8, fontSize: 10, fontStyle: 'italic' }, encoding: { x: runtime, y, text: { value: 'ran at its source' } } },
          ],
        },
      ],
      resolve: { scale: { x: 'independent' } },
    };
  };
  const s = {
    ...top("Every scheme at each kernel's largest size: freeze and execution time (Fast Ethernet)", rows, 'filled: omemu · dashed: compute only (openMosix\'s time less its freeze)'),
    vconcat: PAPER_KERNEL_ORDER.filter((k) => rs.some((r) => r.kernel === k)).map(kernel_row),
  };
  return { schemes: s as unknown as TopLevelSpec };
}
