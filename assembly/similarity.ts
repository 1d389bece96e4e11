// Similarity kernel for nearest-neighbour queries: the scores of a block of
// vocabulary rows against a set of query vectors, i.e. one tile of the
// matrix product (unit vectors) × (queries)ᵀ, with WebAssembly SIMD.
//
// The module has its own (unshared) memory; the host copies the unit vectors
// in once and lays out every buffer itself, so nothing here allocates.
// Vectors are `lanes` v128 values (4 float32 each, zero-padded), laid out
// as described at scoreBlock.
//
// Every (row, query) score is computed in exactly the same order, whichever
// tile shape computes it: lane j of one f32x4 accumulator sums the products
// of components k ≡ j (mod 4) in increasing k, then the lanes are added as
// (s0 + s1) + (s2 + s3). WebAssembly never fuses a multiply and an add, so a
// query scores bit-identically alone or in a batch.

/**
 * Slack added to the Cauchy–Schwarz bound before a score is given up on. The
 * rounding error of a float32 dot product of two unit vectors of up to
 * 10,000 dimensions is far smaller, so no row that could beat a floor is
 * ever skipped.
 */
const PRUNE_SLACK: f32 = 0.001;

// @ts-ignore: decorator
@inline
function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** The four horizontal sums [Σa, Σb, Σc, Σd] in one vector (in some order of additions; only for bounds). */
// @ts-ignore: decorator
@inline
function fourSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/**
 * Whether none of 4 rows can score above `floor` for one query, given the
 * partial sums so far: each remaining part of the dot product is at most
 * |row rest| × |query rest| (Cauchy–Schwarz).
 */
// @ts-ignore: decorator
@inline
function hopeless(partial: v128, rowRests: v128, queryRest: f32, floor: f32): bool {
  const best = f32x4.add(f32x4.add(partial, f32x4.mul(rowRests, f32x4.splat(queryRest))), f32x4.splat(PRUNE_SLACK));
  return i32x4.all_true(f32x4.le(best, f32x4.splat(floor)));
}

/**
 * out[q * outStride + (r - rowStart)] = rows[r] · queries[q]
 * for r in [rowStart, rowEnd rounded up to a multiple of 4) and q in [0, queryCount),
 * except that scores which cannot exceed `floors[q]` may be written as -Infinity.
 *
 * Layouts, in v128 values called lanes:
 * - rows come in panels of 4: lane k of rows 4p..4p+3 at `panels + p * lanes * 64 + k * 64 + i * 16`
 *   (the last panel is padded with zero rows);
 * - queries come in pairs: lane k of queries 2m and 2m+1 at `queries + m * lanes * 32 + k * 32 (+ 16)`
 *   (an odd query out is paired with zeros).
 * Interleaving lets one pointer and constant offsets address a whole 4 × 2 tile.
 *
 * Pruning: after lanes [0, check1) and again after [0, check2), a tile whose
 * rows all are `hopeless` for its queries stops there. `rowRests` holds, per
 * panel, the norms of the rows' remaining parts after check1 (4 f32) then
 * after check2 (4 f32); `queryRests` holds, per query, the same 2 norms.
 * Passing check1 = check2 = lanes disables pruning.
 *
 * @param rowStart   a multiple of 4
 * @param lanes      v128 values per row and per query (padded dimensions / 4)
 * @param out        byte offset of the float32 score tile
 * @param outStride  floats between consecutive queries' scores in `out`, at least the tile's rows rounded up to 4
 * @param floors     f32 per query
 */
export function scoreBlock(
  panels: usize, rowStart: i32, rowEnd: i32, lanes: i32,
  queries: usize, queryCount: i32, out: usize, outStride: i32,
  check1: i32, check2: i32, rowRests: usize, queryRests: usize, floors: usize,
): void {
  const panelBytes = <usize>lanes << 6;
  const pairBytes = <usize>lanes << 5;
  const outQueryBytes = <usize>outStride << 2;
  const minusInfinity = f32x4.splat(-Infinity);
  for (let r = rowStart; r < rowEnd; r += 4) {
    const panel = panels + <usize>(r >> 2) * panelBytes;
    const panelEnd = panel + panelBytes;
    const stop1 = panel + (<usize>check1 << 6);
    const stop2 = panel + (<usize>check2 << 6);
    const rests = rowRests + (<usize>(r >> 2) << 5);
    const column = out + (<usize>(r - rowStart) << 2);
    let q = 0;
    // Tiles of 4 rows × 2 queries: 8 independent accumulators keep the adders
    // busy, and each loaded row value serves two queries.
    for (; q + 2 <= queryCount; q += 2) {
      let x = queries + <usize>(q >> 1) * pairBytes;
      const at0 = column + <usize>q * outQueryBytes;
      const at1 = at0 + outQueryBytes;
      const qr0 = queryRests + (<usize>q << 3);
      const qr1 = qr0 + 8;
      const floor0 = load<f32>(floors + (<usize>q << 2));
      const floor1 = load<f32>(floors + (<usize>q << 2), 4);
      let a00 = f32x4.splat(0);
      let a10 = f32x4.splat(0);
      let a20 = f32x4.splat(0);
      let a30 = f32x4.splat(0);
      let a01 = f32x4.splat(0);
      let a11 = f32x4.splat(0);
      let a21 = f32x4.splat(0);
      let a31 = f32x4.splat(0);
      let p = panel;
      let stop = stop1;
      let check = 0;
      let pruned = false;
      for (;;) {
        for (; p < stop; p += 64, x += 32) {
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
        if (p >= panelEnd) break;
        const rowRest = v128.load(rests + (<usize>check << 4));
        if (
          hopeless(fourSums(a00, a10, a20, a30), rowRest, load<f32>(qr0 + (<usize>check << 2)), floor0) &&
          hopeless(fourSums(a01, a11, a21, a31), rowRest, load<f32>(qr1 + (<usize>check << 2)), floor1)
        ) {
          pruned = true;
          break;
        }
        stop = check == 0 ? stop2 : panelEnd;
        check++;
      }
      if (pruned) {
        v128.store(at0, minusInfinity);
        v128.store(at1, minusInfinity);
        continue;
      }
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
      // The last query of an odd count (also the single-query case): 4 rows × 1 query.
      let x = queries + <usize>(q >> 1) * pairBytes;
      const at = column + <usize>q * outQueryBytes;
      const qr = queryRests + (<usize>q << 3);
      const floor = load<f32>(floors + (<usize>q << 2));
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      let p = panel;
      let stop = stop1;
      let check = 0;
      let pruned = false;
      for (;;) {
        for (; p < stop; p += 64, x += 32) {
          const x0 = v128.load(x);
          a0 = f32x4.add(a0, f32x4.mul(v128.load(p), x0));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(p, 16), x0));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(p, 32), x0));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(p, 48), x0));
        }
        if (p >= panelEnd) break;
        const rowRest = v128.load(rests + (<usize>check << 4));
        if (hopeless(fourSums(a0, a1, a2, a3), rowRest, load<f32>(qr + (<usize>check << 2)), floor)) {
          pruned = true;
          break;
        }
        stop = check == 0 ? stop2 : panelEnd;
        check++;
      }
      if (pruned) {
        v128.store(at, minusInfinity);
        continue;
      }
      store<f32>(at, horizontalSum(a0));
      store<f32>(at, horizontalSum(a1), 4);
      store<f32>(at, horizontalSum(a2), 8);
      store<f32>(at, horizontalSum(a3), 12);
    }
  }
}

/**
 * For each query j of a tile scored by {@link scoreBlock}, lists the rows
 * whose score exceeds `floors[j]` (NaN never does), in increasing order:
 * the candidates for its top-n, so that the host looks at a few rows
 * instead of all of them.
 *
 * @param scores     the tile: query j's scores at `scores + 4 * j * stride`
 * @param tileRows   rows in the tile
 * @param rowStart   row of the tile's first column
 * @param floors     f32 per query
 * @param ends       i32 per query: rows from `ends[j]` on are not candidates
 * @param out        i32 rows; query j's at `out + 4 * j * stride`
 * @param counts     i32 per query: how many rows were listed
 */
export function selectAbove(
  scores: usize, stride: i32, tileRows: i32, rowStart: i32, queryCount: i32,
  floors: usize, ends: usize, out: usize, counts: usize,
): void {
  const tileBytes = <usize>stride << 2;
  for (let j = 0; j < queryCount; j++) {
    const floor = load<f32>(floors + (<usize>j << 2));
    const threshold = f32x4.splat(floor);
    let limit = load<i32>(ends + (<usize>j << 2)) - rowStart;
    if (limit > tileRows) limit = tileRows;
    const base = scores + <usize>j * tileBytes;
    const list = out + <usize>j * tileBytes;
    let n = 0;
    let i = 0;
    for (; i + 4 <= limit; i += 4) {
      let mask = i32x4.bitmask(f32x4.gt(v128.load(base + (<usize>i << 2)), threshold));
      while (mask != 0) {
        const lane = ctz(mask);
        store<i32>(list + (<usize>n << 2), rowStart + i + lane);
        n++;
        mask &= mask - 1;
      }
    }
    for (; i < limit; i++) {
      if (load<f32>(base + (<usize>i << 2)) > floor) {
        store<i32>(list + (<usize>n << 2), rowStart + i);
        n++;
      }
    }
    store<i32>(counts + (<usize>j << 2), n);
  }
}
