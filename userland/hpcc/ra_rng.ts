// RandomAccess's random stream: ran_{k+1} = (ran_k << 1) ^ (ran_k < 0 ? POLY : 0)
// on 64-bit words, which is multiplication by x in GF(2)[x] modulo
// p(x) = x^64 + x^2 + x + 1 (POLY = 7). So the k-th element from 1 is x^k mod p,
// and HPCC_starts(k) jumps there by square-and-multiply in O(64^2) steps.
//
// The hot loop keeps a value as two 32-bit halves (no BigInt); BigInt is used
// only to compute starting points.

export const RA_POLY = 7n;
const MASK64 = (1n << 64n) - 1n;

/** One step on a BigInt (for tests and for the jump). */
export function ra_step_big(ran: bigint): bigint {
  const neg = (ran >> 63n) & 1n;
  return ((ran << 1n) & MASK64) ^ (neg ? RA_POLY : 0n);
}

/** a * b mod p in GF(2)[x], 64-bit operands. */
function gf2_mulmod(a: bigint, b: bigint): bigint {
  let acc = 0n;
  let sh = a;
  for (let i = 0n; i < 64n; i++) {
    if ((b >> i) & 1n) acc ^= sh;
    sh = ra_step_big(sh);
  }
  return acc;
}

/** HPCC_starts(n): the element n steps after 1, i.e. x^n mod p (n >= 0). */
export function hpcc_starts(n: bigint | number): bigint {
  let e = BigInt(n);
  if (e < 0n) throw new Error(`hpcc_starts needs n >= 0, got ${e}`);
  let result = 1n;
  let base = 2n; // x
  while (e > 0n) {
    if (e & 1n) result = gf2_mulmod(result, base);
    base = gf2_mulmod(base, base);
    e >>= 1n;
  }
  return result;
}

/** Split a 64-bit value into [hi, lo] signed 32-bit halves. */
export function split64(v: bigint): [number, number] {
  return [Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asIntN(32, v & 0xffffffffn))];
}

export function join64(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** a * b mod p in GF(2)[x] on 32-bit halves (gf2_mulmod without BigInt), into out[0] (hi) and out[1] (lo). */
function gf2_mulmod32(ah: number, al: number, bh: number, bl: number, out: Int32Array): void {
  let acc_h = 0;
  let acc_l = 0;
  let sh = ah;
  let sl = al;
  for (let i = 0; i < 64; i++) {
    if ((i < 32 ? bl >>> i : bh >>> (i - 32)) & 1) {
      acc_h ^= sh;
      acc_l ^= sl;
    }
    // sh:sl times x: the recurrence's step.
    const nl = (sl << 1) ^ (sh < 0 ? 7 : 0);
    sh = (sh << 1) | (sl >>> 31);
    sl = nl;
  }
  out[0] = acc_h;
  out[1] = acc_l;
}

/**
 * The streams' starting points, HPCC_starts(k * j) for j = 0..hi.length-1,
 * as 32-bit halves. The obvious version is split64(hpcc_starts(k * j)) for
 * each j, a square-and-multiply of BigInts each time (a quarter of a
 * cluster run's host time went there). Since x^(k j) = x^(k (j-1)) * x^k,
 * each start is the one before times HPCC_starts(k): one multiplication a
 * stream, on 32-bit halves. A property checks the two agree.
 */
export function stream_starts(k: number, hi: Int32Array, lo: Int32Array): void {
  const [kh, kl] = split64(hpcc_starts(k));
  const v = new Int32Array(2);
  let h = 0;
  let l = 1; // x^0
  for (let j = 0; j < hi.length; j++) {
    hi[j] = h;
    lo[j] = l;
    gf2_mulmod32(h, l, kh, kl, v);
    h = v[0]!;
    l = v[1]!;
  }
}
