// Quantising the rows for the filter of top-n queries (see similarity.ts):
// their int16 copy, their error terms and their prefix copy, which the host
// builds once per scorer.

import { HEAD_LANES, PREFIX_DIMS, PREFIX_VALUES, SCALE } from './similarity-layout';

const INT16_MAX: i32 = 32767;

/** The smallest float32 at least x (x ≥ 0). */
// @ts-ignore: decorator
@inline
function roundUp(x: f64): f32 {
  const rounded = <f32>x;
  return <f64>rounded >= x ? rounded : reinterpret<f32>(reinterpret<u32>(rounded) + 1);
}

/**
 * Quantises rows [rowStart, rowEnd): value k of row r, the f32 at
 * `values + (r - rowStart) * rowStep + k * dimStep` (times the row's inverse
 * norm in float32, if `inverseNorms` is not 0, so that raw rows quantise as
 * unit vectors), becomes round(SCALE × value) (halves up, NaN → 0) in the
 * int16 copy, split into the head copy (the first HEAD_LANES lanes, row r
 * at `head + r * headLanes * 16`) and the tail copy (the rest, row r at
 * `tail + r * (lanes - headLanes) * 16`), the padding left zero, and, for
 * k < PREFIX_DIMS, in the prefix copy (layout in similarity-int16.ts).
 * The row's error term, ½ L1 of its int16 values rounded up to f32, goes
 * to `errors`, and the norm of its values past the head, rounded up to an
 * integer, to `headRests` (see refine); the prefix's rest slot gets the norm
 * of the values past the prefix (rounded up to an integer, capped at 32767),
 * and its error slot what the cap left out, which the host turns into the
 * prefix test's error.
 */
export function quantizeRows(
  values: usize, rowStep: i32, dimStep: i32, rowStart: i32, rowEnd: i32, dim: i32, inverseNorms: usize,
  head: usize, tail: usize, lanes: i32, errors: usize, headRests: usize, prefix: usize,
): void {
  const headLanes = lanes < HEAD_LANES ? lanes : HEAD_LANES;
  const headDims = headLanes << 3;
  const headBytes = <usize>headLanes << 4;
  const tailBytes = <usize>(lanes - headLanes) << 4;
  for (let r = rowStart; r < rowEnd; r++) {
    const source = values + <usize>(r - rowStart) * <usize>rowStep;
    const rowHead = head + <usize>r * headBytes;
    const rowTail = tail + <usize>r * tailBytes - (<usize>headDims << 1);
    const group = prefix + ((<usize>(r >> 2) * PREFIX_VALUES * 4 + (<usize>(r & 3) << 1)) << 1);
    const scale: f32 = inverseNorms != 0 ? load<f32>(inverseNorms + (<usize>r << 2)) : 1;
    let l1: i64 = 0;
    let rest: i64 = 0;
    let headRest: i64 = 0;
    for (let k = 0; k < dim; k++) {
      let value = load<f32>(source + <usize>k * <usize>dimStep);
      if (inverseNorms != 0) value *= scale;
      const x = <f64>value * <f64>SCALE;
      const q: i32 = x != x ? 0 : <i32>Math.floor(x + 0.5);
      if (k < headDims) store<i16>(rowHead + (<usize>k << 1), <i16>q);
      else {
        store<i16>(rowTail + (<usize>k << 1), <i16>q);
        headRest += <i64>q * <i64>q;
      }
      l1 += <i64>abs<i32>(q);
      if (k < PREFIX_DIMS) store<i16>(group + (<usize>(((k >> 1) << 3) + (k & 1)) << 1), <i16>q);
      else rest += <i64>q * <i64>q;
    }
    store<f32>(errors + (<usize>r << 2), roundUp(<f64>l1 / 2));
    store<f32>(headRests + (<usize>r << 2), <f32>integerNorm(headRest));
    const norm = integerNorm(rest);
    const capped = norm < <i64>INT16_MAX ? norm : <i64>INT16_MAX;
    store<i16>(group + ((<usize>(PREFIX_DIMS / 2) << 3) << 1), <i16>capped);
    store<i16>(group + (((<usize>(PREFIX_DIMS / 2) << 3) + 1) << 1), <i16>(norm - capped));
  }
}

/** ⌈√squares⌉ for an integer sum of squares: an integer at least the norm. */
// @ts-ignore: decorator
@inline
function integerNorm(squares: i64): i64 {
  let norm = <i64>Math.ceil(Math.sqrt(<f64>squares));
  if (norm * norm < squares) norm++; // the square root rounded down onto an integer
  return norm;
}
