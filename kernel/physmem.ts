// Physical memory of one node: page frames holding real bytes.
//
// Frames live in 1 MiB chunks that are allocated when a frame in them is first
// handed out and released when the last one is freed, so a node's host memory
// follows what the emulated node uses, not its configured size. Each chunk has
// byte, 32-bit and float64 views so page tables (32-bit PTEs) and program data
// are read in place.
import { crc32 } from 'node:zlib';

export const FRAME_SHIFT = 12;
export const FRAME_SIZE_B = 1 << FRAME_SHIFT;
const CHUNK_SHIFT = 8; // 256 frames a chunk
const CHUNK_FRAMES = 1 << CHUNK_SHIFT;
/** The most frames a node may have: a PTE holds a 20-bit frame number. */
export const MAX_FRAMES = 1 << 20;
/** A frame of zeros to compare with (a native compare, several times cheaper than a copy). */
const ZERO_FRAME = Buffer.alloc(FRAME_SIZE_B);

interface Chunk {
  u8: Uint8Array;
  u32: Uint32Array;
  f64: Float64Array;
  used: number;
}

/**
 * Chunks no node uses any more, kept for the next node that needs one (of
 * the process: the host's, shared by every cluster it runs), each with
 * which of its frames hold only zeros, up to this many (4 GiB).
 *
 * Why keep them rather than give them back: a chunk is a 1 MiB calloc,
 * which glibc serves from fresh mmap'd memory, zero without being written,
 * so the host commits only the pages a node writes (none of a fast-mode
 * run's data pages). Freeing one raises glibc's mmap threshold past 1 MiB
 * (its dynamic threshold), and from then on every chunk comes from the
 * brk heap, which calloc must clear: each commits its whole megabyte, and
 * what is freed stays in the heap. A 64-node cluster grew to 2 GB so.
 * Kept, they are reused as they are (the frames' zero marks tell which
 * need clearing), and a task that maps and unmaps in a loop does not make
 * the host allocate and zero a megabyte each time.
 */
const SPARE_CHUNKS = 4096;
const spare_chunks: { buf: ArrayBuffer; pristine: Uint8Array }[] = [];

/**
 * Let the spare chunks go, for the collector to give back to the host: for
 * a process that runs one emulation after another (a bench or sweep
 * worker), between two of them. A chunk keeps committed every page of it
 * that was ever written (a page table, a stack; JS cannot tell the host to
 * forget a page), and spares taken by one cluster after another collect
 * such pages: a bench worker's RSS grew by some 40 MB a cluster run (seven
 * 16-node runs in a row: 432 MB, against 274 MB when the spares go after
 * each run). Within one run they are kept, for the reasons above.
 */
export function release_spare_chunks(): void {
  spare_chunks.length = 0;
}

export class PhysMem {
  readonly nframes: number;
  private readonly chunks: (Chunk | undefined)[];
  /** Frames freed, the last freed on top (taken first); frames never used yet are those from `fresh` on. */
  private readonly free_stack: Int32Array;
  private free_top = 0;
  private fresh = 0;
  /** Users of each frame; 0 means free. The zero page is shared, hence counts. */
  readonly refcount: Uint16Array;
  /**
   * 1 while a frame is known to hold only zeros: none of the accesses that
   * could write it (views, bytes, write_u32, copy) was made since it was
   * last cleared, made, or found so when freed. Such a frame needs no
   * clearing when taken again, and the host never commits its memory (a
   * fast-mode run writes no data page).
   */
  private readonly pristine: Uint8Array;

  constructor(size_B: number) {
    const nframes = Math.floor(size_B / FRAME_SIZE_B);
    if (!Number.isInteger(size_B) || nframes < 16 || nframes > MAX_FRAMES) {
      throw new Error(`node memory must be between 64 KiB and 4 GiB, got ${size_B} bytes`);
    }
    this.nframes = nframes;
    this.chunks = new Array(Math.ceil(nframes / CHUNK_FRAMES));
    // Low frames go out first so chunks fill one at a time (a 256-node
    // cluster no longer writes a million-entry list per node to say so).
    this.free_stack = new Int32Array(nframes);
    this.refcount = new Uint16Array(nframes);
    this.pristine = new Uint8Array(nframes);
  }

  get free_frames(): number {
    return this.free_top + this.nframes - this.fresh;
  }
  get used_frames(): number {
    return this.fresh - this.free_top;
  }
  /** Host bytes held by chunks right now (for memory reports). */
  get host_bytes(): number {
    let n = 0;
    for (const c of this.chunks) if (c) n += c.u8.byteLength;
    return n;
  }

  /**
   * Take a free frame (__get_free_page); -1 when memory is exhausted. The
   * frame's bytes are unspecified, as in Linux: callers clear or fill it.
   */
  alloc(): number {
    const pfn = this.take();
    if (pfn >= 0) this.pristine[pfn] = 0;
    return pfn;
  }

  private take(): number {
    let pfn: number;
    if (this.free_top > 0) pfn = this.free_stack[--this.free_top]!;
    else if (this.fresh < this.nframes) pfn = this.fresh++;
    else return -1;
    const ci = pfn >> CHUNK_SHIFT;
    let c = this.chunks[ci];
    if (!c) {
      const s = spare_chunks.pop();
      const buf = s?.buf ?? new ArrayBuffer(CHUNK_FRAMES * FRAME_SIZE_B);
      c = { u8: new Uint8Array(buf), u32: new Uint32Array(buf), f64: new Float64Array(buf), used: 0 };
      this.chunks[ci] = c;
      // (A spare from a bigger memory may reach past this one's last frame.)
      if (s) this.pristine.set(s.pristine.subarray(0, Math.min(s.pristine.length, this.nframes - (ci << CHUNK_SHIFT))), ci << CHUNK_SHIFT);
      else this.pristine.fill(1, ci << CHUNK_SHIFT, (ci + 1) << CHUNK_SHIFT);
    }
    c.used++;
    this.refcount[pfn] = 1;
    return pfn;
  }

  /** alloc() and clear(): a zero-filled frame (the clear is skipped when the
   *  frame is known to hold only zeros). */
  alloc_zeroed(): number {
    const pfn = this.take();
    if (pfn >= 0 && !this.pristine[pfn]) {
      const off = PhysMem.offset_B(pfn);
      this.chunks[pfn >> CHUNK_SHIFT]!.u8.fill(0, off, off + FRAME_SIZE_B);
      this.pristine[pfn] = 1;
    }
    return pfn;
  }

  /**
   * alloc() and copy(): a frame holding src's bytes. A page of zeros (every
   * page in fast mode) going into a frame never written is not copied: the
   * frame holds zeros already, and the host never commits its memory.
   */
  alloc_copy(src: Uint8Array): number {
    if (src.byteLength !== FRAME_SIZE_B) throw new Error(`page copy of ${src.byteLength} bytes`);
    const pfn = this.take();
    if (pfn < 0) return pfn;
    if (!(this.pristine[pfn] === 1 && ZERO_FRAME.equals(src))) this.copy(pfn, src);
    return pfn;
  }

  /** Drop one reference; the frame returns to the free list at zero. */
  put(pfn: number): void {
    const rc = this.refcount[pfn]!;
    if (rc === 0) throw new Error(`double free of frame ${pfn}`);
    this.refcount[pfn] = rc - 1;
    if (rc > 1) return;
    this.free_stack[this.free_top++] = pfn;
    const ci = pfn >> CHUNK_SHIFT;
    const c = this.chunks[ci]!;
    // A frame that may have been written and is freed holding only zeros
    // (a page that went back and forth in a fast-mode run) needs no
    // clearing when it is taken again either.
    if (!this.pristine[pfn]) {
      const off = PhysMem.offset_B(pfn);
      if (ZERO_FRAME.compare(c.u8, off, off + FRAME_SIZE_B) === 0) this.pristine[pfn] = 1;
    }
    if (--c.used === 0) this.release_chunk(ci);
  }

  /** A chunk with no frame in use goes to the spares (or back to the host). */
  private release_chunk(ci: number): void {
    const c = this.chunks[ci]!;
    this.chunks[ci] = undefined;
    const lo = ci << CHUNK_SHIFT;
    if (spare_chunks.length < SPARE_CHUNKS) spare_chunks.push({ buf: c.u8.buffer as ArrayBuffer, pristine: this.pristine.slice(lo, lo + CHUNK_FRAMES) });
    this.pristine.fill(0, lo, lo + CHUNK_FRAMES);
  }

  get(pfn: number): void {
    if (this.refcount[pfn] === 0) throw new Error(`get of free frame ${pfn}`);
    this.refcount[pfn]!++;
  }

  private chunk(pfn: number): Chunk {
    const c = this.chunks[pfn >> CHUNK_SHIFT];
    if (!c || this.refcount[pfn] === 0) throw new Error(`access to free frame ${pfn}`);
    return c;
  }

  /** Byte offset of a frame inside its chunk's buffer. */
  static offset_B(pfn: number): number {
    return (pfn & (CHUNK_FRAMES - 1)) << FRAME_SHIFT;
  }

  /** The chunk views a frame lives in (for hot loops that index directly; only into this frame). */
  views(pfn: number): Chunk {
    const c = this.chunk(pfn);
    this.pristine[pfn] = 0;
    return c;
  }

  /**
   * A view of one frame's bytes for a reader that never writes through it
   * (the audit's checksum, a page copied into a message): bytes() without
   * forgetting that the frame is known to hold zeros, which bytes() must
   * (its caller may write). Allocates a view.
   */
  peek(pfn: number): Uint8Array {
    const off = PhysMem.offset_B(pfn);
    return this.chunk(pfn).u8.subarray(off, off + FRAME_SIZE_B);
  }

  /** Whether a frame is known to hold only zeros (cleared and not written since, or found so when freed). */
  known_zero(pfn: number): boolean {
    return this.pristine[pfn] === 1;
  }

  /** A view of one frame's bytes (allocates a view: not for hot paths). */
  bytes(pfn: number): Uint8Array {
    const off = PhysMem.offset_B(pfn);
    const c = this.chunk(pfn);
    this.pristine[pfn] = 0;
    return c.u8.subarray(off, off + FRAME_SIZE_B);
  }

  read_u32(pfn: number, index: number): number {
    return this.chunk(pfn).u32[(PhysMem.offset_B(pfn) >> 2) + index]!;
  }

  write_u32(pfn: number, index: number, value: number): void {
    this.chunk(pfn).u32[(PhysMem.offset_B(pfn) >> 2) + index] = value;
    this.pristine[pfn] = 0;
  }

  clear(pfn: number): void {
    const off = PhysMem.offset_B(pfn);
    this.chunk(pfn).u8.fill(0, off, off + FRAME_SIZE_B);
    this.pristine[pfn] = 1;
  }

  copy(dst_pfn: number, src: Uint8Array): void {
    if (src.byteLength !== FRAME_SIZE_B) throw new Error(`page copy of ${src.byteLength} bytes`);
    this.bytes(dst_pfn).set(src);
  }

  /** Content checksum of a frame (CRC-32), used to prove pages survive moves. */
  checksum(pfn: number): number {
    const off = PhysMem.offset_B(pfn);
    return crc32(this.chunk(pfn).u8.subarray(off, off + FRAME_SIZE_B));
  }
}
