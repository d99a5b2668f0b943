// Properties of the transport under any seeded loss, duplication and
// reordering: every message arrives once, in order; and the NIC counters
// add up to what the flows sent, with headers and retransmissions. One of
// the purposes ('demand') sends in pfifo_fast's top band, so its frames
// overtake the others' in the queues: each connection's stay in order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network, type Network } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { TC_PRIO_INTERACTIVE } from '../../net/qdisc.ts';
import { OM_TCP_USER_TIMEOUT_NS, type TcpStats } from '../../net/tcp.ts';
import { ETH_HLEN_B, IP_TCP_HEADERS_B } from '../../net/wire.ts';

interface Flow {
  from: number;
  to: number;
  conn: string;
  sizes: number[];
}

const flow = (nodes: number): fc.Arbitrary<Flow> =>
  fc.record({
    from: fc.integer({ min: 0, max: nodes - 1 }),
    to: fc.integer({ min: 0, max: nodes - 1 }),
    conn: fc.constantFrom('om', 'mig', 'demand'),
    sizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1000, max: 70_000 })), { minLength: 1, maxLength: 12 }),
  });

interface Impairments {
  loss: number;
  duplicate: number;
  reorder: number;
  seed: number;
  broadband: boolean;
}

const impairments: fc.Arbitrary<Impairments> = fc.record({
  loss: fc.double({ min: 0, max: 0.2, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  reorder: fc.double({ min: 0, max: 0.5, noNaN: true }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  broadband: fc.boolean(),
});

function run(nodes: number, flows: Flow[], imp: Impairments, user_timeout_ns = Infinity): { c: Cluster; net: Network; got: Map<number, number[]>; failed: Map<number, number[]> } {
  const c = new Cluster({ nodes, mem_B: 16 << 20, seed: imp.seed });
  // Reordering needs a netem delay to reorder against: 1 ms on the LAN, or broadband's 2 ms.
  const profile = imp.broadband
    ? make_profile('broadband', { loss: imp.loss, duplicate: imp.duplicate, reorder: imp.reorder })
    : make_profile('fast-ethernet', { latency_ms: 1, loss: imp.loss, duplicate: imp.duplicate, reorder: imp.reorder });
  const net = attach_network(c, profile);
  net.user_timeout_ns = user_timeout_ns;
  net.set_priority('demand', TC_PRIO_INTERACTIVE);
  const got = new Map<number, number[]>();
  const failed = new Map<number, number[]>();
  flows.forEach((f, k) => {
    if (f.from === f.to) return;
    got.set(k, []);
    failed.set(k, []);
    f.sizes.forEach((sz, i) => {
      // Messages are handed over at staggered times, some in the future.
      net.send(c.node(f.from), c.node(f.to), sz, i * 50_000, () => got.get(k)!.push(i), { conn: f.conn, on_fail: () => failed.get(k)!.push(i) });
    });
  });
  c.run();
  return { c, net, got, failed };
}

test('any seeded loss, duplication and reordering: every message delivered exactly once, in order', () => {
  check(
    fc.property(fc.array(flow(3), { minLength: 1, maxLength: 4 }), impairments, (flows, imp) => {
      // With no user timeout TCP must repair anything the wire does.
      const { c, got, failed } = run(3, flows, imp);
      for (const f of failed.values()) assert.equal(f, []);
      // Messages of flows on the same connection interleave, but each flow's own stay in order.
      for (const [k, seen] of got) assert.equal(seen, flows[k]!.sizes.map((_, i) => i), `flow ${k}`);
      assert.is(c.queue.pending, 0);
    }),
    { numRuns: 60 },
  );
});

test("with om's user timeout, a message is delivered (once, in order) or fails at its sender (once), or, if its ACK was lost, both", () => {
  check(
    fc.property(fc.array(flow(2), { minLength: 1, maxLength: 3 }), impairments, (flows, imp) => {
      const { c, got, failed } = run(2, flows, { ...imp, loss: imp.loss * 2 }, OM_TCP_USER_TIMEOUT_NS);
      for (const [k, seen] of got) {
        const n = flows[k]!.sizes.length;
        assert.equal(seen, [...Array(seen.length).keys()], `flow ${k} delivered in order`);
        const f = [...failed.get(k)!].sort((a, b) => a - b);
        // A connection carries several flows; only its sender's end giving up
        // fails them: from the first not acknowledged on, once each. The
        // peer may have got a few of those whose ACKs were lost.
        const from = f[0] ?? n;
        assert.equal(f, [...Array(n).keys()].slice(from), `flow ${k}: the rest failed, once each`);
        assert.ok(from <= seen.length, `flow ${k}: message ${seen.length} neither delivered nor failed`);
      }
      assert.is(c.queue.pending, 0);
    }),
    { numRuns: 40 },
  );
});

test('NIC bytes = what the flows sent + headers + retransmissions, less what netem dropped, plus its copies', () => {
  check(
    fc.property(fc.array(flow(2), { minLength: 1, maxLength: 3 }), impairments, (flows, imp) => {
      const { c, net } = run(2, flows, imp);
      let tx = 0;
      let rx = 0;
      let emitted = 0;
      let fresh = 0;
      let netem = 0;
      for (const n of c.nodes) {
        const nic = net.nic(n);
        tx += nic.tx_bytes;
        rx += nic.rx_bytes;
        const s = n.ext.get('tcp_stats') as TcpStats | undefined;
        if (s) {
          emitted += s.data_B + (s.data_segments + s.ack_segments + s.rst_segments) * (IP_TCP_HEADERS_B + ETH_HLEN_B);
          fresh += s.data_B - s.retransmitted_B;
        }
        const k = net.netem_counts(n);
        netem += k.dups_B - k.lost_B;
      }
      const sent = flows.filter((f) => f.from !== f.to).reduce((a, f) => a + f.sizes.reduce((x, y) => x + y, 0), 0);
      assert.is(fresh, sent, 'every byte sent fresh exactly once');
      assert.is(tx, emitted + netem, 'the NICs sent what TCP emitted, as netem changed it');
      assert.is(rx, tx, 'and the wire lost nothing (no partitions here)');
    }),
    { numRuns: 60 },
  );
});

test.run();
