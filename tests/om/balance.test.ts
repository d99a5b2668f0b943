// The balancer, its cost model and the cluster runner: hand-checked
// choices, no ping-pong on a balanced cluster, conservation over random
// workloads with migrations, and determinism.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { make_profile } from '../../net/profiles.ts';
import { OM_COSTS } from '../../om/costs.ts';
import { mig_cost_ns, type MigCostInput } from '../../om/mig_cost.ts';
import type { Policy } from '../../om/state.ts';
import { run_cluster, type ClusterSpec } from '../../userland/cluster/run.ts';
import { hpcc_mix, parse_workload_csv, type Job } from '../../userland/cluster/workload.ts';

const profile = make_profile('fast-ethernet');
const spec = (nodes: number, jobs: Job[], scheme: Policy, o: Partial<ClusterSpec> = {}): ClusterSpec => ({
  nodes, speeds: new Array<number>(nodes).fill(1), mem_mib: 512, jobs, scheme, balancer: 'mosix', threshold: 0, profile, seed: 7, ...o,
});
const dgemm = (node: number, mib: number, at = 0): Job => ({ arrival_s: at, node, kernel: 'dgemm', mib, mode: 'fast' });

test('mig_cost: openMosix pays every page on the wire, AMPoM the MPT and the pages it still asks for', () => {
  const x: MigCostInput = { pages: 10000, cpu_per_page_ns: 0, td_ns: 350_000, t0_ns: 65_000, bw_bps: 100e6, src_speed: 1, dest_speed: 1, share_src: 1, share_dest: 1 };
  const fixed = OM_COSTS.mig_setup! + 3 * x.td_ns;
  assert.is(mig_cost_ns('openmosix', x), fixed + 10000 * 350_000);
  // AMPoM: MPT (6 B a page at 100 Mb/s + two mpt_entry) and 44% of the pages a round trip, each page's wire time uncovered.
  const mpt = 10000 * (480 + 2 * OM_COSTS.mpt_entry!);
  assert.ok(Math.abs(mig_cost_ns('ampom', x) - (fixed + mpt + 10000 * (0.44 * 130_000 + 350_000))) < 1);
  // Computing that covers a page's transfer leaves only the round trips.
  const busy = { ...x, cpu_per_page_ns: 1e6 };
  assert.ok(mig_cost_ns('ampom', busy) < mig_cost_ns('openmosix', busy) / 5);
  // Pre-copy costs nothing but its last round when the process runs as fast at the source.
  assert.is(mig_cost_ns('precopy', x), fixed + 0.05 * 10000 * 350_000);
});

test('balancer: three DGEMMs on one node of three, AMPoM moves one to an idle node and none to a busy one', () => {
  const r = run_cluster(spec(3, [dgemm(0, 48), dgemm(0, 48), dgemm(0, 48)], 'ampom'));
  assert.ok(r.totals.verified);
  assert.ok(r.totals.migrations >= 1, `migrations ${r.totals.migrations}`);
  for (const p of r.processes) for (const n of p.nodes.slice(1)) assert.ok(n === 1 || n === 2, `pid ${p.pid} went to ${n}`);
  // Each idle node got at most one (the stability factor: a second would make it as loaded as node 0 is then).
  const to = r.processes.flatMap((p) => p.nodes.slice(1));
  assert.ok(new Set(to).size === to.length, `moves to ${to.join(',')}`);
});

test('balancer: openMosix does not move a 48 MiB DGEMM whose remaining work is worth less than copying it', () => {
  // After 2 s at a third of the CPU it has done ~0.7 s, so it expects to gain 2 x 0.7 s; the copy takes ~4 s.
  const r = run_cluster(spec(3, [dgemm(0, 48), dgemm(0, 48), dgemm(0, 48)], 'openmosix'));
  assert.ok(r.totals.verified);
  assert.is(r.totals.migrations, 0);
});

test('no ping-pong: a balanced cluster stays put', () => {
  check(
    fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.constantFrom<Policy>('ampom', 'openmosix', 'ampom-push'), fc.integer({ min: 16, max: 40 }), (nodes, k, scheme, mib) => {
      const jobs: Job[] = [];
      for (let n = 0; n < nodes; n++) for (let i = 0; i < k; i++) jobs.push(dgemm(n, mib));
      const r = run_cluster(spec(nodes, jobs, scheme));
      assert.ok(r.totals.verified);
      assert.is(r.totals.migrations, 0, `${nodes} nodes x ${k} of ${mib} MiB under ${scheme}: ${r.totals.migrations} migrations`);
    }),
    { numRuns: 4 },
  );
});

test('conservation: every process of a random workload finishes once and verifies, and every frame comes back', () => {
  let moved = 0;
  check(
    fc.property(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 3, max: 5 }), fc.constantFrom<Policy>('ampom', 'ampom-push', 'noprefetch', 'precopy'), fc.integer({ min: 1, max: 1000 }), fc.double({ min: -1, max: 0.5, noNaN: true }), (nodes, n_jobs, scheme, seed, threshold) => {
      const jobs = hpcc_mix({ jobs: n_jobs, nodes, logins: 1, rate_per_s: 50, scale: 1, mib_range: [40, 64], mode: 'fast', seed }).map((j) => ({ ...j, kernel: j.kernel === 'randomaccess' || j.kernel === 'fft' ? ('dgemm' as const) : j.kernel }));
      const r = run_cluster(spec(nodes, jobs, scheme, { threshold, seed }));
      moved += r.totals.migrations;
      assert.is(r.processes.length, n_jobs);
      assert.equal(new Set(r.processes.map((p) => p.pid)).size, n_jobs);
      for (const p of r.processes) {
        assert.is(p.outcome, 'completed', `pid ${p.pid}: ${p.reason}`);
        assert.ok(p.verified, `pid ${p.pid}: ${p.failures.join('; ')}`);
        assert.is(p.migrations, p.nodes.length - 1);
      }
      assert.is(r.leaked_frames, 0);
      assert.ok(r.totals.verified);
    }),
    {
      numRuns: 4,
      // Named example: 5 jobs on 3 nodes under AMPoM that the balancer spreads
      // (2 migrations), so the property checks migrated processes whatever the
      // random draws: with FC_SEED=1323459335 none of the 4 workloads drawn
      // gave the balancer a move worth its cost, and the check below failed.
      examples: [[3, 5, 'ampom', 1, 0]],
    },
  );
  assert.ok(moved > 0, 'no run migrated anything: the property checked nothing about migrations');
});

test('determinism: the same seed gives the same JSON bytes', () => {
  const jobs = parse_workload_csv('arrival_s,node,kernel,mib\n0,0,dgemm,40\n0,0,stream,24\n0.5,0,dgemm,32\n', 'w.csv', 3, 'fast');
  const a = JSON.stringify(run_cluster(spec(3, jobs, 'ampom')));
  const b = JSON.stringify(run_cluster(spec(3, jobs, 'ampom')));
  assert.is(a, b);
});

test('workload: a bad CSV line names the file, the line and the field', () => {
  assert.throws(() => parse_workload_csv('0,0,dgemm,40\n1,9,dgemm,40\n', 'w.csv', 3, 'fast'), /w\.csv:2: node must be from 0 to 2, got '9'/);
  assert.throws(() => parse_workload_csv('0,0,linpack,40\n', 'w.csv', 3, 'fast'), /w\.csv:1: kernel must be one of/);
});

test.run();
