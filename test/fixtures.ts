import type { TrainingState } from '../src/io/native-format.js';
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

/** A checkpoint's saved progress, with the given fields changed. */
export function sampleState(overrides: Partial<TrainingState> = {}): TrainingState {
  return {
    wordsDone: 1234,
    totalWords: 5000,
    epoch: 1,
    chunksDone: 3,
    chunkTarget: 8192,
    randomStates: ['0123456789abcdef', 'fedcba9876543210'],
    examples: 99,
    epochLoss: 12.625,
    epochExamples: 40,
    corpus: { tokens: 2500, files: [{ path: 'a.txt', bytes: 10000 }] },
    ...overrides,
  };
}
