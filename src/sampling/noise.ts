/**
 * The noise distribution for negative sampling, P(w) ∝ count(w)^exponent, as
 * an alias table (Vose's method): a draw picks a slot uniformly, then keeps it
 * with probability threshold/2^32 or takes its alias. Two tables of V entries
 * replace word2vec.c's 10^8-entry unigram table and are exact.
 */
export interface AliasTable {
  /** Keep the slot when a uniform 32-bit number is below this. */
  threshold: Uint32Array;
  alias: Int32Array;
}

const TWO_32 = 2 ** 32;

export function noiseProbabilities(counts: ArrayLike<number>, exponent: number): Float64Array {
  const p = new Float64Array(counts.length);
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += p[i] = Math.pow(counts[i], exponent);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

export function buildAliasTable(counts: ArrayLike<number>, exponent: number): AliasTable {
  const n = counts.length;
  const scaled = noiseProbabilities(counts, exponent).map((p) => p * n);
  const threshold = new Uint32Array(n);
  const alias = new Int32Array(n);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((s, i) => (s < 1 ? small : large).push(i));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large[large.length - 1];
    threshold[s] = Math.floor(scaled[s] * TWO_32);
    alias[s] = l;
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) small.push(large.pop()!);
  }
  // What is left has probability 1 up to rounding: always keep it.
  for (const i of [...small, ...large]) {
    threshold[i] = TWO_32 - 1;
    alias[i] = i;
  }
  return { threshold, alias };
}
