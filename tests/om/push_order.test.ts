// The order of ampom-push's push (om/push_order.ts): each page goes once
// whatever the requests, a run the process follows is pushed ahead of it,
// and a migrant whose pages are pushed in that order reads back every byte
// it wrote (against a host-side shadow).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { FRONT_BUDGET0, PushOrder, type PushOrderMode } from '../../om/push_order.ts';
import { mmap_anon } from '../../userland/libc.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { audit_of } from '../../om/audit.ts';
import { gather_figures } from '../../userland/experiment.ts';
import { frames_left, om_migrate, om_setup } from '../helpers/om.ts';

const take_all = (o: PushOrder, n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const idx: number[] = [];
    o.take(n, idx);
    if (idx.length === 0) return out;
    out.push(...idx.map((i) => o.vpn_at(i)));
  }
};

test('demand order: a request after a near one pushes on the way the two go; a lone one pushes a little both ways, then address order', () => {
  const pages = Array.from({ length: 64 }, (_, i) => 1000 + i);
  const o = new PushOrder(pages, 'demand');
  o.requested([1010]);
  o.requested([1011]); // the walk goes up: 1012, 1013, ... ahead of it
  const first: number[] = [];
  const idx: number[] = [];
  o.take(2, idx);
  first.push(...idx.map((i) => o.vpn_at(i)));
  assert.equal(first, [1012, 1013]);
  const p = new PushOrder(pages, 'demand');
  p.requested([1040]); // nothing says which way: a little either side, then the rest from the lowest page
  const all = take_all(p, 2);
  assert.equal(all.slice(0, FRONT_BUDGET0).sort((a, b) => a - b), [1038, 1039, 1041, 1042]);
  assert.equal(all.slice(FRONT_BUDGET0, FRONT_BUDGET0 + 3), [1000, 1001, 1002]);
  assert.is(new Set(all).size, 64);
});

test('demand order: each request that lands just ahead of a front doubles what it pushes ahead of the process', () => {
  const pages = Array.from({ length: 512 }, (_, i) => i);
  const o = new PushOrder(pages, 'demand');
  // The run pushed ahead of a request before the push falls back to the lowest pages.
  const run_from = (...asked: number[]): number[] => {
    o.requested(asked);
    for (const v of asked) o.remove(o.index_of(v)); // answered: gone (the deputy's pusher.gone)
    const run: number[] = [];
    for (;;) {
      const idx: number[] = [];
      o.take(1, idx);
      const v = o.vpn_at(idx[0]!);
      if (v < 100) return run;
      run.push(v);
    }
  };
  const r1 = run_from(100, 101); // a fault on 100 and its zone above it: the way is up
  assert.equal(r1, [102, 103, 104, 105]);
  const r2 = run_from(106); // the process outran the push: twice as far this time
  assert.equal(r2, Array.from({ length: 8 }, (_, i) => 107 + i));
  const r3 = run_from(115);
  assert.equal(r3, Array.from({ length: 16 }, (_, i) => 116 + i));
});

for (const mode of ['address', 'demand'] as PushOrderMode[]) {
  test(`property (${mode}): whatever the requests and pages gone another way, each page is taken once, and all that remain are taken`, () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('req' as const), at: fc.nat(400), n: fc.integer({ min: 1, max: 6 }), down: fc.boolean() }),
      fc.record({ k: fc.constant('gone' as const), at: fc.nat(400) }),
      fc.record({ k: fc.constant('take' as const), n: fc.integer({ min: 1, max: 9 }) }),
    );
    check(
      fc.property(fc.uniqueArray(fc.nat(400), { minLength: 1, maxLength: 200 }), fc.array(op, { maxLength: 120 }), (vpns, ops) => {
        const o = new PushOrder(vpns, mode);
        const left = new Set(vpns);
        const taken = new Set<number>();
        const grab = (n: number): number => {
          const idx: number[] = [];
          o.take(n, idx);
          assert.ok(idx.length <= n);
          for (const i of idx) {
            const v = o.vpn_at(i);
            assert.ok(left.has(v), `page ${v} taken though it had gone`);
            assert.not.ok(taken.has(v), `page ${v} taken twice`);
            left.delete(v);
            taken.add(v);
          }
          return idx.length;
        };
        for (const x of ops) {
          if (x.k === 'req') o.requested(Array.from({ length: x.n }, (_, i) => (x.down ? x.at - i : x.at + i)));
          else if (x.k === 'gone') {
            const i = o.index_of(x.at);
            if (i < o.length && o.vpn_at(i) === x.at && left.has(x.at)) {
              o.remove(i);
              left.delete(x.at);
            }
          } else {
            const before = left.size;
            const got = grab(x.n);
            if (before > 0) assert.ok(got > 0, 'a take returns pages while some remain');
          }
        }
        while (grab(8) > 0);
        assert.is(left.size, 0, `${left.size} pages never taken`);
      }),
      { numRuns: 300 },
    );
  });
}

test('property: a migrant under ampom-push reads back every byte it wrote, whatever order it faults in, and nothing leaks', () => {
  check(
    fc.property(
      fc.integer({ min: 8, max: 96 }),
      fc.array(fc.nat(255), { minLength: 96, maxLength: 96 }),
      fc.array(fc.nat(95), { minLength: 1, maxLength: 60 }),
      (n, bytes, reads) => {
        const { c, d } = om_setup(2, 'ampom-push');
        const base = d.exec(mmap_anon(n * PAGE_SIZE));
        const shadow = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          d.write_u8(base + i * PAGE_SIZE + (i % 7), bytes[i]!);
          shadow.set(i, bytes[i]!);
        }
        om_migrate(d, 1);
        // Faults in the drawn order (scattered or walking), steering the push.
        for (const r of reads) {
          const i = r % n;
          assert.is(d.read_u8(base + i * PAGE_SIZE + (i % 7)), shadow.get(i), `page ${i} after the migration`);
          const v = (shadow.get(i)! + 1) & 0xff;
          d.write_u8(base + i * PAGE_SIZE + (i % 7), v);
          shadow.set(i, v);
        }
        c.run(c.queue.now_ns + 1e9);
        for (let i = 0; i < n; i++) assert.is(d.read_u8(base + i * PAGE_SIZE + (i % 7)), shadow.get(i), `page ${i} at the end`);
        assert.ok(gather_figures(c, d.task.pid).pushed_pages > 0, 'the push ran');
        d.exec({ kind: 'sys', nr: 1, args: [0] });
        c.run();
        assert.is(audit_of(c).verdict(d.task.pid).lost, 0);
        for (const nd of c.nodes) assert.is(frames_left(c, nd.id), 0, `${nd.name} leaked frames`);
      },
    ),
    { numRuns: 25 },
  );
});

test.run();
