// The reproduction targets of the paper (targets.md, issue 6), checked
// against the bench's records. Each check says what the paper has, what the
// emulation gave, and whether it holds within the tolerance.
import type { BenchRecord } from './record.ts';

export interface Check {
  figure: string;
  what: string;
  paper: string;
  emulated: string;
  diff: string;
  tolerance: string;
  holds: boolean;
}

type Find = (fig: string, kernel: string, ws: number | 'max', scheme: string, bw?: number) => BenchRecord | undefined;

function finder(runs: BenchRecord[]): Find {
  return (fig, kernel, ws, scheme, bw) => {
    const xs = runs.filter((r) => r.figure === fig && r.kernel === kernel && r.scheme === scheme && (bw === undefined || r.bandwidth_mbps === bw));
    if (ws === 'max') return xs.reduce<BenchRecord | undefined>((a, r) => (!a || r.working_set_mib > a.working_set_mib ? r : a), undefined);
    return xs.find((r) => r.working_set_mib === ws);
  };
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
const fmt = (x: number, d = 3): string => x.toFixed(d);

/** Sizes of a kernel in fig5-8, ascending. */
const sizes = (runs: BenchRecord[], kernel: string): number[] =>
  [...new Set(runs.filter((r) => r.figure === 'fig5-8' && r.kernel === kernel).map((r) => r.working_set_mib))].sort((a, b) => a - b);

/** Coefficient of determination of a least-squares line through (x, y). */
function r_squared(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
}

export function check_targets(runs: BenchRecord[]): Check[] {
  const out: Check[] = [];
  const at = finder(runs);
  const rel = (fig: string, what: string, paper: number, got: number | undefined, tol_rel: number, unit = 's'): void => {
    if (got === undefined) return;
    const d = (got - paper) / paper;
    out.push({ figure: fig, what, paper: `${paper} ${unit}`, emulated: `${fmt(got)} ${unit}`, diff: pct(100 * d), tolerance: `±${100 * tol_rel}%`, holds: Math.abs(d) <= tol_rel });
  };
  const pts = (fig: string, what: string, paper: number, got: number | undefined, tol: number): void => {
    if (got === undefined) return;
    const d = got - paper;
    out.push({ figure: fig, what, paper: `${paper}%`, emulated: `${got.toFixed(1)}%`, diff: `${d >= 0 ? '+' : ''}${d.toFixed(1)} points`, tolerance: `±${tol} points`, holds: Math.abs(d) <= tol });
  };

  // Figure 5: freeze times.
  const big = (k: string, s: string) => at('fig5-8', k, 'max', s);
  rel('5', 'DGEMM 575 MB freeze, openMosix', 53.9, big('dgemm', 'openmosix')?.freeze_s, 0.1);
  rel('5', 'DGEMM 575 MB freeze, AMPoM', 0.6, big('dgemm', 'ampom')?.freeze_s, 0.25);
  rel('5', 'DGEMM 575 MB freeze, NoPrefetch', 0.07, big('dgemm', 'noprefetch')?.freeze_s, 0.3);
  const om = big('dgemm', 'openmosix');
  const am = big('dgemm', 'ampom');
  if (om && am) pts('5', 'freeze time AMPoM avoids (abstract), DGEMM 575 MB', 98, 100 * (1 - am.freeze_s / om.freeze_s), 2);
  for (const k of ['dgemm', 'stream', 'randomaccess', 'fft']) {
    const xs = sizes(runs, k);
    if (xs.length < 3) continue;
    for (const s of ['openmosix', 'ampom']) {
      const ys = xs.map((w) => at('fig5-8', k, w, s)!.freeze_s);
      const r2 = r_squared(xs, ys);
      out.push({ figure: '5', what: `${k} freeze linear in size, ${s}`, paper: 'linear', emulated: `R² = ${r2.toFixed(4)}`, diff: '', tolerance: 'R² ≥ 0.99', holds: r2 >= 0.99 });
    }
    const np = xs.map((w) => at('fig5-8', k, w, 'noprefetch')!.freeze_s);
    const spread = Math.max(...np) / Math.min(...np);
    out.push({ figure: '5', what: `${k} freeze flat in size, NoPrefetch`, paper: 'flat', emulated: `max/min = ${spread.toFixed(3)}`, diff: '', tolerance: '≤ 1.1', holds: spread <= 1.1 });
  }

  // Figure 6: runtimes relative to openMosix.
  const over = (k: string, w: number | 'max', s: string): number | undefined => {
    const a = at('fig5-8', k, w, s);
    const b = at('fig5-8', k, w, 'openmosix');
    return a && b ? 100 * (a.runtime_s / b.runtime_s - 1) : undefined;
  };
  for (const [k, paper] of [['dgemm', 35], ['stream', 51], ['randomaccess', 20], ['fft', 41]] as [string, number][]) {
    pts('6', `${k} largest, NoPrefetch over openMosix`, paper, over(k, 'max', 'noprefetch'), 10);
  }
  for (const k of ['dgemm', 'stream', 'randomaccess', 'fft']) {
    const lim = k === 'randomaccess' ? 8 : 5;
    const xs = sizes(runs, k);
    if (xs.length === 0) continue;
    const worst = Math.max(...xs.map((w) => over(k, w, 'ampom') ?? -Infinity));
    out.push({ figure: '6', what: `${k}, AMPoM over openMosix, worst size`, paper: k === 'randomaccess' ? '+4% (largest)' : '0 to +5%', emulated: pct(worst), diff: '', tolerance: `≤ +${lim}%`, holds: worst <= lim });
  }

  // Figure 7: requests prevented at the largest size.
  for (const [k, paper, tol] of [['dgemm', 98, 3], ['stream', 99, 3], ['randomaccess', 85, 5], ['fft', 97, 3]] as [string, number, number][]) {
    const a = big(k, 'ampom');
    const n = big(k, 'noprefetch');
    if (a && n && n.remote_fault_requests > 0) pts('7', `${k} largest, requests AMPoM prevents`, paper, 100 * (1 - a.remote_fault_requests / n.remote_fault_requests), tol);
  }

  // Figure 8: prefetch aggressiveness ordering at the largest sizes.
  const ppf = Object.fromEntries(['dgemm', 'stream', 'randomaccess', 'fft'].map((k) => [k, big(k, 'ampom')?.prefetched_per_fault ?? 0]));
  const order = Object.entries(ppf).sort((a, b) => b[1] - a[1]);
  if (order.length === 4) {
    out.push({
      figure: '8', what: 'prefetched pages per fault: highest STREAM, lowest RandomAccess', paper: 'STREAM > DGEMM, FFT > RandomAccess',
      emulated: order.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(' > '), diff: '', tolerance: 'same order at the ends',
      holds: order[0]![0] === 'stream' && order[3]![0] === 'randomaccess',
    });
  }

  // Figure 9: networks.
  const f9 = (k: string, s: string, bw: number): number | undefined => {
    const a = runs.find((r) => r.figure === 'fig9' && r.kernel === k && r.scheme === s && r.bandwidth_mbps === bw);
    const b = runs.find((r) => r.figure === 'fig9' && r.kernel === k && r.scheme === 'openmosix' && r.bandwidth_mbps === bw);
    return a && b ? a.runtime_s / b.runtime_s : undefined;
  };
  const ratio = (what: string, paper: number, got: number | undefined): void => {
    if (got === undefined) return;
    out.push({ figure: '9', what, paper: paper.toFixed(2), emulated: got.toFixed(3), diff: (got - paper >= 0 ? '+' : '') + (got - paper).toFixed(3), tolerance: '±0.03', holds: Math.abs(got - paper) <= 0.03 });
  };
  ratio('DGEMM 115 MB, AMPoM / openMosix at 100 Mb/s', 1.01, f9('dgemm', 'ampom', 100));
  ratio('DGEMM 115 MB, AMPoM / openMosix at 6 Mb/s', 1.08, f9('dgemm', 'ampom', 6));
  const ra_a = f9('randomaccess', 'ampom', 6);
  const ra_n = f9('randomaccess', 'noprefetch', 6);
  if (ra_a !== undefined && ra_n !== undefined) {
    const faster = 100 * (1 - ra_a / ra_n);
    out.push({ figure: '9', what: 'RandomAccess 129 MB at 6 Mb/s, AMPoM faster than NoPrefetch by', paper: 'about 4%', emulated: `${faster.toFixed(1)}%`, diff: '', tolerance: '≥ 3%', holds: faster >= 3 });
  }

  // Figure 10: smaller working sets.
  const f10 = runs.filter((r) => r.figure === 'fig10');
  const ws = [...new Set(f10.map((r) => r.working_set_mib))].sort((a, b) => a - b);
  if (ws.length > 1) {
    const alloc = Math.max(...f10.map((r) => r.size_mib));
    const gain = ws.map((w) => {
      const o = f10.find((r) => r.working_set_mib === w && r.scheme === 'openmosix')!;
      const a = f10.find((r) => r.working_set_mib === w && r.scheme === 'ampom')!;
      return { w, g: 100 * (1 - a.runtime_s / o.runtime_s) };
    });
    const below = gain.filter((x) => x.w < alloc);
    const faster = below.every((x) => x.g > 0);
    const grows = below.every((x, i) => i === 0 || x.g <= below[i - 1]!.g);
    out.push({
      figure: '10', what: 'AMPoM faster than openMosix below the allocation, more so as the working set shrinks', paper: 'yes',
      emulated: gain.map((x) => `${x.w}: ${x.g.toFixed(1)}%`).join(', '), diff: '', tolerance: 'faster at every smaller set, gain grows as it shrinks', holds: faster && grows,
    });
  }

  // Figure 11: analysis overhead.
  const am_runs = runs.filter((r) => r.scheme === 'ampom');
  if (am_runs.length > 0) {
    const worst = Math.max(...am_runs.map((r) => r.analysis_pct));
    const over25 = am_runs.filter((r) => r.analysis_pct >= 0.25).length;
    out.push({ figure: '11', what: 'AMPoM analysis time, worst run, % of runtime', paper: '< 0.6%', emulated: `${worst.toFixed(3)}%`, diff: '', tolerance: '< 0.6%', holds: worst < 0.6 });
    out.push({ figure: '11', what: 'AMPoM runs with analysis at or above 0.25%', paper: 'at most 1', emulated: `${over25} of ${am_runs.length}`, diff: '', tolerance: '≤ 1', holds: over25 <= 1 });
  }
  return out;
}
