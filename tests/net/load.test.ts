import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NodeLoad } from '../../net/load.ts';
import { decode_window, encode_window, window_B } from '../../net/loadvec.ts';

test('the local mean rises slowly and falls at once; the exported value rises at once and falls slowly', () => {
  const l = new NodeLoad(1);
  l.calc_load(4); // mean (5*0 + 3*4)/8, upper 4
  assert.is(l.local, 1.5);
  assert.is(l.exported, 4);
  l.calc_load(4); // mean (5*1.5 + 12)/8
  assert.is(l.local, 2.4375);
  assert.is(l.exported, 4);
  l.calc_load(0); // mean at once 0, upper (7*4 + 0)/8
  assert.is(l.local, 0);
  assert.is(l.exported, 3.5);
  l.calc_load(1); // mean (0 + 3)/8, upper (7*3.5 + 1)/8
  assert.is(l.local, 0.375);
  assert.is(l.exported, 3.1875);
});

test('loads are scaled by the CPU speed: a node twice as fast with 2 processes has a load of 1', () => {
  const l = new NodeLoad(2);
  l.calc_load(2);
  assert.is(l.exported, 1);
  assert.is(l.local, 0.375);
});

test('a load-vector window goes through its encoding', () => {
  const entries = [
    { node: 3, load: 1.25, util: 0.5, speed: 2, free_mem_B: 1 << 30, at_ns: 4_000_000_000 },
    { node: 0, load: 0, util: 0, speed: 1, free_mem_B: 64 << 20, at_ns: 4_500_000_000 },
  ];
  const b = encode_window(1, 2, 3, 17, entries, 5e9);
  assert.is(b.length, window_B(2));
  const w = decode_window(b, 5e9);
  assert.is(w.from, 3);
  assert.is(w.seq, 17);
  assert.is(w.entries.length, 2);
  assert.is(w.entries[0]!.node, 3);
  assert.ok(Math.abs(w.entries[0]!.load - 1.25) < 0.01);
  assert.is(w.entries[1]!.free_mem_B, 64 << 20);
});

test.run();
