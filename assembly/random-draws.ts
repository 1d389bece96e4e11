// The kernels' random draws, all from one xorshift64* stream per thread:
// window reaches, noise words and subsampling.

import { vocabSize, keep, aliasProb, aliasIndex, rng } from './kernel-state';

// xorshift64*: fast, 64-bit state, good high bits (the only ones used).
@inline export function nextRandom(): u64 {
  let x = rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng = x;
  return x * 0x2545F4914F6CDD1D;
}

/** A uniform integer in [0, n) from the high 32 bits (multiply-shift, no division). */
@inline export function below(random: u64, n: u64): u64 {
  return ((random >> 32) * n) >> 32;
}

/** One draw from the noise distribution by the alias method: O(1), two small tables. */
@inline export function noiseWord(): i32 {
  const r = nextRandom();
  const slot = <usize>below(r, vocabSize);
  const threshold = load<u32>(aliasProb + (slot << 2));
  return <u32>r < threshold ? <i32>slot : load<i32>(aliasIndex + (slot << 2));
}

/** Subsampling of frequent words: keep with the word's probability (a 32-bit threshold). */
@inline export function keepWord(word: i32): bool {
  return keep == 0 || <u32>(nextRandom() >> 32) <= load<u32>(keep + (<usize>word << 2));
}
