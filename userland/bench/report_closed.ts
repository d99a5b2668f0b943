// REPORT.md: how close each scheme comes to the oracle (mm/oracle.ts), at
// each kernel's largest size and at 32 MiB, from the bench's own records.
// For a scheme that starts from the three-page freeze, the share of the
// blocked time it closes: (NoPrefetch's blocked time - its own) over
// (NoPrefetch's - the oracle's); 100% is the oracle, 0% NoPrefetch (a
// scheme whose fault-path CPU hides part of its wait can pass 100% while
// ending later: the runtime stands beside it). openMosix and
// pre-copy start from another freeze: their downtime (freeze + blocked
// time) stands beside it instead.
import { POLICIES } from '../../om/state.ts';
import type { BenchRecord } from './record.ts';
import { has_frontier } from './plot_frontier.ts';

const KERNELS = ['dgemm', 'stream', 'randomaccess', 'fft'];
/** The schemes whose freeze is not the three current pages. */
export const OTHER_FREEZE = ['openmosix', 'precopy'];

const f = (x: number, d: number): string => x.toFixed(d);
const ms = (x: number | null): string => (x === null ? '-' : f(x, 3));
/** A share as a percentage, without the '-0.0%' of a rounding below zero. */
const pct = (share: number): string => `${f(100 * share, 1).replace(/^-0\.0$/, '0.0')}%`;

/** The share of NoPrefetch's blocked time, beyond the oracle's, a run closes; null when there is nothing to close. */
export function share_closed(np: BenchRecord, oracle: BenchRecord, r: BenchRecord): number | null {
  const gap = np.blocked_s - oracle.blocked_s;
  return gap > 0 ? (np.blocked_s - r.blocked_s) / gap : null;
}

function kernel_table(rs: BenchRecord[], figure: string, kernel: string): string[] {
  const of = (scheme: string): BenchRecord | undefined => rs.find((r) => r.figure === figure && r.kernel === kernel && r.scheme === scheme);
  const np = of('noprefetch');
  const or = of('oracle');
  const om = of('openmosix');
  if (!np || !or || !om || om.freeze_s === null) return [];
  // The runtime after the freeze with every page there: openMosix's, which moved them all while frozen.
  const compute = om.runtime_s - om.freeze_s;
  const L = [
    `**${kernel}**, ${np.size_mib} MB (${np.problem}): compute-only bound ${f(compute, 3)} s after the freeze (openMosix's runtime less its freeze: every page there when the process resumes).`,
    '',
    '| scheme | freeze s | blocked s | waits | p50 ms | p99 ms | downtime s | runtime s | runtime over compute-only + freeze | share of blocked time closed |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const scheme of POLICIES) {
    const r = of(scheme);
    if (!r) {
      L.push(`| ${scheme} | not run | | | | | | | | |`);
      continue;
    }
    if (r.freeze_s === null) {
      L.push(`| ${scheme} | did not migrate | | | | | | ${f(r.runtime_s, 3)} (at its source) | | |`);
      continue;
    }
    const other = OTHER_FREEZE.includes(scheme);
    const share = other ? null : share_closed(np, or, r);
    const closed = other ? `(downtime ${f(r.freeze_s + r.blocked_s, 3)} s)` : share === null ? '-' : pct(share);
    L.push(
      `| ${scheme} | ${f(r.freeze_s, 3)} | ${f(r.blocked_s, 3)} | ${r.blocked_waits} | ${ms(r.blocked_p50_ms)} | ${ms(r.blocked_p99_ms)} | ` +
        `${f(r.freeze_s + r.blocked_s, 3)} | ${f(r.runtime_s, 3)} | ${f(r.runtime_s / (compute + r.freeze_s), 3)}x | ${closed} |`,
    );
  }
  return [...L, ''];
}

/** A cell of the summary: the share closed, or the downtime where the scheme starts from another freeze, or why there is neither. */
function share_cell(rs: BenchRecord[], figure: string, kernel: string, scheme: string): string {
  const of = (s: string): BenchRecord | undefined => rs.find((r) => r.figure === figure && r.kernel === kernel && r.scheme === s);
  const r = of(scheme);
  if (!r) return 'not run';
  if (r.freeze_s === null) return 'did not migrate';
  if (OTHER_FREEZE.includes(scheme)) return `downtime ${f(r.freeze_s + r.blocked_s, 2)} s`;
  const np = of('noprefetch');
  const or = of('oracle');
  const share = np && or ? share_closed(np, or, r) : null;
  return share === null ? '-' : pct(share);
}

/** Every scheme against every kernel at both sizes: the share of the blocked time closed, at a glance. */
function summary_table(rs: BenchRecord[]): string[] {
  const cols = (['schemes', 'schemes-32'] as const).flatMap((figure) =>
    KERNELS.flatMap((k) => {
      const r = rs.find((x) => x.figure === figure && x.kernel === k);
      return r ? [{ figure, kernel: k, head: `${k} ${r.size_mib} MB` }] : [];
    }),
  );
  if (cols.length === 0) return [];
  const L = [`| scheme | ${cols.map((c) => c.head).join(' | ')} |`, `|---|${cols.map(() => '---|').join('')}`];
  for (const scheme of POLICIES) L.push(`| ${scheme} | ${cols.map((c) => share_cell(rs, c.figure, c.kernel, scheme)).join(' | ')} |`);
  return [...L, ''];
}

export function closed_md(rs: BenchRecord[]): string[] {
  if (!rs.some((r) => r.scheme === 'oracle')) return [];
  const L = ['## How close to the oracle', ''];
  L.push(
    'The oracle knows every page the process will fault on after its migration (a NoPrefetch run of the same program records them) ' +
      'and asks for them in that order from the moment the process resumes, as far ahead as the destination\'s memory allows: no real ' +
      'system can run it, it is the bound. Blocked time: the waits for pages held on another node, each from the fault that found its page ' +
      'absent until the page is installed. The share of the blocked time closed is (NoPrefetch - scheme) / (NoPrefetch - oracle), for the ' +
      'schemes that start from the three-page freeze; openMosix and pre-copy freeze longer, and their downtime (freeze + blocked time) ' +
      'stands instead. A share above 100% does not beat the oracle: a scheme that spends more CPU in its own fault path while the wire ' +
      'is the bottleneck (a request at every first use of a prefetched page, a minor fault a page) hides part of its wait behind that CPU ' +
      'and still ends later (compare the runtimes). The compute-only bound is the runtime after the freeze if every page were there.',
    '',
  );
  if (has_frontier(rs)) {
    L.push(
      '![The frontier: freeze against runtime](frontier.png)',
      '',
      "The frontier (frontier.png, its points in frontier.csv): a panel a kernel, at its largest size and at 32 MiB; across, each scheme's freeze " +
        '(log scale), up, its runtime over the compute-only runtime (1: the compute-only bound, dashed; the oracle\'s time dashed too). ' +
        'Down and to the left is better. The hollow diamond is the paper\'s AMPoM on DGEMM 575 MB, the only kernel whose AMPoM freeze the paper gives.',
      '',
    );
  }
  const summary = summary_table(rs);
  if (summary.length > 0) L.push('### Share of the blocked time closed, every scheme and kernel', '', ...summary);
  for (const figure of ['schemes', 'schemes-32'] as const) {
    const T = KERNELS.flatMap((k) => kernel_table(rs, figure, k));
    // The smaller size is 32 MiB times the bench's scale.
    const what = figure === 'schemes' ? "each kernel's largest size" : `${rs.find((r) => r.figure === figure)?.size_mib} MB`;
    if (T.length > 0) L.push(`### At ${what}`, '', ...T);
  }
  return L;
}
