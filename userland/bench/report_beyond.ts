// REPORT.md beyond the paper: every scheme side by side at each kernel's
// largest size, what the wire allows a lazy scheme there, and (make
// bench-full) the ablation of the model's changes.
import { POLICIES } from '../../om/state.ts';
import { ABLATIONS } from './plan.ts';
import type { BenchRecord } from './record.ts';

const KERNELS = ['dgemm', 'stream', 'randomaccess', 'fft'];
const f = (x: number, d: number): string => x.toFixed(d);
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
const MB = (b: number): string => (b / 1e6).toFixed(1);

const at = (rs: BenchRecord[], kernel: string, scheme: string): BenchRecord | undefined =>
  rs.find((r) => r.figure === 'schemes' && r.kernel === kernel && r.scheme === scheme);

/** The schemes' table of one kernel. */
function kernel_table(rs: BenchRecord[], kernel: string): string[] {
  const om = at(rs, kernel, 'openmosix');
  const np = at(rs, kernel, 'noprefetch');
  const first = rs.find((r) => r.figure === 'schemes' && r.kernel === kernel);
  if (!om || !np || !first) return [];
  const L = [
    `**${kernel}**, ${first.size_mib} MB (${first.problem}):`,
    '',
    '| scheme | freeze s | runtime s | over openMosix | requests | prevented | prefetched | used | never used | analysis % | pages moved | MB on the wire | pushed | pre-copy rounds | total migration s | page dependency s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const scheme of POLICIES) {
    const r = at(rs, kernel, scheme);
    if (!r) continue;
    const prevented = np.remote_fault_requests > 0 ? `${f(100 * (1 - r.remote_fault_requests / np.remote_fault_requests), 1)}%` : '-';
    const lazy = r.scheme !== 'openmosix' && r.scheme !== 'precopy';
    if (r.migrations_unfinished > 0) {
      const rounds = r.precopy_rounds > 0 ? ` in pre-copy round ${r.precopy_rounds}` : '';
      L.push(`| ${scheme} | did not migrate: the program ended${rounds} first (${MB(r.precopy_bytes)} MB sent) | ${f(r.runtime_s, 2)} | | | | | | | | | ${MB(r.bytes_transferred)} | | ${r.precopy_rounds} | | |`);
      continue;
    }
    L.push(
      `| ${scheme} | ${r.freeze_s === null ? '-' : f(r.freeze_s, 3)} | ${f(r.runtime_s, 2)} | ${pct(100 * (r.runtime_s / om.runtime_s - 1))} | ${r.remote_fault_requests} | ` +
        `${lazy ? prevented : '-'} | ${r.prefetched_pages} | ${r.prefetch_hits} | ${r.wasted_prefetch} | ${f(r.analysis_pct, 3)} | ${r.pages_transferred} | ` +
        `${MB(r.bytes_transferred)} | ${r.pushed_pages} | ${r.precopy_rounds} | ${r.total_migration_s === null ? 'pages left at home' : f(r.total_migration_s, 2)} | ` +
        `${r.page_dependency_s === null ? '-' : f(r.page_dependency_s, 2)} |`,
    );
  }
  return [...L, ''];
}

/**
 * What the wire allows a scheme that starts with none of the pages: at
 * best it moves them while it computes, so its runtime is at least the
 * larger of the two, against openMosix's freeze (the wire time) plus the
 * compute.
 */
export function wire_floor(rs: BenchRecord[]): string[] {
  const L = [
    '| kernel | MB to move | wire time (openMosix freeze) s | compute s | best a lazy scheme can do, over openMosix | ampom-push over openMosix |',
    '|---|---|---|---|---|---|',
  ];
  for (const k of KERNELS) {
    const om = at(rs, k, 'openmosix');
    const push = at(rs, k, 'ampom-push');
    if (!om || !push || om.freeze_s === null) continue;
    const wire = om.freeze_s;
    const compute = om.runtime_s - om.freeze_s;
    const best = Math.max(wire, compute) / om.runtime_s - 1;
    L.push(`| ${k} | ${MB(om.bytes_transferred)} | ${f(wire, 1)} | ${f(compute, 1)} | ${pct(100 * best)} | ${pct(100 * (push.runtime_s / om.runtime_s - 1))} |`);
  }
  return L;
}

export function beyond_md(rs: BenchRecord[]): string[] {
  if (!rs.some((r) => r.figure === 'schemes')) return [];
  const L = ['## Beyond the paper: every scheme at each kernel\'s largest size', ''];
  L.push(
    'The paper\'s three, the state-of-the-art prefetchers (linux-ra, vma-ra, leap: three pages and the MPT, their own zones), ' +
      'pre-copy, post-copy and ampom-push, today\'s far-memory prefetchers (fastswap, canvas, hermit, aifm) and the oracle (the bound: ' +
      'see "How close to the oracle"), on the same pages, links and clock (`schemes.svg`: freeze against runtime). ' +
      '"prevented" is against NoPrefetch\'s requests; "used" and "never used" count the pages a zone or readahead brought; ' +
      '"total migration" runs until the source holds no page of the process; "page dependency" is how long after the freeze the process still ' +
      'needed a page held on another node: its window of exposure to a failure of the node it left, besides the deputy every openMosix scheme ' +
      'depends on for the whole run (0 for openMosix and pre-copy, until its push ends for ampom-push, the whole run for AMPoM and NoPrefetch).',
    '',
  );
  for (const k of KERNELS) L.push(...kernel_table(rs, k));
  L.push('### What the wire allows', '');
  L.push(
    'A scheme that leaves the pages behind can at best move them while the process computes: its runtime is at least the larger ' +
      "of the wire time and the compute time, where openMosix pays both one after the other. Where a kernel touches most of its " +
      'bytes at once, the wire time is a floor no scheme goes under.',
    '',
  );
  L.push(...wire_floor(rs), '');
  return L;
}

/** The ablation (make bench-full): AMPoM's Figure 6-8 figures with each change undone. */
export function ablation_md(rs: BenchRecord[]): string[] {
  const ab = rs.filter((r) => r.figure === 'ablation');
  if (ab.length === 0) return [];
  const L = ['## Ablation: what each change to the model did (largest sizes)', ''];
  for (const a of ABLATIONS) L.push(`- **${a.name}**: ${a.what}.`);
  L.push('', '| kernel | model | AMPoM over openMosix (Fig 6) | requests AMPoM prevents (Fig 7) | prefetched a fault (Fig 8) |', '|---|---|---|---|---|');
  const of = (k: string, scheme: string, variant: string): BenchRecord | undefined =>
    variant === '' ? at(rs, k, scheme) : ab.find((r) => r.kernel === k && r.scheme === scheme && r.variant === variant);
  for (const k of KERNELS) {
    for (const v of ['', ...ABLATIONS.map((a) => a.name)]) {
      const am = of(k, 'ampom', v);
      // A change to the kernels' timing moves every scheme: compare with its own openMosix and NoPrefetch.
      const om = of(k, 'openmosix', v) ?? of(k, 'openmosix', '');
      const np = of(k, 'noprefetch', v) ?? of(k, 'noprefetch', '');
      if (!am || !om || !np) continue;
      const prevented = np.remote_fault_requests > 0 ? `${f(100 * (1 - am.remote_fault_requests / np.remote_fault_requests), 1)}%` : '-';
      L.push(`| ${k} | ${v || 'the model'} | ${pct(100 * (am.runtime_s / om.runtime_s - 1))} | ${prevented} | ${f(am.prefetched_per_fault, 2)} |`);
    }
  }
  return [...L, ''];
}
