// `make bench-preempt`: what demand first on the wire (--preempt) does to
// the two pushing schemes, ampom-push (whose push follows the requests, a
// short backlog) and post-copy (QEMU's address-order push, a full send
// buffer). For each kernel at 32 MiB on Fast Ethernet it runs each with and
// without it, and prints the demand faults' latency (request sent
// to page installed), p50 and p99, as multiples of a demand fault on an
// idle link: NoPrefetch's median on the same kernel and network, where each
// fault is a one-page request and its one-page reply alone on the wire.
// The runtime and the pages sent again say what it costs.
import { run_experiment, type RunResult } from '../experiment.ts';
import { make_kernel } from '../cli/kernels.ts';
import { make_profile } from '../../net/profiles.ts';
import type { Policy } from '../../om/state.ts';

const MIB = 32;
const KERNELS = (process.argv[2] ?? 'stream,randomaccess,dgemm,fft').split(',');
const profile = make_profile('fast-ethernet');

function run(kernel: string, scheme: Policy, preempt?: boolean): RunResult {
  const r = run_experiment({ program: make_kernel(kernel, { mib: MIB, passes: 1, mode: 'fast' }), scheme, profile, node_mem_B: (MIB * 1.25 + 64) << 20, preempt });
  if (!r.verified) throw new Error(`${kernel} ${scheme}: ${r.failures.join('; ')}`);
  return r;
}

const f3 = (x: number): string => x.toFixed(3);
const ms = (s: number | null): string => (s === null ? '-' : (s * 1e3).toFixed(3));
const x = (s: number | null, idle: number): string => (s === null ? '-' : `${(s / idle).toFixed(2)}x`);

const SCHEMES: Policy[] = ['ampom-push', 'postcopy'];
console.log(`${SCHEMES.join(' and ')} at ${MIB} MiB on ${profile.name}: demand-fault latency (request sent to page installed)`);
console.log('kernel        scheme      idle ms  preempt  faults  p50 ms   p50/idle  p99 ms   p99/idle  resent  runtime s');
for (const k of KERNELS) {
  const idle = run(k, 'noprefetch').demand_fault_p50_s!;
  for (const [scheme, preempt] of SCHEMES.flatMap((s) => [false, true].map((p) => [s, p] as const))) {
    const r = run(k, scheme, preempt);
    console.log(
      `${k.padEnd(13)} ${scheme.padEnd(10)}  ${ms(idle).padStart(7)}  ${(preempt ? 'on' : 'off').padEnd(7)}  ${String(r.demand_faults).padStart(6)}  ${ms(r.demand_fault_p50_s).padStart(7)}  ` +
        `${x(r.demand_fault_p50_s, idle).padStart(8)}  ${ms(r.demand_fault_p99_s).padStart(7)}  ${x(r.demand_fault_p99_s, idle).padStart(8)}  ${String(r.demand_resent_pages).padStart(6)}  ${f3(r.runtime_s).padStart(9)}`,
    );
  }
}
