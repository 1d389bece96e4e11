// Similarity kernel for nearest-neighbour queries over unit vectors, with
// WebAssembly SIMD. The memory is imported and shared, so that worker
// threads can filter parts of a large batch over the same copies; the host
// copies the vectors in once and lays out every buffer, so nothing here
// allocates.
//
// A top-n query needs the exact score of only a few rows: those that can
// beat the n-th best score found so far (the query's floor). So the rows are
// first scored approximately from an int16 copy (half the bytes of float32,
// and one i32x4.dot_i16x8_s does 8 multiply-adds), with a proven bound on
// the error; only rows whose approximate score plus the bound exceeds the
// floor become candidates, and those get their exact float32 score (from
// the float32 copy, unrotated: see filterBlock).
//
// Exact scores are always computed in the same order: lane j of one f32x4
// accumulator sums the products of components k ≡ j (mod 4) in increasing
// k, then the lanes are added as (s0 + s1) + (s2 + s3). WebAssembly never
// fuses a multiply and an add, so a score is bit-identical however it was
// reached (alone, in a batch, by scoreBlock or by rescore).
//
// Layouts. Vectors are split into v128 "lanes": 4 float32 or 8 int16
// values, zero-padded at the end.
// - Row panels: rows come in groups of 4; lane k of rows 4p..4p+3 is at
//   `panels + p * lanes * 64 + k * 64 + i * 16` (the last panel is padded
//   with zero rows). The float32 and int16 copies both use this layout.
// - Query pairs: lane k of queries 2m and 2m+1 is at
//   `queries + m * lanes * 32 + k * 32 (+ 16)`; an odd query out is paired
//   with zeros. Interleaving lets one pointer and constant offsets address
//   a whole 4 × 2 tile.

// @ts-ignore: decorator
@inline
function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** [Σa, Σb, Σc, Σd] of four i32x4 (exact: integers, and no sum can overflow). */
// @ts-ignore: decorator
@inline
function fourSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(v128.shuffle<i32>(a, b, 0, 4, 1, 5), v128.shuffle<i32>(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(v128.shuffle<i32>(c, d, 0, 4, 1, 5), v128.shuffle<i32>(c, d, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i32>(ab, cd, 0, 1, 4, 5), v128.shuffle<i32>(ab, cd, 2, 3, 6, 7));
}

/**
 * Exact float32 scores: out[q * outStride + (r - rowStart)] = rows[r] · queries[q]
 * for r in [rowStart, rowEnd rounded up to a multiple of 4) and q in [0, queryCount).
 *
 * @param panels     float32 row panels
 * @param rowStart   a multiple of 4
 * @param lanes      float32 lanes per vector (padded dimensions / 4)
 * @param queries    float32 query pairs
 * @param outStride  floats between consecutive queries' scores in `out`, at least the tile's rows rounded up to 4
 */
export function scoreBlock(
  panels: usize, rowStart: i32, rowEnd: i32, lanes: i32,
  queries: usize, queryCount: i32, out: usize, outStride: i32,
): void {
  const panelBytes = <usize>lanes << 6;
  const pairBytes = <usize>lanes << 5;
  const outQueryBytes = <usize>outStride << 2;
  for (let r = rowStart; r < rowEnd; r += 4) {
    const panel = panels + <usize>(r >> 2) * panelBytes;
    const panelEnd = panel + panelBytes;
    const column = out + (<usize>(r - rowStart) << 2);
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
      for (let p = panel; p < panelEnd; p += 64, x += 32) {
        const x0 = v128.load(x);
        const x1 = v128.load(x, 16);
        const v0 = v128.load(p);
        a00 = f32x4.add(a00, f32x4.mul(v0, x0));
        a01 = f32x4.add(a01, f32x4.mul(v0, x1));
        const v1 = v128.load(p, 16);
        a10 = f32x4.add(a10, f32x4.mul(v1, x0));
        a11 = f32x4.add(a11, f32x4.mul(v1, x1));
        const v2 = v128.load(p, 32);
        a20 = f32x4.add(a20, f32x4.mul(v2, x0));
        a21 = f32x4.add(a21, f32x4.mul(v2, x1));
        const v3 = v128.load(p, 48);
        a30 = f32x4.add(a30, f32x4.mul(v3, x0));
        a31 = f32x4.add(a31, f32x4.mul(v3, x1));
      }
      const at0 = column + <usize>q * outQueryBytes;
      const at1 = at0 + outQueryBytes;
      store<f32>(at0, horizontalSum(a00));
      store<f32>(at0, horizontalSum(a10), 4);
      store<f32>(at0, horizontalSum(a20), 8);
      store<f32>(at0, horizontalSum(a30), 12);
      store<f32>(at1, horizontalSum(a01));
      store<f32>(at1, horizontalSum(a11), 4);
      store<f32>(at1, horizontalSum(a21), 8);
      store<f32>(at1, horizontalSum(a31), 12);
    }
    if (q < queryCount) {
      let x = queries + <usize>(q >> 1) * pairBytes;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      for (let p = panel; p < panelEnd; p += 64, x += 32) {
        const x0 = v128.load(x);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(p), x0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(p, 16), x0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(p, 32), x0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(p, 48), x0));
      }
      const at = column + <usize>q * outQueryBytes;
      store<f32>(at, horizontalSum(a0));
      store<f32>(at, horizontalSum(a1), 4);
      store<f32>(at, horizontalSum(a2), 8);
      store<f32>(at, horizontalSum(a3), 12);
    }
  }
}

// Per-query parameters of filterBlock, Q_BYTES per query.
const Q_THRESHOLD = 0; // f32: the floor, scaled by S²; -Infinity when any row will do
const Q_ERROR = 4; // f32: the query's share of the error bound (scaled), see filterBlock
const Q_END = 8; // i32: rows from here on are not candidates
const Q_RESTS = 16; // f32 per checkpoint: norm of the query's int16 values from that lane on
const Q_BYTES: usize = 64;

/**
 * Lists, for each query of a tile, the rows that may score above its floor:
 * appends row r to query q's list when
 *
 *     approx + rowError[r] + queryError[q] > threshold[q]
 *
 * where approx = int16 row · int16 query (exact integer arithmetic). With
 * vectors quantised as round(S × value) (after the same rotation of rows
 * and queries, which preserves dot products), approx differs from S² × the
 * exact score by at most ½ L1(row) + ½ L1(query) + dim/4 (in int16 units),
 * which the host splits into rowError (½ L1 of the row) and queryError (the
 * rest, plus slack for the rotation's and float32 rounding); so no row that
 * can beat the floor is ever left out.
 *
 * At each checkpoint lane c (increasing), a 4 × 2 tile whose partial sums
 * over lanes [0, c) cannot reach any threshold, even if the rest of each
 * dot product were as large as the norms of the rests allow
 * (Cauchy–Schwarz), stops. The rotation puts most of each vector in its
 * first lanes, so that this happens early and often.
 *
 * @param panels      int16 row panels
 * @param lanes       int16 lanes per vector (padded dimensions / 8)
 * @param queries     int16 query pairs
 * @param params      per query, Q_BYTES of parameters (Q_*)
 * @param rowErrors   f32 per row
 * @param rowRests    per panel and checkpoint, 4 f32: the rows' rest norms from that lane on
 * @param checks      i32 checkpoint lanes, increasing, each in 1..lanes-1
 * @param out         i32 row lists, query j's at `out + 4 * j * outStride`
 * @param counts      i32 per query: its list's length (the caller zeroes it)
 */
export function filterBlock(
  panels: usize, rowStart: i32, rowEnd: i32, lanes: i32,
  queries: usize, queryCount: i32, params: usize,
  rowErrors: usize, rowRests: usize, checks: usize, checkCount: i32,
  out: usize, outStride: i32, counts: usize,
): void {
  const panelBytes = <usize>lanes << 6;
  const pairBytes = <usize>lanes << 5;
  const listBytes = <usize>outStride << 2;
  const restBytes = <usize>checkCount << 4;
  const firstStop = checkCount > 0 ? <usize>load<i32>(checks) << 6 : panelBytes;
  for (let r = rowStart; r < rowEnd; r += 4) {
    const panel = panels + <usize>(r >> 2) * panelBytes;
    const panelEnd = panel + panelBytes;
    const rests = rowRests + <usize>(r >> 2) * restBytes;
    const errors = v128.load(rowErrors + (<usize>r << 2));
    // Padding rows of the last panel are never candidates.
    const valid = rowEnd - r;
    let q = 0;
    for (; q + 2 <= queryCount; q += 2) {
      let x = queries + <usize>(q >> 1) * pairBytes;
      const p0 = params + <usize>q * Q_BYTES;
      const p1 = p0 + Q_BYTES;
      let a00 = i32x4.splat(0);
      let a10 = i32x4.splat(0);
      let a20 = i32x4.splat(0);
      let a30 = i32x4.splat(0);
      let a01 = i32x4.splat(0);
      let a11 = i32x4.splat(0);
      let a21 = i32x4.splat(0);
      let a31 = i32x4.splat(0);
      let p = panel;
      let stop = panel + firstStop;
      let check = 0;
      let hopeless = false;
      for (;;) {
        for (; p < stop; p += 64, x += 32) {
          const x0 = v128.load(x);
          const x1 = v128.load(x, 16);
          const v0 = v128.load(p);
          a00 = i32x4.add(a00, i32x4.dot_i16x8_s(v0, x0));
          a01 = i32x4.add(a01, i32x4.dot_i16x8_s(v0, x1));
          const v1 = v128.load(p, 16);
          a10 = i32x4.add(a10, i32x4.dot_i16x8_s(v1, x0));
          a11 = i32x4.add(a11, i32x4.dot_i16x8_s(v1, x1));
          const v2 = v128.load(p, 32);
          a20 = i32x4.add(a20, i32x4.dot_i16x8_s(v2, x0));
          a21 = i32x4.add(a21, i32x4.dot_i16x8_s(v2, x1));
          const v3 = v128.load(p, 48);
          a30 = i32x4.add(a30, i32x4.dot_i16x8_s(v3, x0));
          a31 = i32x4.add(a31, i32x4.dot_i16x8_s(v3, x1));
        }
        if (p >= panelEnd) break;
        const restRows = v128.load(rests + (<usize>check << 4));
        const restAt = <usize>Q_RESTS + (<usize>check << 2);
        const best0 = f32x4.add(
          f32x4.add(f32x4.convert_i32x4_s(fourSums(a00, a10, a20, a30)), f32x4.mul(restRows, f32x4.splat(load<f32>(p0 + restAt)))),
          f32x4.add(errors, f32x4.splat(load<f32>(p0, Q_ERROR))),
        );
        let done = i32x4.all_true(f32x4.le(best0, f32x4.splat(load<f32>(p0, Q_THRESHOLD))));
        if (done) {
          const best1 = f32x4.add(
            f32x4.add(f32x4.convert_i32x4_s(fourSums(a01, a11, a21, a31)), f32x4.mul(restRows, f32x4.splat(load<f32>(p1 + restAt)))),
            f32x4.add(errors, f32x4.splat(load<f32>(p1, Q_ERROR))),
          );
          done = i32x4.all_true(f32x4.le(best1, f32x4.splat(load<f32>(p1, Q_THRESHOLD))));
        }
        if (done) {
          hopeless = true;
          break;
        }
        check++;
        stop = check < checkCount ? panel + (<usize>load<i32>(checks + (<usize>check << 2)) << 6) : panelEnd;
      }
      if (hopeless) continue;
      append(fourSums(a00, a10, a20, a30), errors, p0, r, valid, out + <usize>q * listBytes, counts + (<usize>q << 2));
      append(fourSums(a01, a11, a21, a31), errors, p1, r, valid, out + <usize>(q + 1) * listBytes, counts + (<usize>(q + 1) << 2));
    }
    if (q < queryCount) {
      // The last query of an odd count (also the single-query case): 4 rows × 1 query.
      let x = queries + <usize>(q >> 1) * pairBytes;
      const p0 = params + <usize>q * Q_BYTES;
      let a0 = i32x4.splat(0);
      let a1 = i32x4.splat(0);
      let a2 = i32x4.splat(0);
      let a3 = i32x4.splat(0);
      let p = panel;
      let stop = panel + firstStop;
      let check = 0;
      let hopeless = false;
      for (;;) {
        for (; p < stop; p += 64, x += 32) {
          const x0 = v128.load(x);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(p), x0));
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(p, 16), x0));
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(p, 32), x0));
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(p, 48), x0));
        }
        if (p >= panelEnd) break;
        const restAt = <usize>Q_RESTS + (<usize>check << 2);
        const best = f32x4.add(
          f32x4.add(f32x4.convert_i32x4_s(fourSums(a0, a1, a2, a3)), f32x4.mul(v128.load(rests + (<usize>check << 4)), f32x4.splat(load<f32>(p0 + restAt)))),
          f32x4.add(errors, f32x4.splat(load<f32>(p0, Q_ERROR))),
        );
        if (i32x4.all_true(f32x4.le(best, f32x4.splat(load<f32>(p0, Q_THRESHOLD))))) {
          hopeless = true;
          break;
        }
        check++;
        stop = check < checkCount ? panel + (<usize>load<i32>(checks + (<usize>check << 2)) << 6) : panelEnd;
      }
      if (!hopeless) append(fourSums(a0, a1, a2, a3), errors, p0, r, valid, out + <usize>q * listBytes, counts + (<usize>q << 2));
    }
  }
}

/** Appends the rows r..r+3 (up to `valid` of them, and before the query's end) that pass the final test. */
// @ts-ignore: decorator
@inline
function append(sums: v128, errors: v128, query: usize, r: i32, valid: i32, list: usize, count: usize): void {
  const best = f32x4.add(f32x4.convert_i32x4_s(sums), f32x4.add(errors, f32x4.splat(load<f32>(query, Q_ERROR))));
  let mask = i32x4.bitmask(f32x4.gt(best, f32x4.splat(load<f32>(query, Q_THRESHOLD))));
  if (mask == 0) return;
  let limit = load<i32>(query, Q_END) - r;
  if (limit > valid) limit = valid;
  if (limit < 4) mask &= (1 << (limit > 0 ? limit : 0)) - 1;
  let n = load<i32>(count);
  while (mask != 0) {
    store<i32>(list + (<usize>n << 2), r + ctz(mask));
    n++;
    mask &= mask - 1;
  }
  store<i32>(count, n);
}

/**
 * Exact float32 scores of listed rows: for each query j, for each of its
 * `counts[j]` rows in `lists + 4 * j * listStride`, the score (in the order
 * of scoreBlock, so bit-identical to it) goes to the same position in `out`.
 *
 * @param panels   float32 row panels
 * @param lanes    float32 lanes per vector
 * @param queries  float32 query pairs (query j of this call is pair j >> 1)
 */
export function rescore(
  panels: usize, lanes: i32, queries: usize, queryCount: i32,
  lists: usize, listStride: i32, counts: usize, out: usize,
): void {
  const panelBytes = <usize>lanes << 6;
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
      let p0 = panels + <usize>(r0 >> 2) * panelBytes + (<usize>(r0 & 3) << 4);
      let p1 = panels + <usize>(r1 >> 2) * panelBytes + (<usize>(r1 & 3) << 4);
      const end0 = p0 + panelBytes;
      let x = query;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      for (; p0 < end0; p0 += 64, p1 += 64, x += 32) {
        const x0 = v128.load(x);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(p0), x0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(p1), x0));
      }
      store<f32>(scores + (<usize>i << 2), horizontalSum(a0));
      store<f32>(scores + (<usize>i << 2), horizontalSum(a1), 4);
    }
    if (i < n) {
      const r0 = load<i32>(list + (<usize>i << 2));
      let p0 = panels + <usize>(r0 >> 2) * panelBytes + (<usize>(r0 & 3) << 4);
      const end0 = p0 + panelBytes;
      let x = query;
      let a0 = f32x4.splat(0);
      for (; p0 < end0; p0 += 64, x += 32) a0 = f32x4.add(a0, f32x4.mul(v128.load(p0), v128.load(x)));
      store<f32>(scores + (<usize>i << 2), horizontalSum(a0));
    }
  }
}
