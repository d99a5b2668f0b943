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

test.run();
