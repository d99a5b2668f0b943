// REPORT.md's "Every network": the bench runs the lightweight schemes and
// openMosix at 32 MiB on a 20 ms WAN and at 1 Gb/s besides Fast Ethernet,
// and the report holds ampom-push to openMosix (at most 1% slower) and to
// the oracle (within 5%), from the records, with freeze and downtime beside
// each runtime.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bench_plan, config_of, NETWORK_SCHEMES, OTHER_NETS } from '../../userland/bench/plan.ts';
import type { BenchRecord } from '../../userland/bench/record.ts';
import { networks_md } from '../../userland/bench/report_networks.ts';

function rec(figure: string, kernel: string, scheme: string, runtime_s: number, net: { latency_ms?: number; bandwidth_mbps?: number } = {}, freeze_s: number | null = 0.07, blocked_s = 1): BenchRecord {
  return {
    figure, kernel, size_mib: 32, working_set_mib: 32, scheme, freeze_s, runtime_s, blocked_s, problem: 'n', used_mib: 32, profile: 'fast-ethernet',
    bandwidth_mbps: net.bandwidth_mbps ?? 100, latency_ms: net.latency_ms ?? 0.06,
  } as BenchRecord;
}

test('the plan runs every kernel at 32 MiB on the WAN and at 1 Gb/s under the four schemes, with the network in the run\'s configuration', () => {
  const jobs = bench_plan(1, 'bench').filter((j) => j.figure === 'networks');
  assert.is(jobs.length, 4 * OTHER_NETS.length * NETWORK_SCHEMES.length);
  assert.ok(jobs.every((j) => j.size_mib === 32));
  const wan = jobs.filter((j) => j.latency_ms === 20);
  assert.is(wan.length, 4 * NETWORK_SCHEMES.length);
  assert.is(config_of(wan[0]!, 1).latency, 20);
  assert.is(config_of(jobs.find((j) => j.bandwidth_mbps === 1000)!, 1).bandwidth, 1000);
  assert.not.ok(bench_plan(1, 'paper').some((j) => j.figure === 'networks'), 'not among the paper\'s own runs');
});

test('ampom-push against openMosix and the oracle on each network: ratios, what is over the goals, and the worst', () => {
  const wan = { latency_ms: 20 };
  const gig = { bandwidth_mbps: 1000 };
  const rs = [
    rec('schemes-32', 'stream', 'openmosix', 3.6, {}, 2.9, 0), rec('schemes-32', 'stream', 'ampom-push', 3.58), rec('schemes-32', 'stream', 'oracle', 3.6),
    rec('networks', 'stream', 'openmosix', 22.16, wan, 21.46, 0), rec('networks', 'stream', 'ampom-push', 22.53, wan), rec('networks', 'stream', 'oracle', 22.39, wan),
    rec('networks', 'stream', 'ampom', 40, wan),
    rec('networks', 'stream', 'openmosix', 1.05, gig, 0.35, 0), rec('networks', 'stream', 'ampom-push', 1.02, gig), rec('networks', 'stream', 'oracle', 0.9, gig),
  ];
  const md = networks_md(rs).join('\n');
  assert.match(md, /\| stream 32 MB \| Fast Ethernet \| 3\.60 \(2\.900; 2\.90\) \| not run \| 3\.58 \(0\.070; 1\.07\) \| 3\.60 \(0\.070; 1\.07\) \| 0\.994x \| 0\.994x \|/);
  assert.match(md, /\| stream 32 MB \| 20 ms WAN \| 22\.16 .* \| 40\.00 .* \| 1\.017x \*\*over\*\* \| 1\.006x \|/);
  assert.match(md, /\| stream 32 MB \| 1 Gb\/s \| .* \| 0\.971x \| 1\.133x \*\*over\*\* \|/);
  assert.match(md, /within 1% of openMosix in 2 of 3 \(the worst: stream on 20 ms WAN, 1\.7% slower\), and within 5% of the oracle in 2 of 3\./);
});

test('bench-full: the other networks at each kernel\'s largest size too, read beside Fast Ethernet\'s largest runs', () => {
  const largest = bench_plan(1, 'full').filter((j) => j.figure === 'networks-largest');
  assert.is(largest.length, 4 * OTHER_NETS.length * NETWORK_SCHEMES.length);
  assert.equal(new Set(largest.map((j) => `${j.kernel} ${j.size_mib}`)), new Set(['dgemm 575', 'stream 575', 'randomaccess 513', 'fft 513']));
  assert.not.ok(bench_plan(1, 'bench').some((j) => j.figure === 'networks-largest'), 'not in make bench');
  const big = (figure: string, scheme: string, runtime_s: number, net = {}): BenchRecord => ({ ...rec(figure, 'fft', scheme, runtime_s, net), size_mib: 513, working_set_mib: 513 });
  const small = [rec('schemes-32', 'fft', 'openmosix', 3), rec('schemes-32', 'fft', 'ampom-push', 3), rec('networks', 'fft', 'openmosix', 11, { latency_ms: 20 }), rec('networks', 'fft', 'ampom-push', 11, { latency_ms: 20 })];
  const fe = [big('schemes', 'openmosix', 50), big('schemes', 'ampom-push', 49)];
  // Without the largest sizes' runs on the other networks, no row at the largest size, and a word on where they are.
  const bench = networks_md([...small, ...fe]).join('\n');
  assert.not.match(bench, /fft 513 MB/);
  assert.match(bench, /at the largest sizes too in make bench-full/);
  const full = networks_md([...small, ...fe, big('networks-largest', 'openmosix', 300, { latency_ms: 20 }), big('networks-largest', 'ampom-push', 306, { latency_ms: 20 })]).join('\n');
  assert.match(full, /\| fft 513 MB \| Fast Ethernet \| 50\.00 .* \| 0\.980x \|/);
  assert.match(full, /\| fft 513 MB \| 20 ms WAN \| 300\.00 .* \| 1\.020x \*\*over\*\* \|/);
  assert.match(full, /at 32 MiB \(scaled\) and at its largest size/);
  assert.match(full, /within 1% of openMosix in 3 of 4 \(the worst: fft on 20 ms WAN, 2\.0% slower\)/);
});

test('no section without the other networks\' runs', () => {
  assert.equal(networks_md([rec('schemes-32', 'stream', 'openmosix', 3.6)]), []);
});

test.run();
