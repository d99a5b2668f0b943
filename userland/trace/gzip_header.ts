// The fixed part of a gzip member's header (RFC 1952, 2.3), read with
// @solana/buffer-layout: read once a file, where speed does not matter, so
// the layout states the format instead of offsets written by hand.
import { struct, u8, u32, type Layout } from '@solana/buffer-layout';

export interface GzipHeader {
  id1: number;
  id2: number;
  /** Compression method: 8 is deflate, the only one gzip defines. */
  cm: number;
  flg: number;
  /** Modification time of the original file, seconds since 1970 (0: none). */
  mtime: number;
  xfl: number;
  os: number;
}

const gzip_hdr = struct<GzipHeader>([u8('id1'), u8('id2'), u8('cm'), u8('flg'), u32('mtime'), u8('xfl'), u8('os')] as Layout<never>[]);
export const GZIP_HEADER_B = gzip_hdr.span;

/** The header at the start of bytes when they begin with gzip's magic (1f 8b), else null. */
export function gzip_header(bytes: Uint8Array): GzipHeader | null {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return null;
  if (bytes.length < GZIP_HEADER_B) return { id1: 0x1f, id2: 0x8b, cm: -1, flg: 0, mtime: 0, xfl: 0, os: 0 };
  return gzip_hdr.decode(bytes, 0);
}
