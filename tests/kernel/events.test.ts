import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { ANY_NODE, EventQueue, limit_cache, OBSERVE, ON_WIRE, type EventHandle } from '../../kernel/events.ts';
import { Rng } from '../../kernel/rng.ts';

test('events run in time order, ties in insertion order', () => {
  const q = new EventQueue();
  const seen: string[] = [];
  q.at(30, () => seen.push('c'));
  q.at(10, () => seen.push('a1'));
  q.at(10, () => seen.push('a2'));
  q.at(20, () => seen.push('b'));
  q.at(10, () => seen.push('a3'));
  q.run();
  assert.equal(seen, ['a1', 'a2', 'a3', 'b', 'c']);
  assert.is(q.now_ns, 30);
});

test('an event may schedule more, at now or later; cancelled ones never run', () => {
  const q = new EventQueue();
  const seen: number[] = [];
  const h = q.at(5, () => seen.push(-1));
  q.at(1, () => {
    seen.push(q.now_ns);
    q.at(q.now_ns, () => seen.push(100));
    q.after(3, () => seen.push(q.now_ns));
  });
  h.cancel();
  q.run();
  assert.equal(seen, [1, 100, 4]);
});

test('run(until) stops at the horizon and keeps later events', () => {
  const q = new EventQueue();
  const seen: number[] = [];
  for (const t of [5, 10, 15]) q.at(t, () => seen.push(t));
  q.run(10);
  assert.equal(seen, [5, 10]);
  assert.is(q.now_ns, 10);
  assert.is(q.pending, 1);
  q.run();
  assert.equal(seen, [5, 10, 15]);
});

test('scheduling in the past, a fractional time, or skipping an event is refused', () => {
  const q = new EventQueue();
  q.at(10, () => {});
  q.run();
  assert.throws(() => q.at(5, () => {}), /past/);
  assert.throws(() => q.at(12.5, () => {}), /integer/);
  q.at(20, () => {});
  assert.throws(() => q.advance_to(25), /skip/);
  q.advance_to(20);
  assert.is(q.now_ns, 20);
});

test('property: the same seed gives the same trace; the trace is time-sorted', () => {
  check(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 200 }), (seed, n) => {
      const trace = (): string => {
        const q = new EventQueue();
        const rng = new Rng(seed);
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          const id = i;
          q.at(rng.int(0, 50), () => {
            out.push(q.now_ns, id);
            if (rng.int(0, 3) === 0) q.after(rng.int(0, 10), () => out.push(q.now_ns, -id));
          });
        }
        q.run();
        for (let i = 2; i < out.length; i += 2) if (out[i]! < out[i - 2]!) throw new Error('time went back');
        return out.join(',');
      };
      assert.is(trace(), trace());
    }),
  );
});


test('property: events run exactly in (time, scheduling order), cancelled ones skipped, as a sorted list says', () => {
  check(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean()), { maxLength: 300 }), (evs) => {
      const q = new EventQueue();
      const ran: number[] = [];
      const handles = evs.map(([t], i) => q.at(t, () => ran.push(i)));
      evs.forEach(([, cancel], i) => cancel && handles[i]!.cancel());
      q.run();
      const want = evs
        .map(([t, cancel], i) => ({ t, cancel, i }))
        .filter((e) => !e.cancel)
        .sort((a, b) => a.t - b.t || a.i - b.i)
        .map((e) => e.i);
      assert.equal(ran, want);
    }),
  );
});

test('property: limit_ns and advance_to read the same limits with the cache as read afresh, whatever is scheduled, cancelled or run', () => {
  // Ops: 0 schedule an ordinary event (of a node, the wire or every node),
  // 1 a CPU turn (with a promise), 2 cancel one, 3 run one, 4 nothing, 5
  // advance the clock as far as allowed, 6 change the lookahead; after
  // each, a node's limit is asked (twice: the second may come from the
  // cache) with the cache and without.
  const op = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: -3, max: 3 }));
  check(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const q = new EventQueue();
      q.lookahead_ns = 50;
      const hs: EventHandle[] = [];
      const limits = (node: number): [number, number] => {
        limit_cache.on = true;
        const a = q.limit_ns(node);
        const a2 = q.limit_ns(node);
        limit_cache.on = false;
        const b = q.limit_ns(node);
        limit_cache.on = true;
        assert.is(a2, a);
        return [a, b];
      };
      try {
        for (const [k, x, n] of ops) {
          const node = n === -3 ? ON_WIRE : n < 0 ? ANY_NODE : n;
          if (k === 0) hs.push(q.at(q.now_ns + (x % 200), () => {}, node));
          else if (k === 1) hs.push(q.at_cpu(q.now_ns + x, () => {}, q.now_ns + x + (x % 7) * 30, Math.max(n, 0)));
          else if (k === 2 && hs.length > 0) hs[hs.length - 1 - (x % Math.min(hs.length, 3))]!.cancel(); // the newest, likelier not run yet
          else if (k === 3) q.step();
          else if (k === 5) {
            const [a, b] = limits(node);
            assert.is(a, b);
            const t = Math.min(a - 1, q.now_ns + x);
            if (t >= q.now_ns) {
              limit_cache.on = x % 2 === 0;
              q.advance_to(t, node);
              limit_cache.on = true;
            }
          } else if (k === 6) q.lookahead_ns = x % 3 === 0 ? 0 : x;
          // After every op, as a CPU of that node would ask.
          const [a, b] = limits(node);
          assert.is(a, b);
        }
      } finally {
        limit_cache.on = true;
      }
    }),
  );
});

test('property: a CPU of a node may run to its own next event or every node\'s, or another\'s plus the lookahead, as a list of every event scheduled says', () => {
  // The reference is the definition (kernel/events.ts ordinary_limit_ns)
  // over a list of the events scheduled, not yet run nor cancelled: the
  // earliest of them plus lookahead_ns, or the earliest of the node's own
  // or every node's (ANY_NODE, OBSERVE) if sooner. Ops: 0 schedule (of a
  // node 0-3, the wire, every node or an observer), 1 cancel one, 2 run
  // one, 3 change the lookahead; after each, every node's limit is asked.
  const op = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: -4, max: 3 }));
  check(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const q = new EventQueue();
      q.lookahead_ns = 50;
      const list: { at_ns: number; node: number; h: EventHandle; gone: boolean }[] = [];
      for (const [k, x, n] of ops) {
        const node = n === -4 ? OBSERVE : n === -3 ? ON_WIRE : n < 0 ? ANY_NODE : n;
        if (k === 0) {
          const e = { at_ns: q.now_ns + (x % 300), node, h: null as unknown as EventHandle, gone: false };
          e.h = q.at(e.at_ns, () => (e.gone = true), node);
          list.push(e);
        } else if (k === 1 && list.length > 0) {
          const e = list[x % list.length]!;
          e.h.cancel();
          e.gone = true;
        } else if (k === 2) q.step();
        else if (k === 3) q.lookahead_ns = x % 4 === 0 ? 0 : x % 120;
        const live = list.filter((e) => !e.gone);
        const next = Math.min(...live.map((e) => e.at_ns));
        for (const asker of [ANY_NODE, 0, 1, 2, 3]) {
          let want = next;
          if (asker >= 0 && q.lookahead_ns > 0) {
            const mine = Math.min(...live.filter((e) => e.node === asker || e.node === ANY_NODE || e.node === OBSERVE).map((e) => e.at_ns));
            want = Math.min(next + q.lookahead_ns, mine);
          }
          // limit_ns adds only the end of the run (none here) and CPU turns (none here).
          assert.is(q.limit_ns(asker), want === Infinity ? Infinity : want, `node ${asker}`);
        }
      }
    }),
  );
});

test.run();
