import { KeyedVectors } from '../src/vectors/keyed-vectors.js';

export type Row = [word: string, vector: number[]];

/**
 * A hand-made model whose dimensions mean royal, male, female, fruit, so
 * queries have known answers. `first` rows come before the base rows (they
 * are the most frequent words), `extra` rows after.
 */
export function royalModel(extra: Row[] = [], first: Row[] = []): KeyedVectors {
  const rows: Row[] = [
    ...first,
    ['king', [1, 1, 0, 0]],
    ['queen', [1, 0, 1, 0]],
    ['man', [0, 1, 0, 0]],
    ['woman', [0, 0, 1, 0]],
    ['apple', [0, 0, 0, 1]],
    ['orange', [0, 0, 0.2, 1]],
    ...extra,
  ];
  return new KeyedVectors(
    rows.map(([w]) => w),
    Float32Array.from(rows.flatMap(([, v]) => v)),
    4,
  );
}
