// linux-ra, vma-ra and leap: worked examples computed by hand from the
// sources' rules (one per rule), and their properties.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { LinuxRa, WALK_HOLE, WALK_VMA_END } from '../../mm/linux_ra.ts';
import { __swapin_nr_pages, VmaRa, PLACE_BACKWARD, PLACE_CENTRED, PLACE_FORWARD } from '../../mm/vma_ra.ts';
import { Leap, LEAP_FALLBACK, LEAP_TREND } from '../../mm/leap.ts';
import { make_prefetcher, type PrefetchCtx, type Prefetcher } from '../../mm/prefetch.ts';
import '../../mm/ampom.ts';
import { FakeSpace, fault, type Vma } from './fake_space.ts';

const SCHEMES = ['linux-ra', 'vma-ra', 'leap'] as const;

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

// ---- linux-ra: valid_swaphandles ----

test('linux-ra: the aligned cluster of 8 that holds the fault (offset 13 -> base 8)', () => {
  const ra = new LinuxRa();
  const vma = { start: 1000, end: 1100 };
  assert.equal(fault(ra, 1013, { vma }), [1008, 1009, 1010, 1011, 1012, 1014, 1015]);
  assert.is(ra.offset, 13);
  assert.is(ra.base, 8);
  assert.is(ra.valid, 8);
});

test('linux-ra: a page that never existed stops the walk, even before the fault', () => {
  const ra = new LinuxRa();
  const vma = { start: 1000, end: 1100 };
  assert.equal(fault(ra, 1013, { vma, holes: [1010] }), [1008, 1009]);
  assert.is(ra.stop_vpn, 1010);
  assert.is(ra.stop_reason, WALK_HOLE);
  assert.is(ra.valid, 2);
});

test('linux-ra: the end of the VMA stops the walk; a local page is walked past, not requested', () => {
  const ra = new LinuxRa();
  assert.equal(fault(ra, 1010, { vma: { start: 1000, end: 1012 }, local: [1009] }), [1008, 1011]);
  assert.is(ra.stop_vpn, 1012);
  assert.is(ra.stop_reason, WALK_VMA_END);
});

test('linux-ra: alignment is to the VMA start (offset = position in the VMA)', () => {
  const ra = new LinuxRa();
  assert.equal(fault(ra, 1005, { vma: { start: 1003, end: 1100 } }), [1003, 1004, 1006, 1007, 1008, 1009, 1010]);
});

test('linux-ra: a swap-cache hit reads nothing ahead, and counts once', () => {
  const ra = new LinuxRa();
  assert.equal(fault(ra, 1013, { vma: { start: 1000, end: 1100 }, miss: false, hit: true }), []);
  assert.is(ra.ra_hits, 1);
  assert.not.ok(ra.ran);
});

// ---- vma-ra: __swapin_nr_pages, swap_vma_ra_win ----

test('__swapin_nr_pages: hits + 2, 2 only when adjacent else 1, round up to >= 4, cap, at least half the last', () => {
  assert.is(__swapin_nr_pages(10, 11, 0, 8, 0), 2, 'no hits, adjacent');
  assert.is(__swapin_nr_pages(10, 9, 0, 8, 0), 2, 'no hits, adjacent backward');
  assert.is(__swapin_nr_pages(10, 50, 0, 8, 0), 1, 'no hits, not adjacent');
  assert.is(__swapin_nr_pages(10, 50, 1, 8, 0), 4, '3 -> 4');
  assert.is(__swapin_nr_pages(10, 50, 3, 8, 0), 8, '5 -> 8');
  assert.is(__swapin_nr_pages(10, 50, 30, 8, 0), 8, 'capped');
  assert.is(__swapin_nr_pages(10, 50, 0, 8, 8), 4, 'never below half the last window');
  assert.is(__swapin_nr_pages(10, 50, 0, 8, 0, false), 4, "Leap: no drop to 1, so at least 4");
});

test('vma-ra: a new VMA starts with 4 hits (GET_SWAP_RA_VAL), so its first window is 8, centred', () => {
  const ra = new VmaRa();
  const vma = { start: 0, end: 4096 };
  assert.equal(fault(ra, 100, { vma }), [97, 98, 99, 101, 102, 103, 104]);
  assert.is(ra.last_win, 8);
  assert.is(ra.placement, PLACE_CENTRED);
  assert.equal(ra.state(0), { prev: 100, win: 8, hits: 0 });
});

test('vma-ra: window 4 grows to 8 with 3 hits; forward after a +1 fault', () => {
  const ra = new VmaRa();
  const vma = { start: 0, end: 4096 };
  fault(ra, 100, { vma }); // win 8
  // No hits, not adjacent: 1, but never below 8 / 2: window 4, centred at 500.
  assert.equal(fault(ra, 500, { vma }), [499, 501, 502]);
  assert.is(ra.last_win, 4);
  for (const v of [499, 501, 502]) assert.equal(fault(ra, v, { vma, miss: false, hit: true }), []);
  assert.equal(ra.state(0), { prev: 502, win: 4, hits: 3 });
  // 3 hits: 5 -> 8; the fault follows 502: forward from 503.
  assert.equal(fault(ra, 503, { vma }), range(504, 511));
  assert.is(ra.last_win, 8);
  assert.is(ra.placement, PLACE_FORWARD);
});

test('vma-ra: backward after a -1 fault', () => {
  const ra = new VmaRa();
  const vma = { start: 0, end: 4096 };
  fault(ra, 300, { vma }); // 297..304
  for (const v of [299, 298, 297]) fault(ra, v, { vma, miss: false, hit: true });
  // prev 297 = 296 + 1: the window of 8 ends at 296.
  assert.equal(fault(ra, 296, { vma }), range(289, 296));
  assert.is(ra.placement, PLACE_BACKWARD);
});

test('vma-ra: centred placement clamped at the VMA start and at the page-table page', () => {
  const ra = new VmaRa();
  assert.equal(fault(ra, 1001, { vma: { start: 1000, end: 1100 } }), [1000, 1002, 1003, 1004, 1005]);
  assert.is(ra.left, 998);
  assert.is(ra.start, 1000);
  const rb = new VmaRa();
  assert.equal(fault(rb, 1025, { vma: { start: 0, end: 4096 } }), [1024, 1026, 1027, 1028, 1029], 'the PMD of 1025 starts at 1024');
});

test('vma-ra: the window shrinks by halves, down to 1 page (no readahead)', () => {
  const ra = new VmaRa();
  const vma = { start: 0, end: 4096 };
  fault(ra, 100, { vma }); // 8
  assert.equal(fault(ra, 500, { vma }).length, 3); // 4
  assert.equal(fault(ra, 900, { vma }), [901]); // 2, centred: (2 - 1) / 2 = 0 before
  assert.equal(fault(ra, 1500, { vma }), []); // 1
  assert.is(ra.last_win, 1);
});

test('vma-ra: holes inside the window are skipped, not a stop; the state is per VMA', () => {
  const ra = new VmaRa();
  assert.equal(fault(ra, 100, { vma: { start: 0, end: 200 }, holes: [98], local: [102] }), [97, 99, 101, 103, 104]);
  // Another VMA has its own (fresh) state: 8 again.
  assert.equal(fault(ra, 600, { vma: { start: 500, end: 700 } }).length, 7);
  assert.equal(ra.state(0).prev, 100);
});

test('vma-ra: hits cap at SWAP_RA_HITS_MAX (63)', () => {
  const ra = new VmaRa();
  const vma = { start: 0, end: 4096 };
  for (let i = 0; i < 100; i++) fault(ra, i, { vma, miss: false, hit: true });
  assert.is(ra.state(0).hits, 63);
  assert.is(ra.ra_hits, 100);
});

// ---- leap: find_trend, the window, the fallback ----

/** Faults (all misses) at pages from a start and a list of deltas. */
function leap_run(deltas: number[], start: number, vma: Vma): { leap: Leap; zone: number[]; last: number } {
  const leap = new Leap();
  let v = start;
  let zone = fault(leap, v, { vma });
  for (const d of deltas) {
    v += d;
    zone = fault(leap, v, { vma });
  }
  return { leap, zone, last: v };
}

test('leap: a majority found in the newest 16 deltas but not in the newest 8', () => {
  // Oldest first: eight +1, then +1, +50, +1, -70, +1, +33, +1, +7.
  // Newest 8: +1 four times: 4 > 4 is false. Newest 16: +1 twelve times > 8.
  const deltas = [1, 1, 1, 1, 1, 1, 1, 1, 1, 50, 1, -70, 1, 33, 1, 7];
  const { leap, zone, last } = leap_run(deltas, 2000, { start: 0, end: 8192 });
  assert.is(leap.mode, LEAP_TREND);
  assert.is(leap.major_delta, 1);
  assert.is(leap.depth, 16);
  assert.is(leap.major_count, 12);
  // Window: 8 at the first miss (4 hits + 2 -> 8), then 4 (no hits, half of 8).
  assert.is(leap.win, 4);
  assert.equal(zone, [last + 1, last + 2, last + 3]);
});

test('leap: the same deltas cut to the newest 8 have no majority: fallback', () => {
  const { leap } = leap_run([1, 50, 1, -70, 1, 33, 1, 7], 2000, { start: 0, end: 8192 });
  assert.is(leap.mode, LEAP_FALLBACK);
  assert.is(leap.major_count, 4);
  assert.is(leap.depth, 8);
});

test('leap: a stride trend prefetches offset + k delta; the VMA edge stops it', () => {
  const { zone, last } = leap_run([-3, -3, -3], 3000, { start: 0, end: 8192 });
  assert.equal(zone, [last - 3, last - 6, last - 9]);
  const cut = leap_run([5, 5, 5], 100, { start: 0, end: 125 });
  assert.is(cut.last, 115);
  assert.equal(cut.zone, [120], '125 is past the VMA');
});

test('leap: no majority -> the aligned readahead of the window (holes skipped)', () => {
  // 1000, 1100, 1050, 1230, 1201: deltas 100, -50, 180, -29, no majority.
  const vma = { start: 1000, end: 2000 };
  const leap = new Leap();
  const pages = [1000, 1100, 1050, 1230];
  for (const v of pages) fault(leap, v, { vma });
  // Offset 201 in a window of 4: block 200..203 of the VMA.
  assert.equal(fault(leap, 1201, { vma, holes: [1202] }), [1200, 1203]);
  assert.is(leap.mode, LEAP_FALLBACK);
  assert.is(leap.win, 4);
  assert.is(leap.base, 1200);
});

test('leap: hits widen the window (3 hits -> 8), and a hit runs no readahead', () => {
  const vma = { start: 0, end: 8192 };
  const leap = new Leap();
  fault(leap, 100, { vma }); // window 8 (4 initial hits)
  fault(leap, 300, { vma }); // window 4
  for (const v of [301, 302, 303]) assert.equal(fault(leap, v, { vma, miss: false, hit: true }), []);
  // Deltas 200, 1, 1, 1, 1: +1 is the majority of the newest 5.
  assert.equal(fault(leap, 304, { vma }), range(305, 312));
  assert.is(leap.win, 8);
  assert.is(leap.win_hits, 3);
});

test('leap: the first fault has no history: readahead of the aligned 8', () => {
  const leap = new Leap();
  assert.equal(fault(leap, 1013, { vma: { start: 1000, end: 1100 } }), [1008, 1009, 1010, 1011, 1012, 1014, 1015]);
  assert.is(leap.mode, LEAP_FALLBACK);
  assert.is(leap.count, 0);
});

test('leap: the history keeps the newest 32 deltas', () => {
  const leap = new Leap();
  const vma = { start: 0, end: 1 << 20 };
  for (let i = 0; i < 50; i++) fault(leap, 1000 + i * (i < 10 ? 7 : 3), { vma, miss: false });
  assert.is(leap.count, 32);
  for (let i = 0; i < 32; i++) assert.is(leap.delta(i), 3);
});

// ---- every scheme ----

test('registry: the three are registered under their scheme names, and refuse a fault path without the VMA', () => {
  for (const s of SCHEMES) {
    const pf = make_prefetcher(s);
    assert.is(pf.name, s);
    assert.is(pf.install, 'on-touch');
    assert.is(pf.max_zone, 7);
    assert.throws(() => pf.on_fault({ now_ns: 0, vpn: 1, cpu_util: 1, t0_ns: 0, td_ns: 0, wanted: () => true }, new Int32Array(8)), /vma_start/);
  }
  assert.is(make_prefetcher('ampom').install, undefined, "AMPoM keeps Algorithm 1's install at the next fault");
});

test('analysis cost: every fault costs ops, a miss more than a hit', () => {
  for (const s of SCHEMES) {
    const pf = make_prefetcher(s);
    const vma = { start: 0, end: 4096 };
    fault(pf, 100, { vma, miss: false, hit: true });
    const hit_ops = pf.analysis_ops;
    fault(pf, 200, { vma });
    assert.ok(hit_ops > 0, `${s}: a hit costs something`);
    assert.ok(pf.analysis_ops - hit_ops > hit_ops, `${s}: a miss costs more (${pf.analysis_ops - hit_ops} vs ${hit_ops})`);
  }
});

/** A random address space: VMAs with some pages never existing and some local, and touches inside them. */
const space_arb = fc
  .record({
    vmas: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 40 }), len: fc.integer({ min: 1, max: 300 }) }), { minLength: 1, maxLength: 3 }),
    base: fc.integer({ min: 0, max: 3000 }),
    seed: fc.integer(),
    holes: fc.double({ min: 0, max: 0.3, noNaN: true }),
    locals: fc.double({ min: 0, max: 0.3, noNaN: true }),
    touches: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -3, max: 3 }), fc.boolean()), { minLength: 1, maxLength: 300 }),
  })
  .map((p) => {
    const vmas: Vma[] = [];
    let at = p.base;
    for (const r of p.vmas) {
      at += r.gap;
      vmas.push({ start: at, end: at + r.len });
      at += r.len;
    }
    return { ...p, vmas };
  });

test('property: zones hold only wanted pages of the faulting VMA, never the fault, never more than 7', () => {
  check(
    fc.property(fc.constantFrom(...SCHEMES), space_arb, (scheme, p) => {
      const sp = new FakeSpace(p.vmas);
      let x = p.seed >>> 0;
      const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
      for (const a of p.vmas) {
        for (let v = a.start; v < a.end; v++) {
          const r = rnd();
          if (r < p.holes) continue;
          if (r < p.holes + p.locals) sp.local.add(v);
          else sp.remote.add(v);
        }
      }
      const pf = make_prefetcher(scheme);
      // Touches: mostly runs (a step of -3..3 from the last) with random jumps.
      let v = p.vmas[0]!.start;
      for (const [n, step, jump] of p.touches) {
        if (jump) {
          const a = p.vmas[n % p.vmas.length]!;
          v = a.start + (n % (a.end - a.start));
        } else {
          v += step;
          if (!sp.vma_of(v)) v = p.vmas[0]!.start;
        }
        sp.touch(v, pf);
      }
      assert.equal(sp.broken, [], scheme);
      assert.is(pf.ra_hits, sp.hits, `${scheme}: every first use of a prefetched page counted once`);
    }),
    { numRuns: 300 },
  );
});

test('property: a strictly sequential fault stream makes every scheme prefetch (and, 16 pages on, ask less)', () => {
  check(
    fc.property(
      fc.constantFrom(...SCHEMES),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 2, max: 200 }),
      fc.integer({ min: 0, max: 20 }),
      (scheme, start, before, len, after) => {
        const vma = { start, end: start + before + len + after };
        const sp = new FakeSpace([vma]);
        for (let v = vma.start; v < vma.end; v++) sp.remote.add(v);
        const pf = make_prefetcher(scheme);
        for (let v = start + before; v < start + before + len; v++) sp.touch(v, pf);
        assert.ok(sp.prefetched > 0, `${scheme} prefetched nothing on ${len} sequential pages`);
        if (len >= 16) assert.ok(sp.requests < len / 2, `${scheme}: ${sp.requests} requests for ${len} sequential pages`);
        assert.equal(sp.broken, []);
      },
    ),
    { numRuns: 300 },
  );
});

test('the sequential stream, by hand: requests and the pages each scheme brought', () => {
  const got: Record<string, [number, number, number]> = {};
  for (const s of SCHEMES) {
    const vma = { start: 0x10000, end: 0x10000 + 64 };
    const sp = new FakeSpace([vma]);
    for (let v = vma.start; v < vma.end; v++) sp.remote.add(v);
    const pf = make_prefetcher(s);
    for (let v = vma.start; v < vma.end; v++) sp.touch(v, pf);
    got[s] = [sp.requests, sp.prefetched, sp.wasted];
  }
  // linux-ra: one miss per aligned cluster of 8 (its first page), 7 brought each.
  assert.equal(got['linux-ra'], [8, 56, 0]);
  // vma-ra: 0 (win 8 centred, clamped at the VMA start: brings 1..4), 5 (4 hits: 8, forward: 6..12),
  // 13 (7 hits: 8, forward: 14..20), ... 61 (62, 63): 9 misses, the other 55 pages brought.
  assert.equal(got['vma-ra'], [9, 55, 0]);
  // leap: 0 (no history: aligned 8, brings 1..7); 8 (trend +1, win 8: 9..15); 16, ... 56.
  assert.equal(got['leap'], [8, 56, 0]);
});

test.run();
