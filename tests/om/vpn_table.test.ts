// The page-indexed collections (om/vpn_table.ts) answer as the obvious
// versions, a Map from page numbers to numbers and a Set of page numbers,
// do: every get, has, add, delete and size, and the same keys at the end
// (ascending, where the Map and the Set keep the order they were set in).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { VpnSet, VpnTable } from '../../om/vpn_table.ts';

type Op = { op: 'set'; vpn: number; x: number } | { op: 'get' | 'has' | 'delete'; vpn: number } | { op: 'clear' };

// Page numbers near each other (a block's worth and its neighbours), anywhere below 2^20, and a few that are no page number.
const vpn = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: (1 << 20) - 1 }));
const odd = fc.oneof(vpn, fc.constantFrom(-1, -1024, 0.5, 1023.5, 2 ** 31, 2 ** 32 + 5, NaN));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), vpn, x: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.double({ min: 0, max: 1e12, noNaN: true })) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const, 'delete' as const), vpn: odd }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

test('property: VpnTable answers every get, has, delete and size as a Map does, and holds the same keys', () => {
  check(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const fast = new VpnTable();
      const obvious = new Map<number, number>();
      for (const o of ops) {
        switch (o.op) {
          case 'set': fast.set(o.vpn, o.x); obvious.set(o.vpn, o.x); break;
          case 'get': assert.is(fast.get(o.vpn), obvious.get(o.vpn)); break;
          case 'has': assert.is(fast.has(o.vpn), obvious.has(o.vpn)); break;
          case 'delete': assert.is(fast.delete(o.vpn), obvious.delete(o.vpn)); break;
          case 'clear': fast.clear(); obvious.clear(); break;
        }
        assert.is(fast.size, obvious.size);
      }
      assert.equal([...fast], [...obvious.keys()].sort((a, b) => a - b));
      assert.equal(fast.keys().next().value, obvious.size > 0 ? Math.min(...obvious.keys()) : undefined);
    }),
  );
});

test('VpnTable refuses what is no page number or no entry', () => {
  const t = new VpnTable();
  for (const v of [-1, 0.5, 2 ** 31, NaN]) assert.throws(() => t.set(v, 1), /page number/);
  for (const x of [-1, NaN]) assert.throws(() => t.set(1, x), /entry/);
  assert.is(t.size, 0);
});

type SetOp = { op: 'add'; vpn: number } | { op: 'has' | 'delete'; vpn: number } | { op: 'clear' };
const set_op: fc.Arbitrary<SetOp> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), vpn }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('has' as const, 'delete' as const), vpn: odd }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

test('property: VpnSet answers every has, add, delete and size as a Set does, and holds the same pages', () => {
  check(
    fc.property(fc.array(set_op, { maxLength: 400 }), (ops) => {
      const fast = new VpnSet();
      const obvious = new Set<number>();
      for (const o of ops) {
        switch (o.op) {
          case 'add': assert.is(fast.add(o.vpn), fast); obvious.add(o.vpn); break;
          case 'has': assert.is(fast.has(o.vpn), obvious.has(o.vpn)); break;
          case 'delete': assert.is(fast.delete(o.vpn), obvious.delete(o.vpn)); break;
          case 'clear': fast.clear(); obvious.clear(); break;
        }
        assert.is(fast.size, obvious.size);
      }
      assert.equal([...fast], [...obvious].sort((a, b) => a - b));
    }),
  );
});

test('VpnSet refuses what is no page number', () => {
  const s = new VpnSet();
  for (const v of [-1, 0.5, 2 ** 31, NaN]) assert.throws(() => s.add(v), /page number/);
  assert.is(s.size, 0);
});

test.run();
