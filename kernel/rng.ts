// Seeded randomness for everything inside the simulation (never Math.random).
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export class Rng {
  private gen: RandomGenerator;
  constructor(readonly seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }
  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }
  /** Float in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen);
  }
  /** An independent generator derived from this one (for a sub-component). */
  fork(): Rng {
    return new Rng(this.gen.next());
  }
}
