// drop_front (net/fifo.ts) drops what the obvious version drops:
// a.copyWithin(0, n) and a shorter length.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { drop_front } from '../../net/fifo.ts';

test('property: drop_front leaves what copyWithin and a shorter length leave', () => {
  check(
    fc.property(fc.array(fc.oneof(fc.double(), fc.integer(), fc.constant(undefined)), { maxLength: 300 }).chain((a) => fc.tuple(fc.constant(a), fc.integer({ min: 0, max: a.length }))), ([a, n]) => {
      const fast = [...a];
      const obvious = [...a];
      drop_front(fast, n);
      obvious.copyWithin(0, n);
      obvious.length -= n;
      assert.equal(fast, obvious);
    }),
  );
});

test.run();
