// The host's floor for a page crossing the emulated wire: the two copies of
// its 4 KiB that any run makes however few events it takes (the sender's
// frame into the message's bytes, om/proto.ts encode; the message's bytes
// into the receiver's frame), between random pages of two 256 MiB arenas
// (a migrant's image is far larger than the host's caches, so a page sent
// is rarely in them), through a small pool of message buffers as the
// emulator's. Measured in the calling thread's user CPU, not wall time, so
// that other work on the machine inflates it less. bench-micro prints the
// per-page figures beside it: a goal below it cannot be met by the event
// machinery, only by copying less.
import { PAGE_SIZE } from '../../mm/pgtable.ts';

export function copy_floor_us(arena_B = 256 << 20, n = 200_000): number {
  const pages = arena_B / PAGE_SIZE;
  const src = new Uint8Array(arena_B);
  const dst = new Uint8Array(arena_B);
  // Touch every page first: the floor is the copy, not the host's first-touch fault.
  for (let i = 0; i < arena_B; i += PAGE_SIZE) src[i] = dst[i] = 1;
  const msgs = Array.from({ length: 64 }, () => new Uint8Array(new ArrayBuffer(4 * PAGE_SIZE)));
  // xorshift32: a fixed page order, the same every run (no Math.random).
  let x = 0x9e3779b9;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % pages;
  };
  const once = (count: number): number => {
    const t0 = process.cpuUsage().user;
    for (let i = 0; i < count; i++) {
      const m = msgs[i & 63]!;
      const at = 6 + (i & 1) * (PAGE_SIZE + 6); // behind a message header, as a page record lies
      const s = next() * PAGE_SIZE;
      m.set(src.subarray(s, s + PAGE_SIZE), at);
      const d = next() * PAGE_SIZE;
      dst.set(m.subarray(at, at + PAGE_SIZE), d);
    }
    return (process.cpuUsage().user - t0) / count;
  };
  once(n / 10);
  return Math.min(once(n), once(n));
}
