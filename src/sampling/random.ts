/**
 * A small seeded generator (mulberry32) for host-side randomness: initial
 * weights and per-thread seeds. The kernels have their own (xorshift64*).
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x6d2b79f5) >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A 64-bit seed for a kernel instance. */
  nextSeed64(): bigint {
    return (BigInt(this.nextUint32()) << 32n) | BigInt(this.nextUint32());
  }
}

/**
 * A seeded uniform [0, 1) source as a plain function, for code that takes one
 * (tests, UMAP's layout).
 * @example const random = seededRandom(7); random(); // 0.1..., the same every run
 */
export function seededRandom(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}
