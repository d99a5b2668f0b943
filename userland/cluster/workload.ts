// What users run on the cluster: a list of processes, each a program (an
// HPCC kernel, or hog: a CPU-bound job of a stated length) of a size started
// at a time on a node. `--workload KIND[:ARG]`:
// - hpcc-mix: seeded Poisson arrivals (--rate a second) of the four HPCC
//   kernels, each as likely, at sizes drawn uniformly (whole MiB) from
//   Table 1's range for the kernel times --scale, or from --job-mib; all
//   start on the first --logins nodes, the nodes users are logged into.
// - pareto: Harchol-Balter and Downey's load. Every node receives its own
//   Poisson arrivals (or, with --logins L, every arrival goes to nodes
//   0..L-1), at the rate that offers --load of the cluster's capacity (the
//   sum of the speeds); each process is a hog whose CPU demand is Pareto with
//   P(demand > t) = 1/t above 1 s (their fit of UNIX process lifetimes),
//   capped at 3,600 s (so its mean is 1 + ln 3600 = 9.19 s), and whose
//   working set is log-uniform in --job-mib (rounded to an eighth of an
//   octave, 9%, so each size's standalone run is made once).
// - swf:FILE: a log in the Standard Workload Format (swf.ts): each job of P
//   processors is P hogs arriving together on the login nodes.
// - csv:FILE, or a plain path: `arrival_s,node,kernel,mib[,mode]` lines, or
//   any order of those columns and cpu_s (a hog's CPU demand) and lock (1:
//   the process never migrates) named by a header line.
import { readFileSync } from 'node:fs';
import { Rng } from '../../kernel/rng.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { HPCC_KERNELS, KERNELS, type HpccKernel, type Kernel } from '../hpcc/index.ts';
import { TABLE1_MIB } from '../bench/plan.ts';
import { parse_swf, SwfError, type SwfJob } from './swf.ts';

export interface Job {
  /** Virtual time the user starts it, s. */
  arrival_s: number;
  /** The node it starts on (its home). */
  node: number;
  kernel: Kernel;
  /** Memory size of the problem (a hog's working set), MiB. */
  mib: number;
  mode: Mode;
  /** hog: CPU demand on a speed-1 node, s. */
  cpu_s?: number;
  /** Locked to its node (openMosix's /proc/PID/lock): never migrated. */
  lock?: boolean;
  /** The workload's job it belongs to (an SWF job's processes share it), when jobs have several processes. */
  job?: number;
}

export class WorkloadError extends Error {}

export const WORKLOAD_KINDS = ['hpcc-mix', 'pareto', 'swf:FILE', 'csv:FILE'] as const;

export interface WorkloadOptions {
  nodes: number;
  /** Each node's relative speed (pareto's capacity). */
  speeds: number[];
  /** How many processes (hpcc-mix, pareto) or jobs (swf, the first N; 0: all). */
  jobs: number;
  /** Login nodes: arrivals go to nodes 0..logins-1 (pareto: null, every node its own). */
  logins: number | null;
  /** hpcc-mix: mean arrivals a second. */
  rate_per_s: number;
  /** hpcc-mix: sizes are Table 1's range times this, unless job_mib is given. */
  scale: number;
  /** pareto: offered load, share of the cluster's capacity. */
  load: number;
  /** Sizes of processes (pareto, swf without memory, hpcc-mix when given), MiB. */
  job_mib: [number, number] | null;
  /** swf: times (submit and run) multiplied by this. */
  time_scale: number;
  mode: Mode;
  seed: number;
}

/** pareto's demand: P(demand > t) = 1/t from 1 s, capped here. */
export const PARETO_MIN_S = 1;
export const PARETO_CAP_S = 3600;
/** Its mean, 1 + ln(cap) for the capped P(> t) = 1/t. */
export const PARETO_MEAN_S = PARETO_MIN_S * (1 + Math.log(PARETO_CAP_S / PARETO_MIN_S));
/** Default sizes of pareto and swf processes, MiB. */
export const DEFAULT_JOB_MIB: [number, number] = [4, 64];

/** Table 1's range of a kernel, MiB. */
export function table1_range(k: HpccKernel): [number, number] {
  const xs = TABLE1_MIB[k];
  return [Math.min(...xs), Math.max(...xs)];
}

/** Round to a thousandth of a MiB (sizes scaled down stay readable and exact in JSON). */
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** A size log-uniform in [lo, hi] MiB, rounded to an eighth of an octave. */
export function log_uniform_mib(rng: Rng, [lo, hi]: [number, number]): number {
  const e = Math.log2(lo) + (Math.log2(hi) - Math.log2(lo)) * rng.float();
  return r3(2 ** (Math.round(e * 8) / 8));
}

/** --job-mib A-B: two sizes in MiB, A <= B. */
export function parse_job_mib(v: string, what = '--job-mib'): [number, number] {
  const m = /^\s*([0-9.]+)\s*-\s*([0-9.]+)\s*$/.exec(v);
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!(a > 0 && b >= a && b <= 4096)) throw new WorkloadError(`${what} '${v}': give A-B, sizes in MiB with 0 < A <= B <= 4096 (e.g. 4-64)`);
  return [a, b];
}

/** --workload's KIND[:ARG]: the kind, and the file for swf and csv. */
export function parse_workload_kind(w: string): { kind: 'hpcc-mix' | 'pareto' | 'swf' | 'csv'; file: string | null } {
  if (w === 'hpcc-mix' || w === 'pareto') return { kind: w, file: null };
  const m = /^(swf|csv):(.+)$/.exec(w);
  if (m) return { kind: m[1] as 'swf' | 'csv', file: m[2]! };
  if (/^[a-z-]+(:.*)?$/.test(w) && !w.includes('.') && !w.includes('/')) {
    throw new WorkloadError(`--workload '${w}': give ${WORKLOAD_KINDS.join(', ')} or the path of a CSV file`);
  }
  return { kind: 'csv', file: w };
}

function read_text(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new WorkloadError(`--workload ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** The processes of a workload (WorkloadError says what is wrong). */
export function make_workload(w: string, o: WorkloadOptions): Job[] {
  const jobs = workload_of(w, o);
  if (jobs.length === 0) throw new WorkloadError(`--workload ${w}: no processes in it (--jobs ${o.jobs})`);
  return jobs;
}

function workload_of(w: string, o: WorkloadOptions): Job[] {
  const { kind, file } = parse_workload_kind(w);
  if (o.logins !== null && !(o.logins >= 1 && o.logins <= o.nodes)) throw new WorkloadError(`--logins must be from 1 to the ${o.nodes} nodes, got ${o.logins}`);
  switch (kind) {
    case 'hpcc-mix':
      return hpcc_mix({ jobs: o.jobs, nodes: o.nodes, logins: o.logins ?? 2, rate_per_s: o.rate_per_s, scale: o.scale, mib_range: o.job_mib ?? undefined, mode: o.mode, seed: o.seed });
    case 'pareto':
      return pareto(o);
    case 'swf': {
      let log: SwfJob[];
      try {
        log = parse_swf(read_text(file!), file!);
      } catch (e) {
        if (e instanceof SwfError) throw new WorkloadError(e.message);
        throw e;
      }
      return swf_jobs(log, o);
    }
    case 'csv':
      return parse_workload_csv(read_text(file!), file!, o.nodes, o.mode);
  }
}

export interface MixOptions {
  jobs: number;
  nodes: number;
  logins: number;
  rate_per_s: number;
  scale: number;
  mib_range?: [number, number];
  mode: Mode;
  seed: number;
}

export function hpcc_mix(o: MixOptions): Job[] {
  if (!(o.logins >= 1 && o.logins <= o.nodes)) throw new WorkloadError(`--logins must be from 1 to the ${o.nodes} nodes, got ${o.logins}`);
  const rng = new Rng(o.seed ^ 0x5eed);
  const jobs: Job[] = [];
  let t = 0;
  for (let i = 0; i < o.jobs; i++) {
    if (i > 0) t += -Math.log(1 - rng.float()) / o.rate_per_s;
    const kernel = HPCC_KERNELS[rng.int(0, HPCC_KERNELS.length - 1)]!;
    const [lo, hi] = o.mib_range ?? table1_range(kernel);
    const mib = o.mib_range ? rng.int(lo, hi) : r3(rng.int(lo, hi) * o.scale);
    jobs.push({ arrival_s: r6(t), node: rng.int(0, o.logins - 1), kernel, mib, mode: o.mode });
  }
  return jobs;
}

/** pareto (see the top of the file): the first o.jobs arrivals of the nodes' streams merged. */
export function pareto(o: WorkloadOptions): Job[] {
  if (!(o.load > 0 && o.load < 2)) throw new WorkloadError(`--load must be more than 0 and less than 2, got ${o.load}`);
  const capacity = o.speeds.reduce((a, b) => a + b, 0);
  const total_rate = (o.load * capacity) / PARETO_MEAN_S;
  const sources = o.logins ?? o.nodes;
  const root = new Rng(o.seed ^ 0x9a7e);
  const sizes = new Rng(o.seed ^ 0x51e5);
  // Each source its own Poisson stream (a share of the rate), drawn far enough to hold the first o.jobs of them all.
  const arrivals: { t: number; node: number; demand: number }[] = [];
  for (let n = 0; n < sources; n++) {
    const rng = root.fork();
    const rate = total_rate / sources;
    let t = 0;
    // In expectation o.jobs / sources each; draw 50% more and 20 besides, then keep the first o.jobs overall.
    const want = Math.ceil((o.jobs / sources) * 1.5) + 20;
    for (let i = 0; i < want; i++) {
      t += -Math.log(1 - rng.float()) / rate;
      const u = 1 - rng.float(); // (0, 1]
      arrivals.push({ t, node: n, demand: Math.min(PARETO_CAP_S, PARETO_MIN_S / u) });
    }
  }
  arrivals.sort((a, b) => a.t - b.t || a.node - b.node);
  const range = o.job_mib ?? DEFAULT_JOB_MIB;
  return arrivals.slice(0, o.jobs).map((a) => ({
    arrival_s: r6(a.t), node: a.node, kernel: 'hog' as const, mib: log_uniform_mib(sizes, range), mode: o.mode, cpu_s: r6(a.demand),
  }));
}

/** An SWF log's jobs as processes: P hogs a job of P processors, on the login nodes in turn. */
export function swf_jobs(log: SwfJob[], o: WorkloadOptions): Job[] {
  const logins = o.logins ?? 2;
  const rng = new Rng(o.seed ^ 0x5f);
  const chosen = o.jobs > 0 ? log.slice(0, o.jobs) : log;
  const t0 = chosen.length > 0 ? Math.min(...chosen.map((j) => j.submit_s)) : 0;
  const out: Job[] = [];
  let next_login = 0;
  for (const j of chosen) {
    const cpu_s = r6(Math.max(0, j.run_s) * o.time_scale);
    for (let p = 0; p < j.procs; p++) {
      const mib = j.mem_kB_per_proc > 0 ? r3(j.mem_kB_per_proc / 1024) : log_uniform_mib(rng, o.job_mib ?? DEFAULT_JOB_MIB);
      out.push({ arrival_s: r6((j.submit_s - t0) * o.time_scale), node: next_login, kernel: 'hog', mib, mode: o.mode, cpu_s, job: j.id });
      next_login = (next_login + 1) % logins;
    }
  }
  return out.sort((a, b) => a.arrival_s - b.arrival_s);
}

const CSV_COLUMNS = ['arrival_s', 'node', 'kernel', 'mib', 'mode', 'cpu_s', 'lock'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Jobs from a CSV file; errors name the file and line. */
export function parse_workload_csv(text: string, file: string, nodes: number, default_mode: Mode): Job[] {
  const jobs: Job[] = [];
  const lines = text.split(/\r?\n/);
  let cols: CsvColumn[] = ['arrival_s', 'node', 'kernel', 'mib', 'mode'];
  let named = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(',').map((s) => s.trim());
    const where = `${file}:${i + 1}`;
    if (jobs.length === 0 && !named && !/^[0-9.]/.test(f[0]!)) {
      // A header: it names the columns (the first four are required).
      const bad = f.find((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
      if (bad !== undefined) throw new WorkloadError(`${where}: unknown column '${bad}' (columns: ${CSV_COLUMNS.join(', ')})`);
      for (const need of ['arrival_s', 'node', 'kernel', 'mib'] as const) if (!f.includes(need)) throw new WorkloadError(`${where}: the header has no ${need} column`);
      cols = f as CsvColumn[];
      named = true;
      continue;
    }
    const min = named ? cols.length : 4;
    if (f.length < min || f.length > cols.length) {
      throw new WorkloadError(`${where}: expected ${named ? cols.join(',') : 'arrival_s,node,kernel,mib[,mode]'}, got '${line}'`);
    }
    const v = (c: CsvColumn): string | undefined => {
      const k = cols.indexOf(c);
      return k >= 0 ? f[k] : undefined;
    };
    const arrival_s = Number(v('arrival_s'));
    const node = Number(v('node'));
    const mib = Number(v('mib'));
    const kernel = v('kernel') as Kernel;
    const mode = (v('mode') || default_mode) as Mode;
    if (!(arrival_s >= 0) || !Number.isFinite(arrival_s)) throw new WorkloadError(`${where}: arrival_s must be a number of seconds >= 0, got '${v('arrival_s')}'`);
    if (!Number.isInteger(node) || node < 0 || node >= nodes) throw new WorkloadError(`${where}: node must be from 0 to ${nodes - 1}, got '${v('node')}'`);
    if (!KERNELS.includes(kernel)) throw new WorkloadError(`${where}: kernel must be one of ${KERNELS.join(', ')}, got '${v('kernel')}'`);
    if (!(mib > 0) || !Number.isFinite(mib)) throw new WorkloadError(`${where}: mib must be a number above 0, got '${v('mib')}'`);
    if (!MODES.includes(mode)) throw new WorkloadError(`${where}: mode must be ${MODES.join(' or ')}, got '${v('mode')}'`);
    const job: Job = { arrival_s, node, kernel, mib, mode };
    const cpu = v('cpu_s');
    if (cpu !== undefined && cpu !== '') {
      const cpu_s = Number(cpu);
      if (kernel !== 'hog') throw new WorkloadError(`${where}: cpu_s applies to hog only, not ${kernel}`);
      if (!(cpu_s >= 0) || !Number.isFinite(cpu_s)) throw new WorkloadError(`${where}: cpu_s must be a number of seconds >= 0, got '${cpu}'`);
      job.cpu_s = cpu_s;
    }
    const lock = v('lock');
    if (lock !== undefined && lock !== '') {
      if (lock !== '0' && lock !== '1') throw new WorkloadError(`${where}: lock must be 0 or 1, got '${lock}'`);
      if (lock === '1') job.lock = true;
    }
    jobs.push(job);
  }
  if (jobs.length === 0) throw new WorkloadError(`${file}: no jobs in it`);
  return jobs.sort((a, b) => a.arrival_s - b.arrival_s);
}

export function read_workload_csv(file: string, nodes: number, default_mode: Mode): Job[] {
  return parse_workload_csv(read_text(file), file, nodes, default_mode);
}

/** Why the workload cannot run on this cluster, before it runs (null: it can, as far as can be told). */
export function workload_misfit(jobs: Job[], node_mem_mib: number, nodes: number, host_mem_B: number): string | null {
  // A process needs its size and about 1 MiB more (page tables, image, stack) on one node.
  for (const j of jobs) {
    if (j.mib + 1 > node_mem_mib) return `a process of ${j.mib} MiB (arriving at ${j.arrival_s} s on node${j.node}) cannot fit a node's ${node_mem_mib} MiB`;
  }
  const by_job = new Map<number, number>();
  for (const j of jobs) if (j.job !== undefined) by_job.set(j.job, (by_job.get(j.job) ?? 0) + j.mib + 1);
  for (const [id, mib] of by_job) {
    if (mib > nodes * node_mem_mib) return `job ${id} needs ${Math.ceil(mib)} MiB for its processes at once, more than the cluster's ${nodes} x ${node_mem_mib} MiB`;
  }
  // The host holds what the emulated nodes use: at most all of their
  // memory, at most every process at once. In fast mode a page holds zeros
  // and a frame never written costs the host nothing (kernel/physmem.ts
  // keeps such frames uncommitted), so a process costs the host its page
  // tables (a 4 KiB table for 4 MiB) and about 1 MiB of image and stack:
  // 100 pareto processes of 64-512 MiB, some 20 GB of emulated pages, ran
  // in 350 MB.
  const host_mib = (j: Job): number => (j.mode === 'exact' ? j.mib : j.mib / 1024) + 1;
  const need_B = Math.min(nodes * node_mem_mib, jobs.reduce((a, j) => a + host_mib(j), 0)) * 2 ** 20 + 400e6;
  if (need_B > host_mem_B) {
    return `it may need up to ${(need_B / 1e9).toFixed(1)} GB of host memory (the processes' pages in exact mode, their page tables in fast mode, up to the nodes' memory), more than this machine's ${(host_mem_B / 1e9).toFixed(1)} GB: use fewer nodes, less --mem-mib or smaller jobs`;
  }
  return null;
}
