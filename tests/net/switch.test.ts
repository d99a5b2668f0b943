// The switch's ports as they run (each takes its frames when one is due to
// arrive: net/link.ts switch_lazy) and as the obvious version (an event of
// the wire at each frame's end of transmission): the same deliveries at
// the same virtual times, whatever flows share a port, whatever netem does
// (loss, duplicates, reordering) and with frames of a higher band taking
// others' starts; and the same cluster figures, byte for byte. The lazy
// port takes fewer events.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network, switch_lazy } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { TC_PRIO_INTERACTIVE } from '../../net/qdisc.ts';
import { ClusterSim, type ClusterSpec } from '../../userland/cluster/run.ts';
import type { Job } from '../../userland/cluster/workload.ts';

interface Flow {
  from: number;
  to: number;
  conn: string;
  at_us: number;
  sizes: number[];
}

const flow = (nodes: number): fc.Arbitrary<Flow> =>
  fc.record({
    from: fc.integer({ min: 0, max: nodes - 1 }),
    to: fc.integer({ min: 0, max: nodes - 1 }),
    conn: fc.constantFrom('om', 'mig', 'demand'),
    at_us: fc.integer({ min: 0, max: 3000 }),
    sizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1000, max: 70_000 })), { minLength: 1, maxLength: 8 }),
  });

const impairments = fc.record({
  loss: fc.constantFrom(0, 0, 0.05),
  duplicate: fc.constantFrom(0, 0, 0.05),
  reorder: fc.constantFrom(0, 0, 0.3),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  gigabit: fc.boolean(),
});

/** Every delivery, in order: flow, message, virtual time; and the events the run took. */
function deliveries(nodes: number, flows: Flow[], imp: { loss: number; duplicate: number; reorder: number; seed: number; gigabit: boolean }, lazy: boolean): { log: string; events: number } {
  switch_lazy.on = lazy;
  try {
    const c = new Cluster({ nodes, mem_B: 16 << 20, seed: imp.seed });
    const profile = make_profile('fast-ethernet', { latency_ms: 1, loss: imp.loss, duplicate: imp.duplicate, reorder: imp.reorder, ...(imp.gigabit ? { bandwidth_mbps: 1000 } : {}) });
    const net = attach_network(c, profile);
    net.user_timeout_ns = Infinity;
    net.set_priority('demand', TC_PRIO_INTERACTIVE);
    const log: string[] = [];
    flows.forEach((f, k) => {
      if (f.from === f.to) return;
      f.sizes.forEach((sz, i) => {
        net.send(c.node(f.from), c.node(f.to), sz, f.at_us * 1000 + i * 20_000, () => log.push(`${k}.${i}@${c.queue.now_ns}`), { conn: f.conn });
      });
    });
    c.run();
    return { log: log.join(' '), events: c.queue.dispatched };
  } finally {
    switch_lazy.on = true;
  }
}

test('property: the lazy switch port delivers what the obvious one does, when it does, in fewer events', () => {
  check(
    fc.property(fc.integer({ min: 3, max: 5 }).chain((n) => fc.tuple(fc.constant(n), fc.array(flow(n), { minLength: 1, maxLength: 6 }))), impairments, ([n, flows], imp) => {
      const lazy = deliveries(n, flows, imp, true);
      const obvious = deliveries(n, flows, imp, false);
      assert.is(lazy.log, obvious.log);
      assert.ok(lazy.events <= obvious.events, `${lazy.events} events lazily, ${obvious.events} by the obvious port`);
    }),
    { numRuns: 60 },
  );
});

const job = fc.record({
  arrival_s: fc.integer({ min: 0, max: 2000 }).map((ms) => ms / 1000),
  node: fc.nat(),
  mib: fc.integer({ min: 1, max: 4 }),
  cpu_s: fc.integer({ min: 200, max: 2500 }).map((ms) => ms / 1000),
});

test('property: a cluster gives the same figures, byte for byte, through either port', () => {
  check(
    fc.property(
      fc.integer({ min: 3, max: 4 }),
      fc.array(job, { minLength: 2, maxLength: 6 }),
      fc.constantFrom('ampom', 'openmosix', 'ampom-push', 'noprefetch'),
      fc.integer({ min: 1, max: 1 << 20 }),
      (nodes, js, scheme, seed) => {
        const jobs: Job[] = js.map((j, i) => ({ arrival_s: j.arrival_s, node: i % 3 === 2 ? j.node % nodes : 0, kernel: 'hog', mib: j.mib, mode: 'fast', cpu_s: j.cpu_s }));
        const spec: ClusterSpec = { nodes, speeds: new Array<number>(nodes).fill(1), mem_mib: 256, jobs, scheme: scheme as ClusterSpec['scheme'], balancer: 'mosix', threshold: 0, profile: make_profile('fast-ethernet'), seed };
        const run = (lazy: boolean): string => {
          switch_lazy.on = lazy;
          try {
            const sim = new ClusterSim(spec);
            sim.run_to_end();
            return JSON.stringify(sim.result());
          } finally {
            switch_lazy.on = true;
          }
        };
        assert.is(run(true), run(false));
      },
    ),
    { numRuns: 8 },
  );
});

test.run();
