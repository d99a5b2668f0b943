// Pages known to hold zeros travel as the shared ZERO_PAGE_DATA: a holder's
// reply or push carrying only such pages is not encoded when sent (it would
// hold a copy of every page queued behind the wire, as much host memory again
// as the process) but on delivery, after the holder freed the frames. Their
// bytes must arrive all the same, whatever the holder's node writes into the
// freed frames meanwhile.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { REF_R, REF_W } from '../../kernel/op.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { set_comm_tap } from '../../om/comm.ts';
import { DEP_PAGES, MIG_PAGE, only_shared_zeros, ZERO_PAGE_DATA, type Msg } from '../../om/proto.ts';
import { POLICIES } from '../../om/state.ts';
import { mmap_anon } from '../../userland/libc.ts';
import { frames_left, om_migrate, om_setup } from '../helpers/om.ts';
import type { Driver } from '../helpers/driver.ts';

const SCRIBBLE = 0xa5;

/** References to pages [base, base + n), of one kind, with no exact-mode work: a fast-mode program's touch. */
const touch = (base_vpn: number, vpns: number[], kind: number) => ({
  kind: 'refs' as const,
  refs: Uint32Array.from(vpns, (v) => (((base_vpn + v) << 2) | kind) >>> 0),
  n: vpns.length,
  cls: 0,
  units: 0,
});

/**
 * While it is set, every page message a node sends is followed at once (an
 * event at the same instant, after the sender's own) by that node taking
 * the frames it freed last (its free list is last-freed-first) and writing
 * over them, then freeing them again: frames a holder gave up are reused
 * before its reply arrives.
 */
function scribble_after_page_messages(d: Driver, seen: Msg[]): void {
  const c = d.cluster;
  set_comm_tap((from, _to, m) => {
    if (m.type !== DEP_PAGES && m.type !== MIG_PAGE) return;
    seen.push(m);
    c.queue.at(c.queue.now_ns, () => {
      const mem = from.mem;
      const taken: number[] = [];
      for (let i = 0; i < 64 && mem.free_frames > 0; i++) taken.push(mem.alloc());
      for (const pfn of taken) mem.bytes(pfn).fill(SCRIBBLE);
      for (const pfn of taken) mem.put(pfn);
    });
  });
}

test('a page touched but never written (fast mode) travels as the shared zeros and arrives as zeros', () => {
  const { c, d } = om_setup(2, 'noprefetch');
  const base = d.exec(mmap_anon(4 * PAGE_SIZE));
  const vpn0 = base / PAGE_SIZE;
  d.exec(touch(vpn0, [0, 1, 2, 3], REF_W));
  const seen: Msg[] = [];
  scribble_after_page_messages(d, seen);
  try {
    om_migrate(d, 1);
    let got = null as Uint8Array | null;
    d.exec({ ...touch(vpn0, [0, 1, 2, 3], REF_R), work: () => void (got = d.mm.copy_from_user(base, 4 * PAGE_SIZE)) });
    assert.ok(got, 'the pages were read');
    assert.ok(got!.every((b) => b === 0), 'the pages arrived as zeros');
  } finally {
    set_comm_tap(null);
  }
  const replies = seen.filter((m) => m.type === DEP_PAGES);
  assert.ok(replies.length > 0, 'the pages came back in replies');
  assert.ok(replies.every(only_shared_zeros), 'every reply carried the shared zeros, not a view or a copy of a frame');
  assert.ok(ZERO_PAGE_DATA.every((b) => b === 0), 'the shared zeros are still zeros');
  d.exec({ kind: 'sys', nr: 1, args: [0] });
  c.run();
  for (const n of c.nodes) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
});

test('property: under every scheme, pages written, touched or left alone arrive with their bytes though the holder reuses and writes the frames it freed at once', () => {
  const page = fc.oneof(
    fc.constant<{ kind: 'untouched' }>({ kind: 'untouched' }),
    fc.constant<{ kind: 'touched' }>({ kind: 'touched' }),
    fc.record({ kind: fc.constant<'written'>('written'), off: fc.integer({ min: 0, max: PAGE_SIZE - 1 }), value: fc.integer({ min: 0, max: 255 }) }),
  );
  check(
    fc.property(fc.constantFrom(...POLICIES), fc.array(page, { minLength: 1, maxLength: 40 }), fc.constantFrom(1, 2), (policy, pages, hops) => {
      const { c, d } = om_setup(3, policy, 4);
      const n = pages.length;
      const base = d.exec(mmap_anon(n * PAGE_SIZE));
      const vpn0 = base / PAGE_SIZE;
      const shadow = new Uint8Array(n * PAGE_SIZE);
      const touched = pages.flatMap((p, i) => (p.kind === 'untouched' ? [] : [i]));
      if (touched.length > 0) d.exec(touch(vpn0, touched, REF_W));
      pages.forEach((p, i) => {
        if (p.kind !== 'written') return;
        d.write_u8(base + i * PAGE_SIZE + p.off, p.value);
        shadow[i * PAGE_SIZE + p.off] = p.value;
      });
      const seen: Msg[] = [];
      scribble_after_page_messages(d, seen);
      try {
        om_migrate(d, 1);
        if (hops === 2) om_migrate(d, 2);
        let got = null as Uint8Array | null;
        d.exec({ ...touch(vpn0, pages.map((_, i) => i), REF_R), work: () => void (got = d.mm.copy_from_user(base, n * PAGE_SIZE)) });
        assert.ok(got, `${policy}: the pages were read`);
        for (let i = 0; i < n; i++) {
          const at = got!.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
          assert.equal(at, shadow.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), `${policy}: page ${i} (${pages[i]!.kind}) holds what was written`);
        }
      } finally {
        set_comm_tap(null);
      }
      assert.ok(ZERO_PAGE_DATA.every((b) => b === 0), 'the shared zeros are still zeros');
      d.exec({ kind: 'sys', nr: 1, args: [0] });
      c.run();
      for (const node of c.nodes) assert.is(frames_left(c, node.id), 0, `${policy}: ${node.name} leaked frames`);
    }),
    { numRuns: 60 },
  );
});

test.run();
