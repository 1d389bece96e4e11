// Quantising the rows for the filter of top-n queries (see similarity.ts):
// their int16 copy, their error terms and their prefix copy, which the host
// builds once per scorer.

import { PREFIX_DIMS, PREFIX_VALUES, SCALE } from './similarity-layout';

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
 * `values + (r - rowStart) * rowStep + k * dimStep`, becomes
 * round(SCALE × value) (halves up, NaN → 0) in the int16 copy (row r at
 * `rows16 + r * stride16 * 2`, the rest of it left zero) and, for
 * k < PREFIX_DIMS, in the prefix copy (layout in similarity-int16.ts).
 * The row's error term, ½ L1 of its int16 values rounded up to f32, goes
 * to `errors`; the prefix's rest slot gets the norm of the values past the
 * prefix (rounded up to an integer, capped at 32767), and its error slot
 * what the cap left out, which the host turns into the prefix test's error.
 */
export function quantizeRows(
  values: usize, rowStep: i32, dimStep: i32, rowStart: i32, rowEnd: i32, dim: i32,
  rows16: usize, stride16: i32, errors: usize, prefix: usize,
): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const source = values + <usize>(r - rowStart) * <usize>rowStep;
    const target = rows16 + ((<usize>r * <usize>stride16) << 1);
    const group = prefix + ((<usize>(r >> 2) * PREFIX_VALUES * 4 + (<usize>(r & 3) << 1)) << 1);
    let l1: i64 = 0;
    let rest: i64 = 0;
    for (let k = 0; k < dim; k++) {
      const x = <f64>load<f32>(source + <usize>k * <usize>dimStep) * <f64>SCALE;
      const q: i32 = x != x ? 0 : <i32>Math.floor(x + 0.5);
      store<i16>(target + (<usize>k << 1), <i16>q);
      l1 += <i64>abs<i32>(q);
      if (k < PREFIX_DIMS) store<i16>(group + (<usize>(((k >> 1) << 3) + (k & 1)) << 1), <i16>q);
      else rest += <i64>q * <i64>q;
    }
    store<f32>(errors + (<usize>r << 2), roundUp(<f64>l1 / 2));
    let norm = <i64>Math.ceil(Math.sqrt(<f64>rest));
    if (norm * norm < rest) norm++; // the square root rounded down onto an integer
    const capped = norm < <i64>INT16_MAX ? norm : <i64>INT16_MAX;
    store<i16>(group + ((<usize>(PREFIX_DIMS / 2) << 3) << 1), <i16>capped);
    store<i16>(group + (((<usize>(PREFIX_DIMS / 2) << 3) + 1) << 1), <i16>(norm - capped));
  }
}
