// The wire protocol between the migrant, the destination and the deputy.
//
// Every message is an omp_req-style header (type, length) and a payload laid
// out with @solana/buffer-layout. Messages really are encoded to bytes before
// they cross a link and decoded on arrival; a short or malformed message is
// rejected with an error naming its type and the offset where it broke.
import { struct, u8, u16, u32, s32, blob, type Layout } from '@solana/buffer-layout';
import { PAGE_SIZE } from '../mm/pgtable.ts';

export const MIG_HSHAKE = 1;
export const MIG_HSHAKE_ACK = 2;
export const MIG_MM = 3;
export const MIG_VMA = 4;
export const MIG_PAGE = 5;
export const MIG_MPT = 6;
export const MIG_TASK = 7;
export const MIG_ABORT = 8;
export const REM_PAGE = 9;
export const DEP_PAGES = 10;
export const REM_SYSCALL = 11;
export const DEP_SYSCALL = 12;
export const REM_UNMAP = 13;

export const MSG_NAMES: Record<number, string> = {
  [MIG_HSHAKE]: 'MIG_HSHAKE', [MIG_HSHAKE_ACK]: 'MIG_HSHAKE_ACK', [MIG_MM]: 'MIG_MM', [MIG_VMA]: 'MIG_VMA',
  [MIG_PAGE]: 'MIG_PAGE', [MIG_MPT]: 'MIG_MPT', [MIG_TASK]: 'MIG_TASK', [MIG_ABORT]: 'MIG_ABORT',
  [REM_PAGE]: 'REM_PAGE', [DEP_PAGES]: 'DEP_PAGES', [REM_SYSCALL]: 'REM_SYSCALL', [DEP_SYSCALL]: 'DEP_SYSCALL',
  [REM_UNMAP]: 'REM_UNMAP',
};

export class ProtoError extends Error {
  constructor(readonly type: number, readonly offset: number, what: string) {
    super(`malformed ${MSG_NAMES[type] ?? `message type ${type}`} at offset ${offset}: ${what}`);
  }
}

// ---- layouts ----
export interface OmpReq { type: number; len: number }
export const omp_req = struct<OmpReq>([u16('type'), u16('pad'), u32('len')] as Layout<never>[]);
export const OMP_REQ_B = 8;

export interface Hshake { pid: number; home: number; policy: number; npages: number }
const hshake = struct<Hshake>([u32('pid'), u16('home'), u8('policy'), u32('npages')] as Layout<never>[]);
export interface HshakeAck { ok: number; errno: number }
const hshake_ack = struct<HshakeAck>([u8('ok'), s32('errno')] as Layout<never>[]);
export interface MigMm { start_code: number; end_code: number; start_data: number; end_data: number; start_brk: number; brk: number; start_stack: number }
const mig_mm = struct<MigMm>(['start_code', 'end_code', 'start_data', 'end_data', 'start_brk', 'brk', 'start_stack'].map((k) => u32(k)) as Layout<never>[]);
export interface MigVma { start: number; end: number; flags: number; name: string }
const vma_rec = struct<{ start: number; end: number; flags: number; name: Uint8Array }>([u32('start'), u32('end'), u32('flags'), blob(16, 'name')] as Layout<never>[]);
export interface MigTask { pid: number; eip: number; esp: number; last_data: number; min_flt: number; maj_flt: number; comm: string }
const mig_task = struct<Omit<MigTask, 'comm'> & { comm: Uint8Array }>(
  [u32('pid'), u32('eip'), u32('esp'), u32('last_data'), u32('min_flt'), u32('maj_flt'), blob(16, 'comm')] as Layout<never>[],
);
const count16 = struct<{ count: number }>([u16('count')] as Layout<never>[]);
const count32 = struct<{ count: number }>([u32('count')] as Layout<never>[]);
/** A page with its PTE flags, as MIG_PAGE and DEP_PAGES carry it. */
const page_rec = struct<{ vpn: number; flags: number; data: Uint8Array }>([u32('vpn'), u16('flags'), blob(PAGE_SIZE, 'data')] as Layout<never>[]);
/** A master-page-table entry: exactly 6 bytes (vpn and holder node packed in 32 bits, 16 bits of flags). */
const mpt_rec = struct<{ key: number; flags: number }>([u32('key'), u16('flags')] as Layout<never>[]);
export const MPT_ENTRY_B = 6;
const vpn_rec = u32('vpn');
export interface RemSyscall { nr: number; args: number[]; data: Uint8Array }
const rem_syscall = struct<{ nr: number; nargs: number; a0: number; a1: number; a2: number; a3: number; a4: number; a5: number; datalen: number }>(
  [u16('nr'), u8('nargs'), s32('a0'), s32('a1'), s32('a2'), s32('a3'), s32('a4'), s32('a5'), u32('datalen')] as Layout<never>[],
);
const dep_syscall = struct<{ ret: number; datalen: number }>([s32('ret'), u32('datalen')] as Layout<never>[]);
const abort_rec = struct<{ errno: number }>([s32('errno')] as Layout<never>[]);

// ---- messages ----
export interface PageRec { vpn: number; flags: number; data: Uint8Array }
export interface MptEntry { vpn: number; node: number; flags: number }

export type Msg =
  | { type: typeof MIG_HSHAKE; hshake: Hshake }
  | { type: typeof MIG_HSHAKE_ACK; ack: HshakeAck }
  | { type: typeof MIG_MM; mm: MigMm }
  | { type: typeof MIG_VMA; vmas: MigVma[] }
  | { type: typeof MIG_PAGE; pages: PageRec[] }
  | { type: typeof MIG_MPT; entries: MptEntry[] }
  | { type: typeof MIG_TASK; task: MigTask }
  | { type: typeof MIG_ABORT; errno: number }
  | { type: typeof REM_PAGE; vpns: number[] }
  | { type: typeof DEP_PAGES; pages: PageRec[] }
  | { type: typeof REM_SYSCALL; call: RemSyscall }
  | { type: typeof DEP_SYSCALL; ret: number; data: Uint8Array }
  | { type: typeof REM_UNMAP; vpns: number[] };

const enc_name = (s: string): Uint8Array => {
  const out = new Uint8Array(16);
  out.set(new TextEncoder().encode(s).subarray(0, 15));
  return out;
};
/** The library decodes blobs as Buffers; hand out plain views instead. */
const as_u8 = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const dec_name = (b: Uint8Array): string => {
  const end = b.indexOf(0);
  return new TextDecoder().decode(b.subarray(0, end < 0 ? b.length : end));
};

/** Payload size of a message, bytes. */
function payload_B(m: Msg): number {
  switch (m.type) {
    case MIG_HSHAKE: return hshake.span;
    case MIG_HSHAKE_ACK: return hshake_ack.span;
    case MIG_MM: return mig_mm.span;
    case MIG_VMA: return count16.span + m.vmas.length * vma_rec.span;
    case MIG_PAGE: case DEP_PAGES: return count16.span + m.pages.length * page_rec.span;
    case MIG_MPT: return count32.span + m.entries.length * MPT_ENTRY_B;
    case MIG_TASK: return mig_task.span;
    case MIG_ABORT: return abort_rec.span;
    case REM_PAGE: case REM_UNMAP: return count32.span + m.vpns.length * 4;
    case REM_SYSCALL: return rem_syscall.span + m.call.data.length;
    case DEP_SYSCALL: return dep_syscall.span + m.data.length;
  }
}

export function encode(m: Msg): Uint8Array {
  const len = payload_B(m);
  const buf = new Uint8Array(OMP_REQ_B + len);
  omp_req.encode({ type: m.type, len, pad: 0 } as OmpReq, buf, 0);
  let o = OMP_REQ_B;
  switch (m.type) {
    case MIG_HSHAKE: hshake.encode(m.hshake, buf, o); break;
    case MIG_HSHAKE_ACK: hshake_ack.encode(m.ack, buf, o); break;
    case MIG_MM: mig_mm.encode(m.mm, buf, o); break;
    case MIG_VMA:
      o += count16.encode({ count: m.vmas.length }, buf, o);
      for (const v of m.vmas) o += vma_rec.encode({ ...v, name: enc_name(v.name) }, buf, o);
      break;
    case MIG_PAGE: case DEP_PAGES:
      o += count16.encode({ count: m.pages.length }, buf, o);
      for (const p of m.pages) o += page_rec.encode(p, buf, o);
      break;
    case MIG_MPT:
      o += count32.encode({ count: m.entries.length }, buf, o);
      for (const e of m.entries) o += mpt_rec.encode(mpt_pack(e), buf, o);
      break;
    case MIG_TASK: mig_task.encode({ ...m.task, comm: enc_name(m.task.comm) }, buf, o); break;
    case MIG_ABORT: abort_rec.encode({ errno: m.errno }, buf, o); break;
    case REM_PAGE: case REM_UNMAP:
      o += count32.encode({ count: m.vpns.length }, buf, o);
      for (const v of m.vpns) o += vpn_rec.encode(v, buf, o);
      break;
    case REM_SYSCALL: {
      const a = m.call.args;
      o += rem_syscall.encode({ nr: m.call.nr, nargs: a.length, a0: a[0] ?? 0, a1: a[1] ?? 0, a2: a[2] ?? 0, a3: a[3] ?? 0, a4: a[4] ?? 0, a5: a[5] ?? 0, datalen: m.call.data.length }, buf, o);
      buf.set(m.call.data, o);
      break;
    }
    case DEP_SYSCALL:
      o += dep_syscall.encode({ ret: m.ret, datalen: m.data.length }, buf, o);
      buf.set(m.data, o);
      break;
  }
  return buf;
}

/** Pack an MPT entry: vpn in the low 20 bits of the key, holder node in the top 12. */
export function mpt_pack(e: MptEntry): { key: number; flags: number } {
  if (e.vpn < 0 || e.vpn >= 1 << 20) throw new RangeError(`MPT vpn ${e.vpn} out of range`);
  if (e.node < 0 || e.node >= 1 << 12) throw new RangeError(`MPT node ${e.node} out of range`);
  return { key: (e.vpn | (e.node << 20)) >>> 0, flags: e.flags & 0xffff };
}

export function mpt_unpack(r: { key: number; flags: number }): MptEntry {
  return { vpn: r.key & 0xfffff, node: r.key >>> 20, flags: r.flags };
}

export function decode(buf: Uint8Array): Msg {
  if (buf.length < OMP_REQ_B) throw new ProtoError(0, 0, `header needs ${OMP_REQ_B} bytes, got ${buf.length}`);
  const h = omp_req.decode(buf, 0);
  const t = h.type;
  if (!MSG_NAMES[t]) throw new ProtoError(t, 0, 'unknown message type');
  if (h.len !== buf.length - OMP_REQ_B) throw new ProtoError(t, 4, `length field says ${h.len} bytes, ${buf.length - OMP_REQ_B} arrived`);
  let o = OMP_REQ_B;
  const need = (n: number, what: string): void => {
    if (o + n > buf.length) throw new ProtoError(t, o, `${what} needs ${n} bytes, ${buf.length - o} left`);
  };
  const take = <T>(l: Layout<T>, what: string): T => {
    need(l.span, what);
    const v = l.decode(buf, o);
    o += l.span;
    return v;
  };
  let m: Msg;
  switch (t) {
    case MIG_HSHAKE: m = { type: t, hshake: take(hshake, 'handshake') }; break;
    case MIG_HSHAKE_ACK: m = { type: t, ack: take(hshake_ack, 'ack') }; break;
    case MIG_MM: m = { type: t, mm: take(mig_mm, 'mm') }; break;
    case MIG_VMA: {
      const n = take(count16, 'count').count;
      const vmas: MigVma[] = [];
      for (let i = 0; i < n; i++) {
        const r = take(vma_rec, `vma ${i}`);
        if (r.start >= r.end || r.start % PAGE_SIZE || r.end % PAGE_SIZE) throw new ProtoError(t, o - vma_rec.span, `vma ${i} is not a page-aligned range`);
        vmas.push({ start: r.start, end: r.end, flags: r.flags, name: dec_name(r.name) });
      }
      m = { type: t, vmas };
      break;
    }
    case MIG_PAGE: case DEP_PAGES: {
      const n = take(count16, 'count').count;
      const pages: PageRec[] = [];
      for (let i = 0; i < n; i++) {
        const r = take(page_rec, `page ${i}`);
        if (r.vpn >= 1 << 20) throw new ProtoError(t, o - page_rec.span, `page ${i} vpn ${r.vpn} out of range`);
        pages.push({ vpn: r.vpn, flags: r.flags, data: as_u8(r.data) });
      }
      m = { type: t, pages };
      break;
    }
    case MIG_MPT: {
      const n = take(count32, 'count').count;
      need(n * MPT_ENTRY_B, `${n} MPT entries`);
      const entries: MptEntry[] = new Array(n);
      for (let i = 0; i < n; i++) entries[i] = mpt_unpack(take(mpt_rec, `MPT entry ${i}`));
      m = { type: t, entries };
      break;
    }
    case MIG_TASK: {
      const r = take(mig_task, 'task');
      m = { type: t, task: { ...r, comm: dec_name(r.comm) } };
      break;
    }
    case MIG_ABORT: m = { type: t, errno: take(abort_rec, 'abort').errno }; break;
    case REM_PAGE: case REM_UNMAP: {
      const n = take(count32, 'count').count;
      need(n * 4, `${n} page numbers`);
      const vpns: number[] = new Array(n);
      for (let i = 0; i < n; i++) {
        vpns[i] = take(vpn_rec, `vpn ${i}`);
        if (vpns[i]! >= 1 << 20) throw new ProtoError(t, o - 4, `vpn ${vpns[i]} out of range`);
      }
      m = { type: t, vpns };
      break;
    }
    case REM_SYSCALL: {
      const r = take(rem_syscall, 'syscall');
      if (r.nargs > 6) throw new ProtoError(t, OMP_REQ_B + 2, `${r.nargs} arguments (at most 6)`);
      need(r.datalen, 'syscall data');
      const data = buf.slice(o, o + r.datalen);
      o += r.datalen;
      m = { type: t, call: { nr: r.nr, args: [r.a0, r.a1, r.a2, r.a3, r.a4, r.a5].slice(0, r.nargs), data } };
      break;
    }
    case DEP_SYSCALL: {
      const r = take(dep_syscall, 'reply');
      need(r.datalen, 'reply data');
      const data = buf.slice(o, o + r.datalen);
      o += r.datalen;
      m = { type: t, ret: r.ret, data };
      break;
    }
    default:
      throw new ProtoError(t, 0, 'unknown message type');
  }
  if (o !== buf.length) throw new ProtoError(t, o, `${buf.length - o} bytes of trailing garbage`);
  return m;
}
