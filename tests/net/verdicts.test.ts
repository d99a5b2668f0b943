// Properties of per-end verdicts over random loss, partition and reset
// schedules: each end of a connection gives up on its own (its user
// timeout, a RST, a new incarnation from the peer, or a reset on its node),
// and what a sender is told follows from what its own end saw.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import type { TcpStats } from '../../net/tcp.ts';

interface Flow {
  from: number;
  to: number;
  conn: string;
  /** When each message is handed over, ms from the start (in order: a flow's sender writes them in turn). */
  at_ms: number[];
  size: number;
}

interface Cut {
  a: number;
  b: number;
  start_ms: number;
  len_ms: number;
}

interface Reset {
  node: number;
  peer: number;
  at_ms: number;
}

interface Schedule {
  nodes: number;
  flows: Flow[];
  cuts: Cut[];
  resets: Reset[];
  loss: number;
  reorder: number;
  /** The user timeout set on each purpose (0: the default, 5 s). */
  om_timeout_s: number;
  mig_timeout_s: number;
  seed: number;
}

const schedule: fc.Arbitrary<Schedule> = fc.integer({ min: 2, max: 3 }).chain((nodes) => {
  const id = fc.integer({ min: 0, max: nodes - 1 });
  return fc.record({
    nodes: fc.constant(nodes),
    flows: fc.array(
      fc.record({
        from: id,
        to: id,
        conn: fc.constantFrom('om', 'mig'),
        at_ms: fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 10 }).map((a) => a.sort((x, y) => x - y)),
        size: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1000, max: 20_000 })),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    cuts: fc.array(fc.record({ a: id, b: id, start_ms: fc.integer({ min: 0, max: 30_000 }), len_ms: fc.integer({ min: 100, max: 20_000 }) }), { maxLength: 3 }),
    resets: fc.array(fc.record({ node: id, peer: id, at_ms: fc.integer({ min: 0, max: 30_000 }) }), { maxLength: 2 }),
    loss: fc.double({ min: 0, max: 0.2, noNaN: true }),
    reorder: fc.double({ min: 0, max: 0.3, noNaN: true }),
    om_timeout_s: fc.constantFrom(0, 1, 60),
    mig_timeout_s: fc.constantFrom(0, 60),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  });
});

interface Outcome {
  delivered: number[][];
  failed: number[][];
  /** Where and when each failure was told: the node it ran on. */
  failed_on: number[][];
  pending: number;
  stats: TcpStats[];
}

function play(s: Schedule): Outcome {
  const c = new Cluster({ nodes: s.nodes, mem_B: 16 << 20, seed: s.seed });
  const net = attach_network(c, make_profile('fast-ethernet', { latency_ms: 1, loss: s.loss, reorder: s.reorder }));
  net.set_user_timeout(s.om_timeout_s * 1e9, 'om');
  net.set_user_timeout(s.mig_timeout_s * 1e9, 'mig');
  for (const p of s.cuts) if (p.a !== p.b) net.partition(c.node(p.a), c.node(p.b), p.start_ms * 1e6, (p.start_ms + p.len_ms) * 1e6);
  for (const r of s.resets) if (r.node !== r.peer) c.queue.at(r.at_ms * 1e6, () => net.reset(c.node(r.node), c.node(r.peer)));
  const out: Outcome = { delivered: [], failed: [], failed_on: [], pending: 0, stats: [] };
  s.flows.forEach((f, k) => {
    out.delivered.push([]);
    out.failed.push([]);
    out.failed_on.push([]);
    if (f.from === f.to) return;
    f.at_ms.forEach((t, i) => {
      c.queue.at(t * 1e6, () =>
        net.send(c.node(f.from), c.node(f.to), f.size, c.queue.now_ns, () => out.delivered[k]!.push(i), {
          conn: f.conn,
          on_fail: (why) => {
            reasons.set(why.replace(/node\d+/, 'X'), (reasons.get(why.replace(/node\d+/, 'X')) ?? 0) + 1);
            out.failed[k]!.push(i);
            out.failed_on[k]!.push(f.from);
          },
        }),
      );
    });
  });
  c.run();
  out.pending = c.queue.pending;
  out.stats = c.nodes.map((n) => n.ext.get('tcp_stats') as TcpStats);
  return out;
}

const reasons = new Map<string, number>();
let both_seen = 0;
let messages_seen = 0;

test('any loss, partition and reset schedule: each message is delivered at most once and in order, and is delivered or fails at its sender, once', () => {
  check(
    fc.property(schedule, (s) => {
      const o = play(s);
      assert.is(o.pending, 0, 'the run quiesces');
      s.flows.forEach((f, k) => {
        if (f.from === f.to) return;
        const n = f.at_ms.length;
        const got = o.delivered[k]!;
        for (let j = 1; j < got.length; j++) assert.ok(got[j]! > got[j - 1]!, `flow ${k}: delivered ${got} (at most once, in order)`);
        const failed = o.failed[k]!;
        assert.is(new Set(failed).size, failed.length, `flow ${k}: a failure is told once (${failed})`);
        assert.ok(o.failed_on[k]!.every((node) => node === f.from), 'a failure is told on the sender\'s node');
        for (let i = 0; i < n; i++) assert.ok(got.includes(i) || failed.includes(i), `flow ${k}: message ${i} neither delivered nor failed`);
        // Both happens when the peer got the message but its ACK did not
        // come back before the sender's end gave up: counted, not forbidden.
        both_seen += got.filter((i) => failed.includes(i)).length;
        messages_seen += n;
      });
    }),
    { numRuns: 150 },
  );
  // What share of messages both arrived and failed (printed for the record).
  console.log(`  ${both_seen} of ${messages_seen} messages both arrived and failed at their sender; failures: ${[...reasons].map(([r, n]) => `${n} ${r}`).join(', ')}`);
});

test('the two ends decide alone: each verdict follows from what that end saw, its own timeout or a RST after the partition', () => {
  check(
    fc.property(fc.integer({ min: 0, max: 6_000 }), fc.integer({ min: 2_000, max: 20_000 }), fc.integer({ min: 1, max: 1 << 30 }), (lag_ms, cut_ms, seed) => {
      const c = new Cluster({ nodes: 2, mem_B: 16 << 20, seed });
      const net = attach_network(c, make_profile('fast-ethernet'));
      const cut_ns = cut_ms * 1e6;
      net.partition(c.node(0), c.node(1), 1, cut_ns);
      const verdict: [number, string][][] = [[], []];
      const sent_at = [0, lag_ms * 1e6];
      for (const from of [0, 1]) {
        c.queue.at(sent_at[from]!, () =>
          net.send(c.node(from), c.node(1 - from), 100, c.queue.now_ns, undefined, { on_fail: (why) => verdict[from]!.push([c.queue.now_ns, why]) }),
        );
      }
      c.run();
      for (const me of [0, 1]) {
        const other = 1 - me;
        assert.ok(verdict[me]!.length <= 1);
        const v = verdict[me]![0];
        if (!v) continue; // delivered after the partition
        const [t, why] = v;
        if (why.endsWith('timed out')) {
          // Its own clock: the RTO at or after 5 s from its own send (6.2 s).
          assert.ok(t - sent_at[me]! >= 5e9 && t - sent_at[me]! < 6.3e9, `node${me} timed out at ${t}`);
        } else {
          // Told by the wire: a RST, which cannot cross before the partition ends, from an end that had given up first.
          assert.is(why, `connection to node${other} reset by peer`);
          assert.ok(t > cut_ns, `node${me} learnt at ${t}, before the partition ended at ${cut_ns}`);
          const o = verdict[other]![0];
          assert.ok(o !== undefined && o[0] < t && o[1].endsWith('timed out'), `node${other} had given up before`);
        }
      }
      // A partition over 6.2 s past the later send: both ends time out, each on its own clock, not at one instant.
      if (cut_ns > sent_at[1]! + 6.3e9 && lag_ms > 0) {
        assert.is(verdict[0]![0]![0] - verdict[1]![0]![0], -sent_at[1]!);
      }
    }),
    { numRuns: 30 },
  );
});

test('a 60 s user timeout and a cap on the backoff: partitions up to 30 s and loss up to 10% lose nothing, every message arrives once, in order', () => {
  const id = (nodes: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: nodes - 1 });
  const arb = fc.integer({ min: 2, max: 3 }).chain((nodes) =>
    fc.record({
      nodes: fc.constant(nodes),
      flows: fc.array(
        fc.record({
          from: id(nodes),
          to: id(nodes),
          conn: fc.constantFrom('om', 'mig'),
          at_ms: fc.array(fc.integer({ min: 0, max: 70_000 }), { minLength: 1, maxLength: 10 }).map((a) => a.sort((x, y) => x - y)),
          size: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1000, max: 20_000 })),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      // At most one partition in each 35 s window, of up to 30 s: never longer, even where they follow each other.
      cuts: fc.array(fc.record({ a: id(nodes), b: id(nodes), start_ms: fc.integer({ min: 0, max: 5_000 }), len_ms: fc.integer({ min: 100, max: 30_000 }) }), { maxLength: 2 }),
      loss: fc.double({ min: 0, max: 0.1, noNaN: true }),
      reorder: fc.double({ min: 0, max: 0.3, noNaN: true }),
      rto_max_s: fc.constantFrom(1, 2),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    }),
  );
  check(
    fc.property(arb, (s) => {
      const cuts = s.cuts.map((p, i) => ({ ...p, start_ms: i * 35_000 + p.start_ms }));
      const c = new Cluster({ nodes: s.nodes, mem_B: 16 << 20, seed: s.seed });
      const net = attach_network(c, make_profile('fast-ethernet', { latency_ms: 1, loss: s.loss, reorder: s.reorder }));
      net.set_user_timeout(60e9);
      net.set_rto_max(s.rto_max_s * 1e9);
      for (const p of cuts) if (p.a !== p.b) net.partition(c.node(p.a), c.node(p.b), p.start_ms * 1e6, (p.start_ms + p.len_ms) * 1e6);
      const got: number[][] = s.flows.map(() => []);
      const failed: string[] = [];
      s.flows.forEach((f, k) => {
        if (f.from === f.to) return;
        f.at_ms.forEach((t, i) =>
          c.queue.at(t * 1e6, () =>
            net.send(c.node(f.from), c.node(f.to), f.size, c.queue.now_ns, () => got[k]!.push(i), { conn: f.conn, on_fail: (why) => failed.push(why) }),
          ),
        );
      });
      c.run();
      assert.equal(failed, []);
      s.flows.forEach((f, k) => assert.equal(got[k], f.from === f.to ? [] : f.at_ms.map((_, i) => i), `flow ${k}`));
      assert.is(c.queue.pending, 0);
    }),
    { numRuns: 60 },
  );
});

test.run();
