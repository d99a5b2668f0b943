// AMPoM: the paper's worked examples exactly, and its properties.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { AmpomCore, Ampom, MAX_ZONE } from '../../mm/ampom.ts';

function window_of(w: number[], l = w.length): AmpomCore {
  const c = new AmpomCore({ l, d_max: Math.min(4, l - 1) });
  w.forEach((v, i) => c.record(v, i * 1e-3, 1));
  c.analyze_locality();
  return c;
}
const streams = (c: AmpomCore) =>
  Array.from({ length: c.m }, (_, j) => ({ pages: [c.W[c.s_p[j]!]!, c.W[c.s_p[j]! + c.s_d[j]!]!], d: c.s_d[j]!, pivot: c.s_pivot[j]! }));

test('§3.1: {1,99,2,45,3,78,4} has stride_2 = 4 (l = 7)', () => {
  const c = window_of([1, 99, 2, 45, 3, 78, 4]);
  assert.is(c.stride[2], 4);
  assert.is(c.stride[1], 0);
});

test('§3.2: {10,99,11,34,12,85} has stride_2 = 3 and S = 0.25', () => {
  const c = window_of([10, 99, 11, 34, 12, 85]);
  assert.is(c.stride[2], 3);
  assert.equal([c.stride[1], c.stride[3], c.stride[4]], [0, 0, 0]);
  assert.is(c.score, 0.25);
});

test('§3.2: a sequential stream has S = 1', () => {
  assert.is(window_of(Array.from({ length: 20 }, (_, i) => 100 + i)).score, 1);
});

test('§3.4: l = 10, {13,27,7,8,14,8,3,15,4,5}: outstanding {14,15} d=3, {3,4} d=2, {4,5} d=1; pivots 16, 5, 6; {7,8} is not', () => {
  const c = window_of([13, 27, 7, 8, 14, 8, 3, 15, 4, 5], 10);
  const s = streams(c);
  assert.equal(s, [
    { pages: [14, 15], d: 3, pivot: 16 },
    { pages: [3, 4], d: 2, pivot: 5 },
    { pages: [4, 5], d: 1, pivot: 6 },
  ]);
  assert.not.ok(s.some((x) => x.pages[0] === 7));
});

test('consecutive repeats of a page count once; the window slides at l', () => {
  const c = new AmpomCore({ l: 4, d_max: 2 });
  for (const v of [5, 5, 6, 6, 6, 7, 8, 9]) c.record(v, 0, 1);
  assert.is(c.count, 4);
  assert.equal([...c.W], [6, 7, 8, 9]);
});

test('zone size: Eq. 3 by hand; a window of one fault, equal times, or c = 0', () => {
  const c = new AmpomCore({ l: 4, d_max: 2 });
  [1, 2, 3, 4].forEach((v, i) => c.record(v, i * 0.001, [0.5, 0.5, 0.5, 1][i]!));
  c.analyze_locality();
  // r = 4 / 0.003; c = 0.625; c' = 1; t = 2*0.0001 + 0.0003 + 1/r; S = 1
  const r = 4 / 0.003;
  const want = (1 / 0.625) * 1 * r * (2 * 0.0001 + 0.0003 + 1 / r);
  assert.ok(Math.abs(c.zone_size(0.0001, 0.0003) - want) < 1e-9);
  const one = new AmpomCore({ l: 4, d_max: 2 });
  one.record(9, 1, 1);
  one.analyze_locality();
  assert.is(one.zone_size(0.001, 0.001), 0, 'no rate yet');
  const same = new AmpomCore({ l: 4, d_max: 2 });
  [1, 2].forEach((v) => same.record(v, 5, 1));
  same.analyze_locality();
  assert.is(same.zone_size(0.001, 0.001), 0, 'T_l = T_1: no rate');
  const idle = new AmpomCore({ l: 4, d_max: 2 });
  [1, 2, 3].forEach((v, i) => idle.record(v, i, 0));
  idle.analyze_locality();
  const r3 = 3 / 2;
  assert.ok(Math.abs(idle.zone_size(0, 0) - r3 * (1 / r3)) < 1e-12, 'c = 0 takes c\'/c = 1');
});

test('zone: N/m pages after each pivot; a page claimed twice frees quota for the next', () => {
  const c = window_of([13, 27, 7, 8, 14, 8, 3, 15, 4, 5], 10);
  const out = new Int32Array(64);
  // m = 3, N = 9: 3 pages per stream, most recent first: {4,5}->6,7,8;
  // {3,4}->5, then 6,7,8 are claimed: 9, 10; {14,15}->16,17,18.
  const n = c.pick_zone(9, () => true, out);
  assert.equal([...out.subarray(0, n)], [6, 7, 8, 5, 9, 10, 16, 17, 18]);
  const none = window_of([50, 10, 70, 30], 4);
  assert.is(none.m, 0);
  const k = none.pick_zone(3, () => true, out);
  assert.equal([...out.subarray(0, k)], [31, 32, 33], 'no stream: the N pages after r_l');
});

const faultSeq = fc.array(fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(-1)), { minLength: 1, maxLength: 60 }).map((xs) => {
  // -1 continues the previous page + 1, so streams appear often.
  const out: number[] = [];
  for (const x of xs) out.push(x < 0 ? (out.at(-1) ?? 0) + 1 : x);
  return out;
});

test('property: 0 <= S <= 1; the zone is at most round(N) <= ceil(N) pages, never the faulting, a local or an in-flight page; same inputs, same zone', () => {
  check(
    fc.property(faultSeq, fc.array(fc.integer({ min: 0, max: 80 })), fc.double({ min: 0, max: 0.01, noNaN: true }), (seq, busy, t0) => {
      const local = new Set(busy);
      const run = (): number[] => {
        const a = new Ampom({ l: 20, d_max: 4 });
        const out = new Int32Array(MAX_ZONE);
        let last: number[] = [];
        seq.forEach((vpn, i) => {
          const n = a.on_fault({ now_ns: i * 1e5, vpn, cpu_util: 0.5 + (i % 3) / 10, t0_ns: t0 * 1e9, td_ns: 3.5e5, wanted: (v) => !local.has(v) }, out);
          const zone = [...out.subarray(0, n)];
          const S = a.core.score;
          assert.ok(S >= 0 && S <= 1, `S = ${S}`);
          assert.ok(n <= Math.ceil(a.core.N), `zone ${n} > ceil(N) = ${Math.ceil(a.core.N)}`);
          assert.not.ok(zone.includes(vpn), 'zone holds the faulting page');
          assert.not.ok(zone.some((v) => local.has(v)), 'zone holds a local page');
          assert.is(new Set(zone).size, zone.length, 'zone repeats a page');
          last = zone;
        });
        return last;
      };
      assert.equal(run(), run());
    }),
  );
});

/**
 * Step 4's page-at-a-time walk, as the paper reads: from each stream's pivot,
 * each page in turn looked at against every run claimed before. The zone is
 * cut a block at a time in mm/ampom.ts; it must pick the same pages and
 * count the same steps (the analysis's CPU cost).
 */
function pick_zone_reference(c: AmpomCore, N: number, wanted: (v: number) => boolean, out: Int32Array): { n: number; ops: number } {
  const total = Math.min(MAX_ZONE, Math.round(N));
  if (total <= 0) return { n: 0, ops: 0 };
  let n = 0;
  let ops = 0;
  if (c.m === 0) {
    const last = c.W[c.count - 1]!;
    for (let i = 1; i <= total; i++) if (n < out.length && wanted(last + i)) out[n++] = last + i;
    return { n, ops: total };
  }
  const lo_of: number[] = [];
  const hi_of: number[] = [];
  const base = Math.floor(total / c.m);
  let extra = total - base * c.m;
  for (let j = c.m - 1; j >= 0; j--) {
    let quota = base + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    const lo = c.s_pivot[j]!;
    let vpn = lo;
    for (; quota > 0; vpn++) {
      let seen = false;
      for (let i = 0; i < lo_of.length && !seen; i++) seen = vpn >= lo_of[i]! && vpn < hi_of[i]!;
      ops += lo_of.length + 1;
      if (seen) continue;
      quota--;
      if (n < out.length && wanted(vpn)) out[n++] = vpn;
    }
    lo_of.push(lo);
    hi_of.push(vpn);
  }
  return { n, ops };
}

test('property: the zone cut a block at a time is the page-at-a-time walk\'s, pages and steps, for any window, N and output size', () => {
  check(
    fc.property(faultSeq, fc.integer({ min: 0, max: 1100 }), fc.array(fc.integer({ min: 0, max: 120 })), fc.integer({ min: 1, max: MAX_ZONE }), (seq, N, busy, cap) => {
      const local = new Set(busy);
      const wanted = (v: number): boolean => !local.has(v);
      const c = new AmpomCore({ l: 20, d_max: 4 });
      seq.forEach((vpn, i) => c.record(vpn, i * 1e-4, 0.5));
      c.analyze_locality();
      const want = new Int32Array(cap);
      const ref = pick_zone_reference(c, N, wanted, want);
      const got = new Int32Array(cap);
      const ops0 = c.ops;
      const n = c.pick_zone(N, wanted, got);
      assert.is(n, ref.n);
      assert.equal([...got.subarray(0, n)], [...want.subarray(0, ref.n)]);
      assert.is(c.ops - ops0, ref.ops);
    }),
  );
});

test('property: N grows with S, r and t as Eq. 3 says', () => {
  check(
    fc.property(fc.double({ min: 1e-4, max: 1e-2, noNaN: true }), fc.double({ min: 1e-5, max: 1e-2, noNaN: true }), fc.double({ min: 1e-5, max: 1e-2, noNaN: true }), (gap, t0, td) => {
      const mk = (seq: number[], g: number) => {
        const c = new AmpomCore({ l: 8, d_max: 4 });
        seq.forEach((v, i) => c.record(v, i * g, 1));
        c.analyze_locality();
        return c;
      };
      const seqS = [1, 2, 3, 4, 5, 6, 7, 8];
      const halfS = [1, 50, 2, 60, 3, 70, 4, 80];
      const a = mk(seqS, gap).zone_size(t0, td);
      assert.ok(mk(halfS, gap).zone_size(t0, td) <= a + 1e-9, 'less locality, fewer pages');
      assert.ok(mk(seqS, gap / 2).zone_size(t0, td) >= a - 1e-9, 'faster paging, more pages');
      assert.ok(mk(seqS, gap).zone_size(t0 * 2, td) >= a - 1e-9, 'longer latency, more pages');
      assert.ok(mk(seqS, gap).zone_size(t0, td * 2) >= a - 1e-9, 'slower transfer, more pages');
    }),
  );
});

test.run();
