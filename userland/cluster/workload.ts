// What users run on the cluster: a list of jobs, each an HPCC kernel of a
// size started at a time on a node.
// - hpcc-mix: seeded Poisson arrivals of the four HPCC kernels, each
//   kernel as likely, at sizes drawn uniformly (whole MiB) from Table 1's
//   range for the kernel (DGEMM and STREAM 115-575 MB, RandomAccess and FFT
//   65-513 MB, read as MiB) scaled by --scale, or from a range given; all
//   start on the first few nodes, the "login" nodes users are logged into.
// - a CSV file: `arrival_s,node,kernel,mib[,mode]` a line (a header line
//   and `#` comments are skipped).
import { readFileSync } from 'node:fs';
import { Rng } from '../../kernel/rng.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { HPCC_KERNELS, type HpccKernel } from '../hpcc/index.ts';
import { TABLE1_MIB } from '../bench/plan.ts';

export interface Job {
  /** Virtual time the user starts it, s. */
  arrival_s: number;
  /** The node it starts on (its home). */
  node: number;
  kernel: HpccKernel;
  /** Memory size of the problem, MiB. */
  mib: number;
  mode: Mode;
}

export class WorkloadError extends Error {}

export interface MixOptions {
  jobs: number;
  nodes: number;
  /** Login nodes: jobs start on nodes 0..logins-1. */
  logins: number;
  /** Mean arrivals a second (Poisson). */
  rate_per_s: number;
  /** Sizes are Table 1's range times this, unless mib_range is given. */
  scale: number;
  mib_range?: [number, number];
  mode: Mode;
  seed: number;
}

/** Table 1's range of a kernel, MiB. */
export function table1_range(k: HpccKernel): [number, number] {
  const xs = TABLE1_MIB[k];
  return [Math.min(...xs), Math.max(...xs)];
}

/** Round to a thousandth of a MiB (sizes scaled down stay readable and exact in JSON). */
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

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
    jobs.push({ arrival_s: Math.round(t * 1e6) / 1e6, node: rng.int(0, o.logins - 1), kernel, mib, mode: o.mode });
  }
  return jobs;
}

/** Jobs from a CSV file; errors name the file and line. */
export function parse_workload_csv(text: string, file: string, nodes: number, default_mode: Mode): Job[] {
  const jobs: Job[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(',').map((s) => s.trim());
    const where = `${file}:${i + 1}`;
    if (jobs.length === 0 && !/^[0-9.]/.test(f[0]!)) continue; // a header
    if (f.length < 4 || f.length > 5) throw new WorkloadError(`${where}: expected arrival_s,node,kernel,mib[,mode], got '${line}'`);
    const arrival_s = Number(f[0]);
    const node = Number(f[1]);
    const mib = Number(f[3]);
    const kernel = f[2] as HpccKernel;
    const mode = (f[4] ?? default_mode) as Mode;
    if (!(arrival_s >= 0) || !Number.isFinite(arrival_s)) throw new WorkloadError(`${where}: arrival_s must be a number of seconds >= 0, got '${f[0]}'`);
    if (!Number.isInteger(node) || node < 0 || node >= nodes) throw new WorkloadError(`${where}: node must be from 0 to ${nodes - 1}, got '${f[1]}'`);
    if (!HPCC_KERNELS.includes(kernel)) throw new WorkloadError(`${where}: kernel must be one of ${HPCC_KERNELS.join(', ')}, got '${f[2]}'`);
    if (!(mib > 0) || !Number.isFinite(mib)) throw new WorkloadError(`${where}: mib must be a number above 0, got '${f[3]}'`);
    if (!MODES.includes(mode)) throw new WorkloadError(`${where}: mode must be ${MODES.join(' or ')}, got '${f[4]}'`);
    jobs.push({ arrival_s, node, kernel, mib, mode });
  }
  if (jobs.length === 0) throw new WorkloadError(`${file}: no jobs in it`);
  return jobs.sort((a, b) => a.arrival_s - b.arrival_s);
}

export function read_workload_csv(file: string, nodes: number, default_mode: Mode): Job[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new WorkloadError(`--workload ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message} (give hpcc-mix or a CSV file)`);
  }
  return parse_workload_csv(text, file, nodes, default_mode);
}
