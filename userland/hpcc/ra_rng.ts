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
