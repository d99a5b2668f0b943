// Page frames: a frame's bytes after each way of taking one, and the
// shortcut that leaves a page of zeros uncopied into a frame never written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { FRAME_SIZE_B, PhysMem } from '../../kernel/physmem.ts';

const page = (fill: (i: number) => number): Uint8Array => Uint8Array.from({ length: FRAME_SIZE_B }, (_, i) => fill(i));
const zeros = page(() => 0);

test('alloc_copy gives src bytes whatever the frame held before, zeros included', () => {
  const mem = new PhysMem(64 * FRAME_SIZE_B);
  const a = mem.alloc_copy(page((i) => (i * 7 + 1) & 0xff));
  assert.equal(mem.bytes(a), page((i) => (i * 7 + 1) & 0xff));
  mem.put(a);
  // The freed frame is handed out again (last freed, first taken) and still holds those bytes.
  const b = mem.alloc_copy(zeros);
  assert.is(b, a, 'the same frame is reused');
  assert.equal(mem.bytes(b), zeros, 'a page of zeros is copied into a frame that was written');
  const c = mem.alloc_copy(zeros);
  assert.not.equal(c, a);
  assert.equal(mem.bytes(c), zeros, 'a fresh frame holds zeros without a copy');
});

test('property: after any sequence of alloc_copy, alloc_zeroed, writes and puts, every frame in use holds what was put there', () => {
  check(
    fc.property(
      fc.array(fc.oneof(fc.record({ op: fc.constant('copy' as const), v: fc.integer({ min: 0, max: 3 }) }), fc.record({ op: fc.constant('zeroed' as const), v: fc.constant(0) }), fc.record({ op: fc.constant('put' as const), v: fc.nat() }), fc.record({ op: fc.constant('write' as const), v: fc.nat() }), fc.record({ op: fc.constant('peek' as const), v: fc.nat() })), { maxLength: 80 }),
      (ops) => {
        const mem = new PhysMem(32 * FRAME_SIZE_B);
        const live = new Map<number, Uint8Array>();
        for (const { op, v } of ops) {
          const frames = [...live.keys()];
          if (op === 'copy' || op === 'zeroed') {
            const want = op === 'copy' && v > 0 ? page((i) => (i + v) & 0xff) : zeros;
            const pfn = op === 'copy' ? mem.alloc_copy(want) : mem.alloc_zeroed();
            if (pfn < 0) continue;
            live.set(pfn, want);
          } else if (frames.length > 0) {
            const pfn = frames[v % frames.length]!;
            if (op === 'put') {
              mem.put(pfn);
              live.delete(pfn);
            } else if (op === 'peek') {
              assert.equal(mem.peek(pfn), live.get(pfn));
            } else {
              const b = page((i) => (i * 3 + v + 1) & 0xff);
              mem.bytes(pfn).set(b);
              live.set(pfn, b);
            }
          }
        }
        for (const [pfn, want] of live) {
          // A frame known to hold zeros does; a reader's view (peek) sees what bytes() does.
          if (mem.known_zero(pfn)) assert.equal(mem.peek(pfn), zeros);
          assert.equal(mem.peek(pfn), want);
          assert.equal(mem.bytes(pfn), want);
        }
      },
    ),
  );
});

// Chunks come from a pool shared by every node (kernel/physmem.ts's spare
// chunks): no two chunks, of one node or of several, may share a byte, and
// a chunk starts as zeros whether new or a spare.
test('property: frames of several nodes spread over several chunks hold only their own writes, and start as zeros', () => {
  check(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 3 }).chain((k) => fc.integer({ min: 16, max: k * 256 + 40 })), { minLength: 1, maxLength: 3 }),
      fc.array(fc.record({ op: fc.constantFrom('alloc', 'alloc', 'put', 'write', 'write', 'free_all'), node: fc.nat(), v: fc.nat(), word: fc.integer({ min: 0, max: FRAME_SIZE_B / 4 - 1 }), value: fc.integer({ min: 1, max: 0xffffffff }) }), { maxLength: 120 }),
      (sizes, ops) => {
        const mems = sizes.map((n) => new PhysMem(n * FRAME_SIZE_B));
        // What each frame in use holds: the words written into it since it was taken zeroed; every other word is 0.
        const live = mems.map(() => new Map<number, Map<number, number>>());
        for (const { op, node, v, word, value } of ops) {
          const i = node % mems.length;
          const mem = mems[i]!;
          const frames = [...live[i]!.keys()];
          if (op === 'alloc') {
            // Take several, so a node reaches past its first chunk.
            for (let j = 0; j < 1 + (v % 300); j++) {
              const pfn = mem.alloc_zeroed();
              if (pfn < 0) break;
              live[i]!.set(pfn, new Map());
            }
          } else if (op === 'free_all') {
            // Every chunk of the node goes to the spares, for this node or another to take again.
            for (const pfn of frames) mem.put(pfn);
            live[i]!.clear();
          } else if (frames.length > 0) {
            const pfn = frames[v % frames.length]!;
            if (op === 'put') {
              mem.put(pfn);
              live[i]!.delete(pfn);
            } else {
              mem.write_u32(pfn, word, value);
              live[i]!.get(pfn)!.set(word, value);
            }
          }
        }
        mems.forEach((mem, i) => {
          for (const [pfn, words] of live[i]!) {
            const want = new Uint32Array(FRAME_SIZE_B / 4);
            for (const [w, x] of words) want[w] = x;
            assert.equal(mem.peek(pfn), new Uint8Array(want.buffer), `node ${i} frame ${pfn}`);
          }
        });
      },
    ),
  );
});

test.run();
