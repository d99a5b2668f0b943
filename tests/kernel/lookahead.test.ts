// How far CPUs run ahead changes nothing: a node's events bound the other
// CPUs only lookahead_ns past their time, and a CPU in a fast-forwarded
// sweep computes lazily, brought up to each event of its node when it
// comes (kernel/events.ts, kernel/sched.ts). Random clusters of hogs, with
// migrations under every balancer and several schemes, give the same
// figures, byte for byte, as when every event bounds every CPU at its time
// and no CPU computes lazily; and with both on, far fewer events run. A
// lazy CPU is settled by a frame or a TCP timer only when TCP hands
// something up (settle_on_demand): the same figures as settling it before
// every event of its node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { lookahead_by_node, settle_on_demand } from '../../kernel/events.ts';
import { sweep_lazy } from '../../kernel/sched.ts';
import { make_profile } from '../../net/profiles.ts';
import type { BalancerName } from '../../om/balance/index.ts';
import type { Policy } from '../../om/state.ts';
import { ClusterSim, type ClusterSpec } from '../../userland/cluster/run.ts';
import type { Job } from '../../userland/cluster/workload.ts';

/**
 * The run's JSON, and how many events it took, with a node's events
 * bounding others only by the lookahead (by_node) and lazy CPUs (lazy) or
 * not, and TCP's events settling a lazy CPU only when they must (on_demand).
 */
function run(spec: ClusterSpec, by_node: boolean, lazy = by_node, on_demand = lazy): { json: string; events: number } {
  lookahead_by_node.on = by_node;
  sweep_lazy.on = lazy;
  settle_on_demand.on = on_demand;
  try {
    const sim = new ClusterSim(spec);
    sim.run_to_end();
    return { json: JSON.stringify(sim.result()), events: sim.c.queue.dispatched };
  } finally {
    lookahead_by_node.on = true;
    sweep_lazy.on = true;
    settle_on_demand.on = true;
  }
}

const job = fc.record({
  arrival_s: fc.integer({ min: 0, max: 3000 }).map((ms) => ms / 1000),
  node: fc.nat(),
  mib: fc.integer({ min: 1, max: 6 }),
  cpu_s: fc.integer({ min: 200, max: 4000 }).map((ms) => ms / 1000),
  lock: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
});

test('running ahead: the same figures, byte for byte, as every event bounding every CPU', () => {
  check(
    fc.property(
      fc.integer({ min: 2, max: 4 }),
      fc.array(job, { minLength: 1, maxLength: 6 }),
      fc.constantFrom<Policy>('ampom', 'openmosix', 'noprefetch', 'ampom-push', 'precopy'),
      fc.constantFrom<BalancerName>('off', 'birth', 'mosix', 'hbd'),
      fc.integer({ min: 1, max: 1 << 20 }),
      // Each way of running ahead alone, and both (lazy CPUs leave few CPUs to the other); lazy CPUs settled on demand or before every event.
      fc.constantFrom([true, false, false], [false, true, true], [false, true, false], [true, true, true], [true, true, false]),
      (nodes, js, scheme, balancer, seed, [by_node, lazy, on_demand]) => {
        // Most work on node 0, so the balancers move some of it.
        const jobs: Job[] = js.map((j, i) => ({ arrival_s: j.arrival_s, node: i % 3 === 2 ? j.node % nodes : 0, kernel: 'hog', mib: j.mib, mode: 'fast', cpu_s: j.cpu_s, ...(j.lock ? { lock: true } : {}) }));
        const spec: ClusterSpec = { nodes, speeds: new Array<number>(nodes).fill(1), mem_mib: 256, jobs, scheme, balancer, threshold: 0, profile: make_profile('fast-ethernet'), seed };
        assert.is(run(spec, by_node, lazy, on_demand).json, run(spec, false).json, `${nodes} nodes, ${scheme}, ${balancer}, ${by_node ? 'by node' : ''} ${lazy ? 'lazy' : ''} ${on_demand ? 'settled on demand' : ''}: the figures differ`);
      },
    ),
    { numRuns: 15 },
  );
});

test('property: a wake-up takes back the promise of the CPU turn already scheduled (the case the property above found, at any seed)', () => {
  // Node 0 runs a locked hog alone, so its turn promised to send nothing
  // until the hog's sweep ends (1.12 s). A job born there at 1.001 s is
  // sent to node 1 at once (birth): node 0 acts long before its promise.
  // Kept, the promise let node 1's CPU run to 1.12 s before the migrant
  // arrived at 1.079 s, and its hog's time slice was then read 43 ms ahead
  // (found at FC_SEED=626683105 with the cluster's seed 1; without the fix
  // the figures differ at every cluster seed tried).
  const jobs: Job[] = [
    { arrival_s: 1.001, node: 0, kernel: 'hog', mib: 1, mode: 'fast', cpu_s: 0.2 },
    { arrival_s: 0, node: 0, kernel: 'hog', mib: 1, mode: 'fast', cpu_s: 1.122, lock: true },
    { arrival_s: 0.001, node: 1, kernel: 'hog', mib: 3, mode: 'fast', cpu_s: 1.308, lock: true },
  ];
  check(
    fc.property(fc.integer({ min: 1, max: 1 << 20 }), (seed) => {
      const spec: ClusterSpec = { nodes: 2, speeds: [1, 1], mem_mib: 256, jobs, scheme: 'ampom', balancer: 'birth', threshold: 0, profile: make_profile('fast-ethernet'), seed };
      const exact = run(spec, false).json;
      assert.is(run(spec, true, false, false).json, exact, 'by node alone');
      assert.is(run(spec, true).json, exact, 'by node, lazy CPUs');
    }),
    { numRuns: 5 },
  );
});

test('running ahead: the small MOSIX demo (4 hogs from node 0 of 4, AMPoM) takes under half the events', () => {
  const jobs: Job[] = [0, 1, 2, 3].map(() => ({ arrival_s: 0, node: 0, kernel: 'hog', mib: 8, mode: 'fast', cpu_s: 20 }));
  const spec: ClusterSpec = { nodes: 4, speeds: [1, 1, 1, 1], mem_mib: 256, jobs, scheme: 'ampom', balancer: 'mosix', threshold: 0, profile: make_profile('fast-ethernet'), seed: 1 };
  const ahead = run(spec, true);
  const exact = run(spec, false);
  assert.is(ahead.json, exact.json);
  assert.ok(ahead.events * 2 < exact.events, `${ahead.events} events running ahead, ${exact.events} without`);
});

test.run();
