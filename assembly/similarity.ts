// Similarity kernel for nearest-neighbour queries: the scores of a block of
// vocabulary rows against a set of query vectors, i.e. one tile of the
// matrix product (unit vectors) × (queries)ᵀ, with WebAssembly SIMD.
//
// The module has its own (unshared) memory; the host copies the unit vectors
// in once and lays out every buffer itself, so nothing here allocates.
// Rows and queries are `lanes` × 4 float32 values each (zero-padded), so that
// every row starts on a 16-byte boundary.
//
// Every (row, query) score is computed in exactly the same order, whichever
// tile shape computes it: lane j of one f32x4 accumulator sums the products
// of components k ≡ j (mod 4) in increasing k, then the lanes are added as
// (s0 + s1) + (s2 + s3). WebAssembly never fuses a multiply and an add, so a
// query scores bit-identically alone or in a batch.

// @ts-ignore: decorator
@inline
function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * out[q * outStride + (r - rowStart)] = rows[r] · queries[q]
 * for r in [rowStart, rowEnd) and q in [0, queryCount).
 *
 * @param matrix     byte offset of row 0
 * @param lanes      v128 values per row and per query (row bytes / 16)
 * @param queries    byte offset of query 0, same layout as the rows
 * @param out        byte offset of the float32 score tile
 * @param outStride  floats between consecutive queries' scores in `out`
 */
export function scoreBlock(
  matrix: usize, rowStart: i32, rowEnd: i32, lanes: i32,
  queries: usize, queryCount: i32, out: usize, outStride: i32,
): void {
  const rowBytes = <usize>lanes << 4;
  const outQueryBytes = <usize>outStride << 2;
  let r = rowStart;
  // Tiles of 4 rows × 2 queries: 8 independent accumulators keep the adders
  // busy, and each loaded row value serves two queries.
  for (; r + 4 <= rowEnd; r += 4) {
    const row0 = matrix + <usize>r * rowBytes;
    const row1 = row0 + rowBytes;
    const row2 = row1 + rowBytes;
    const row3 = row2 + rowBytes;
    const column = out + (<usize>(r - rowStart) << 2);
    let q = 0;
    for (; q + 2 <= queryCount; q += 2) {
      const query0 = queries + <usize>q * rowBytes;
      const query1 = query0 + rowBytes;
      let a00 = f32x4.splat(0);
      let a10 = f32x4.splat(0);
      let a20 = f32x4.splat(0);
      let a30 = f32x4.splat(0);
      let a01 = f32x4.splat(0);
      let a11 = f32x4.splat(0);
      let a21 = f32x4.splat(0);
      let a31 = f32x4.splat(0);
      for (let offset: usize = 0; offset < rowBytes; offset += 16) {
        const x0 = v128.load(query0 + offset);
        const x1 = v128.load(query1 + offset);
        const v0 = v128.load(row0 + offset);
        a00 = f32x4.add(a00, f32x4.mul(v0, x0));
        a01 = f32x4.add(a01, f32x4.mul(v0, x1));
        const v1 = v128.load(row1 + offset);
        a10 = f32x4.add(a10, f32x4.mul(v1, x0));
        a11 = f32x4.add(a11, f32x4.mul(v1, x1));
        const v2 = v128.load(row2 + offset);
        a20 = f32x4.add(a20, f32x4.mul(v2, x0));
        a21 = f32x4.add(a21, f32x4.mul(v2, x1));
        const v3 = v128.load(row3 + offset);
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
      // The last query of an odd count: 4 rows × 1 query (also the single-query case).
      const query0 = queries + <usize>q * rowBytes;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      for (let offset: usize = 0; offset < rowBytes; offset += 16) {
        const x0 = v128.load(query0 + offset);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(row0 + offset), x0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(row1 + offset), x0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(row2 + offset), x0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(row3 + offset), x0));
      }
      const at = column + <usize>q * outQueryBytes;
      store<f32>(at, horizontalSum(a0));
      store<f32>(at, horizontalSum(a1), 4);
      store<f32>(at, horizontalSum(a2), 8);
      store<f32>(at, horizontalSum(a3), 12);
    }
  }
  // The last rows of a block whose size is not a multiple of 4: one row at a time.
  for (; r < rowEnd; r++) {
    const row = matrix + <usize>r * rowBytes;
    const column = out + (<usize>(r - rowStart) << 2);
    for (let q = 0; q < queryCount; q++) {
      const query = queries + <usize>q * rowBytes;
      let a = f32x4.splat(0);
      for (let offset: usize = 0; offset < rowBytes; offset += 16) {
        a = f32x4.add(a, f32x4.mul(v128.load(row + offset), v128.load(query + offset)));
      }
      store<f32>(column + <usize>q * outQueryBytes, horizontalSum(a));
    }
  }
}
