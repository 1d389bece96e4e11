/**
 * The unit vectors of a model, in one definition: written wherever they are
 * needed (a cache, a query's words, the explorer's map) from the raw
 * vectors, with the same bits everywhere. (The scorer scores raw rows times
 * their inverse norms: see inverseNorm in scorer.ts.)
 */

/**
 * Writes the raw `vectors` of rows [from, to) scaled to unit length into
 * `target`, row r from `(r - from) * stride` (zero rows stay zero, rows
 * holding NaN or an infinity become all NaN, so they score NaN, which no
 * search keeps). The rest of each target row is left as it is.
 */
export function writeUnitRows(
  vectors: Float32Array,
  dim: number,
  from: number,
  to: number,
  target: Float32Array,
  stride: number,
): void {
  for (let row = from; row < to; row++) {
    const base = row * dim;
    const out = (row - from) * stride;
    let squares = 0;
    for (let k = 0; k < dim; k++) {
      const v = vectors[base + k]!;
      squares += v * v;
    }
    if (squares === 0) {
      target.fill(0, out, out + dim);
    } else if (!Number.isFinite(squares)) {
      target.fill(NaN, out, out + dim);
    } else {
      const inverse = 1 / Math.sqrt(squares);
      for (let k = 0; k < dim; k++) target[out + k] = vectors[base + k]! * inverse;
    }
  }
}

/** Writes `vector` scaled to unit length (in float64; a zero vector stays zero) into `out` from `at` (`out` may be `vector`). */
export function normalizeInto(
  vector: ArrayLike<number>,
  out: Float32Array | Float64Array,
  at: number,
): void {
  let squares = 0;
  for (let k = 0; k < vector.length; k++) squares += vector[k]! * vector[k]!;
  const inverse = squares > 0 ? 1 / Math.sqrt(squares) : 1;
  for (let k = 0; k < vector.length; k++) out[at + k] = vector[k]! * inverse;
}
