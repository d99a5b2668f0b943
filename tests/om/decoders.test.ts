// Hostile input: every message type, the MPT and the ompt trace reader fed
// random and mutated bytes give a named error (ProtoError, OmptError) or a
// value, never another exception and never a hang.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import {
  decode, encode, MSG_NAMES, ProtoError, type Msg,
  MIG_HSHAKE, MIG_HSHAKE_ACK, MIG_MM, MIG_VMA, MIG_PAGE, MIG_MPT, MIG_RANGES, MIG_TASK, MIG_ABORT, MIG_DONE, MIG_GO,
  REM_PAGE, DEP_PAGES, REM_SYSCALL, DEP_SYSCALL, REM_UNMAP, REM_WHERE, REM_EXIT, MIG_DROPPED, PG_ABSENT, PG_ONWAY,
  MIG_UNMAP, REM_PUSH_START, REM_PUSH_STOP, DEP_PUSH_STOPPED, HOLD_CHECK, HOLD_ANSWER,
} from '../../om/proto.ts';
import { OmptError, parse_ompt } from '../../userland/trace/ompt.ts';

const page = new Uint8Array(4096).map((_, i) => (i * 13) & 0xff);
/** One well-formed message of every type. */
const SAMPLES: Msg[] = [
  { type: MIG_HSHAKE, pid: 1, hshake: { home: 0, policy: 2, npages: 3, vm_pages: 100 } },
  { type: MIG_HSHAKE_ACK, pid: 1, ack: { ok: 1, errno: 0 } },
  { type: MIG_MM, pid: 1, mm: { start_code: 1, end_code: 2, start_data: 3, end_data: 4, start_brk: 5, brk: 6, start_stack: 7 } },
  { type: MIG_VMA, pid: 1, vmas: [{ start: 0x1000, end: 0x3000, flags: 3, name: 'heap' }] },
  { type: MIG_PAGE, pid: 1, pages: [{ vpn: 9, flags: 0x42, data: page }] },
  { type: MIG_MPT, pid: 1, entries: [{ vpn: 1, node: 2, flags: 0x40 }, { vpn: 5, node: 0, flags: 0 }] },
  { type: MIG_RANGES, pid: 1, ranges: [{ start: 0x1000, end: 0x5000, node: 0, exact: false }, { start: 0x8000, end: 0x9000, node: 2, exact: true }] },
  { type: MIG_UNMAP, pid: 1, ranges: [{ start: 0x1000, end: 0x2000 }] },
  { type: REM_PUSH_START, pid: 1 },
  { type: REM_PUSH_STOP, pid: 1 },
  { type: DEP_PUSH_STOPPED, pid: 1 },
  { type: HOLD_CHECK, pid: 1 },
  { type: HOLD_ANSWER, pid: 1, alive: true },
  { type: DEP_PAGES, pid: 1, flags: 1, pages: [{ vpn: 6, flags: PG_ONWAY, data: null }] },
  { type: MIG_TASK, pid: 1, task: { eip: 1, esp: 2, last_data: 3, min_flt: 4, maj_flt: 5, comm: 'x', eax: -4, utime_ns: 12, start_ns: 0, nr_syscalls: 3, frozen_at_ns: 77, gen: 3 } },
  { type: MIG_ABORT, pid: 1, errno: -12 },
  { type: MIG_DONE, pid: 1 },
  { type: MIG_GO, pid: 1 },
  { type: REM_PAGE, pid: 1, vpns: [1, 2, 3] },
  { type: DEP_PAGES, pid: 1, pages: [{ vpn: 4, flags: 0, data: page }, { vpn: 5, flags: PG_ABSENT, data: null }] },
  { type: REM_SYSCALL, pid: 1, call: { nr: 4, args: [1, 2, 3], data: new Uint8Array([1, 2]) } },
  { type: DEP_SYSCALL, pid: 1, ret: 2, data: new Uint8Array([9]) },
  { type: REM_UNMAP, pid: 1, vpns: [7] },
  { type: REM_WHERE, pid: 1, node: 2, gen: 2, holders: [0, 1] },
  { type: REM_EXIT, pid: 1, code: 0 },
  { type: MIG_DROPPED, pid: 1, gen: 4 },
];

test('every message type has a sample here', () => {
  assert.equal(new Set(SAMPLES.map((m) => m.type)).size, Object.keys(MSG_NAMES).length);
});

/** decode() either gives a message or a ProtoError that names a type. */
function decodes_or_names(buf: Uint8Array): void {
  try {
    decode(buf);
  } catch (e) {
    if (!(e instanceof ProtoError)) throw e;
    assert.match(e.message, /^malformed (\w+|message type \d+) at offset \d+: /);
  }
}

test('property: mutated messages of every type decode or raise a ProtoError', () => {
  check(
    fc.property(
      fc.constantFrom(...SAMPLES),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.option(fc.nat(), { freq: 2 }),
      (m, flips, cut) => {
        const buf = encode(m).slice();
        for (const [at, v] of flips) buf[at % buf.length] = v;
        decodes_or_names(cut === null ? buf : buf.subarray(0, cut % (buf.length + 1)));
      },
    ),
    { numRuns: 3000 },
  );
});

test('property: random bytes with a valid header decode or raise a ProtoError', () => {
  check(
    fc.property(fc.integer({ min: 0, max: 40 }), fc.nat(), fc.uint8Array({ maxLength: 300 }), (type, pid, body) => {
      const buf = new Uint8Array(12 + body.length);
      const dv = new DataView(buf.buffer);
      dv.setUint16(0, type, true);
      dv.setUint32(4, body.length, true);
      dv.setUint32(8, pid >>> 0, true);
      buf.set(body, 12);
      decodes_or_names(buf);
    }),
    { numRuns: 3000 },
  );
});

test('a count that claims more entries than arrived is refused without allocating them', () => {
  const buf = encode({ type: MIG_MPT, pid: 1, entries: [] }).slice();
  new DataView(buf.buffer).setUint32(12, 0xffffffff, true);
  assert.throws(() => decode(buf), (e: Error) => e instanceof ProtoError && /4294967295 MPT entries needs/.test(e.message));
});

const GOOD = '# ompt v1 page=4096\npre W 10\npre R 11\nmigrate 100\n120 R 10\n150 W 12\n';

test('property: mutated and random ompt traces parse or raise an OmptError naming the line', () => {
  check(
    fc.property(
      fc.oneof(
        fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat()).map(([flips, cut]) => {
          const b = Buffer.from(GOOD, 'latin1');
          for (const [at, v] of flips) b[at % b.length] = v;
          return b.subarray(0, cut % (b.length + 1));
        }),
        fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.concat([Buffer.from('# ompt v1 page=4096\n'), Buffer.from(u)])),
      ),
      (bytes) => {
        try {
          parse_ompt(bytes, 'fuzz.ompt');
        } catch (e) {
          if (!(e instanceof OmptError)) throw e;
          assert.match(e.message, /^fuzz\.ompt(:\d+)?: /);
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test.run();
