// The cluster's "all busy" check (userland/cluster/run.ts all_busy) answers
// as the walk of every process there ever was (all_busy_walk), at any
// moment of random small cluster runs: with migrations under the
// balancers, processes exiting, and a node crashing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { OBSERVE } from '../../kernel/events.ts';
import { make_profile } from '../../net/profiles.ts';
import type { BalancerName } from '../../om/balance/index.ts';
import type { Policy } from '../../om/state.ts';
import { all_busy, all_busy_walk, ClusterSim } from '../../userland/cluster/run.ts';
import type { Job } from '../../userland/cluster/workload.ts';

const job = fc.record({
  arrival_s: fc.integer({ min: 0, max: 2000 }).map((ms) => ms / 1000),
  node: fc.nat(),
  mib: fc.integer({ min: 1, max: 4 }),
  cpu_s: fc.integer({ min: 200, max: 3000 }).map((ms) => ms / 1000),
});

test('all_busy answers as the walk of every process, at every moment', () => {
  // Moments at which every node held a process, over all the runs: the walk's own answer was asked for, and true.
  let busy = 0;
  check(
    fc.property(
      fc.integer({ min: 2, max: 4 }),
      fc.array(job, { minLength: 1, maxLength: 8 }),
      fc.constantFrom<Policy>('ampom', 'openmosix', 'precopy'),
      fc.constantFrom<BalancerName>('off', 'birth', 'mosix'),
      fc.integer({ min: 1, max: 1 << 20 }),
      fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4000 })), { nil: null }),
      (nodes, js, scheme, balancer, seed, crash) => {
        // Half the work on node 0, so the balancers move some of it.
        const jobs: Job[] = js.map((j, i) => ({ arrival_s: j.arrival_s, node: i % 2 ? j.node % nodes : 0, kernel: 'hog', mib: j.mib, mode: 'fast', cpu_s: j.cpu_s }));
        const sim = new ClusterSim({ nodes, speeds: new Array<number>(nodes).fill(1), mem_mib: 128, jobs, scheme, balancer, threshold: 0, profile: make_profile('fast-ethernet'), seed });
        const c = sim.c;
        if (crash) c.queue.at(crash[1] * 1e6, () => c.crash_node(c.node(crash[0] % nodes)));
        let checks = 0;
        const look = (): void => {
          const fast = all_busy(c);
          assert.is(fast, all_busy_walk(c), `at ${c.queue.now_ns} ns`);
          if (fast) busy++;
          checks++;
          if (c.queue.now_ns < 8e9) c.queue.after(20e6, look, OBSERVE);
        };
        c.queue.at(0, look, OBSERVE);
        // The first 8 s (every process has arrived by 2 s); a crash may leave the rest of the run waiting out its partition limit.
        sim.advance(8e9);
        assert.ok(checks > 10, `${checks} checks`);
      },
    ),
    { numRuns: 12 },
  );
  assert.ok(busy > 0, 'no run had every node busy at once');
});

test.run();
