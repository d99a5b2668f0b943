// The wire protocol: every message round-trips; the MPT is 6 bytes a page;
// garbage is rejected with an error naming the type and offset, never a crash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import {
  decode, encode, MIG_MPT, MPT_ENTRY_B, OMP_REQ_B, ProtoError, REM_PAGE, DEP_PAGES, MIG_VMA, REM_SYSCALL, DEP_SYSCALL, MIG_TASK, MIG_RANGES,
  message_B, REM_WHERE, REM_EXIT, MIG_DROPPED, MIG_DONE, MIG_GO, PG_ABSENT, PG_DIRTY, PG_RW, PG_ONWAY, MIG_UNMAP, type Msg,
  PAGE_HDR_B, get_page_hdr, page_hdr_layout, put_page_hdr, fast_layouts, get_omp_req, put_omp_req, get_mpt_entry, put_mpt_entry, mpt_pack, mpt_unpack, release_message, MIG_PAGE,
} from '../../om/proto.ts';

const entry = fc.record({ vpn: fc.integer({ min: 0, max: (1 << 20) - 1 }), node: fc.integer({ min: 0, max: 4095 }), flags: fc.integer({ min: 0, max: 0xffff }) }).map((e) => ({ ...e }));

test('MPT encode/decode is a bijection and takes exactly 6 bytes per page', () => {
  check(
    fc.property(fc.array(entry, { maxLength: 300 }), (entries) => {
      const bytes = encode({ type: MIG_MPT, pid: 7, entries });
      assert.is(bytes.length, OMP_REQ_B + 4 + entries.length * MPT_ENTRY_B);
      assert.equal(decode(bytes), { type: MIG_MPT, pid: 7, entries });
    }),
  );
  assert.is(MPT_ENTRY_B, 6);
});

test('other messages round-trip through bytes', () => {
  const page = new Uint8Array(4096).map((_, i) => i * 7);
  const msgs: Msg[] = [
    { type: REM_PAGE, pid: 100, vpns: [1, 2, 0xfffff] },
    { type: DEP_PAGES, pid: 100, pages: [{ vpn: 5, flags: PG_DIRTY | PG_RW, data: page }, { vpn: 6, flags: PG_ABSENT, data: null }] },
    { type: MIG_VMA, pid: 100, vmas: [{ start: 0x08048000, end: 0x0804a000, flags: 5, name: 'dgemm' }] },
    { type: REM_SYSCALL, pid: 100, call: { nr: 4, args: [1, 0x40000000, 3], data: new Uint8Array([104, 105, 10]) } },
    { type: DEP_SYSCALL, pid: 100, ret: -14, data: new Uint8Array(0) },
    { type: MIG_TASK, pid: 100, task: { eip: 0x08048000, esp: 0xbffffe00, last_data: 0x40000000, min_flt: 3, maj_flt: 4, comm: 'stream', eax: 4096, utime_ns: 98765432, start_ns: 1000, nr_syscalls: 17, frozen_at_ns: 123456789, gen: 7 } },
    { type: MIG_RANGES, pid: 100, ranges: [{ start: 0x40000000, end: 0x40010000, node: 0, exact: true }] },
    { type: MIG_UNMAP, pid: 100, ranges: [{ start: 0x40000000, end: 0x40001000 }] },
    { type: DEP_PAGES, pid: 100, flags: 1, pages: [{ vpn: 5, flags: 0x40, data: page }, { vpn: 6, flags: PG_ONWAY, data: null }] },
    { type: REM_WHERE, pid: 100, node: 2, gen: 70000, holders: [0, 1] },
    { type: REM_EXIT, pid: 100, code: 137 },
    { type: MIG_DROPPED, pid: 100, gen: 9 },
    { type: MIG_DONE, pid: 100 },
    { type: MIG_GO, pid: 100 },
  ];
  for (const m of msgs) {
    assert.equal(decode(encode(m)), m);
    assert.is(message_B(m), encode(m).length, `${m.type}: the size counted before encoding is the size encoded`);
  }
});

test('a page that never existed travels as its 6-byte header, with no 4 KiB of zeros', () => {
  const one = encode({ type: DEP_PAGES, pid: 1, pages: [{ vpn: 9, flags: PG_ABSENT, data: null }] });
  assert.is(one.length, OMP_REQ_B + 2 + 6);
  const full = encode({ type: DEP_PAGES, pid: 1, pages: [{ vpn: 9, flags: 0, data: new Uint8Array(4096) }] });
  assert.is(full.length, OMP_REQ_B + 2 + 6 + 4096);
});

test('property: the page header written by hand is the bytes of its declared layout', () => {
  check(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 9 }), (vpn, flags, o) => {
    const by_hand = new Uint8Array(o + PAGE_HDR_B + 3);
    const by_layout = new Uint8Array(o + PAGE_HDR_B + 3);
    assert.is(put_page_hdr(by_hand, o, vpn, flags), page_hdr_layout.span);
    page_hdr_layout.encode({ vpn, flags }, by_layout, o);
    assert.equal(by_hand, by_layout);
    assert.equal(get_page_hdr(by_layout, o), page_hdr_layout.decode(by_hand, o));
  }));
});

test('property: the header and MPT entries written by hand are the bytes of their declared layouts', () => {
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
  check(fc.property(fc.record({ type: u16, flags: u16, len: u32, pid: u32 }), entry, fc.integer({ min: 0, max: 9 }), (h, e, o) => {
    const by_hand = new Uint8Array(OMP_REQ_B);
    const by_layout = new Uint8Array(OMP_REQ_B);
    assert.is(put_omp_req(by_hand, h), fast_layouts.omp_req.span);
    fast_layouts.omp_req.encode(h, by_layout, 0);
    assert.equal(by_hand, by_layout);
    assert.equal(get_omp_req(by_layout), fast_layouts.omp_req.decode(by_hand, 0));
    const e_hand = new Uint8Array(o + MPT_ENTRY_B + 3);
    const e_layout = new Uint8Array(o + MPT_ENTRY_B + 3);
    assert.is(put_mpt_entry(e_hand, o, e), fast_layouts.mpt_rec.span);
    fast_layouts.mpt_rec.encode(mpt_pack(e), e_layout, o);
    assert.equal(e_hand, e_layout);
    assert.equal(get_mpt_entry(e_layout, o), mpt_unpack(fast_layouts.mpt_rec.decode(e_hand, o)));
  }));
});

/**
 * The obvious encoding of the messages whose counts and records encode()
 * writes by hand: every field through its buffer-layout layout.
 */
function encode_by_layouts(m: Msg): Uint8Array {
  const L = fast_layouts;
  const buf = new Uint8Array(message_B(m));
  L.omp_req.encode({ type: m.type, flags: m.flags ?? 0, len: buf.length - OMP_REQ_B, pid: m.pid }, buf, 0);
  let o = OMP_REQ_B;
  if (m.type === REM_PAGE) {
    o += L.count32.encode({ count: m.vpns.length }, buf, o);
    for (const v of m.vpns) o += L.vpn_rec.encode(v, buf, o);
  } else if (m.type === MIG_MPT) {
    o += L.count32.encode({ count: m.entries.length }, buf, o);
    for (const e of m.entries) o += L.mpt_rec.encode(mpt_pack(e), buf, o);
  } else if (m.type === DEP_PAGES) {
    o += L.count16.encode({ count: m.pages.length }, buf, o);
    for (const p of m.pages) {
      o += page_hdr_layout.encode({ vpn: p.vpn, flags: p.flags }, buf, o);
      if (p.data) {
        buf.set(p.data, o);
        o += p.data.length;
      }
    }
  }
  return buf;
}

test('property: page requests, MPTs and page replies encode to the bytes of their layouts, and decode back', () => {
  const vpn = fc.integer({ min: 0, max: (1 << 20) - 1 });
  const flags = fc.integer({ min: 0, max: 0xffff });
  const page = fc.record({ vpn, flags: fc.constantFrom(0, PG_DIRTY | PG_RW, PG_ABSENT, PG_ONWAY), fill: fc.integer({ min: 0, max: 255 }) })
    .map(({ vpn, flags, fill }) => ({ vpn, flags, data: flags & (PG_ABSENT | PG_ONWAY) ? null : new Uint8Array(4096).fill(fill) }));
  const msg: fc.Arbitrary<Msg> = fc.oneof(
    fc.record({ pid: fc.nat(), flags, vpns: fc.array(vpn, { maxLength: 40 }) }).map((r) => ({ type: REM_PAGE, ...r }) as Msg),
    fc.record({ pid: fc.nat(), flags, entries: fc.array(entry, { maxLength: 40 }) }).map((r) => ({ type: MIG_MPT, ...r }) as Msg),
    fc.record({ pid: fc.nat(), flags, pages: fc.array(page, { maxLength: 4 }) }).map((r) => ({ type: DEP_PAGES, ...r }) as Msg),
  );
  check(fc.property(msg, (m) => {
    const bytes = encode(m);
    assert.equal(bytes, encode_by_layouts(m));
    const back = decode(bytes);
    if (!m.flags) delete m.flags;
    assert.equal(back, m);
  }));
});

test('property: a message keeps its bytes while it lives, whatever page messages are encoded and released meanwhile', () => {
  const page = fc.record({ vpn: fc.integer({ min: 0, max: (1 << 20) - 1 }), flags: fc.constantFrom(0, PG_DIRTY | PG_RW, PG_ABSENT), fill: fc.integer({ min: 0, max: 255 }) })
    .map(({ vpn, flags, fill }) => ({ vpn, flags, data: flags & PG_ABSENT ? null : new Uint8Array(4096).fill(fill) }));
  const op = fc.oneof(
    fc.record({ encode: fc.constant(true as const), type: fc.constantFrom(MIG_PAGE, DEP_PAGES, REM_PAGE), pages: fc.array(page, { maxLength: 5 }) }),
    fc.record({ encode: fc.constant(false as const), which: fc.nat() }),
  );
  check(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
    const live: { bytes: Uint8Array; copy: Uint8Array }[] = [];
    for (const o of ops) {
      if (o.encode) {
        const m: Msg = o.type === REM_PAGE ? { type: REM_PAGE, pid: 1, vpns: o.pages.map((p) => p.vpn) } : { type: o.type as typeof DEP_PAGES, pid: 1, pages: o.pages };
        const bytes = encode(m);
        assert.equal(decode(bytes), m);
        live.push({ bytes, copy: bytes.slice() });
      } else if (live.length > 0) {
        const [gone] = live.splice(o.which % live.length, 1);
        release_message(gone!.bytes);
      }
      for (const l of live) assert.equal(l.bytes, l.copy, 'a live message changed');
    }
  }));
});

test('truncated and malformed messages give a ProtoError naming the type and offset', () => {
  const good = encode({ type: REM_PAGE, pid: 1, vpns: [1, 2, 3] });
  const cut = good.slice(0, good.length - 2);
  assert.throws(() => decode(cut), (e: Error) => e instanceof ProtoError && /REM_PAGE at offset 4/.test(e.message));
  const bad = good.slice();
  bad[0] = 99;
  assert.throws(() => decode(bad), /message type 99 at offset 0/);
  assert.throws(() => decode(new Uint8Array(3)), /header needs 12 bytes/);
});

test('property: random bytes never crash a decoder, they decode or raise ProtoError', () => {
  check(
    fc.property(fc.integer({ min: 1, max: 24 }), fc.uint8Array({ maxLength: 200 }), (type, body) => {
      const buf = new Uint8Array(OMP_REQ_B + body.length);
      new DataView(buf.buffer).setUint16(0, type, true);
      new DataView(buf.buffer).setUint32(4, body.length, true);
      buf.set(body, OMP_REQ_B);
      try {
        decode(buf);
      } catch (e) {
        assert.instance(e, ProtoError);
      }
    }),
    { numRuns: 2000 },
  );
});

test.run();
