// The wire protocol between a migrant's node, the node it migrates to, its
// deputy at home and the nodes that hold its pages.
//
// Every message is an omp_req-style header (type, flags, length, pid) and a
// payload laid out with @solana/buffer-layout. The pid is in every header so
// a node can find its own record of the process: nodes share nothing but
// these bytes. Messages really are encoded before they cross a link and
// decoded on arrival; a short or malformed message is rejected with a
// ProtoError naming its type and the offset where it broke.
import { struct, u8, u16, u32, s32, f64, blob, type Layout } from '@solana/buffer-layout';
import { get_u16, get_u32, put_u16, put_u32 } from '../net/le.ts';
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
/** Destination to source: the process runs here now; the source may let its copies go. */
export const MIG_DONE = 14;
/**
 * Ranges whose missing pages one node holds, without a per-page table:
 * NoPrefetch's VMAs (a page may never have existed) or exact runs.
 */
export const MIG_RANGES = 15;
/** Migrant to its deputy: where it runs now and which nodes may hold its pages. */
export const REM_WHERE = 16;
/** Migrant to its deputy and page holders: it exited; let everything of it go. */
export const REM_EXIT = 17;
/** Source to destination after MIG_DONE: the source has let go; resume the process. */
export const MIG_GO = 18;
/** Source to destination, at a pre-copy's freeze: ranges unmapped since the rounds copied them. */
export const MIG_UNMAP = 19;
/** Migrant to a holder: push the pages you hold for me (post-copy, ampom-push). */
export const REM_PUSH_START = 20;
/** Migrant to a holder: stop pushing (it is about to migrate again). */
export const REM_PUSH_STOP = 21;
/** Holder to migrant: nothing more is pushed after this message. */
export const DEP_PUSH_STOPPED = 22;
/** A page holder to the process's home: does the process still exist? (a lost REM_EXIT must not strand its pages) */
export const HOLD_CHECK = 23;
/** Home to a page holder: whether the process still exists. */
export const HOLD_ANSWER = 24;
/**
 * Destination to the process's home: it gave up receiving the migration
 * `gen` (its source went silent before MIG_GO): if the source had let go,
 * the process is lost, and its deputy must hear it.
 */
export const MIG_DROPPED = 25;

export const MSG_NAMES: Record<number, string> = {
  [MIG_HSHAKE]: 'MIG_HSHAKE', [MIG_HSHAKE_ACK]: 'MIG_HSHAKE_ACK', [MIG_MM]: 'MIG_MM', [MIG_VMA]: 'MIG_VMA',
  [MIG_PAGE]: 'MIG_PAGE', [MIG_MPT]: 'MIG_MPT', [MIG_TASK]: 'MIG_TASK', [MIG_ABORT]: 'MIG_ABORT',
  [REM_PAGE]: 'REM_PAGE', [DEP_PAGES]: 'DEP_PAGES', [REM_SYSCALL]: 'REM_SYSCALL', [DEP_SYSCALL]: 'DEP_SYSCALL',
  [REM_UNMAP]: 'REM_UNMAP', [MIG_DONE]: 'MIG_DONE', [MIG_RANGES]: 'MIG_RANGES', [REM_WHERE]: 'REM_WHERE', [REM_EXIT]: 'REM_EXIT', [MIG_GO]: 'MIG_GO',
  [MIG_UNMAP]: 'MIG_UNMAP', [REM_PUSH_START]: 'REM_PUSH_START', [REM_PUSH_STOP]: 'REM_PUSH_STOP', [DEP_PUSH_STOPPED]: 'DEP_PUSH_STOPPED',
  [HOLD_CHECK]: 'HOLD_CHECK', [HOLD_ANSWER]: 'HOLD_ANSWER', [MIG_DROPPED]: 'MIG_DROPPED',
};

export class ProtoError extends Error {
  constructor(readonly type: number, readonly offset: number, what: string) {
    super(`malformed ${MSG_NAMES[type] ?? `message type ${type}`} at offset ${offset}: ${what}`);
  }
}

// ---- page state carried in MIG_PAGE, DEP_PAGES and MPT flags ----
// The low bits are the page's PTE bits where it was (i386 values), so the
// receiver learns whether it was written and how it was protected; the top
// bit says the sender had no such page.
export const PG_RW = 0x002;
export const PG_DIRTY = 0x040;
export const PG_PROTNONE = 0x080;
/** The sender never had this page: it carries no bytes and reads as zeros. */
export const PG_ABSENT = 0x8000;
/** The sender already pushed this page: it carries no bytes; the pushed copy is on its way. */
export const PG_ONWAY = 0x4000;
/** Page records without bytes. */
export const PG_NO_DATA = PG_ABSENT | PG_ONWAY;

// ---- header flags ----
/** MIG_PAGE of a pre-copy round, DEP_PAGES of a push: sent unasked, in the background. */
export const OMP_BACKGROUND = 0x1;
/** MIG_HSHAKE: AMPoM's window takes only faults in a remote area (not every fault). */
export const OMP_WINDOW_REMOTE = 0x2;
/**
 * MIG_HSHAKE: the process's demand traffic goes on the demand connection
 * (om/comm.ts), or does not; neither: its scheme's default.
 */
export const OMP_PREEMPT_ON = 0x4;
export const OMP_PREEMPT_OFF = 0x8;
/**
 * REM_PAGE: its first page is the one the migrant faulted on; answer it
 * alone, on the demand connection, ahead of the rest (which go as usual).
 */
export const OMP_DEMAND = 0x10;
/** REM_PUSH_START: push in the order the requests show (om/push_order.ts), not in address order. */
export const OMP_PUSH_DEMAND = 0x20;
export const PG_STATE_MASK = PG_RW | PG_DIRTY | PG_PROTNONE;

// ---- layouts ----
export interface OmpReq { type: number; flags: number; len: number; pid: number }
export const omp_req = struct<OmpReq>([u16('type'), u16('flags'), u32('len'), u32('pid')] as Layout<never>[]);
export const OMP_REQ_B = 12;
// Every message's header, its counts, and the records a message carries by
// the thousand (page numbers, MPT entries) are written and read byte by
// byte, little-endian, at the offsets their layouts declare
// (tests/om/proto.test.ts holds each equal to its layout's encode and
// decode on random values): buffer-layout makes a Buffer per field, and a
// DataView over a small message's bytes makes V8 move them off its heap,
// each of which cost more than the rest of a page request's handling
// (the byte-by-byte helpers are net/le.ts's, infoD's datagrams use them too).

const OMP_TYPE = omp_req.offsetOf('type')!;
const OMP_FLAGS = omp_req.offsetOf('flags')!;
const OMP_LEN = omp_req.offsetOf('len')!;
const OMP_PID = omp_req.offsetOf('pid')!;

/** Write a header at 0 (what omp_req.encode writes). */
export function put_omp_req(b: Uint8Array, h: OmpReq): number {
  put_u16(b, OMP_TYPE, h.type);
  put_u16(b, OMP_FLAGS, h.flags);
  put_u32(b, OMP_LEN, h.len);
  put_u32(b, OMP_PID, h.pid);
  return OMP_REQ_B;
}

/** Read the header at 0 (what omp_req.decode reads). */
export function get_omp_req(b: Uint8Array): OmpReq {
  return { type: get_u16(b, OMP_TYPE), flags: get_u16(b, OMP_FLAGS), len: get_u32(b, OMP_LEN), pid: get_u32(b, OMP_PID) };
}

export interface Hshake { home: number; policy: number; npages: number; vm_pages: number }
const hshake = struct<Hshake>([u16('home'), u8('policy'), u32('npages'), u32('vm_pages')] as Layout<never>[]);
export interface HshakeAck { ok: number; errno: number }
const hshake_ack = struct<HshakeAck>([u8('ok'), s32('errno')] as Layout<never>[]);
export interface MigMm { start_code: number; end_code: number; start_data: number; end_data: number; start_brk: number; brk: number; start_stack: number }
const mig_mm = struct<MigMm>(['start_code', 'end_code', 'start_data', 'end_data', 'start_brk', 'brk', 'start_stack'].map((k) => u32(k)) as Layout<never>[]);
export interface MigVma { start: number; end: number; flags: number; name: string }
const vma_rec = struct<{ start: number; end: number; flags: number; name: Uint8Array }>([u32('start'), u32('end'), u32('flags'), blob(16, 'name')] as Layout<never>[]);
export interface MigTask {
  eip: number; esp: number; last_data: number; min_flt: number; maj_flt: number; comm: string;
  /** eax: what the program's last system call returned, which it has not been handed yet. */
  eax: number;
  /** task_struct's times: CPU used so far (MOSIX's age of a process) and when it started, ns. */
  utime_ns: number;
  start_ns: number;
  /** System calls made so far: MOSIX weighs a process's deputy round trips by their rate. */
  nr_syscalls: number;
  /** When the source stopped the process, virtual ns: the freeze is measured from it. */
  frozen_at_ns: number;
  /** The process's migrations once this one commits: orders the deputy's news of where it is. */
  gen: number;
}
const mig_task = struct<Omit<MigTask, 'comm'> & { comm: Uint8Array }>(
  [u32('eip'), u32('esp'), u32('last_data'), u32('min_flt'), u32('maj_flt'), blob(16, 'comm'), s32('eax'), f64('utime_ns'), f64('start_ns'), u32('nr_syscalls'), f64('frozen_at_ns'), u32('gen')] as Layout<never>[],
);
const count16 = struct<{ count: number }>([u16('count')] as Layout<never>[]);
const count32 = struct<{ count: number }>([u32('count')] as Layout<never>[]);
/** The header of a page record; PAGE_SIZE bytes follow unless PG_ABSENT. */
const page_hdr = struct<{ vpn: number; flags: number }>([u32('vpn'), u16('flags')] as Layout<never>[]);
export const PAGE_HDR_B = 6;
// The page header is the one record written once per page on the
// remote-paging path, so it is written and read by hand at the offsets
// page_hdr declares, as the message header is (see put_u16).
const PAGE_HDR_VPN = page_hdr.offsetOf('vpn')!;
const PAGE_HDR_FLAGS = page_hdr.offsetOf('flags')!;

/** Write a page header at o (what page_hdr.encode writes). */
export function put_page_hdr(b: Uint8Array, o: number, vpn: number, flags: number): number {
  put_u32(b, o + PAGE_HDR_VPN, vpn);
  put_u16(b, o + PAGE_HDR_FLAGS, flags & 0xffff);
  return PAGE_HDR_B;
}

/** Read a page header at o (what page_hdr.decode reads). */
export function get_page_hdr(b: Uint8Array, o: number): { vpn: number; flags: number } {
  return { vpn: get_u32(b, o + PAGE_HDR_VPN), flags: get_u16(b, o + PAGE_HDR_FLAGS) };
}

/** The layout the two functions above follow, for the test that holds them to it. */
export const page_hdr_layout = page_hdr;
/** A master-page-table entry: exactly 6 bytes (vpn and holder node packed in 32 bits, 16 bits of flags). */
const mpt_rec = struct<{ key: number; flags: number }>([u32('key'), u16('flags')] as Layout<never>[]);
export const MPT_ENTRY_B = 6;
const MPT_KEY = mpt_rec.offsetOf('key')!;
const MPT_FLAGS = mpt_rec.offsetOf('flags')!;

/** Write an MPT entry at o (what mpt_rec.encode writes of mpt_pack(e)). */
export function put_mpt_entry(b: Uint8Array, o: number, e: MptEntry): number {
  const r = mpt_pack(e);
  put_u32(b, o + MPT_KEY, r.key);
  put_u16(b, o + MPT_FLAGS, r.flags);
  return MPT_ENTRY_B;
}

/** Read an MPT entry at o (what mpt_unpack(mpt_rec.decode) gives). */
export function get_mpt_entry(b: Uint8Array, o: number): MptEntry {
  const key = get_u32(b, o + MPT_KEY);
  return { vpn: key & 0xfffff, node: key >>> 20, flags: get_u16(b, o + MPT_FLAGS) };
}
const vpn_rec = u32('vpn');
/** The layouts the hand-written codecs above and below follow, for the test that holds them to it. */
export const fast_layouts = { omp_req, mpt_rec, count16, count32, vpn_rec };
const range_rec = struct<{ start: number; end: number }>([u32('start'), u32('end')] as Layout<never>[]);
/** A remote range: bytes [start, end) held by node; flags bit 0: exact. */
const remote_range_rec = struct<{ start: number; end: number; node: number; flags: number }>([u32('start'), u32('end'), u16('node'), u16('flags')] as Layout<never>[]);
export const REMOTE_RANGE_B = 12;
const node_rec = u16('node');
const gen_rec = u32('gen');
export interface RemSyscall { nr: number; args: number[]; data: Uint8Array }
const rem_syscall = struct<{ nr: number; nargs: number; a0: number; a1: number; a2: number; a3: number; a4: number; a5: number; datalen: number }>(
  [u16('nr'), u8('nargs'), s32('a0'), s32('a1'), s32('a2'), s32('a3'), s32('a4'), s32('a5'), u32('datalen')] as Layout<never>[],
);
const dep_syscall = struct<{ ret: number; datalen: number }>([s32('ret'), u32('datalen')] as Layout<never>[]);
const errno_rec = struct<{ errno: number }>([s32('errno')] as Layout<never>[]);
const exit_rec = struct<{ code: number }>([s32('code')] as Layout<never>[]);

// ---- messages ----
export interface PageRec { vpn: number; flags: number; data: Uint8Array | null }
export interface MptEntry { vpn: number; node: number; flags: number }
export interface ByteRange { start: number; end: number }
export interface RangeRec { start: number; end: number; node: number; exact: boolean }

type Body =
  | { type: typeof MIG_HSHAKE; hshake: Hshake }
  | { type: typeof MIG_HSHAKE_ACK; ack: HshakeAck }
  | { type: typeof MIG_MM; mm: MigMm }
  | { type: typeof MIG_VMA; vmas: MigVma[] }
  | { type: typeof MIG_PAGE; pages: PageRec[] }
  | { type: typeof MIG_MPT; entries: MptEntry[] }
  | { type: typeof MIG_RANGES; ranges: RangeRec[] }
  | { type: typeof MIG_UNMAP; ranges: ByteRange[] }
  | { type: typeof HOLD_CHECK }
  | { type: typeof HOLD_ANSWER; alive: boolean }
  | { type: typeof REM_PUSH_START }
  | { type: typeof REM_PUSH_STOP }
  | { type: typeof DEP_PUSH_STOPPED }
  | { type: typeof MIG_TASK; task: MigTask }
  | { type: typeof MIG_ABORT; errno: number }
  | { type: typeof MIG_DONE }
  | { type: typeof MIG_GO }
  | { type: typeof REM_PAGE; vpns: number[] }
  | { type: typeof DEP_PAGES; pages: PageRec[] }
  | { type: typeof REM_SYSCALL; call: RemSyscall }
  | { type: typeof DEP_SYSCALL; ret: number; data: Uint8Array }
  | { type: typeof REM_UNMAP; vpns: number[] }
  | { type: typeof REM_WHERE; node: number; gen: number; holders: number[] }
  | { type: typeof REM_EXIT; code: number }
  | { type: typeof MIG_DROPPED; gen: number };

/** A message: its body, the pid it concerns and the header's flags (OMP_*; 0 when absent). */
export type Msg = Body & { pid: number; flags?: number };

const enc_name = (s: string): Uint8Array => {
  const out = new Uint8Array(16);
  out.set(new TextEncoder().encode(s).subarray(0, 15));
  return out;
};
const dec_name = (b: Uint8Array): string => {
  const end = b.indexOf(0);
  return new TextDecoder().decode(b.subarray(0, end < 0 ? b.length : end));
};

const page_rec_B = (p: PageRec): number => PAGE_HDR_B + (p.flags & PG_NO_DATA ? 0 : PAGE_SIZE);
const pages_B = (ps: PageRec[]): number => {
  let n = count16.span;
  for (const p of ps) n += page_rec_B(p);
  return n;
};

/** Payload size of a message, bytes. */
function payload_B(m: Msg): number {
  switch (m.type) {
    case MIG_HSHAKE: return hshake.span;
    case MIG_HSHAKE_ACK: return hshake_ack.span;
    case MIG_MM: return mig_mm.span;
    case MIG_VMA: return count16.span + m.vmas.length * vma_rec.span;
    case MIG_PAGE: case DEP_PAGES: return pages_B(m.pages);
    case MIG_MPT: return count32.span + m.entries.length * MPT_ENTRY_B;
    case MIG_RANGES: return count32.span + m.ranges.length * REMOTE_RANGE_B;
    case MIG_UNMAP: return count16.span + m.ranges.length * range_rec.span;
    case REM_PUSH_START: case REM_PUSH_STOP: case DEP_PUSH_STOPPED: case HOLD_CHECK: return 0;
    case HOLD_ANSWER: return 1;
    case MIG_TASK: return mig_task.span;
    case MIG_ABORT: return errno_rec.span;
    case MIG_DONE: case MIG_GO: return 0;
    case REM_PAGE: case REM_UNMAP: return count32.span + m.vpns.length * 4;
    case REM_SYSCALL: return rem_syscall.span + m.call.data.length;
    case DEP_SYSCALL: return dep_syscall.span + m.data.length;
    case REM_WHERE: return node_rec.span + gen_rec.span + count16.span + m.holders.length * node_rec.span;
    case REM_EXIT: return exit_rec.span;
    case MIG_DROPPED: return gen_rec.span;
  }
}

/**
 * The bytes of a page of zeros, shared by every page record of a frame
 * known to hold only zeros (om/pages.ts copy_page): every page of a
 * fast-mode run. Read only: encode() copies from it, nothing writes it.
 */
export const ZERO_PAGE_DATA: Uint8Array = new Uint8Array(PAGE_SIZE);

/**
 * Whether a page message carries no bytes but the shared zeros (each of its
 * records has none, or ZERO_PAGE_DATA): nothing it refers to can change
 * before it is delivered, so its bytes need not be made when it is sent
 * (om/comm.ts encode_now) and it holds no copy of its pages meanwhile.
 */
export function only_shared_zeros(m: Msg): boolean {
  if (m.type !== MIG_PAGE && m.type !== DEP_PAGES) return false;
  for (const p of m.pages) if (p.data && p.data !== ZERO_PAGE_DATA) return false;
  return true;
}

/** Bytes a message takes on the wire before framing (header included). */
export const message_B = (m: Msg): number => OMP_REQ_B + payload_B(m);

function encode_pages(ps: PageRec[], buf: Uint8Array, o: number): number {
  put_u16(buf, o, ps.length); // count16.encode
  o += 2;
  for (const p of ps) {
    const absent = (p.flags & PG_NO_DATA) !== 0;
    if (!absent && (!p.data || p.data.length !== PAGE_SIZE)) throw new RangeError(`page ${p.vpn}: a present page needs ${PAGE_SIZE} bytes`);
    o += put_page_hdr(buf, o, p.vpn, p.flags);
    if (!absent) {
      buf.set(p.data!, o);
      o += PAGE_SIZE;
    }
  }
  return o;
}

/**
 * A message's bytes before they are written. A page message's encoding
 * writes every byte of it (header, count, each record's header and, unless
 * it has none, its 4 KiB), so its buffer need not be cleared first, and it
 * comes from a pool of buffers released by earlier messages' receivers
 * (release_message): for openMosix's 64 KiB messages clearing, and the
 * garbage collector's work for cleared memory, cost more than the copy
 * itself. Any other message gets a cleared buffer (new Uint8Array), the
 * obvious version; the property in tests/om/proto.test.ts holds page
 * messages to the bytes of their layouts on buffers that held garbage
 * before.
 */
function message_buffer(m: Msg, n: number): Uint8Array {
  if (m.type !== MIG_PAGE && m.type !== DEP_PAGES) return new Uint8Array(n);
  const cap = Math.ceil(n / POOL_CLASS_B) * POOL_CLASS_B;
  const ab = pool.get(cap)?.pop() ?? new ArrayBuffer(cap);
  return new Uint8Array(ab, 0, n);
}

// Page messages' buffers are taken from a pool and given back once their
// receiver has handled them (release_message): every receiver copies a
// page's bytes into a frame of its own before it returns (om/pages.ts
// frame_with, mig_receive's copy), so nothing refers to them after. The
// obvious version allocates a buffer a message and leaves it to the
// collector: a page crossing the wire made 4 KiB of garbage and touched
// fresh memory. tests/om/proto.test.ts checks that no message's bytes
// change while it lives, whatever is encoded and released meanwhile.
const POOL_CLASS_B = 4096;
/** Free buffers by capacity (a multiple of POOL_CLASS_B); at most POOL_KEEP of each. */
const pool = new Map<number, ArrayBuffer[]>();
const POOL_KEEP = 64;

/**
 * A message's bytes are no longer needed (its receiver handled it): a page
 * message's buffer goes back to the pool. Release each at most once, and
 * only what encode() made.
 */
export function release_message(bytes: Uint8Array): void {
  const t = get_u16(bytes, OMP_TYPE);
  if (t !== MIG_PAGE && t !== DEP_PAGES) return;
  const ab = bytes.buffer as ArrayBuffer;
  let free = pool.get(ab.byteLength);
  if (!free) pool.set(ab.byteLength, (free = []));
  if (free.length < POOL_KEEP) free.push(ab);
}

export function encode(m: Msg): Uint8Array {
  const len = payload_B(m);
  const buf = message_buffer(m, OMP_REQ_B + len);
  let o = put_omp_req(buf, { type: m.type, flags: m.flags ?? 0, len, pid: m.pid });
  switch (m.type) {
    case MIG_HSHAKE: hshake.encode(m.hshake, buf, o); break;
    case MIG_HSHAKE_ACK: hshake_ack.encode(m.ack, buf, o); break;
    case MIG_MM: mig_mm.encode(m.mm, buf, o); break;
    case MIG_VMA:
      o += count16.encode({ count: m.vmas.length }, buf, o);
      for (const v of m.vmas) o += vma_rec.encode({ ...v, name: enc_name(v.name) }, buf, o);
      break;
    case MIG_PAGE: case DEP_PAGES: encode_pages(m.pages, buf, o); break;
    case MIG_MPT:
      put_u32(buf, o, m.entries.length); // count32.encode
      o += 4;
      for (const e of m.entries) o += put_mpt_entry(buf, o, e);
      break;
    case MIG_RANGES:
      o += count32.encode({ count: m.ranges.length }, buf, o);
      for (const r of m.ranges) o += remote_range_rec.encode({ start: r.start, end: r.end, node: r.node, flags: r.exact ? 1 : 0 }, buf, o);
      break;
    case MIG_UNMAP:
      o += count16.encode({ count: m.ranges.length }, buf, o);
      for (const r of m.ranges) o += range_rec.encode(r, buf, o);
      break;
    case REM_PUSH_START: case REM_PUSH_STOP: case DEP_PUSH_STOPPED: case HOLD_CHECK: break;
    case HOLD_ANSWER: buf[o] = m.alive ? 1 : 0; break;
    case MIG_TASK: mig_task.encode({ ...m.task, comm: enc_name(m.task.comm) }, buf, o); break;
    case MIG_ABORT: errno_rec.encode({ errno: m.errno }, buf, o); break;
    case MIG_DONE: case MIG_GO: break;
    case REM_PAGE: case REM_UNMAP:
      put_u32(buf, o, m.vpns.length); // count32.encode
      o += 4;
      for (const vpn of m.vpns) {
        put_u32(buf, o, vpn); // vpn_rec.encode
        o += 4;
      }
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
    case REM_WHERE:
      o += node_rec.encode(m.node, buf, o);
      o += gen_rec.encode(m.gen, buf, o);
      o += count16.encode({ count: m.holders.length }, buf, o);
      for (const h of m.holders) o += node_rec.encode(h, buf, o);
      break;
    case REM_EXIT: exit_rec.encode({ code: m.code }, buf, o); break;
    case MIG_DROPPED: gen_rec.encode(m.gen, buf, o); break;
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

/** The header alone (what a receiver looks at before it decodes the rest). */
export function decode_header(buf: Uint8Array): OmpReq {
  if (buf.length < OMP_REQ_B) throw new ProtoError(0, 0, `header needs ${OMP_REQ_B} bytes, got ${buf.length}`);
  const h = get_omp_req(buf);
  if (!MSG_NAMES[h.type]) throw new ProtoError(h.type, 0, 'unknown message type');
  if (h.len !== buf.length - OMP_REQ_B) throw new ProtoError(h.type, 4, `length field says ${h.len} bytes, ${buf.length - OMP_REQ_B} arrived`);
  return h;
}

/**
 * A cursor over one message's bytes that names what was short or wrong. A
 * class, not closures in decode: tsx keeps function names, which costs a
 * defineProperty per closure per message. Labels are built only on error.
 */
class Reader {
  o = OMP_REQ_B;
  constructor(readonly buf: Uint8Array, readonly t: number) {}

  /** take(count16 or a u16 layout), read by hand. */
  u16(what: string, i = -1): number {
    this.need(2, what, i);
    const x = get_u16(this.buf, this.o);
    this.o += 2;
    return x;
  }

  /** take(count32 or vpn_rec), read by hand. */
  u32(what: string, i = -1): number {
    this.need(4, what, i);
    const x = get_u32(this.buf, this.o);
    this.o += 4;
    return x;
  }

  need(n: number, what: string, i = -1): void {
    if (this.o + n > this.buf.length) throw new ProtoError(this.t, this.o, `${label(what, i)} needs ${n} bytes, ${this.buf.length - this.o} left`);
  }

  take<T>(l: Layout<T>, what: string, i = -1): T {
    this.need(l.span, what, i);
    const v = l.decode(this.buf, this.o);
    this.o += l.span;
    return v;
  }

  vpn_ok(v: number, at: number, what: string, i = -1): number {
    if (v >= 1 << 20) throw new ProtoError(this.t, at, `${label(what, i)} vpn ${v} out of range`);
    return v;
  }

  take_pages(): PageRec[] {
    const n = this.u16('count');
    const pages: PageRec[] = [];
    const v = this.buf;
    for (let i = 0; i < n; i++) {
      this.need(PAGE_HDR_B, 'page', i);
      const r = get_page_hdr(v, this.o);
      this.o += PAGE_HDR_B;
      this.vpn_ok(r.vpn, this.o - PAGE_HDR_B, 'page', i);
      let data: Uint8Array | null = null;
      if ((r.flags & PG_NO_DATA) === PG_NO_DATA) throw new ProtoError(this.t, this.o - PAGE_HDR_B, `page ${i} is both absent and on its way`);
      if (!(r.flags & PG_NO_DATA)) {
        this.need(PAGE_SIZE, 'page', i); // its 4 KiB of data
        data = this.buf.subarray(this.o, this.o + PAGE_SIZE);
        this.o += PAGE_SIZE;
      }
      pages.push({ vpn: r.vpn, flags: r.flags, data });
    }
    return pages;
  }
}

const label = (what: string, i: number): string => (i < 0 ? what : `${what} ${i}`);

export function decode(buf: Uint8Array): Msg {
  const h = decode_header(buf);
  const t = h.type;
  const pid = h.pid;
  const hflags = h.flags;
  const rd = new Reader(buf, t);
  let m: Msg;
  switch (t) {
    case MIG_HSHAKE: m = { type: t, pid, hshake: rd.take(hshake, 'handshake') }; break;
    case MIG_HSHAKE_ACK: m = { type: t, pid, ack: rd.take(hshake_ack, 'ack') }; break;
    case MIG_MM: m = { type: t, pid, mm: rd.take(mig_mm, 'mm') }; break;
    case MIG_VMA: {
      const n = rd.take(count16, 'count').count;
      const vmas: MigVma[] = [];
      for (let i = 0; i < n; i++) {
        const r = rd.take(vma_rec, 'vma', i);
        if (r.start >= r.end || r.start % PAGE_SIZE || r.end % PAGE_SIZE) throw new ProtoError(t, rd.o - vma_rec.span, `vma ${i} is not a page-aligned range`);
        vmas.push({ start: r.start, end: r.end, flags: r.flags, name: dec_name(r.name) });
      }
      m = { type: t, pid, vmas };
      break;
    }
    case MIG_PAGE: case DEP_PAGES: m = { type: t, pid, pages: rd.take_pages() }; break;
    case MIG_MPT: {
      const n = rd.u32('count');
      rd.need(n * MPT_ENTRY_B, `${n} MPT entries`);
      const entries: MptEntry[] = new Array(n);
      for (let i = 0; i < n; i++, rd.o += MPT_ENTRY_B) entries[i] = get_mpt_entry(buf, rd.o);
      m = { type: t, pid, entries };
      break;
    }
    case MIG_RANGES: {
      const n = rd.take(count32, 'count').count;
      rd.need(n * REMOTE_RANGE_B, `${n} ranges`);
      const ranges: RangeRec[] = [];
      for (let i = 0; i < n; i++) {
        const r = rd.take(remote_range_rec, 'range', i);
        if (r.start >= r.end || r.start % PAGE_SIZE || r.end % PAGE_SIZE) throw new ProtoError(t, rd.o - REMOTE_RANGE_B, `range ${i} is not a page-aligned range`);
        if (i > 0 && r.start < ranges[i - 1]!.end) throw new ProtoError(t, rd.o - REMOTE_RANGE_B, `range ${i} overlaps or precedes the one before`);
        ranges.push({ start: r.start, end: r.end, node: r.node, exact: (r.flags & 1) !== 0 });
      }
      m = { type: t, pid, ranges };
      break;
    }
    case MIG_UNMAP: {
      const n = rd.take(count16, 'count').count;
      const ranges: ByteRange[] = [];
      for (let i = 0; i < n; i++) {
        const r = rd.take(range_rec, 'range', i);
        if (r.start >= r.end || r.start % PAGE_SIZE || r.end % PAGE_SIZE) throw new ProtoError(t, rd.o - range_rec.span, `range ${i} is not a page-aligned range`);
        ranges.push({ start: r.start, end: r.end });
      }
      m = { type: t, pid, ranges };
      break;
    }
    case REM_PUSH_START: case REM_PUSH_STOP: case DEP_PUSH_STOPPED: case HOLD_CHECK:
      m = { type: t, pid };
      break;
    case HOLD_ANSWER: {
      rd.need(1, 'answer');
      const v = buf[rd.o++]!;
      if (v > 1) throw new ProtoError(t, rd.o - 1, `answer ${v} is neither 0 nor 1`);
      m = { type: t, pid, alive: v === 1 };
      break;
    }
    case MIG_TASK: {
      const r = rd.take(mig_task, 'task');
      const at = rd.o - mig_task.span;
      for (const k of ['utime_ns', 'start_ns', 'frozen_at_ns'] as const) {
        if (!Number.isFinite(r[k]) || r[k] < 0) throw new ProtoError(t, at + mig_task.offsetOf(k)!, `${k} ${r[k]} is not a time`);
      }
      m = { type: t, pid, task: { ...r, comm: dec_name(r.comm) } };
      break;
    }
    case MIG_ABORT: m = { type: t, pid, errno: rd.take(errno_rec, 'abort').errno }; break;
    case MIG_DONE: m = { type: t, pid }; break;
    case MIG_GO: m = { type: t, pid }; break;
    case REM_PAGE: case REM_UNMAP: {
      const n = rd.u32('count');
      rd.need(n * 4, `${n} page numbers`);
      const vpns: number[] = new Array(n);
      for (let i = 0; i < n; i++) vpns[i] = rd.vpn_ok(rd.u32('vpn', i), rd.o - 4, 'item', i);
      m = { type: t, pid, vpns };
      break;
    }
    case REM_SYSCALL: {
      const r = rd.take(rem_syscall, 'syscall');
      if (r.nargs > 6) throw new ProtoError(t, OMP_REQ_B + 2, `${r.nargs} arguments (at most 6)`);
      rd.need(r.datalen, 'syscall data');
      const data = buf.slice(rd.o, rd.o + r.datalen);
      rd.o += r.datalen;
      m = { type: t, pid, call: { nr: r.nr, args: [r.a0, r.a1, r.a2, r.a3, r.a4, r.a5].slice(0, r.nargs), data } };
      break;
    }
    case DEP_SYSCALL: {
      const r = rd.take(dep_syscall, 'reply');
      rd.need(r.datalen, 'reply data');
      const data = buf.slice(rd.o, rd.o + r.datalen);
      rd.o += r.datalen;
      m = { type: t, pid, ret: r.ret, data };
      break;
    }
    case REM_WHERE: {
      const node = rd.take(node_rec, 'node');
      const gen = rd.take(gen_rec, 'gen');
      const n = rd.take(count16, 'count').count;
      const holders: number[] = [];
      for (let i = 0; i < n; i++) holders.push(rd.take(node_rec, 'holder', i));
      m = { type: t, pid, node, gen, holders };
      break;
    }
    case REM_EXIT: m = { type: t, pid, code: rd.take(exit_rec, 'exit').code }; break;
    case MIG_DROPPED: m = { type: t, pid, gen: rd.take(gen_rec, 'gen') }; break;
    default:
      throw new ProtoError(t, 0, 'unknown message type');
  }
  if (rd.o !== buf.length) throw new ProtoError(t, rd.o, `${buf.length - rd.o} bytes of trailing garbage`);
  if (hflags) m.flags = hflags;
  return m;
}
