/**
 * What the evaluations need from a subword model for words outside the
 * known words: their vectors from n-grams, so that every question and pair
 * is scored (fastText users expect no out-of-vocabulary share).
 */
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { writeUnitRows } from '../vectors/unit-rows.js';
import { SubwordKeyedVectors } from './subword-keyed-vectors.js';

/** The known words of an evaluation: folded word → row. */
type Known = ReadonlyMap<string, number>;

/** Whether `kv` gives vectors to unknown words. */
export function scoresUnknownWords(kv: KeyedVectors): kv is SubwordKeyedVectors {
  return kv instanceof SubwordKeyedVectors;
}

/** The unit vector of an evaluation's word: its known row's, else its n-grams'; undefined if it has neither. */
function unitOf(
  kv: SubwordKeyedVectors,
  known: Known,
  fold: (word: string) => string,
  word: string,
): Float32Array | undefined {
  const row = known.get(fold(word));
  const unit = new Float32Array(kv.dim);
  if (row !== undefined) writeUnitRows(kv.row(row), kv.dim, 0, 1, unit, kv.dim);
  else if (kv.subwords.hasVectorFor(word))
    writeUnitRows(kv.subwords.vectorFor(word), kv.dim, 0, 1, unit, kv.dim);
  else return undefined;
  return unit;
}

/**
 * The analogy query `b - a + c` (mean of unit vectors, as
 * KeyedVectors.meanOfUnitVectors) with unknown words' vectors from their
 * n-grams, and the known rows to exclude; undefined if a word has no vector.
 */
export function subwordAnalogyQuery(
  kv: SubwordKeyedVectors,
  known: Known,
  fold: (word: string) => string,
  [a, b, c]: readonly string[],
): { vector: Float64Array; exclude: Set<number> } | undefined {
  const units = [a!, b!, c!].map((word) => unitOf(kv, known, fold, word));
  if (units.some((unit) => unit === undefined)) return undefined;
  const vector = new Float64Array(kv.dim);
  units.forEach((unit, i) => {
    const weight = i === 0 ? -1 : 1;
    for (let k = 0; k < kv.dim; k++) vector[k] = vector[k]! + weight * unit![k]!;
  });
  for (let k = 0; k < kv.dim; k++) vector[k] = vector[k]! / 3;
  const exclude = new Set<number>();
  for (const word of [a!, b!, c!]) {
    const row = known.get(fold(word));
    if (row !== undefined) exclude.add(row);
  }
  return { vector, exclude };
}

/** Cosine similarity of two words, unknown ones by their n-grams; undefined if one has no vector. */
export function subwordSimilarity(
  kv: SubwordKeyedVectors,
  known: Known,
  fold: (word: string) => string,
  first: string,
  second: string,
): number | undefined {
  const a = unitOf(kv, known, fold, first);
  const b = unitOf(kv, known, fold, second);
  if (a === undefined || b === undefined) return undefined;
  let dot = 0;
  for (let k = 0; k < kv.dim; k++) dot += a[k]! * b[k]!;
  return dot;
}
