// bench-out/: CSV per figure and REPORT.md (paper vs emulation).
import type { Check } from './targets.ts';
import { ablation_md, beyond_md } from './report_beyond.ts';
import { closed_md } from './report_closed.ts';
import { networks_md } from './report_networks.ts';
import { traces_md } from './report_traces.ts';
import { cluster_md, type ClusterPoint } from './cluster_fig.ts';
import { implied_md } from './report_implied.ts';
import type { BenchRecord } from './record.ts';
import { TABLE1_MIB, TABLE1_PROBLEM } from './plan.ts';
import { HPCC_COSTS_NS } from '../hpcc/costs.ts';
import { NS_PER_MS, NS_PER_US } from '../../kernel/time.ts';
import { AMPOM_DMAX, AMPOM_L } from '../../mm/ampom.ts';
import { ETH_WIRE_OVERHEAD_B, IP_TCP_HEADERS_B, MSS_B } from '../../net/link.ts';
import { PROFILES, tc_commands } from '../../net/profiles.ts';
import { TCP_RCV_WND_B, TCP_RTO_MIN_NS } from '../../net/tcp.ts';
import { OM_COSTS } from '../../om/costs.ts';
import { MPT_ENTRY_B } from '../../om/proto.ts';

const CSV_COLS: (keyof BenchRecord)[] = [
  'figure', 'kernel', 'size_mib', 'working_set_mib', 'problem', 'used_mib', 'scheme', 'variant', 'profile', 'bandwidth_mbps', 'latency_ms',
  'freeze_s', 'runtime_s', 'remote_fault_requests', 'remote_faults', 'local_window_faults', 'request_messages', 'prefetched_pages', 'prefetched_per_fault',
  'prefetch_hits', 'wasted_prefetch', 'pushed_pages', 'precopy_rounds', 'precopy_bytes', 'downtime_bytes', 'postcopy_bytes',
  'pages_transferred', 'bytes_transferred', 'total_migration_s', 'analysis_s', 'analysis_pct', 'verified',
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
    fig11: runs.filter((r) => r.scheme === 'ampom' && (r.figure === 'fig5-8' || r.figure === 'fig9' || r.figure === 'fig10')),
    ...(runs.some((r) => r.figure === 'schemes') ? { schemes: runs.filter((r) => r.figure === 'schemes') } : {}),
    ...(runs.some((r) => r.figure === 'ablation') ? { ablation: runs.filter((r) => r.figure === 'ablation') } : {}),
  };
}

export interface ReportMeta {
  seed: number;
  scale: number;
  /** Wall time of the run (null: a merge, which ran nothing). */
  wall_s: number | null;
  /** How the records came to be: "2 workers", "merged from 4 files", ... */
  how: string;
  /** The table of where the host time went (host_time.ts), markdown rows; absent: no section. */
  host?: string[];
}

const ms = (ns: number): number => ns / NS_PER_MS;
const us = (ns: number): number => ns / NS_PER_US;
const mbps = (bps: number): number => bps / 1e6;

/** What the emulation was given, from the constants themselves. */
export function calibration(): string[] {
  const fe = PROFILES['fast-ethernet']!;
  const bb = PROFILES.broadband!;
  const c = HPCC_COSTS_NS;
  const net =
    `Fast Ethernet ${mbps(fe.bandwidth_bps)} Mb/s, ${us(fe.latency_ns)} µs one-way latency, ` +
    `${IP_TCP_HEADERS_B} B TCP/IP + ${ETH_WIRE_OVERHEAD_B} B Ethernet framing per ${MSS_B.toLocaleString('en-US')} B segment, ` +
    `txqueuelen ${fe.txqueuelen}; om's messages over Linux 2.4-style TCP (Reno, delayed ACKs, ${ms(TCP_RTO_MIN_NS)} ms minimum RTO, ` +
    `${TCP_RCV_WND_B.toLocaleString('en-US')} B window), infoD over UDP. Broadband is tc on the same LAN: ${tc_commands(bb).join('; ')} ` +
    `(the paper's tc/iptables setting: ${mbps(bb.bandwidth_bps)} Mb/s, ${ms(bb.netem.delay_ns)} ms; burst and limit are ours, net/profiles.ts). ` +
    "From the testbed description and 2.4's defaults, not fits.";
  const hpcc =
    `STREAM ${(1 / c.mem_B).toFixed(1)} GB/s, DGEMM ${(1 / c.dgemm_flop).toFixed(1)} GFlop/s, RandomAccess ${c.ra_update} ns an update, ` +
    `FFT ${(1 / c.fft_flop).toFixed(1)} GFlop/s, ${c.gen_elem} ns a generated element: P4 2 GHz figures, not fits.`;
  const fitted =
    `the migration setup cost (${ms(OM_COSTS.mig_setup!)} ms, so NoPrefetch's freeze is 0.07 s) and the per-entry MPT cost ` +
    `at both ends (${us(OM_COSTS.mpt_entry!)} µs, so AMPoM's 575 MB freeze is 0.6 s), om/costs.ts. Everything else is a prediction.`;
  return [
    `- Network: ${net}`,
    '- Kernel CPU costs (trap, fault handler, zero-fill, page copy, PTE) are Pentium 4 2 GHz / Linux 2.4 estimates (kernel/cpu.ts), not fits.',
    `- HPCC work (userland/hpcc/costs.ts): ${hpcc}`,
    `- From Figure 5 only: ${fitted}`,
    '- Table 1 sizes are read as MiB; each kernel takes the largest problem that fits (below).',
  ];
}

export function table1(runs: BenchRecord[], scale: number): string[] {
  const L = ['| kernel | paper MB | paper problem size | emulated problem | emulated MiB used |', '|---|---|---|---|---|'];
  for (const k of Object.keys(TABLE1_MIB) as (keyof typeof TABLE1_MIB)[]) {
    TABLE1_MIB[k].forEach((mib, i) => {
      const size = Math.round(mib * scale * 1000) / 1000;
      const r = runs.find((x) => x.figure === 'fig5-8' && x.kernel === k && x.size_mib === size);
      L.push(`| ${k} | ${mib} | ${TABLE1_PROBLEM[k][i]} | ${r?.problem ?? '-'} | ${r ? r.used_mib.toFixed(1) : '-'} |`);
    });
  }
  return L;
}

function targets(checks: Check[]): string[] {
  const L = [`${checks.filter((c) => c.holds).length} of ${checks.length} hold.`, ''];
  L.push('| fig | what | paper | emulated | difference | tolerance | holds | why not |', '|---|---|---|---|---|---|---|---|');
  for (const c of checks) {
    L.push(`| ${c.figure} | ${c.what} | ${c.paper} | ${c.emulated} | ${c.diff} | ${c.tolerance} | ${c.holds ? 'yes' : '**no**'} | ${c.why} |`);
  }
  return L;
}

function verification(runs: BenchRecord[]): string {
  const bad = runs.filter((r) => !r.verified);
  if (bad.length === 0) return `All ${runs.length} runs verified (exit status, page checksums after migration, every frame returned).`;
  return `${bad.length} runs NOT verified: ${bad.map((r) => `${r.kernel} ${r.size_mib} ${r.scheme} (${r.failures.join('; ')})`).join(', ')}`;
}

/** The heading of REPORT.md's last section, the host's cost of the runs. */
export const HOST_HEADING = '## Where the host time went';
const HOST_NOTE =
  "What each group of runs cost this machine (make bench's workers; a run serving several groups counts in the first): " +
  "the CPU seconds of the worker thread that ran it, else wall seconds. Host figures, not results: they change with the machine and its load; " +
  'timing.json holds every run\'s, by hash.';

export function report_md(runs: BenchRecord[], checks: Check[], meta: ReportMeta, cluster: ClusterPoint[] = []): string {
  const target = `make bench${meta.scale === 1 ? '' : '-quick'}`;
  const L: string[] = ['# omemu: the paper (Ho, Wang, Lau, IPDPS 2008) against the emulation', ''];
  L.push(`Generated by \`${target}\`: seed ${meta.seed}, sizes x${meta.scale}, ${runs.length} records, ${meta.how}${meta.wall_s === null ? '' : `, ${meta.wall_s.toFixed(0)} s wall`}.`);
  L.push('', 'What each figure and target means, and why omemu differs from the paper where it does: [docs/bench.md](../docs/bench.md); every figure with its caption: [index.html](index.html).');
  if (meta.scale !== 1) {
    L.push('', `**bench-quick: every size is scaled by ${meta.scale}; the targets below are for the paper's sizes and are only indicative here.**`);
  }
  L.push('', '## Calibration (stated once)', '', ...calibration(), '');
  L.push('## Table 1: problem sizes', '', ...table1(runs, meta.scale));
  L.push('', "The paper's problem sizes are HPCC's input N; the kernels derive their own sizes from the memory, as HPCC does.", '');
  L.push('## Targets', '', ...targets(checks));
  L.push('', ...implied_md(runs, checks), ...beyond_md(runs), ...closed_md(runs), ...networks_md(runs), ...traces_md(runs), ...cluster_md(cluster), ...ablation_md(runs));
  L.push('', '## Testbed numbers (inputs, not results)', '');
  L.push(
    '- 300 Pentium 4 2 GHz PCs with 512 MB: the emulation runs 2 nodes with the P4 cost model; ' +
      'node memory is sized to the problem (the 575 MB runs would not fit 512 MB without swap).',
  );
  L.push(`- l = ${AMPOM_L}, d_max = ${AMPOM_DMAX}, MPT ${MPT_ENTRY_B} bytes a page: used as is (mm/ampom.ts, om/proto.ts).`);
  L.push('', '## Verification', '', verification(runs));
  const cbad = cluster.filter((p) => !p.verified);
  if (cluster.length > 0) L.push('', cbad.length === 0 ? `All ${cluster.length} cluster runs verified (every process completed and verified, every frame freed).` : `${cbad.length} cluster runs NOT verified: ${cbad.map((p) => `${p.scheme} threshold ${p.threshold ?? '-'}`).join(', ')}`);
  L.push('', "Runs are in fast mode (same page references as exact mode, a property test holds them equal); HPCC's own checks run in exact mode in `make test`.", '');
  // Last, as it is the one section that differs between two runs of the same plan (host figures, not results).
  if (meta.host) L.push(HOST_HEADING, '', HOST_NOTE, '', ...meta.host, '');
  return L.join('\n') + '\n';
}
