// The load vector, as the MOSIX family keeps it: what a node knows of the
// others' loads, each entry stamped with when it was true. A node never asks
// for it; it hears windows of it. Every 0.5-1 s each node sends a window to
// one node picked at random: its own entry, fresh, then the freshest
// entries it knows of others, LOAD_VECTOR_WINDOW in all. The receiver keeps,
// for every node, the fresher of what it had and what it heard. So every
// node has an aging, partial picture of the cluster, and a node's news
// spreads like a rumour: the number of nodes that heard it about doubles
// each round while the window has room for it.
//
// On the wire an entry carries its age in ms rather than a time (nodes
// share no clock): the receiver dates it from its own clock on arrival
// (transit, 0.1 ms on the LAN, is not subtracted).
import { struct, u8, u16, u32 } from '@solana/buffer-layout';
import { get_u16, get_u32, put_u16, put_u32 } from './le.ts';

/** Entries in a window, the sender's own included (MOSIX's window). */
export const LOAD_VECTOR_WINDOW = 20;

export interface LoadEntry {
  node: number;
  /** The exported load, normalised by the node's speed (processes). */
  load: number;
  /** CPU utilisation over its last load interval, [0, 1]. */
  util: number;
  /** Relative CPU speed (1 = the standard processor). */
  speed: number;
  free_mem_B: number;
  /** When the entry was true, on the holder's clock (virtual ns). */
  at_ns: number;
}

interface HeadMsg { type: number; version: number; node: number; seq: number; count: number }
interface EntryMsg { node: number; load: number; util: number; speed: number; free_mem_kB: number; age_ms: number }

/** A window's header: type, version, sender, sequence number, entries. */
const HEAD = struct<HeadMsg>([u8('type'), u8('version'), u16('node'), u32('seq'), u16('count')]);
/** An entry: node, load and speed in 1/100, utilisation in 1/10000, free memory in KiB, age in ms. */
const ENTRY = struct<EntryMsg>([u16('node'), u16('load'), u16('util'), u16('speed'), u32('free_mem_kB'), u32('age_ms')]);

export const WINDOW_HEAD_B = HEAD.span;
export const LOAD_ENTRY_B = ENTRY.span;

/**
 * The fields, where HEAD and ENTRY put them. Windows are written and read
 * byte by byte at these offsets (net/le.ts), little-endian as the layouts
 * have them: buffer-layout makes a Buffer for every field it reads or
 * writes, and at hundreds of nodes every node's windows did cost more than
 * the processes they run. HEAD and ENTRY stay the one description of the
 * format (tests hold the two equal).
 */
const H = { type: HEAD.offsetOf('type')!, version: HEAD.offsetOf('version')!, node: HEAD.offsetOf('node')!, seq: HEAD.offsetOf('seq')!, count: HEAD.offsetOf('count')! };
const OFF = {
  node: ENTRY.offsetOf('node')!, load: ENTRY.offsetOf('load')!, util: ENTRY.offsetOf('util')!, speed: ENTRY.offsetOf('speed')!,
  free_mem_kB: ENTRY.offsetOf('free_mem_kB')!, age_ms: ENTRY.offsetOf('age_ms')!,
};

/** An entry as ENTRY encodes it, the slow way (tests compare the fast one with it). */
export function encode_entry_layout(e: EntryMsg): Uint8Array {
  const b = new Uint8Array(LOAD_ENTRY_B);
  ENTRY.encode(e, b, 0);
  return b;
}

/** A window's header as HEAD decodes it, the slow way (tests compare the fast one with it). */
export const decode_head_layout = (b: Uint8Array): HeadMsg => HEAD.decode(b, 0);

export type { EntryMsg, HeadMsg };
/** Bytes of a full window. */
export const window_B = (entries: number): number => WINDOW_HEAD_B + entries * LOAD_ENTRY_B;

export class LoadWindowError extends Error {}

const clamp16 = (x: number): number => Math.max(0, Math.min(0xffff, Math.round(x)));

export function encode_window(type: number, version: number, from: number, seq: number, entries: readonly LoadEntry[], now_ns: number): Uint8Array {
  const b = new Uint8Array(window_B(entries.length));
  b[H.type] = type;
  b[H.version] = version;
  put_u16(b, H.node, from);
  put_u32(b, H.seq, seq);
  put_u16(b, H.count, entries.length);
  let off = WINDOW_HEAD_B;
  for (const e of entries) {
    put_u16(b, off + OFF.node, e.node);
    put_u16(b, off + OFF.load, clamp16(e.load * 100));
    put_u16(b, off + OFF.util, clamp16(e.util * 10000));
    put_u16(b, off + OFF.speed, clamp16(e.speed * 100));
    put_u32(b, off + OFF.free_mem_kB, Math.min(Math.floor(e.free_mem_B / 1024), 0xffffffff));
    put_u32(b, off + OFF.age_ms, Math.min(Math.max(0, Math.round((now_ns - e.at_ns) / 1e6)), 0xffffffff));
    off += LOAD_ENTRY_B;
  }
  return b;
}

/** A window's entry count, once its length is checked against it. */
function window_count(b: Uint8Array): number {
  if (b.length < WINDOW_HEAD_B) throw new LoadWindowError(`load window of ${b.length} B is shorter than its ${WINDOW_HEAD_B}-byte header`);
  const count = get_u16(b, H.count);
  if (b.length !== window_B(count)) throw new LoadWindowError(`load window says ${count} entries but has ${b.length} B (expected ${window_B(count)})`);
  return count;
}

/** When the entry at `off` was true, dated from now_ns (its age travels in ms). */
const entry_at_ns = (b: Uint8Array, off: number, now_ns: number): number => now_ns - get_u32(b, off + OFF.age_ms) * 1e6;

/** The entry at `off`, of `node`, true at at_ns. */
const read_entry = (b: Uint8Array, off: number, node: number, at_ns: number): LoadEntry => ({
  node, load: get_u16(b, off + OFF.load) / 100, util: get_u16(b, off + OFF.util) / 10000,
  speed: get_u16(b, off + OFF.speed) / 100, free_mem_B: get_u32(b, off + OFF.free_mem_kB) * 1024, at_ns,
});

/** Decode a window; the entries are dated from now_ns. */
export function decode_window(b: Uint8Array, now_ns: number): { from: number; seq: number; entries: LoadEntry[] } {
  const count = window_count(b);
  const entries: LoadEntry[] = [];
  for (let i = 0, off = WINDOW_HEAD_B; i < count; i++, off += LOAD_ENTRY_B) entries.push(read_entry(b, off, get_u16(b, off + OFF.node), entry_at_ns(b, off, now_ns)));
  return { from: get_u16(b, H.node), seq: get_u32(b, H.seq), entries };
}

/** Whether news of node `a` true at a_ns goes before that of `b` at b_ns among the freshest: fresher, or as fresh and of a lower node number. */
const before = (a_ns: number, a: number, b_ns: number, b: number): boolean => a_ns > b_ns || (a_ns === b_ns && a < b);

/** One node's load vector: the freshest entry it knows of each node, its own included. */
export class LoadVector {
  private readonly by_node: (LoadEntry | undefined)[];
  /** The highest speed of any entry it has held, its own included: no node it knows is faster. */
  fastest = 0;
  /**
   * The LOAD_VECTOR_WINDOW freshest entries of the others, freshest first
   * (equal times by node number), kept as entries come: what a window
   * carries, without a walk of the whole vector for each one sent. An
   * entry only ever gets fresher, and only by coming in, so the list stays
   * exactly the freshest.
   */
  private readonly fresh: LoadEntry[] = [];
  /**
   * What the freshest list and the vector are ordered by, beside the
   * entries in typed arrays: each entry's time and node in the list, and
   * the time of each node's entry (-Infinity for none). Every entry of
   * every window is weighed against them, and in a cluster's heap the
   * entries themselves lie scattered: a look into an entry was a cache
   * miss, these are a few cache lines a node.
   */
  private readonly fresh_at = new Float64Array(LOAD_VECTOR_WINDOW);
  private readonly fresh_node = new Int32Array(LOAD_VECTOR_WINDOW);
  private readonly at_of: Float64Array;
  constructor(readonly self: number, nodes: number) {
    this.by_node = new Array(nodes);
    this.at_of = new Float64Array(nodes).fill(-Infinity);
  }

  get(node: number): LoadEntry | undefined {
    return this.by_node[node];
  }

  /** This node's own entry, as of now. */
  set_own(e: LoadEntry): void {
    this.by_node[this.self] = e;
    this.at_of[this.self] = e.at_ns;
    if (e.speed > this.fastest) this.fastest = e.speed;
  }

  /** Keep what is fresher than what we have; returns how many entries it changed. */
  merge(entries: readonly LoadEntry[]): number {
    let n = 0;
    for (const e of entries) {
      if (!this.fresher(e.node, e.at_ns)) continue;
      this.take(e);
      n++;
    }
    return n;
  }

  /**
   * merge(decode_window(b, now_ns).entries), returning the window's
   * sequence number: the same entries kept in the same order, read
   * straight from the bytes, and an entry made only for those kept (most
   * of a window is news the node has already heard).
   */
  merge_window(b: Uint8Array, now_ns: number): number {
    const count = window_count(b);
    for (let i = 0, off = WINDOW_HEAD_B; i < count; i++, off += LOAD_ENTRY_B) {
      const node = get_u16(b, off + OFF.node);
      const at_ns = entry_at_ns(b, off, now_ns);
      if (this.fresher(node, at_ns)) this.take(read_entry(b, off, node, at_ns));
    }
    return get_u32(b, H.seq);
  }

  /** Whether news of `node` true at at_ns is worth keeping: another node's, fresher than what this one has. */
  private fresher(node: number, at_ns: number): boolean {
    if (node === this.self || node >= this.by_node.length) return false;
    return !(this.at_of[node]! >= at_ns); // what by_node[node]'s at_ns says, none taken as -Infinity
  }

  /** Keep e, fresher than what this node had of its node. */
  private take(e: LoadEntry): void {
    this.by_node[e.node] = e;
    this.at_of[e.node] = e.at_ns;
    if (e.speed > this.fastest) this.fastest = e.speed;
    this.keep_fresh(e);
  }

  /**
   * An entry came in: into the freshest, in its place, if it belongs there.
   * The obvious version: take out its node's older entry (findIndex,
   * splice), then, unless the list is full of fresher ones, splice it in
   * behind those that go before it and pop what falls off the end. The
   * same moves are made here in place, on the entries and on their times
   * and nodes beside them, without a closure or a splice (nearly every
   * entry of every window comes in: at 256 nodes the two splices were half
   * of infoD's host time); the window property of
   * tests/net/load.test.ts holds the list to its definition.
   */
  private keep_fresh(e: LoadEntry): void {
    const f = this.fresh;
    const fa = this.fresh_at;
    const fn = this.fresh_node;
    const node = e.node;
    const at = e.at_ns;
    for (let j = 0, n = f.length; j < n; j++) {
      if (fn[j] !== node) continue;
      for (let m = j + 1; m < n; m++) {
        f[m - 1] = f[m]!;
        fa[m - 1] = fa[m]!;
        fn[m - 1] = fn[m]!;
      }
      f.pop();
      break;
    }
    const n = f.length;
    if (n === LOAD_VECTOR_WINDOW && !before(at, node, fa[n - 1]!, fn[n - 1]!)) return;
    let i = n;
    while (i > 0 && before(at, node, fa[i - 1]!, fn[i - 1]!)) i--;
    // Those from i on go one later; when the list is full its last falls off.
    if (n < LOAD_VECTOR_WINDOW) f.push(e);
    for (let m = f.length - 1; m > i; m--) {
      f[m] = f[m - 1]!;
      fa[m] = fa[m - 1]!;
      fn[m] = fn[m - 1]!;
    }
    f[i] = e;
    fa[i] = at;
    fn[i] = node;
  }


  /**
   * The window to send to `to`: the own entry, then the freshest others
   * (not `to`'s own, which it knows better), LOAD_VECTOR_WINDOW in all.
   */
  window(to: number): LoadEntry[] {
    const own = this.by_node[this.self];
    const out: LoadEntry[] = own ? [own] : [];
    const room = LOAD_VECTOR_WINDOW - 1;
    for (let i = 0, k = 0; i < this.fresh.length && k < room; i++) {
      const e = this.fresh[i]!;
      if (e.node === to) continue;
      out.push(e);
      k++;
    }
    return out;
  }

  /** Every entry known, own included, by node number. */
  known(): LoadEntry[] {
    return this.by_node.filter((e): e is LoadEntry => e !== undefined);
  }
}
