// The paper's experiments as a list of emulated runs (Table 1 sizes, the
// figures' schemes and networks), at full size or scaled down for bench-quick.
// Each run is a sweep configuration; runs that are the same emulation (the
// same configuration, so the same hash) share one result.
import { PAPER_POLICIES, POLICIES, type Policy } from '../../om/state.ts';
import type { HpccKernel } from '../hpcc/index.ts';
import type { KernelModel } from '../hpcc/variants.ts';

/** The paper's three schemes (the bench reproduces the paper). */
export const SCHEMES: Policy[] = PAPER_POLICIES;

/** Table 1: memory sizes (MB, run as MiB) of each kernel. */
export const TABLE1_MIB: Record<HpccKernel, number[]> = {
  dgemm: [115, 230, 345, 460, 575],
  stream: [115, 230, 345, 460, 575],
  randomaccess: [65, 129, 260, 513],
  fft: [65, 129, 260, 513],
};

/** Table 1's problem sizes as the paper lists them (HPCC's input N). */
export const TABLE1_PROBLEM: Record<HpccKernel, number[]> = {
  dgemm: [7600, 10850, 13350, 15450, 17350],
  stream: [7750, 11000, 13450, 15520, 17400],
  randomaccess: [8000, 11000, 16000, 23000],
  fft: [8000, 11000, 16000, 23000],
};

/** Figure 9's networks: the two profiles the paper used and two line rates between (Fast Ethernet's latency). */
export const FIG9_NETS: { profile: string; bandwidth_mbps?: number }[] = [
  { profile: 'fast-ethernet' },
  { profile: 'fast-ethernet', bandwidth_mbps: 48 },
  { profile: 'fast-ethernet', bandwidth_mbps: 24 },
  { profile: 'broadband' },
];

/** The networks beyond Fast Ethernet the lightweight schemes are held to: a 20 ms WAN and 1 Gb/s (Fast Ethernet's latency). */
export const OTHER_NETS: { name: string; latency_ms?: number; bandwidth_mbps?: number }[] = [
  { name: '20 ms WAN', latency_ms: 20 },
  { name: '1 Gb/s', bandwidth_mbps: 1000 },
];
/** The schemes run on them: openMosix's full copy, the paper's AMPoM, ampom-push and the bound. */
export const NETWORK_SCHEMES: Policy[] = ['openmosix', 'ampom', 'ampom-push', 'oracle'];

/**
 * Traces of real programs recorded under valgrind's lackey (the first touch
 * of each page after the migration point; traces/make.sh), replayed as
 * migrants by every scheme: programs whose references no HPCC kernel's
 * strides describe. Paths from the repository's root, where the bench runs.
 */
export const TRACES: { name: string; what: string; file: string; tuned: boolean }[] = [
  // ampom-push's push order was tuned on these two (om/push_order.ts FRONT_GAP, FRONT_BUDGET0) ...
  { name: 'gzip', what: 'gzip compressing 525 KB of generated text', file: 'userland/bench/traces/gzip.ompt.gz', tuned: true },
  { name: 'sort', what: 'GNU sort sorting the same text', file: 'userland/bench/traces/sort.ompt.gz', tuned: true },
  // ... and tested on these, recorded after it was fixed and never used to change it.
  { name: 'xz', what: 'xz -1 compressing the same text', file: 'userland/bench/traces/xz.ompt.gz', tuned: false },
  { name: 'bzip2', what: 'bzip2 compressing it', file: 'userland/bench/traces/bzip2.ompt.gz', tuned: false },
  { name: 'md5sum', what: 'md5sum reading it', file: 'userland/bench/traces/md5sum.ompt.gz', tuned: false },
  { name: 'gunzip', what: "gzip decompressing gzip's output", file: 'userland/bench/traces/gunzip.ompt.gz', tuned: false },
  { name: 'awk', what: 'awk (mawk) counting and averaging its lines by word', file: 'userland/bench/traces/awk.ompt.gz', tuned: false },
];

/** The smaller size every scheme runs at besides the largest. */
export const SCHEMES_SMALL_MIB = 32;

export const FIG10_WS_MIB = [115, 230, 345, 460, 575];
export const FIG10_ALLOC_MIB = 575;

export interface Job {
  /**
   * The paper's figures; 'schemes': every scheme at each kernel's largest
   * size (beyond the paper); 'schemes-32': every scheme at 32 MiB (the
   * share of the blocked time each closes at a size where the process
   * computes less per page); 'networks': openMosix, AMPoM, ampom-push and
   * the oracle at 32 MiB on a 20 ms WAN and at 1 Gb/s (Fast Ethernet's are
   * the 'schemes-32' runs); 'traces': every scheme on the traces of real
   * programs (TRACES); 'ablation': AMPoM with one of the model's
   * changes undone, at the largest sizes (make bench-full);
   * 'networks-largest': the 'networks' runs at each kernel's largest size
   * (make bench-full: Fast Ethernet's are the 'schemes' runs).
   */
  figure: 'fig5-8' | 'fig9' | 'fig10' | 'schemes' | 'schemes-32' | 'networks' | 'networks-largest' | 'traces' | 'ablation';
  kernel: HpccKernel | `trace:${string}`;
  size_mib: number;
  working_set_mib: number;
  scheme: Policy;
  profile: string;
  bandwidth_mbps?: number;
  latency_ms?: number;
  /** Ablation: the kernels' earlier timing model, or AMPoM's window fed by remote faults only. */
  kernel_model?: KernelModel;
  ampom_window?: 'remote';
}

/** The ablation's variants: which change to the model each undoes, and the runs it needs. */
export const ABLATIONS: { name: string; what: string; kernel_model?: KernelModel; ampom_window?: 'remote'; kernels: HpccKernel[]; schemes: Policy[] }[] = [
  { name: 'after', what: "each step's CPU work after its references (not between them)", kernel_model: 'after', kernels: ['dgemm', 'stream', 'randomaccess', 'fft'], schemes: PAPER_POLICIES },
  { name: 'blocks', what: "DGEMM's earlier page order (B, then C, then A) with the work after", kernel_model: 'blocks', kernels: ['dgemm'], schemes: PAPER_POLICIES },
  { name: 'remote-window', what: "AMPoM's window fed by faults in a remote area only", ampom_window: 'remote', kernels: ['dgemm', 'stream', 'randomaccess', 'fft'], schemes: ['ampom'] },
];

/** Which parts of the plan run: the paper's figures; with the schemes beyond it (make bench); with the ablation too (make bench-full). */
export type Tier = 'paper' | 'bench' | 'full';

/** The largest Table 1 size of a kernel, scaled. */
const largest_mib = (k: HpccKernel, scale: number): number => Math.round(Math.max(...TABLE1_MIB[k]) * scale * 1000) / 1000;

/** Every run of the bench, in report order. scale < 1 shrinks every size (bench-quick). */
export function bench_plan(scale = 1, tier: Tier = 'bench'): Job[] {
  const s = (mib: number): number => Math.round(mib * scale * 1000) / 1000;
  const jobs: Job[] = [];
  for (const kernel of ['dgemm', 'stream', 'randomaccess', 'fft'] as HpccKernel[]) {
    for (const mib of TABLE1_MIB[kernel]) {
      for (const scheme of SCHEMES) jobs.push({ figure: 'fig5-8', kernel, size_mib: s(mib), working_set_mib: s(mib), scheme, profile: 'fast-ethernet' });
    }
  }
  for (const [kernel, mib] of [['dgemm', 115], ['randomaccess', 129]] as [HpccKernel, number][]) {
    for (const net of FIG9_NETS) {
      for (const scheme of SCHEMES) jobs.push({ figure: 'fig9', kernel, size_mib: s(mib), working_set_mib: s(mib), scheme, ...net });
    }
  }
  for (const ws of FIG10_WS_MIB) {
    for (const scheme of SCHEMES) {
      jobs.push({ figure: 'fig10', kernel: 'dgemm', size_mib: s(FIG10_ALLOC_MIB), working_set_mib: s(ws), scheme, profile: 'fast-ethernet' });
    }
  }
  if (tier === 'paper') return jobs;
  for (const kernel of ['dgemm', 'stream', 'randomaccess', 'fft'] as HpccKernel[]) {
    const mib = largest_mib(kernel, scale);
    for (const scheme of POLICIES) jobs.push({ figure: 'schemes', kernel, size_mib: mib, working_set_mib: mib, scheme, profile: 'fast-ethernet' });
  }
  for (const kernel of ['dgemm', 'stream', 'randomaccess', 'fft'] as HpccKernel[]) {
    const mib = s(SCHEMES_SMALL_MIB);
    for (const scheme of POLICIES) jobs.push({ figure: 'schemes-32', kernel, size_mib: mib, working_set_mib: mib, scheme, profile: 'fast-ethernet' });
  }
  const other_nets = (figure: 'networks' | 'networks-largest', mib_of: (k: HpccKernel) => number): void => {
    for (const kernel of ['dgemm', 'stream', 'randomaccess', 'fft'] as HpccKernel[]) {
      const mib = mib_of(kernel);
      for (const { latency_ms, bandwidth_mbps } of OTHER_NETS) {
        const net = { ...(latency_ms !== undefined ? { latency_ms } : {}), ...(bandwidth_mbps !== undefined ? { bandwidth_mbps } : {}) };
        for (const scheme of NETWORK_SCHEMES) jobs.push({ figure, kernel, size_mib: mib, working_set_mib: mib, scheme, profile: 'fast-ethernet', ...net });
      }
    }
  };
  other_nets('networks', () => s(SCHEMES_SMALL_MIB));
  // A trace is a real program's own size: the bench's scale does not shrink it.
  for (const t of TRACES) {
    for (const scheme of POLICIES) jobs.push({ figure: 'traces', kernel: `trace:${t.file}`, size_mib: 0, working_set_mib: 0, scheme, profile: 'fast-ethernet' });
  }
  if (tier === 'bench') return jobs;
  // The largest sizes on the other networks: as long as the rest of make
  // bench together (the oracle's record and replay of 575 MiB on a 20 ms
  // path), so in bench-full only.
  other_nets('networks-largest', (k) => largest_mib(k, scale));
  for (const a of ABLATIONS) {
    for (const kernel of a.kernels) {
      const mib = largest_mib(kernel, scale);
      for (const scheme of a.schemes) {
        const v = { ...(a.kernel_model ? { kernel_model: a.kernel_model } : {}), ...(a.ampom_window ? { ampom_window: a.ampom_window } : {}) };
        jobs.push({ figure: 'ablation', kernel, size_mib: mib, working_set_mib: mib, scheme, profile: 'fast-ethernet', ...v });
      }
    }
  }
  return jobs;
}

/** The ablation a job belongs to ('' for the model itself). */
export const variant_of = (j: Pick<Job, 'kernel_model' | 'ampom_window'>): string =>
  ABLATIONS.find((a) => (a.kernel_model !== undefined && a.kernel_model === j.kernel_model) || (a.ampom_window !== undefined && a.ampom_window === j.ampom_window))?.name ?? '';

/** A job's run as a sweep configuration (the figure is the bench's, not the run's). */
export function config_of(j: Job, seed: number): Record<string, unknown> {
  const c: Record<string, unknown> = { kernel: j.kernel, mib: j.size_mib, scheme: j.scheme, profile: j.profile, seed };
  if (j.working_set_mib !== j.size_mib) c.working_set = j.working_set_mib;
  if (j.bandwidth_mbps !== undefined) c.bandwidth = j.bandwidth_mbps;
  if (j.latency_ms !== undefined) c.latency = j.latency_ms;
  if (j.kernel_model) c.kernel_model = j.kernel_model;
  if (j.ampom_window) c.ampom_window = j.ampom_window;
  return c;
}
