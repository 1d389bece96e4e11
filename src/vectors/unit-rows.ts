/**
 * The unit vectors of a model, in one definition: written wherever they are
 * needed (a cache, or straight into a scorer's own memory) from the raw
 * vectors, with the same bits everywhere.
 */

/** Writes rows [from, to), row r's values from `(r - from) * stride` in `target`. */
export type WriteRows = (from: number, to: number, target: Float32Array, stride: number) => void;

/** The unit vectors a scorer scores, written on request into its own memory (so the caller need not keep a copy). */
export interface UnitRows {
  write: WriteRows;
  /** All the rows, row-major (for the TypeScript scorer, which scores them where they are). */
  all(): Float32Array;
}

/** {@link UnitRows} over unit vectors already computed (`dim` values per row). */
export function unitRowsOf(unit: Float32Array, dim: number): UnitRows {
  return {
    write(from, to, target, stride) {
      if (stride === dim) target.set(unit.subarray(from * dim, to * dim));
      else
        for (let row = from; row < to; row++)
          target.set(unit.subarray(row * dim, (row + 1) * dim), (row - from) * stride);
    },
    all: () => unit,
  };
}

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
