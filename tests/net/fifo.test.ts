// drop_front and drop_front_kept (net/fifo.ts) drop what the obvious
// version drops: a.copyWithin(0, n) and a shorter length.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { drop_front, drop_front_kept } from '../../net/fifo.ts';

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

test('property: drop_front_kept leaves in [0, len - n) what drop_front leaves of the first len entries', () => {
  check(
    fc.property(
      fc.array(fc.oneof(fc.double(), fc.integer(), fc.constant(undefined)), { maxLength: 300 }).chain((a) =>
        fc.integer({ min: 0, max: a.length }).chain((len) => fc.tuple(fc.constant(a), fc.constant(len), fc.integer({ min: 0, max: len }))),
      ),
      ([a, len, n]) => {
        const fast = [...a];
        const obvious = a.slice(0, len);
        drop_front_kept(fast, n, len);
        drop_front(obvious, n);
        assert.is(fast.length, a.length, 'the array keeps its length');
        assert.equal(fast.slice(0, len - n), obvious);
      },
    ),
  );
});

test.run();
