/**
 * `count` distinct rows of `size` (all of them if fewer), drawn at random
 * with a seeded generator (mulberry32), in the order drawn: the query words
 * of the benchmarks, the same in every run with the same seed.
 */
export function sampleRows(size: number, count: number, seed: number): number[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rows = new Set<number>();
  while (rows.size < Math.min(count, size)) rows.add(Math.floor(random() * size));
  return [...rows];
}
