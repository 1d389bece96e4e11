// Exact float32 scores of the similarity kernel (see similarity.ts): a
// tile of rows against query pairs (scoreBlock), and listed rows against
// their queries (rescore), both summed in the one fixed order.

// @ts-ignore: decorator
@inline
function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Row r's inverse norm, or 1 (which leaves a score as it is) without norms. */
// @ts-ignore: decorator
@inline
function inverseOf(inverseNorms: usize, r: i32): f32 {
  return inverseNorms != 0 ? load<f32>(inverseNorms + (<usize>r << 2)) : 1;
}

/**
 * Exact float32 scores: out[q * outStride + (r - rowStart)] = (rows[r] · queries[q]) × inverseNorms[r]
 * for r in [rowStart, rowEnd rounded up to a multiple of 4) and q in [0, queryCount).
 *
 * @param rows       float32 rows
 * @param inverseNorms f32 per row (the rows' inverse norms, so that raw rows score their cosine), or 0 for none
 * @param rowStart   a multiple of 4
 * @param lanes      float32 lanes per vector (padded dimensions / 4)
 * @param queries    float32 query pairs
 * @param outStride  floats between consecutive queries' scores in `out`, at least the tile's rows rounded up to 4
 */
export function scoreBlock(
  rows: usize, inverseNorms: usize, rowStart: i32, rowEnd: i32, lanes: i32,
  queries: usize, queryCount: i32, out: usize, outStride: i32,
): void {
  const rowBytes = <usize>lanes << 4;
  const pairBytes = <usize>lanes << 5;
  const outQueryBytes = <usize>outStride << 2;
  for (let r = rowStart; r < rowEnd; r += 4) {
    const row0 = rows + <usize>r * rowBytes;
    const row1 = row0 + rowBytes;
    const row2 = row1 + rowBytes;
    const row3 = row2 + rowBytes;
    const column = out + (<usize>(r - rowStart) << 2);
    const n0 = inverseOf(inverseNorms, r);
    const n1 = inverseOf(inverseNorms, r + 1);
    const n2 = inverseOf(inverseNorms, r + 2);
    const n3 = inverseOf(inverseNorms, r + 3);
    let q = 0;
    for (; q + 2 <= queryCount; q += 2) {
      let x = queries + <usize>(q >> 1) * pairBytes;
      let a00 = f32x4.splat(0);
      let a10 = f32x4.splat(0);
      let a20 = f32x4.splat(0);
      let a30 = f32x4.splat(0);
      let a01 = f32x4.splat(0);
      let a11 = f32x4.splat(0);
      let a21 = f32x4.splat(0);
      let a31 = f32x4.splat(0);
      for (let k: usize = 0; k < rowBytes; k += 16, x += 32) {
        const x0 = v128.load(x);
        const x1 = v128.load(x, 16);
        const v0 = v128.load(row0 + k);
        a00 = f32x4.add(a00, f32x4.mul(v0, x0));
        a01 = f32x4.add(a01, f32x4.mul(v0, x1));
        const v1 = v128.load(row1 + k);
        a10 = f32x4.add(a10, f32x4.mul(v1, x0));
        a11 = f32x4.add(a11, f32x4.mul(v1, x1));
        const v2 = v128.load(row2 + k);
        a20 = f32x4.add(a20, f32x4.mul(v2, x0));
        a21 = f32x4.add(a21, f32x4.mul(v2, x1));
        const v3 = v128.load(row3 + k);
        a30 = f32x4.add(a30, f32x4.mul(v3, x0));
        a31 = f32x4.add(a31, f32x4.mul(v3, x1));
      }
      const at0 = column + <usize>q * outQueryBytes;
      const at1 = at0 + outQueryBytes;
      store<f32>(at0, horizontalSum(a00) * n0);
      store<f32>(at0, horizontalSum(a10) * n1, 4);
      store<f32>(at0, horizontalSum(a20) * n2, 8);
      store<f32>(at0, horizontalSum(a30) * n3, 12);
      store<f32>(at1, horizontalSum(a01) * n0);
      store<f32>(at1, horizontalSum(a11) * n1, 4);
      store<f32>(at1, horizontalSum(a21) * n2, 8);
      store<f32>(at1, horizontalSum(a31) * n3, 12);
    }
    if (q < queryCount) {
      let x = queries + <usize>(q >> 1) * pairBytes;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      for (let k: usize = 0; k < rowBytes; k += 16, x += 32) {
        const x0 = v128.load(x);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(row0 + k), x0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(row1 + k), x0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(row2 + k), x0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(row3 + k), x0));
      }
      const at = column + <usize>q * outQueryBytes;
      store<f32>(at, horizontalSum(a0) * n0);
      store<f32>(at, horizontalSum(a1) * n1, 4);
      store<f32>(at, horizontalSum(a2) * n2, 8);
      store<f32>(at, horizontalSum(a3) * n3, 12);
    }
  }
}

/**
 * Exact float32 scores of listed rows: for each query j, for each of its
 * `counts[j]` rows in `lists + 4 * j * listStride`, the score (in the order
 * of scoreBlock, so bit-identical to it) goes to the same position in `out`.
 *
 * @param rows     float32 rows
 * @param inverseNorms f32 per row, or 0 (as for scoreBlock)
 * @param lanes    float32 lanes per vector
 * @param queries  float32 query pairs (query j of this call is pair j >> 1)
 */
export function rescore(
  rows: usize, inverseNorms: usize, lanes: i32, queries: usize, queryCount: i32,
  lists: usize, listStride: i32, counts: usize, out: usize,
): void {
  const rowBytes = <usize>lanes << 4;
  const pairBytes = <usize>lanes << 5;
  const listBytes = <usize>listStride << 2;
  for (let j = 0; j < queryCount; j++) {
    const query = queries + <usize>(j >> 1) * pairBytes + (<usize>(j & 1) << 4);
    const list = lists + <usize>j * listBytes;
    const scores = out + <usize>j * listBytes;
    const n = load<i32>(counts + (<usize>j << 2));
    let i = 0;
    // Two rows at a time, for two independent accumulators.
    for (; i + 2 <= n; i += 2) {
      const r0 = load<i32>(list + (<usize>i << 2));
      const r1 = load<i32>(list + (<usize>i << 2), 4);
      let p0 = rows + <usize>r0 * rowBytes;
      let p1 = rows + <usize>r1 * rowBytes;
      const end0 = p0 + rowBytes;
      let x = query;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      for (; p0 < end0; p0 += 16, p1 += 16, x += 32) {
        const x0 = v128.load(x);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(p0), x0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(p1), x0));
      }
      store<f32>(scores + (<usize>i << 2), horizontalSum(a0) * inverseOf(inverseNorms, r0));
      store<f32>(scores + (<usize>i << 2), horizontalSum(a1) * inverseOf(inverseNorms, r1), 4);
    }
    if (i < n) {
      const r0 = load<i32>(list + (<usize>i << 2));
      let p0 = rows + <usize>r0 * rowBytes;
      const end0 = p0 + rowBytes;
      let x = query;
      let a0 = f32x4.splat(0);
      for (; p0 < end0; p0 += 16, x += 32) a0 = f32x4.add(a0, f32x4.mul(v128.load(p0), v128.load(x)));
      store<f32>(scores + (<usize>i << 2), horizontalSum(a0) * inverseOf(inverseNorms, r0));
    }
  }
}

/**
 * Inverse norms of rows [rowStart, rowEnd): 1 / √(Σ v²), the squares summed
 * in float64 in the one fixed order (lane l of two f64x2 accumulators sums
 * the components k ≡ l and k ≡ 2 + l (mod 4) in increasing k, then
 * (a0 + a1) + (b0 + b1)) and the inverse rounded once to float32; 0 for a
 * zero row, NaN for a row holding NaN or an infinity (which scores NaN, so
 * no search keeps it).
 *
 * @param rows  float32 rows
 * @param lanes float32 lanes per vector
 * @param out   f32 per row, row r at `out + 4 * r`
 */
export function inverseNorms(rows: usize, lanes: i32, rowStart: i32, rowEnd: i32, out: usize): void {
  const rowBytes = <usize>lanes << 4;
  for (let r = rowStart; r < rowEnd; r++) {
    const row = rows + <usize>r * rowBytes;
    let a = f64x2.splat(0);
    let b = f64x2.splat(0);
    for (let k: usize = 0; k < rowBytes; k += 16) {
      const v = v128.load(row + k);
      const low = f64x2.promote_low_f32x4(v);
      const high = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      a = f64x2.add(a, f64x2.mul(low, low));
      b = f64x2.add(b, f64x2.mul(high, high));
    }
    const squares = (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)) + (f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1));
    const inverse: f32 = squares == 0 ? 0 : squares - squares != 0 ? NaN : <f32>(1 / Math.sqrt(squares));
    store<f32>(out + (<usize>r << 2), inverse);
  }
}
