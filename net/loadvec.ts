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
/** Bytes of a full window. */
export const window_B = (entries: number): number => WINDOW_HEAD_B + entries * LOAD_ENTRY_B;

export class LoadWindowError extends Error {}

const clamp16 = (x: number): number => Math.max(0, Math.min(0xffff, Math.round(x)));

export function encode_window(type: number, version: number, from: number, seq: number, entries: readonly LoadEntry[], now_ns: number): Uint8Array {
  const b = new Uint8Array(window_B(entries.length));
  HEAD.encode({ type, version, node: from, seq, count: entries.length }, b, 0);
  let off = WINDOW_HEAD_B;
  for (const e of entries) {
    ENTRY.encode({
      node: e.node, load: clamp16(e.load * 100), util: clamp16(e.util * 10000), speed: clamp16(e.speed * 100),
      free_mem_kB: Math.min(Math.floor(e.free_mem_B / 1024), 0xffffffff),
      age_ms: Math.min(Math.round((now_ns - e.at_ns) / 1e6), 0xffffffff),
    }, b, off);
    off += LOAD_ENTRY_B;
  }
  return b;
}

/** Decode a window; the entries are dated from now_ns. */
export function decode_window(b: Uint8Array, now_ns: number): { from: number; seq: number; entries: LoadEntry[] } {
  if (b.length < WINDOW_HEAD_B) throw new LoadWindowError(`load window of ${b.length} B is shorter than its ${WINDOW_HEAD_B}-byte header`);
  const h = HEAD.decode(b, 0);
  if (b.length !== window_B(h.count)) throw new LoadWindowError(`load window says ${h.count} entries but has ${b.length} B (expected ${window_B(h.count)})`);
  const entries: LoadEntry[] = [];
  for (let i = 0, off = WINDOW_HEAD_B; i < h.count; i++, off += LOAD_ENTRY_B) {
    const m = ENTRY.decode(b, off);
    entries.push({ node: m.node, load: m.load / 100, util: m.util / 10000, speed: m.speed / 100, free_mem_B: m.free_mem_kB * 1024, at_ns: now_ns - m.age_ms * 1e6 });
  }
  return { from: h.node, seq: h.seq, entries };
}

/** One node's load vector: the freshest entry it knows of each node, its own included. */
export class LoadVector {
  private readonly by_node: (LoadEntry | undefined)[];
  constructor(readonly self: number, nodes: number) {
    this.by_node = new Array(nodes);
  }

  get(node: number): LoadEntry | undefined {
    return this.by_node[node];
  }

  /** This node's own entry, as of now. */
  set_own(e: LoadEntry): void {
    this.by_node[this.self] = e;
  }

  /** Keep what is fresher than what we have; returns how many entries it changed. */
  merge(entries: readonly LoadEntry[]): number {
    let n = 0;
    for (const e of entries) {
      if (e.node === this.self || e.node >= this.by_node.length) continue;
      const old = this.by_node[e.node];
      if (old && old.at_ns >= e.at_ns) continue;
      this.by_node[e.node] = e;
      n++;
    }
    return n;
  }

  /**
   * The window to send to `to`: the own entry, then the freshest others
   * (not `to`'s own, which it knows better), LOAD_VECTOR_WINDOW in all.
   */
  window(to: number): LoadEntry[] {
    const own = this.by_node[this.self];
    // The freshest LOAD_VECTOR_WINDOW - 1 others, kept sorted as the vector
    // is walked once (freshest first; equal times by node number, as the
    // walk meets them, so the choice is deterministic).
    const best: LoadEntry[] = [];
    const room = LOAD_VECTOR_WINDOW - 1;
    for (const e of this.by_node) {
      if (!e || e.node === this.self || e.node === to) continue;
      if (best.length === room && best[room - 1]!.at_ns >= e.at_ns) continue;
      let i = best.length < room ? best.length : room - 1;
      while (i > 0 && best[i - 1]!.at_ns < e.at_ns) {
        if (i < room) best[i] = best[i - 1]!;
        i--;
      }
      best[i] = e;
    }
    return own ? [own, ...best] : best;
  }

  /** Every entry known, own included, by node number. */
  known(): LoadEntry[] {
    return this.by_node.filter((e): e is LoadEntry => e !== undefined);
  }
}
