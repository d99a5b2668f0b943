// bench-out/: CSV per figure and REPORT.md (paper vs emulation).
import type { Check } from './targets.ts';
import type { BenchRecord } from './record.ts';
import { TABLE1_MIB, TABLE1_PROBLEM } from './plan.ts';
import { HPCC_COSTS_NS } from '../hpcc/costs.ts';

const CSV_COLS: (keyof BenchRecord)[] = [
  'figure', 'kernel', 'size_mib', 'working_set_mib', 'problem', 'used_mib', 'scheme', 'profile', 'bandwidth_mbps', 'latency_ms',
  'freeze_s', 'runtime_s', 'remote_fault_requests', 'remote_faults', 'request_messages', 'prefetched_pages', 'prefetched_per_fault', 'pages_transferred', 'analysis_s', 'analysis_pct', 'verified',
];

const cell = (v: unknown): string => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function to_csv(runs: BenchRecord[]): string {
  return [CSV_COLS.join(','), ...runs.map((r) => CSV_COLS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** Which records each figure's CSV holds. */
export function figure_rows(runs: BenchRecord[]): Record<string, BenchRecord[]> {
  const f58 = runs.filter((r) => r.figure === 'fig5-8');
  return {
    fig5: f58,
    fig6: f58,
    fig7: f58.filter((r) => r.scheme !== 'openmosix'),
    fig8: f58.filter((r) => r.scheme === 'ampom'),
    fig9: runs.filter((r) => r.figure === 'fig9'),
    fig10: runs.filter((r) => r.figure === 'fig10'),
    fig11: runs.filter((r) => r.scheme === 'ampom'),
  };
}

/**
 * Why a target is missed, by the start of its description. Written from the
 * model's mechanics (see the README), shown only for checks that miss.
 */
export const MISS_REASONS: [string, string][] = [
  ['randomaccess largest, requests AMPoM prevents', 'Uniformly random faults over a 131k-page table almost never put r_p + 1 within d_max = 4 window positions, so S is 0 and Eq. 3 gives N = 0: Algorithm 1 as published has no baseline read-ahead, and the chance sequences the paper credits do not occur with HPCC\'s generator at this table size.'],
  ['randomaccess, AMPoM over openMosix', 'Follows from the RandomAccess Figure 7 row: with N = 0 AMPoM pays one remote fault a table page, as NoPrefetch does.'],
  ['RandomAccess 129 MB at 6 Mb/s', 'With N = 0 on random faults (Figure 7 row) AMPoM behaves as NoPrefetch; the paper\'s 4% comes from chance read-ahead the emulation does not see.'],
  ['fft largest, requests AMPoM prevents', 'The six-step first reads the input by 16 x 16 tiles (FFTE\'s NBLK for the P4): 16 rows 16 pages apart are 16 interleaved streams, more than d_max = 4 can see, so S stays near 0. What AMPoM does prevent is asking for the output array, which the MPT shows was never written at home.'],
  ['fft, AMPoM over openMosix', 'Follows from the FFT Figure 7 row (16 interleaved streams, beyond d_max = 4).'],
  ['fft largest, NoPrefetch over openMosix', 'NoPrefetch has no MPT, so it asks home for every first touch, including the 256 MiB output array never written before migration, while openMosix moves only the dirty input: twice the requests for the pages that exist.'],
  ['dgemm largest, requests AMPoM prevents', 'Eq. 3 sizes zones from a wire-bound fault rate (r about 1,500 faults a second on a saturated 100 Mb/s link): on DGEMM 64 MiB (instrumented) the median N is 5, and the fault before a demand request had a median N of 2, half of them with no outstanding stream in the window (faults alternate between the A panel, B and C columns). The paper\'s 98% implies larger zones than Eq. 3 gives with these t0, td and r.'],
  ['stream largest, requests AMPoM prevents', 'Nearly all demand requests fall in the first pass after migration (Copy), spread through it: on STREAM 64 MiB (instrumented) the fault before a demand request had a median N of 5 against 20 over all faults, so a short zone now and then lets the walk overtake its prefetches. The paper\'s 99% implies zones of about 100 pages.'],
  ['dgemm largest, NoPrefetch over openMosix', 'A remote fault costs about 0.5 ms here (request, 4 KiB at 100 Mb/s, deputy and fault paths) against 80 s of DGEMM at 3 GFlop/s; the paper\'s +35% implies a costlier fault path or a slower DGEMM on the original testbed. Neither constant is fitted to this figure.'],
  ['stream largest, NoPrefetch over openMosix', 'As for DGEMM: the ratio is the remote-fault cost (about 0.5 ms) against STREAM\'s compute time at 1.6 GB/s, neither fitted to this figure.'],
  ['randomaccess largest, NoPrefetch over openMosix', 'The ratio is the remote-fault cost against 268M updates at 120 ns each; neither is fitted to this figure.'],
  ['DGEMM 115 MB, AMPoM / openMosix at 6 Mb/s', 'At 6 Mb/s a page takes 5.6 ms on the wire and AMPoM\'s zones (Eq. 3) leave some demand faults exposed; the emulated ratio is at the edge of the tolerance.'],
  ['DGEMM 115 MB, AMPoM / openMosix at 100 Mb/s', 'See the DGEMM Figure 7 row: demand faults after short zones leave some round trips exposed.'],
  ['prefetched pages per fault', 'Follows from the Figure 7 rows.'],
];

function reason(c: Check): string {
  if (c.holds) return '';
  return MISS_REASONS.find(([k]) => c.what.startsWith(k) || c.what.includes(k))?.[1] ?? 'No reason recorded yet: investigate.';
}

export function report_md(runs: BenchRecord[], checks: Check[], meta: { seed: number; scale: number; wall_s: number; workers: number }): string {
  const L: string[] = [];
  L.push('# omemu: the paper (Ho, Wang, Lau, IPDPS 2008) against the emulation', '');
  L.push(`Generated by \`make bench${meta.scale === 1 ? '' : '-quick'}\`: seed ${meta.seed}, sizes x${meta.scale}, ${runs.length} records, ${meta.workers} workers, ${meta.wall_s.toFixed(0)} s wall.`);
  if (meta.scale !== 1) L.push('', `**bench-quick: every size is scaled by ${meta.scale}; the targets below are for the paper's sizes and are only indicative here.**`);
  L.push('', '## Calibration (stated once)', '');
  L.push('- Network: Fast Ethernet 100 Mb/s, 60 µs one-way latency, 40 B TCP/IP + 38 B Ethernet framing per 1,460 B segment; broadband 6 Mb/s, 2 ms (the paper\'s tc/iptables setting). From the testbed description.');
  L.push('- Kernel CPU costs (trap, fault handler, zero-fill, page copy, PTE) are Pentium 4 2 GHz / Linux 2.4 estimates (kernel/cpu.ts), not fits.');
  L.push(`- HPCC work (userland/hpcc/costs.ts): STREAM ${(1 / HPCC_COSTS_NS.mem_B).toFixed(1)} GB/s, DGEMM ${(1 / HPCC_COSTS_NS.dgemm_flop).toFixed(1)} GFlop/s, RandomAccess ${HPCC_COSTS_NS.ra_update} ns an update, FFT ${(1 / HPCC_COSTS_NS.fft_flop).toFixed(1)} GFlop/s, ${HPCC_COSTS_NS.gen_elem} ns a generated element: P4 2 GHz figures, not fits.`);
  L.push('- From Figure 5 only: the migration setup cost (68 ms, so NoPrefetch\'s freeze is 0.07 s) and the per-entry MPT cost at both ends (1.55 µs, so AMPoM\'s 575 MB freeze is 0.6 s), om/costs.ts. Everything else is a prediction.');
  L.push('- Table 1 sizes are read as MiB; each kernel takes the largest problem that fits (below).', '');
  L.push('## Table 1: problem sizes', '', '| kernel | paper MB | paper problem size | emulated problem | emulated MiB used |', '|---|---|---|---|---|');
  for (const k of Object.keys(TABLE1_MIB) as (keyof typeof TABLE1_MIB)[]) {
    TABLE1_MIB[k].forEach((mib, i) => {
      const r = runs.find((x) => x.figure === 'fig5-8' && x.kernel === k && x.size_mib === Math.round(mib * meta.scale * 1000) / 1000);
      L.push(`| ${k} | ${mib} | ${TABLE1_PROBLEM[k][i]} | ${r?.problem ?? '-'} | ${r ? r.used_mib.toFixed(1) : '-'} |`);
    });
  }
  L.push('', 'The paper\'s problem sizes are HPCC\'s input N; the kernels derive their own sizes from the memory, as HPCC does.', '');
  L.push('## Targets', '', `${checks.filter((c) => c.holds).length} of ${checks.length} hold.`, '');
  L.push('| fig | what | paper | emulated | difference | tolerance | holds | why not |', '|---|---|---|---|---|---|---|---|');
  for (const c of checks) L.push(`| ${c.figure} | ${c.what} | ${c.paper} | ${c.emulated} | ${c.diff} | ${c.tolerance} | ${c.holds ? 'yes' : '**no**'} | ${reason(c)} |`);
  L.push('', '## Testbed numbers (inputs, not results)', '');
  L.push('- 300 Pentium 4 2 GHz PCs with 512 MB: the emulation runs 2 nodes with the P4 cost model; node memory is sized to the problem (the 575 MB runs would not fit 512 MB without swap).');
  L.push('- l = 20, d_max = 4, MPT 6 bytes a page: used as is (mm/ampom.ts, om/proto.ts).');
  const bad = runs.filter((r) => !r.verified);
  L.push('', '## Verification', '', bad.length === 0 ? `All ${runs.length} runs verified (exit status, page checksums after migration, every frame returned).` : `${bad.length} runs NOT verified: ${bad.map((r) => `${r.kernel} ${r.size_mib} ${r.scheme} (${r.failures.join('; ')})`).join(', ')}`);
  L.push('', 'Runs are in fast mode (same page references as exact mode, a property test holds them equal); HPCC\'s own checks run in exact mode in `make test`.', '');
  return L.join('\n') + '\n';
}
