// Similarity kernel for nearest-neighbour queries over unit vectors, with
// WebAssembly SIMD. The host copies the vectors in once and lays out every
// buffer, so nothing here allocates.
//
// A top-n query needs the exact score of only a few rows: those that can
// beat the n-th best score found so far (the query's floor). So every row
// is first bounded cheaply from a prefix copy (its first 16 rotated
// dimensions in int16 plus a bound on the rest: prefilterBlock); the few
// that pass are scored approximately from an int16 copy (one
// i32x4.dot_i16x8_s does 8 multiply-adds), with a proven bound on the error
// (refine); only rows whose approximate score plus the bound exceeds the
// floor become candidates, and those get their exact float32 score (from
// the float32 copy, unrotated: rescore), then go to the query's heap of the
// n best, which raises its floor (keepBest).
//
// Exact scores are always computed in the same order: lane j of one f32x4
// accumulator sums the products of components k ≡ j (mod 4) in increasing
// k, then the lanes are added as (s0 + s1) + (s2 + s3). WebAssembly never
// fuses a multiply and an add, so a score is bit-identical however it was
// reached (alone, in a batch, by scoreBlock or by rescore).
//
// The memory is imported and shared: worker threads filter parts of a
// large batch over the same copies, each with its own lists (and each
// query's heap is filled by one thread).
//
// Layouts. Vectors are split into v128 "lanes": 4 float32 or 8 int16
// values, zero-padded at the end.
// - Rows: row r's lane k is at `rows + (r * lanes + k) * 16` (row-major, so
//   that a candidate row is a few contiguous cache lines). The float32 and
//   int16 copies both use this layout, with rows up to a multiple of 4
//   (the padding rows are zero).
// - Query pairs: lane k of queries 2m and 2m+1 is at
//   `queries + m * lanes * 32 + k * 32 (+ 16)`; an odd query out is paired
//   with zeros.
// - The prefix copy: see prefilterBlock (similarity-int16.ts).
//
// This file lists the kernel's exports (the build's entry point): the exact
// float32 scores are in similarity-score.ts, the int16 passes in
// similarity-int16.ts, the heaps of the n best in similarity-heap.ts, the
// quantised copies the filter reads in similarity-quantize.ts, and the
// layout the host shares in similarity-layout.ts.

export { scoreBlock } from './similarity-score';
export { prefilterBlock, refine } from './similarity-int16';
export { rescore, inverseNorms } from './similarity-score';
export { keepBest } from './similarity-heap';
export { quantizeRows } from './similarity-quantize';
