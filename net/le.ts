// Little-endian integers written and read byte by byte, as buffer-layout's
// u16 and u32 (and DataView's little-endian accessors) lay them out. The
// datagrams and messages the nodes exchange are written so where they are
// made by the thousand: buffer-layout makes a Buffer for every field, and a
// DataView over a small message's bytes makes V8 move them off its heap,
// either of which cost more than the rest of handling the message.

/** x as a little-endian u16 at o (what DataView's setUint16(o, x, true) writes). */
export function put_u16(b: Uint8Array, o: number, x: number): void {
  b[o] = x;
  b[o + 1] = x >>> 8;
}

/** x as a little-endian u32 at o (what DataView's setUint32(o, x, true) writes). */
export function put_u32(b: Uint8Array, o: number, x: number): void {
  b[o] = x;
  b[o + 1] = x >>> 8;
  b[o + 2] = x >>> 16;
  b[o + 3] = x >>> 24;
}

/** The little-endian u16 at o (DataView's getUint16(o, true)). */
export const get_u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);

/** The little-endian u32 at o (DataView's getUint32(o, true)). */
export const get_u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
