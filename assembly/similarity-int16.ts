// The int16 passes of a top-n query (see similarity.ts): the prefix test
// (prefilterBlock) lists the rows that may beat each query's floor, and
// refine keeps those whose approximate score, plus its error bound, still
// does.

import {
  COMPACT_LANES_BYTES, HEAD_LANES, HEAD_SLACK, PARAM_BYTES, PARAM_END, PARAM_ERROR, PARAM_HEAD_REST, PARAM_LIMIT, PARAM_THRESHOLD,
  PREFIX_QUERY_BYTES, PREFIX_VALUES,
} from './similarity-layout';

/** Bytes per group of 4 rows in the prefix copy (PREFIX_VALUES / 2 v128). */
const PREFIX_GROUP: usize = PREFIX_VALUES * 8;

/** The sum of an i32x4's lanes, exact (the approximate scores' sums stay far below 2³¹), as float32. */
// @ts-ignore: decorator
@inline
function laneSum(v: v128): f32 {
  return <f32>((i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1)) + (i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3)));
}

/**
 * First pass of a top-n query: lists, for each query of a tile, the rows
 * whose prefix bound exceeds the query's limit, with one integer dot
 * product per row and query and no horizontal sum.
 *
 * The prefix copy augments each row's first 16 rotated int16 values R_k
 * with [ρ, ε], and each query's Q_k with [σ, K]: ρ and σ are the norms of
 * the row's and the query's remaining int16 values, rounded up and capped
 * at 32767 (what the cap leaves out is added to the row's and the query's
 * error terms), and Kε is at least the row's error term (see refine); so
 *
 *     Σ_{k<16} R_k Q_k + ρσ + Kε  ≥  approx + rowError
 *
 * (Cauchy–Schwarz on the rest), and a row whose bound is at most the
 * query's limit (⌊threshold − queryError⌋, rounded down) cannot beat its
 * floor. The sum is exact: its terms add up to little more than S².
 *
 * Layout: group g of rows 4g..4g+3 is PREFIX_VALUES / 2 v128 at
 * `prefix + g * PREFIX_GROUP`; v128 j holds values 2j and 2j+1 of the four
 * rows, row after row, so that i32x4.dot_i16x8_s with the query's pair j
 * (an int32 splatted: PREFIX_QUERY_BYTES bytes per query) adds to the four rows'
 * sums in their own lanes.
 *
 * @param prefix   the prefix copy
 * @param rowStart a multiple of 4
 * @param queries  prefix vectors of this tile's queries
 * @param params   per query of this tile, PARAM_BYTES of parameters (PARAM_*)
 * @param out      i32 row lists, query j's at `out + 4 * j * outStride`
 * @param counts   i32 per query: its list's length (set here)
 */
export function prefilterBlock(
  prefix: usize, rowStart: i32, rowEnd: i32,
  queries: usize, queryCount: i32, params: usize,
  out: usize, outStride: i32, counts: usize,
): void {
  const listBytes = <usize>outStride << 2;
  let j = 0;
  // Four queries at a time over two groups of rows: each v128 loaded feeds
  // several dot products (a small matrix-times-matrix), which is what makes
  // a batch cheaper per query than a single query.
  for (; j + 4 <= queryCount; j += 4) prefilterQuad(prefix, rowStart, rowEnd, queries, params, out, listBytes, counts, j);
  for (; j < queryCount; j++) prefilterOne(prefix, rowStart, rowEnd, queries, params, out, listBytes, counts, j);
}

/** Query j's end of rows within this block. */
// @ts-ignore: decorator
@inline
function queryEnd(params: usize, j: i32, rowEnd: i32): i32 {
  const end = load<i32>(params + <usize>j * PARAM_BYTES, PARAM_END);
  return end > rowEnd ? rowEnd : end;
}

/**
 * For each 8-bit mask, the positions of its set bits, in order, as eight
 * i32 (the rest 0): adding a group's first row gives the rows to append.
 * The kernel's only static data, below the host's buffers (at MEMORY_BASE),
 * filled when an instance starts (every instance, one per thread, writes
 * the same bytes).
 */
const COMPACT_LANES = memory.data(COMPACT_LANES_BYTES, 16);
for (let mask = 0; mask < 256; mask++) {
  let n = 0;
  for (let bit = 0; bit < 8; bit++) {
    if (((mask >> bit) & 1) == 0) continue;
    store<i32>(COMPACT_LANES + (<usize>mask << 5) + (<usize>n << 2), bit);
    n++;
  }
  for (; n < 8; n++) store<i32>(COMPACT_LANES + (<usize>mask << 5) + (<usize>n << 2), 0);
}

/**
 * Appends to a list the rows r..r+3 whose bits are set in `mask`, leaving
 * out rows from `end` on (the query's end, and padding rows); the list's new
 * length. One v128 store without branches: it writes four slots from the
 * list's end, of which the kept rows' stay. As r lies in the block and the
 * list holds at most r - rowStart rows before it, the four slots stay inside
 * the block's room (its size is a multiple of 4).
 */
// @ts-ignore: decorator
@inline
function appendRows(list: usize, n: i32, mask: i32, r: i32, end: i32): i32 {
  const valid = end - r;
  if (valid < 4) mask &= valid > 0 ? (1 << valid) - 1 : 0;
  v128.store(list + (<usize>n << 2), i32x4.add(v128.load(COMPACT_LANES + (<usize>(mask & 15) << 5)), i32x4.splat(r)));
  return n + <i32>popcnt(mask & 15);
}

/**
 * appendRows for rows r..r+7, all before the query's end (so that the eight
 * slots written stay inside the block's room, as in appendRows).
 */
// @ts-ignore: decorator
@inline
function appendEight(list: usize, n: i32, mask: i32, r: i32): i32 {
  const at = list + (<usize>n << 2);
  const lanes = COMPACT_LANES + (<usize>mask << 5);
  const first = i32x4.splat(r);
  v128.store(at, i32x4.add(v128.load(lanes), first));
  v128.store(at, i32x4.add(v128.load(lanes, 16), first), 16);
  return n + <i32>popcnt(mask);
}

/** prefilterBlock for query j alone. */
// @ts-ignore: decorator
@inline
function prefilterOne(
  prefix: usize, rowStart: i32, rowEnd: i32, queries: usize, params: usize,
  out: usize, listBytes: usize, counts: usize, j: i32,
): void {
  const x = queries + <usize>j * PREFIX_QUERY_BYTES;
  const limit = i32x4.splat(load<i32>(params + <usize>j * PARAM_BYTES, PARAM_LIMIT));
  const end = queryEnd(params, j, rowEnd);
  const list = out + <usize>j * listBytes;
  let n = 0;
  let p = prefix + <usize>(rowStart >> 2) * PREFIX_GROUP;
  for (let r = rowStart; r < end; r += 4, p += PREFIX_GROUP) {
    // Two accumulators, for two independent chains of adds.
    let a = i32x4.dot_i16x8_s(v128.load(p), v128.load(x));
    let b = i32x4.dot_i16x8_s(v128.load(p, 16), v128.load(x, 16));
    let k: usize = 32;
    for (; k + 32 <= PREFIX_GROUP; k += 32) {
      a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(p + k), v128.load(x + k)));
      b = i32x4.add(b, i32x4.dot_i16x8_s(v128.load(p + k, 16), v128.load(x + k, 16)));
    }
    if (k < PREFIX_GROUP) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(p + k), v128.load(x + k)));
    const mask = i32x4.bitmask(i32x4.gt_s(i32x4.add(a, b), limit));
    if (mask != 0) n = appendRows(list, n, mask, r, end);
  }
  store<i32>(counts + (<usize>j << 2), n);
}

/**
 * prefilterBlock for queries j..j+3, two groups of rows (8 rows) at a time:
 * per pair of prefix values, two row loads and four query loads feed eight
 * dot products into eight accumulators. Rows run to the largest of the four
 * ends (queries come in order of non-increasing end); each query's rows from
 * its own end on are masked out.
 */
// @ts-ignore: decorator
@inline
function prefilterQuad(
  prefix: usize, rowStart: i32, rowEnd: i32, queries: usize, params: usize,
  out: usize, listBytes: usize, counts: usize, j: i32,
): void {
  const x = queries + <usize>j * PREFIX_QUERY_BYTES;
  const e0 = queryEnd(params, j, rowEnd);
  const e1 = queryEnd(params, j + 1, rowEnd);
  const e2 = queryEnd(params, j + 2, rowEnd);
  const e3 = queryEnd(params, j + 3, rowEnd);
  const end = max(max(e0, e1), max(e2, e3));
  const nearest = min(min(e0, e1), min(e2, e3));
  const limits = params + <usize>j * PARAM_BYTES;
  const list0 = out + <usize>j * listBytes;
  const list1 = list0 + listBytes;
  const list2 = list1 + listBytes;
  const list3 = list2 + listBytes;
  let n0 = 0;
  let n1 = 0;
  let n2 = 0;
  let n3 = 0;
  let p = prefix + <usize>(rowStart >> 2) * PREFIX_GROUP;
  for (let r = rowStart; r < end; r += 8, p += 2 * PREFIX_GROUP) {
    // The second group may lie past the end (even past the copy): its rows are left out below.
    // The first pair of values starts the sums rather than being added to zeros: one add fewer per sum,
    // which counts, as the loop is bound by its dot products and adds.
    const w0 = v128.load(p);
    const w1 = v128.load(p + PREFIX_GROUP);
    let z = v128.load(x);
    let a00 = i32x4.dot_i16x8_s(w0, z);
    let a10 = i32x4.dot_i16x8_s(w1, z);
    z = v128.load(x + PREFIX_QUERY_BYTES);
    let a01 = i32x4.dot_i16x8_s(w0, z);
    let a11 = i32x4.dot_i16x8_s(w1, z);
    z = v128.load(x + 2 * PREFIX_QUERY_BYTES);
    let a02 = i32x4.dot_i16x8_s(w0, z);
    let a12 = i32x4.dot_i16x8_s(w1, z);
    z = v128.load(x + 3 * PREFIX_QUERY_BYTES);
    let a03 = i32x4.dot_i16x8_s(w0, z);
    let a13 = i32x4.dot_i16x8_s(w1, z);
    for (let k: usize = 16; k < PREFIX_GROUP; k += 16) {
      const v0 = v128.load(p + k);
      const v1 = v128.load(p + PREFIX_GROUP + k);
      let y = v128.load(x + k);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(v0, y));
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(v1, y));
      y = v128.load(x + PREFIX_QUERY_BYTES + k);
      a01 = i32x4.add(a01, i32x4.dot_i16x8_s(v0, y));
      a11 = i32x4.add(a11, i32x4.dot_i16x8_s(v1, y));
      y = v128.load(x + 2 * PREFIX_QUERY_BYTES + k);
      a02 = i32x4.add(a02, i32x4.dot_i16x8_s(v0, y));
      a12 = i32x4.add(a12, i32x4.dot_i16x8_s(v1, y));
      y = v128.load(x + 3 * PREFIX_QUERY_BYTES + k);
      a03 = i32x4.add(a03, i32x4.dot_i16x8_s(v0, y));
      a13 = i32x4.add(a13, i32x4.dot_i16x8_s(v1, y));
    }
    const l0 = i32x4.splat(load<i32>(limits, PARAM_LIMIT));
    const l1 = i32x4.splat(load<i32>(limits, PARAM_BYTES + PARAM_LIMIT));
    const l2 = i32x4.splat(load<i32>(limits, 2 * PARAM_BYTES + PARAM_LIMIT));
    const l3 = i32x4.splat(load<i32>(limits, 3 * PARAM_BYTES + PARAM_LIMIT));
    // Bits 0-3: the first group's rows; bits 4-7: the second's.
    const m0 = i32x4.bitmask(i32x4.gt_s(a00, l0)) | (i32x4.bitmask(i32x4.gt_s(a10, l0)) << 4);
    const m1 = i32x4.bitmask(i32x4.gt_s(a01, l1)) | (i32x4.bitmask(i32x4.gt_s(a11, l1)) << 4);
    const m2 = i32x4.bitmask(i32x4.gt_s(a02, l2)) | (i32x4.bitmask(i32x4.gt_s(a12, l2)) << 4);
    const m3 = i32x4.bitmask(i32x4.gt_s(a03, l3)) | (i32x4.bitmask(i32x4.gt_s(a13, l3)) << 4);
    if ((m0 | m1 | m2 | m3) == 0) continue;
    // Usually all eight rows lie before every query's end: one append of up to eight rows per query.
    if (r + 8 <= nearest) {
      n0 = appendEight(list0, n0, m0, r);
      n1 = appendEight(list1, n1, m1, r);
      n2 = appendEight(list2, n2, m2, r);
      n3 = appendEight(list3, n3, m3, r);
      continue;
    }
    n0 = appendRows(list0, n0, m0, r, e0);
    n1 = appendRows(list1, n1, m1, r, e1);
    n2 = appendRows(list2, n2, m2, r, e2);
    n3 = appendRows(list3, n3, m3, r, e3);
    // The second group only where it lies before the query's end, so inside the block (see appendRows).
    const r4 = r + 4;
    if (r4 < e0) n0 = appendRows(list0, n0, m0 >> 4, r4, e0);
    if (r4 < e1) n1 = appendRows(list1, n1, m1 >> 4, r4, e1);
    if (r4 < e2) n2 = appendRows(list2, n2, m2 >> 4, r4, e2);
    if (r4 < e3) n3 = appendRows(list3, n3, m3 >> 4, r4, e3);
  }
  const c = counts + (<usize>j << 2);
  store<i32>(c, n0);
  store<i32>(c, n1, 4);
  store<i32>(c, n2, 8);
  store<i32>(c, n3, 12);
}

/**
 * Second pass: keeps, in place, the listed rows that pass
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
 * The int16 rows are split into a head (their first HEAD_LANES lanes, where
 * the rotation puts most of their length) and a tail. A row whose head dot
 * product plus ρσ (the norms of the row's and the query's values past the
 * head, rounded up: Cauchy–Schwarz bounds the tail's dot product), plus the
 * error terms and HEAD_SLACK for the float32 roundings of that bound, does
 * not exceed the threshold fails without its tail being read: for a model
 * of low rank, most rows.
 *
 * @param head       int16 rows' heads (min(lanes, HEAD_LANES) lanes each)
 * @param tail       int16 rows' tails (the remaining lanes each)
 * @param lanes      int16 lanes per vector (padded dimensions / 8)
 * @param queries    int16 query pairs (query j of this call is pair j >> 1)
 * @param params     per query, PARAM_BYTES of parameters (PARAM_*)
 * @param rowErrors  f32 per row
 * @param headRests  f32 per row: ρ, the norm of its int16 values past the head, rounded up to an integer
 * @param lists      i32 row lists, query j's at `lists + 4 * j * listStride`
 * @param counts     i32 per query: its list's length (updated here)
 */
export function refine(
  head: usize, tail: usize, lanes: i32, queries: usize, queryCount: i32, params: usize,
  rowErrors: usize, headRests: usize, lists: usize, listStride: i32, counts: usize,
): void {
  const headLanes = lanes < HEAD_LANES ? lanes : HEAD_LANES;
  const headBytes = <usize>headLanes << 4;
  const tailBytes = <usize>(lanes - headLanes) << 4;
  const pairBytes = <usize>lanes << 5;
  const listBytes = <usize>listStride << 2;
  const slack = f32x4.splat(<f32>HEAD_SLACK);
  for (let j = 0; j < queryCount; j++) {
    const x = queries + <usize>(j >> 1) * pairBytes + (<usize>(j & 1) << 4);
    const xTail = x + (headBytes << 1);
    const query = params + <usize>j * PARAM_BYTES;
    const threshold = load<f32>(query, PARAM_THRESHOLD);
    const queryError = load<f32>(query, PARAM_ERROR);
    const queryRest = f32x4.splat(load<f32>(query, PARAM_HEAD_REST));
    const list = lists + <usize>j * listBytes;
    const count = counts + (<usize>j << 2);
    const n = load<i32>(count);
    let kept = 0;
    let i = 0;
    // Four rows at a time: each query lane loaded serves all four, and their sums are added across lanes together.
    const thresholds = f32x4.splat(threshold);
    const queryErrors = f32x4.splat(queryError);
    for (; i + 4 <= n; i += 4) {
      const at = list + (<usize>i << 2);
      const r0 = load<i32>(at);
      const r1 = load<i32>(at, 4);
      const r2 = load<i32>(at, 8);
      const r3 = load<i32>(at, 12);
      const row0 = head + <usize>r0 * headBytes;
      const row1 = head + <usize>r1 * headBytes;
      const row2 = head + <usize>r2 * headBytes;
      const row3 = head + <usize>r3 * headBytes;
      let q = v128.load(x);
      let a0 = i32x4.dot_i16x8_s(v128.load(row0), q);
      let a1 = i32x4.dot_i16x8_s(v128.load(row1), q);
      let a2 = i32x4.dot_i16x8_s(v128.load(row2), q);
      let a3 = i32x4.dot_i16x8_s(v128.load(row3), q);
      let y = x + 32;
      for (let k: usize = 16; k < headBytes; k += 16, y += 32) {
        q = v128.load(y);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(row0 + k), q));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(row1 + k), q));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(row2 + k), q));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(row3 + k), q));
      }
      const errors = f32x4.add(gather(rowErrors, r0, r1, r2, r3), queryErrors);
      if (tailBytes != 0) {
        const rests = gather(headRests, r0, r1, r2, r3);
        const bound = f32x4.add(sumsOf(a0, a1, a2, a3), f32x4.add(f32x4.mul(rests, queryRest), f32x4.add(errors, slack)));
        if (i32x4.bitmask(f32x4.gt(bound, thresholds)) == 0) continue;
        const tail0 = tail + <usize>r0 * tailBytes;
        const tail1 = tail + <usize>r1 * tailBytes;
        const tail2 = tail + <usize>r2 * tailBytes;
        const tail3 = tail + <usize>r3 * tailBytes;
        y = xTail;
        for (let k: usize = 0; k < tailBytes; k += 16, y += 32) {
          q = v128.load(y);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(tail0 + k), q));
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(tail1 + k), q));
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(tail2 + k), q));
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(tail3 + k), q));
        }
      }
      const mask = i32x4.bitmask(f32x4.gt(f32x4.add(sumsOf(a0, a1, a2, a3), errors), thresholds));
      // Kept rows are written without a branch: a slot is overwritten unless the count moves past it.
      store<i32>(list + (<usize>kept << 2), r0);
      kept += mask & 1;
      store<i32>(list + (<usize>kept << 2), r1);
      kept += (mask >> 1) & 1;
      store<i32>(list + (<usize>kept << 2), r2);
      kept += (mask >> 2) & 1;
      store<i32>(list + (<usize>kept << 2), r3);
      kept += mask >> 3;
    }
    for (; i < n; i++) {
      const r = load<i32>(list + (<usize>i << 2));
      const row = head + <usize>r * headBytes;
      let a = i32x4.splat(0);
      let y = x;
      for (let k: usize = 0; k < headBytes; k += 16, y += 32) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(row + k), v128.load(y)));
      const errors = load<f32>(rowErrors + (<usize>r << 2)) + queryError;
      if (tailBytes != 0) {
        const rest = load<f32>(headRests + (<usize>r << 2)) * f32x4.extract_lane(queryRest, 0);
        if (!(laneSum(a) + (rest + (errors + <f32>HEAD_SLACK)) > threshold)) continue;
        const rowTail = tail + <usize>r * tailBytes;
        y = xTail;
        for (let k: usize = 0; k < tailBytes; k += 16, y += 32) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(rowTail + k), v128.load(y)));
      }
      store<i32>(list + (<usize>kept << 2), r);
      kept += i32(laneSum(a) + errors > threshold);
    }
    store<i32>(count, kept);
  }
}

/** The f32 values of rows r0..r3 in a per-row array, as one f32x4. */
// @ts-ignore: decorator
@inline
function gather(values: usize, r0: i32, r1: i32, r2: i32, r3: i32): v128 {
  let v = f32x4.splat(load<f32>(values + (<usize>r0 << 2)));
  v = f32x4.replace_lane(v, 1, load<f32>(values + (<usize>r1 << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(values + (<usize>r2 << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(values + (<usize>r3 << 2)));
}

/** Lane t: the lane sum of a_t (exact in i32), rounded to f32 once, as laneSum does. */
// @ts-ignore: decorator
@inline
function sumsOf(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = i32x4.add(v128.shuffle<i32>(a0, a1, 0, 1, 4, 5), v128.shuffle<i32>(a0, a1, 2, 3, 6, 7));
  const s23 = i32x4.add(v128.shuffle<i32>(a2, a3, 0, 1, 4, 5), v128.shuffle<i32>(a2, a3, 2, 3, 6, 7));
  return f32x4.convert_i32x4_s(i32x4.add(v128.shuffle<i32>(s01, s23, 0, 2, 4, 6), v128.shuffle<i32>(s01, s23, 1, 3, 5, 7)));
}
