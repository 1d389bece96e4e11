// The heaps of the n best (score, row) pairs that each query keeps in the
// kernel's memory, and the floors they raise (see similarity.ts).

import { PARAM_BYTES, PARAM_EXCLUDED, PARAM_HEAP, PARAM_LIMIT, PARAM_PREFIX_ERROR, PARAM_THRESHOLD, SCALE } from './similarity-layout';

/** Scores are quantised as round(S × value) (S = SCALE), so int16 dot products are S² × scores. */
const SCALE2: f64 = <f64>SCALE * <f64>SCALE;

/**
 * Last step of a tile: offers each query's rescored candidates to its heap
 * of the n best (score, row) pairs, and once the heap is full raises the
 * query's limit and threshold to its worst kept score (the floor).
 *
 * A heap (at PARAM_HEAP) is [capacity, length] (i32), then `capacity` scores
 * (f32), then as many rows (i32): a binary min-heap under "worse", so the
 * worst kept pair is first. A pair is worse than another if its score is
 * lower, or equal with a higher row: ties go to the lower row, the more
 * frequent word. NaN scores are never kept. So the kept pairs are the n best
 * under one total order, whatever order the candidates come in.
 *
 * The limit is ⌊S² × floor − prefix error⌋ − 1 (one lower for the rounding
 * of the subtraction, so that the prefix test keeps every row that refine
 * keeps) and the threshold S² × floor as f32, both from the f64 product.
 */
export function keepBest(queryCount: i32, params: usize, lists: usize, listStride: i32, counts: usize, scores: usize): void {
  const listBytes = <usize>listStride << 2;
  for (let j = 0; j < queryCount; j++) {
    const n = load<i32>(counts + (<usize>j << 2));
    if (n == 0) continue;
    const query = params + <usize>j * PARAM_BYTES;
    const heap = <usize>load<i32>(query, PARAM_HEAP);
    const excluded = <usize>load<i32>(query, PARAM_EXCLUDED);
    const capacity = load<i32>(heap);
    const heapScores = heap + 8;
    const heapRows = heapScores + (<usize>capacity << 2);
    const list = lists + <usize>j * listBytes;
    const exact = scores + <usize>j * listBytes;
    let length = load<i32>(heap, 4);
    let raised = false;
    for (let i = 0; i < n; i++) {
      const score = load<f32>(exact + (<usize>i << 2));
      const row = load<i32>(list + (<usize>i << 2));
      // Once full, a pair must beat the worst kept one (a NaN score never does).
      if (length == capacity) {
        if (!worse(load<f32>(heapScores), load<i32>(heapRows), score, row)) continue;
      } else if (score != score) continue;
      if (isExcluded(excluded, row)) continue;
      if (length < capacity) {
        siftUp(heapScores, heapRows, length, score, row);
        length++;
      } else {
        siftDown(heapScores, heapRows, length, score, row);
      }
      raised = length == capacity;
    }
    store<i32>(heap, length, 4);
    if (!raised) continue;
    const scaled = <f64>load<f32>(heapScores) * SCALE2;
    const limit = Math.floor(scaled - load<f64>(query, PARAM_PREFIX_ERROR)) - 1;
    store<i32>(query, <i32>Math.min(Math.max(limit, <f64>i32.MIN_VALUE), <f64>i32.MAX_VALUE), PARAM_LIMIT);
    store<f32>(query, <f32>scaled, PARAM_THRESHOLD);
  }
}

// @ts-ignore: decorator
@inline
function isExcluded(excluded: usize, row: i32): bool {
  const count = load<i32>(excluded);
  for (let i = 0; i < count; i++) if (load<i32>(excluded + 4 + (<usize>i << 2)) == row) return true;
  return false;
}

// @ts-ignore: decorator
@inline
function worse(scoreA: f32, rowA: i32, scoreB: f32, rowB: i32): bool {
  return scoreA < scoreB || (scoreA == scoreB && rowA > rowB);
}

/** Sets heap element i. */
// @ts-ignore: decorator
@inline
function setEntry(scores: usize, rows: usize, i: i32, score: f32, row: i32): void {
  store<f32>(scores + (<usize>i << 2), score);
  store<i32>(rows + (<usize>i << 2), row);
}

/** Adds (score, row) as heap element `length` and sifts it up. */
function siftUp(scores: usize, rows: usize, length: i32, score: f32, row: i32): void {
  let i = length;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const parentScore = load<f32>(scores + (<usize>parent << 2));
    const parentRow = load<i32>(rows + (<usize>parent << 2));
    if (!worse(score, row, parentScore, parentRow)) break;
    setEntry(scores, rows, i, parentScore, parentRow);
    i = parent;
  }
  setEntry(scores, rows, i, score, row);
}

/** Replaces the first (worst) of `length` elements by (score, row) and sifts it down. */
function siftDown(scores: usize, rows: usize, length: i32, score: f32, row: i32): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= length) break;
    let child = left;
    let childScore = load<f32>(scores + (<usize>left << 2));
    let childRow = load<i32>(rows + (<usize>left << 2));
    const right = left + 1;
    if (right < length) {
      const rightScore = load<f32>(scores + (<usize>right << 2));
      const rightRow = load<i32>(rows + (<usize>right << 2));
      if (worse(rightScore, rightRow, childScore, childRow)) {
        child = right;
        childScore = rightScore;
        childRow = rightRow;
      }
    }
    if (!worse(childScore, childRow, score, row)) break;
    setEntry(scores, rows, i, childScore, childRow);
    i = child;
  }
  setEntry(scores, rows, i, score, row);
}
