// Today's far-memory prefetchers and the oracle, on small examples worked
// out by hand from their rules (the papers give no worked example of their
// own): fastswap and canvas (linux-ra's and leap's rules with demand first),
// hermit's feedback window, aifm's confirmed stride, the oracle's batches.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Aifm, AIFM_AHEAD, AIFM_CONFIRM } from '../../mm/aifm.ts';
import { Canvas } from '../../mm/canvas.ts';
import { Fastswap } from '../../mm/fastswap.ts';
import { Hermit, HERMIT_WIN0 } from '../../mm/hermit.ts';
import { Leap } from '../../mm/leap.ts';
import { LinuxRa } from '../../mm/linux_ra.ts';
import { Oracle, ORACLE_RESERVE_FRAMES } from '../../mm/oracle.ts';
import { make_prefetcher, type PrefetchCtx } from '../../mm/prefetch.ts';
import { FakeSpace, fault } from './fake_space.ts';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** Touch every page of a 64-page VMA in order; the misses, the pages brought, the wasted. */
function sequential(pf: ReturnType<typeof make_prefetcher>): [number, number, number] {
  const vma = { start: 0x10000, end: 0x10000 + 64 };
  const sp = new FakeSpace([vma]);
  for (let v = vma.start; v < vma.end; v++) sp.remote.add(v);
  for (let v = vma.start; v < vma.end; v++) sp.touch(v, pf);
  assert.equal(sp.broken, []);
  return [sp.requests, sp.prefetched, sp.wasted];
}

test('registry: each is a scheme name, demand first for fastswap, canvas and hermit only', () => {
  for (const [name, df] of [['fastswap', true], ['canvas', true], ['hermit', true], ['aifm', undefined]] as const) {
    const pf = make_prefetcher(name);
    assert.is(pf.name, name);
    assert.is(pf.demand_first, df, name);
    assert.is(pf.install, 'on-touch', name);
  }
  // Without a recording it asks for nothing ahead (NoPrefetch, which is what the recording run is).
  const blind = make_prefetcher('oracle');
  assert.is(blind.on_resume!({ now_ns: 0, vpn: -1, cpu_util: 1, t0_ns: 0, td_ns: 0, wanted: () => true }, new Int32Array(8)), 0);
  assert.is(blind.on_fault({ now_ns: 0, vpn: 5, cpu_util: 1, t0_ns: 0, td_ns: 0, wanted: () => true }, new Int32Array(8)), 0);
  assert.is(make_prefetcher('oracle', { future_refs: Int32Array.of(1) }).name, 'oracle');
});

test('fastswap: linux-ra\'s cluster (offset 13 -> the aligned 8 from 8), canvas: leap\'s trend; only demand first differs', () => {
  const vma = { start: 1000, end: 1100 };
  assert.equal(fault(new Fastswap(), 1013, { vma }), fault(new LinuxRa(), 1013, { vma }));
  assert.equal(fault(new Fastswap(), 1013, { vma }), [1008, 1009, 1010, 1011, 1012, 1014, 1015]);
  // The sequential stream: one miss per aligned cluster (linux-ra) and per trend window of 8 (leap).
  assert.equal(sequential(new Fastswap()), [8, 56, 0]);
  assert.equal(sequential(new Canvas()), [8, 56, 0]);
  assert.equal(sequential(new Canvas()), sequential(new Leap()));
});

test('hermit: on a sequential stream the window doubles while every prefetched page is used (4, 8, 16, 32)', () => {
  const h = new Hermit();
  assert.is(h.window, HERMIT_WIN0);
  // 0: no history, the aligned block of 5 (window 4 + the fault): 1..4.
  // 5: 4 used of 4 -> 8; trend +1: 6..13. 14: 8 of 8 -> 16: 15..30. 31: 16 of 16 -> 32: 32..63.
  assert.equal(sequential(h), [4, 60, 0]);
  assert.is(h.window, 32);
});

test('hermit: unused prefetches halve the window (4 -> 2 -> 2 -> 1), and a hit prefetches nothing', () => {
  const h = new Hermit();
  const vma = { start: 0, end: 1000 };
  assert.equal(fault(h, 0, { vma }), [1, 2, 3, 4]); // no history: aligned block of 5
  // 500: none of the 4 used -> 2; one delta (+500) is a trend of one, whose next page (1000) is past the VMA.
  assert.equal(fault(h, 500, { vma }), []);
  assert.is(h.window, 2);
  // 123: nothing issued last time, so no feedback; deltas +500, -377: no majority; aligned block of 3 at 123.
  assert.equal(fault(h, 123, { vma }), [124, 125]);
  assert.is(h.window, 2);
  // 877: none of the 2 used -> 1; no majority: aligned block of 2 at 876.
  assert.equal(fault(h, 877, { vma }), [876]);
  assert.is(h.window, 1);
  assert.equal(fault(h, 124, { vma, miss: false, hit: true }), []);
});

test(`aifm: nothing until ${AIFM_CONFIRM} consecutive equal strides, then ${AIFM_AHEAD} ahead, topped up at each hit`, () => {
  const a = new Aifm();
  const vma = { start: 0, end: 100 };
  for (let v = 0; v < AIFM_CONFIRM; v++) assert.equal(fault(a, v, { vma }), [], `fault ${v}`);
  assert.equal(fault(a, 8, { vma }), range(9, 17));
  // A hit on 9 keeps the stride: 10..17 (the pages already asked for are not wanted again).
  assert.equal(fault(a, 9, { vma, miss: false, hit: true, local: range(10, 17) }), [17]);
  // Off the stride once: it starts over.
  assert.equal(fault(a, 50, { vma }), []);
  assert.is(a.run, 1);
  // The sequential stream: 0..8 are misses, the other 55 pages come ahead.
  assert.equal(sequential(new Aifm()), [9, 55, 0]);
});

test('aifm: two interleaved streams (STREAM\'s arrays) never confirm a stride, where leap finds none either but falls back', () => {
  const a = new Aifm();
  const vma = { start: 0, end: 4096 };
  for (let i = 0; i < 40; i++) {
    assert.equal(fault(a, i, { vma }), []);
    assert.equal(fault(a, 2000 + i, { vma }), []);
  }
});

test('oracle: batches of 1, 2, 4 in tape order, skipping what is not wanted, within the free frames', () => {
  const tape = Int32Array.of(10, 11, 40, 12, 41, 13, 42, 14);
  const o = new Oracle(tape);
  const asked: number[] = [];
  const ctx = (vpn: number, free: number): PrefetchCtx => ({
    now_ns: 0, vpn, cpu_util: 1, t0_ns: 0, td_ns: 0, wanted: (v) => v !== 40 && !asked.includes(v), free_frames: free,
  });
  const out = new Int32Array(4096);
  const batches: number[][] = [];
  // Room for 4 pages: 10, then 11 and 12 (40 is not wanted), then 41 (the fourth), then none.
  for (;;) {
    const n = o.on_resume(ctx(-1, ORACLE_RESERVE_FRAMES + 4 - asked.length), out);
    if (n === 0) break;
    batches.push([...out.subarray(0, n)]);
    asked.push(...out.subarray(0, n));
  }
  assert.equal(batches, [[10], [11, 12], [41]]);
  // A fault on 12 moves the cursor there; with room again the rest comes, in order.
  const n = o.on_fault(ctx(12, 1 << 20), out);
  assert.equal([...out.subarray(0, n)], [13, 42, 14]);
  assert.is(o.cursor, 3);
});

test.run();
