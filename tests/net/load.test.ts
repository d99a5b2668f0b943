import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { NodeLoad } from '../../net/load.ts';
import { decode_note_layout, encode_note, is_note, note_node, note_seq, note_type, note_version } from '../../net/udp.ts';
import { decode_head_layout, decode_window, encode_entry_layout, encode_window, LOAD_ENTRY_B, LOAD_VECTOR_WINDOW, LoadVector, WINDOW_HEAD_B, window_B, type LoadEntry } from '../../net/loadvec.ts';

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

const entry = (nodes: number) =>
  fc.record({
    node: fc.integer({ min: 0, max: nodes - 1 }),
    load: fc.integer({ min: 0, max: 65535 }).map((x) => x / 100),
    util: fc.integer({ min: 0, max: 10000 }).map((x) => x / 10000),
    speed: fc.integer({ min: 5, max: 2000 }).map((x) => x / 100),
    free_mem_B: fc.integer({ min: 0, max: 2 ** 31 }).map((x) => x * 1024),
    // Coarse times, so that many are equal.
    at_ns: fc.integer({ min: 0, max: 40 }).map((x) => x * 1e8),
  });

test('a window carries the own entry, then the freshest others but the receiver (equal times by node number), however the entries came', () => {
  check(
    fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), fc.array(fc.array(entry(64), { maxLength: 25 }), { maxLength: 30 }), fc.nat(), (nodes, self0, windows, to0) => {
      const self = self0 % nodes;
      const v = new LoadVector(self, nodes);
      v.set_own({ node: self, load: 1, util: 1, speed: 1, free_mem_B: 0, at_ns: 5e9 });
      for (const w of windows) v.merge(w.filter((e) => e.node < nodes));
      const to = to0 % nodes;
      // The definition: every entry known, the freshest first, ties by node number.
      const others = v.known().filter((e) => e.node !== self && e.node !== to);
      others.sort((a, b) => b.at_ns - a.at_ns || a.node - b.node);
      const want: LoadEntry[] = [v.get(self)!, ...others.slice(0, LOAD_VECTOR_WINDOW - 1)];
      assert.equal(v.window(to), want);
    }),
  );
});

test("a window's entries are encoded as buffer-layout's ENTRY encodes them, and decode to what was sent", () => {
  check(
    fc.property(fc.array(entry(65536), { minLength: 1, maxLength: LOAD_VECTOR_WINDOW }), fc.integer({ min: 0, max: 3600 }), (entries, now_s) => {
      const now = 4e9 + now_s * 1e9;
      const b = encode_window(1, 2, 7, 9, entries, now);
      entries.forEach((e, i) => {
        const age_ms = Math.round((now - e.at_ns) / 1e6);
        const slow = encode_entry_layout({ node: e.node, load: Math.round(e.load * 100), util: Math.round(e.util * 10000), speed: Math.round(e.speed * 100), free_mem_kB: e.free_mem_B / 1024, age_ms });
        assert.equal([...b.subarray(WINDOW_HEAD_B + i * LOAD_ENTRY_B, WINDOW_HEAD_B + (i + 1) * LOAD_ENTRY_B)], [...slow], `entry ${i}`);
      });
      const w = decode_window(b, now);
      assert.is(w.entries.length, entries.length);
      w.entries.forEach((d, i) => {
        const e = entries[i]!;
        assert.equal([d.node, d.load, d.util, d.speed, d.free_mem_B], [e.node, e.load, e.util, e.speed, e.free_mem_B]);
        assert.ok(Math.abs(d.at_ns - e.at_ns) < 1e6, `at ${d.at_ns} for ${e.at_ns}`);
      });
    }),
  );
});

test("a window's header is written as buffer-layout's HEAD encodes it, a note (an acknowledgement, a ping) as NOTE does", () => {
  check(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.array(entry(8), { maxLength: LOAD_VECTOR_WINDOW }), (type, version, from, seq, entries) => {
      const b = encode_window(type, version, from, seq, entries, 5e9);
      assert.equal(decode_head_layout(b), { type, version, node: from, seq, count: entries.length });
      const w = decode_window(b, 5e9);
      assert.equal([w.from, w.seq], [from, seq]);
      const n = encode_note(type, version, from, seq);
      assert.equal(decode_note_layout(n), { type, version, node: from, seq });
      assert.equal([note_type(n), note_version(n), note_node(n), note_seq(n)], [type, version, from, seq]);
    }),
  );
});

test('merging a window straight from its bytes keeps what merging its decoded entries keeps, in the same order', () => {
  // merge_window (what infoD does with a window) against the obvious
  // version, decode_window then merge: the same vector after any windows.
  check(
    fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), fc.array(fc.tuple(fc.array(entry(64), { maxLength: LOAD_VECTOR_WINDOW }), fc.integer({ min: 4, max: 8 })), { maxLength: 30 }), (nodes, self0, windows) => {
      const self = self0 % nodes;
      const fast = new LoadVector(self, nodes);
      const slow = new LoadVector(self, nodes);
      for (const v of [fast, slow]) v.set_own({ node: self, load: 1, util: 1, speed: 1, free_mem_B: 0, at_ns: 5e9 });
      windows.forEach(([entries, now_s], i) => {
        const b = encode_window(1, 2, self, i, entries.filter((e) => e.node < nodes), now_s * 1e9);
        assert.is(fast.merge_window(b, now_s * 1e9), i);
        slow.merge(decode_window(b, now_s * 1e9).entries);
      });
      assert.equal(fast.known(), slow.known());
      assert.is(fast.fastest, slow.fastest);
      for (let to = 0; to < nodes; to++) assert.equal(fast.window(to), slow.window(to));
    }),
  );
});

test('a window shorter than the entries it says it holds, or a note of the wrong size, is refused, not read as zeros', () => {
  const entries: LoadEntry[] = [1, 2, 3].map((node) => ({ node, load: node, util: 0.5, speed: 1, free_mem_B: 1 << 20, at_ns: 1e9 }));
  const b = encode_window(1, 2, 0, 17, entries, 5e9);
  assert.throws(() => new LoadVector(9, 16).merge_window(b.subarray(0, b.length - 1), 5e9), /says 3 entries but has 57 B/);
  assert.is(new LoadVector(9, 16).merge_window(b, 5e9), 17, 'the whole window merges');
  const note = encode_note(1, 2, 3, 4);
  assert.ok(is_note(note));
  assert.not.ok(is_note(note.subarray(0, 7)));
  assert.not.ok(is_note(new Uint8Array(9)));
});

test.run();
