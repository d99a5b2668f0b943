// RandomAccess's generator: HPCC_starts jumps agree with stepping the
// recurrence, and the hot loop's 32-bit halves agree with 64-bit BigInt steps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { hpcc_starts, join64, ra_step_big, split64, stream_starts } from '../../userland/hpcc/ra_rng.ts';
import { RA_STREAMS, ra_list_exact, ra_list_fast, ra_replay } from '../../userland/hpcc/randomaccess.ts';

test('HPCC_starts(0) = 1 and HPCC_starts(1) = 2', () => {
  assert.is(hpcc_starts(0), 1n);
  assert.is(hpcc_starts(1), 2n);
});

test('jumps equal stepping the recurrence from 1', () => {
  const want = new Map<number, bigint>();
  let v = 1n;
  const at = new Set([2, 63, 64, 65, 127, 1000, 4097, 20000]);
  for (let k = 1; k <= 20000; k++) {
    v = ra_step_big(v);
    if (at.has(k)) want.set(k, v);
  }
  for (const [k, w] of want) assert.is(hpcc_starts(k), w, `starts(${k})`);
  // The first step that wraps the top bit feeds POLY back in.
  assert.is(hpcc_starts(64), 7n, 'x^64 = x^2 + x + 1 mod p');
});

test('a jump of a + b is a jump of a then b steps (property)', () => {
  check(
    fc.property(fc.integer({ min: 0, max: 1 << 30 }), fc.integer({ min: 0, max: 200 }), (a, b) => {
      let v = hpcc_starts(a);
      for (let i = 0; i < b; i++) v = ra_step_big(v);
      assert.is(hpcc_starts(a + b), v);
    }),
    { numRuns: 50 },
  );
});

test('32-bit halves step like 64-bit values (property)', () => {
  check(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
      const [h, l] = split64(v);
      const nl = (l << 1) ^ (h < 0 ? 7 : 0);
      const nh = (h << 1) | (l >>> 31);
      assert.is(join64(nh, nl), ra_step_big(v));
    }),
    { numRuns: 500 },
  );
});

test('the 128 streams start where HPCC_starts puts them', () => {
  // Table of 2^7 words: 512 updates, 4 per stream; stream j starts at starts(4 j).
  const seen: bigint[] = [];
  ra_replay(7, (_i, h, l) => seen.push(join64(h, l)));
  assert.is(seen.length, 512);
  for (const j of [0, 1, 77, 127]) assert.is(seen[j], ra_step_big(hpcc_starts(4 * j)), `stream ${j}, first update`);
});

test('property: the streams\' starts by repeated multiplication equal HPCC_starts(k j) of each', () => {
  check(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 130 }), (k, count) => {
      const hi = new Int32Array(count);
      const lo = new Int32Array(count);
      stream_starts(k, hi, lo);
      for (let j = 0; j < count; j++) assert.equal([hi[j], lo[j]], split64(hpcc_starts(BigInt(k) * BigInt(j))), `stream ${j} of k = ${k}`);
    }),
    { numRuns: 20 },
  );
});

test('property: fast mode\'s update listing gives the references, times and stream states the obvious one does', () => {
  check(
    fc.property(
      fc.integer({ min: 1, max: 0xbffff }), // the table's first page
      fc.integer({ min: 7, max: 27 }), // log2 of its words
      fc.integer({ min: 1, max: 16 }), // rounds
      fc.integer({ min: 0, max: 64 }), // where in the batch the step starts
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.array(fc.integer(), { minLength: 2 * RA_STREAMS, maxLength: 2 * RA_STREAMS }),
      (page, log2, rounds, first, ns, state) => {
        const T = page * 4096;
        const mask = 2 ** log2 - 1;
        const n = first + rounds * RA_STREAMS;
        const run = (fast: boolean) => {
          const hi = Int32Array.from(state.slice(0, RA_STREAMS));
          const lo = Int32Array.from(state.slice(RA_STREAMS));
          const refs = new Uint32Array(n);
          const pre = new Float64Array(n);
          if (fast) ra_list_fast(refs, pre, first, T, mask, hi, lo, rounds, ns);
          else ra_list_exact(refs, pre, first, T, mask, hi, lo, rounds, ns, new Int32Array(3 * rounds * RA_STREAMS));
          return { refs: [...refs], pre: [...pre], hi: [...hi], lo: [...lo] };
        };
        assert.equal(run(true), run(false));
      },
    ),
    { numRuns: 60 },
  );
});

test.run();
