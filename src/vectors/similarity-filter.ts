/**
 * The int16 filter of top-n queries. Beside the float32 unit vectors, the
 * kernel holds their rotated values in int16, with a prefix copy of the
 * first rotated dimensions, for approximate passes that keep only the rows
 * that may beat a query's floor (with a proven error bound); those rows then
 * get their exact scores (see assembly/similarity.ts). This module builds
 * those copies (buildFilter, once per scorer), loads queries for the passes
 * and runs them tile by tile, on any thread over the kernel's shared memory.
 */
import {
  PARAM_BYTES,
  PARAM_END,
  PARAM_ERROR,
  PARAM_LIMIT,
  PARAM_HEAD_REST,
  PARAM_PREFIX_ERROR,
  PARAM_THRESHOLD,
  HEAD_LANES,
  PREFIX_DIMS,
  PREFIX_QUERY_BYTES,
  PREFIX_VALUES,
  SCALE,
} from '../../assembly/similarity-layout.js';
import { orthogonalityError, principalAxes } from './principal-axes.js';
import { BLOCK_ROWS, QUERY_CHUNK, TILE, forEachTile } from './scorer.js';
import { loadQueryPairs, multipleOf4, type SimilarityExports } from './similarity-kernel.js';

/** The longest block of rows for the filter (single queries, whose lists have room for TILE rows). */
const MAX_BLOCK_ROWS = 8192;
/** Queries the kernel rotates at a time when loading them for the filter. */
const ROTATE_CHUNK = 128;
/** Above this many dimensions, finding the axes would cost more than it saves. */
const MAX_ROTATED_DIM = 400;
/** Approximate scores are SCALE² × exact scores. */
const SCALE2 = SCALE * SCALE;
const INT16_MAX = 32767;
const INT32_MIN = -(2 ** 31);
/** Bytes of the prefix copy per row. */
export const PREFIX_BYTES = PREFIX_VALUES * 2;

/** Where the filter and the loaded queries lie in the kernel's memory: what any thread needs to filter them. */
export interface FilterLayout {
  size: number;
  stride32: number;
  stride16: number;
  /** The raw float32 rows and their inverse norms. */
  rows32At: number;
  inverseNormsAt: number;
  /** The int16 rows' heads and tails (see refine), their error terms and the norms of their values past the head. */
  head16At: number;
  tail16At: number;
  errorsAt: number;
  headRestsAt: number;
  prefixAt: number;
  /** The rotation's axes as float32 rows. */
  axesAt: number;
  /** The loaded queries: float32 pairs, int16 pairs, prefix vectors and parameters. */
  queriesAt: number;
  queries16At: number;
  prefixQueriesAt: number;
  paramsAt: number;
}

/** One thread's buffers for {@link filterTiles} (byte offsets in the kernel's memory). */
export interface FilterScratch {
  listsAt: number;
  exactAt: number;
  countsAt: number;
}

/** Bytes of a {@link FilterScratch}. */
export const SCRATCH_BYTES = 2 * TILE * 4 + QUERY_CHUNK * 4;

/** The buffers of a {@link FilterScratch} that starts at byte `at`. */
export function scratchAt(at: number): FilterScratch {
  return { listsAt: at, exactAt: at + TILE * 4, countsAt: at + 2 * TILE * 4 };
}

/** Bytes of the axes as float32 rows (padded to groups of 4 rows and to whole lanes). */
export function axesBytes(dim: number): number {
  return multipleOf4(dim) * multipleOf4(dim) * 4;
}

/** Where row `row`'s values start in the prefix copy (int16 index): its group of 4, then its place in each v128. */
function prefixGroup(row: number): number {
  return (row >> 2) * PREFIX_VALUES * 4 + (row & 3) * 2;
}

/** ⌈√squares⌉ (for an integer sum of squares): an integer at least the norm. */
function normBound(squares: number): number {
  let norm = Math.ceil(Math.sqrt(squares));
  if (norm * norm < squares) norm++; // the square root rounded down onto an integer
  return norm;
}

/** The smallest float32 at least `x` (for x ≥ 0). */
function roundUp(x: number): number {
  const rounded = Math.fround(x);
  return rounded >= x ? rounded : Math.fround(x * (1 + 2 ** -23));
}

/**
 * The filtered top-n search over loaded queries `[first, first + ends.length)`
 * (`first` even), tile by tile: the prefix test, refine and rescore pick
 * out the rows that may beat each query's floor, with their exact scores,
 * and keepBest offers them to the query's heap, raising its floor.
 */
export function filterTiles(
  exports: SimilarityExports,
  layout: FilterLayout,
  scratch: FilterScratch,
  first: number,
  ends: ArrayLike<number>,
): void {
  const { stride16, stride32 } = layout;
  // Few queries share the lists' room (TILE rows in all) in longer blocks.
  const maxRows = Math.max(
    BLOCK_ROWS,
    Math.min(MAX_BLOCK_ROWS, Math.floor(TILE / Math.min(QUERY_CHUNK, ends.length)) & ~3),
  );
  forEachTile(
    layout.size,
    ends,
    (rowStart, rowEnd, chunk, count, stride) => {
      const loaded = first + chunk;
      const queryParams = layout.paramsAt + loaded * PARAM_BYTES;
      exports.prefilterBlock(
        layout.prefixAt,
        rowStart,
        rowEnd,
        layout.prefixQueriesAt + loaded * PREFIX_QUERY_BYTES,
        count,
        queryParams,
        scratch.listsAt,
        stride,
        scratch.countsAt,
      );
      exports.refine(
        layout.head16At,
        layout.tail16At,
        stride16 >> 3,
        layout.queries16At + loaded * stride16 * 2,
        count,
        queryParams,
        layout.errorsAt,
        layout.headRestsAt,
        scratch.listsAt,
        stride,
        scratch.countsAt,
      );
      exports.rescore(
        layout.rows32At,
        layout.inverseNormsAt,
        stride32 >> 2,
        layout.queriesAt + loaded * stride32 * 4,
        count,
        scratch.listsAt,
        stride,
        scratch.countsAt,
        scratch.exactAt,
      );
      exports.keepBest(
        count,
        queryParams,
        scratch.listsAt,
        stride,
        scratch.countsAt,
        scratch.exactAt,
      );
    },
    maxRows,
  );
}

/** What {@link loadFilterQueries} needs to know of the filter: its rotation and error terms. */
export interface QueryFilter {
  dim: number;
  /** Axes as rows (float32 values), or undefined for no rotation. */
  axes: Float64Array | undefined;
  slack: number;
  errorScale: number;
}

/**
 * Loads queries `[first, last)` (`first` even) for the filter, from their
 * float32 pairs already in the kernel's memory: their rotated values as
 * int16 pairs and as prefix vectors, and their parameters with no floor yet
 * (but for where their heaps and excluded rows lie, which the host set).
 * Threads may load disjoint ranges at once.
 */
export function loadFilterQueries(
  exports: SimilarityExports,
  layout: FilterLayout,
  scratch: FilterScratch,
  filter: QueryFilter,
  ends: ArrayLike<number>,
  first: number,
  last: number,
): void {
  const { dim, axes } = filter;
  const { stride32, stride16 } = layout;
  const buffer = exports.memory.buffer;
  // The kernel rotates up to ROTATE_CHUNK queries at a time (an even number, as queries come in pairs, that fits)
  // into this thread's scratch (float32, as it rotated the rows); with too many dimensions for two, TypeScript does.
  const outStride = multipleOf4(dim);
  const chunk = Math.min(ROTATE_CHUNK, Math.floor(TILE / outStride) & ~1);
  const kernelRotates = axes !== undefined && chunk >= 2;
  const rotatedChunk = new Float32Array(buffer, scratch.exactAt, TILE);
  const count = last - first;
  const pairs = ((last + 1) >> 1) - (first >> 1);
  const queries32 = new Float32Array(
    buffer,
    layout.queriesAt + first * stride32 * 4,
    pairs * 2 * stride32,
  );
  const memory16 = new Int16Array(
    buffer,
    layout.queries16At + first * stride16 * 2,
    pairs * 2 * stride16,
  );
  memory16.fill(0);
  const prefix = new Int32Array(
    buffer,
    layout.prefixQueriesAt + first * PREFIX_QUERY_BYTES,
    count * (PREFIX_QUERY_BYTES / 4),
  );
  prefix.fill(0);
  const params = new DataView(buffer, layout.paramsAt + first * PARAM_BYTES, count * PARAM_BYTES);
  const query = new Float64Array(dim);
  const rotated = new Float64Array(dim);
  const quantised = new Float64Array(dim);
  for (let q = 0; q < count; q++) {
    if (kernelRotates) {
      if (q % chunk === 0) {
        exports.scoreBlock(
          layout.axesAt,
          0,
          0,
          dim,
          stride32 >> 2,
          layout.queriesAt + (first + q) * stride32 * 4,
          Math.min(chunk, count - q),
          scratch.exactAt,
          outStride,
        );
      }
      const at = (q % chunk) * outStride;
      for (let j = 0; j < dim; j++) rotated[j] = rotatedChunk[at + j]!;
    } else if (axes) {
      const source = (q >> 1) * stride32 * 2 + (q & 1) * 4;
      for (let k = 0; k < dim; k++) query[k] = queries32[source + (k >> 2) * 8 + (k & 3)]!;
      for (let j = 0; j < dim; j++) {
        let sum = 0;
        const axis = j * dim;
        for (let k = 0; k < dim; k++) sum += axes[axis + k]! * query[k]!;
        rotated[j] = sum;
      }
    } else {
      const source = (q >> 1) * stride32 * 2 + (q & 1) * 4;
      for (let k = 0; k < dim; k++) rotated[k] = queries32[source + (k >> 2) * 8 + (k & 3)]!;
    }
    const target = (q >> 1) * stride16 * 2 + (q & 1) * 8;
    let l1 = 0;
    let rest = 0;
    let headRest = 0;
    for (let k = 0; k < dim; k++) {
      const quantum = Math.round(rotated[k]! * SCALE) || 0;
      memory16[target + (k >> 3) * 16 + (k & 7)] = quantum;
      quantised[k] = quantum;
      l1 += Math.abs(quantum);
      if (k >= PREFIX_DIMS) rest += quantum * quantum;
      if (k >= HEAD_LANES * 8) headRest += quantum * quantum;
    }
    // |approx − SCALE² × exact| ≤ ½ L1(row) + ½ L1(query) + dim / 4; the row's half is stored with the row.
    const error = roundUp(l1 / 2 + dim / 4 + filter.slack);
    // The prefix test's share also covers the rest norm beyond the int16 cap (times the largest row rest norm, INT16_MAX + its excess, which the row's share covers).
    const norm = normBound(rest);
    const capped = Math.min(INT16_MAX, norm);
    // The prefix vector: each pair of values as one int32, splatted; then [σ, K].
    const base = q * (PREFIX_QUERY_BYTES / 4);
    for (let k = 0; k < PREFIX_DIMS && k < dim; k += 2) {
      const pair = (quantised[k]! & 0xffff) | ((k + 1 < dim ? quantised[k + 1]! : 0) << 16);
      prefix.fill(pair, base + (k >> 1) * 4, base + (k >> 1) * 4 + 4);
    }
    const restAt = base + (PREFIX_DIMS / 2) * 4;
    prefix.fill(capped | (filter.errorScale << 16), restAt, restAt + 4);
    const at = q * PARAM_BYTES;
    params.setInt32(at + PARAM_LIMIT, INT32_MIN, true);
    params.setInt32(at + PARAM_END, ends[first + q]!, true);
    params.setFloat32(at + PARAM_THRESHOLD, -Infinity, true);
    params.setFloat32(at + PARAM_ERROR, error, true);
    params.setFloat64(at + PARAM_PREFIX_ERROR, error + (norm - capped) * INT16_MAX, true);
    params.setFloat32(at + PARAM_HEAD_REST, normBound(headRest), true);
  }
}

/**
 * Where a filter is built in the kernel's memory: the layout of the rows
 * and their copies, and the build's own room (the axes as query pairs, then
 * a tile of scores), apart from the queries', so that queries can go on
 * while it is built on another thread.
 */
export interface FilterPlan {
  layout: FilterLayout;
  dim: number;
  /** Where the build's room starts ({@link buildRoomBytes} bytes). */
  buildAt: number;
}

/** Bytes of a filter build's own room (see {@link FilterPlan}). */
export function buildRoomBytes(dim: number): number {
  return ((dim + 1) & ~1) * multipleOf4(dim) * 4 + TILE * 4;
}

/**
 * Builds the filter: the rows' rotated values in int16 with their error
 * terms, and the prefix copy. It costs about as much as a few hundred
 * queries without it, so it is built once enough queries have come, or on
 * another thread for a large model.
 * @returns The rotation and error terms that queries are loaded with.
 */
export function buildFilter(exports: SimilarityExports, plan: FilterPlan): QueryFilter {
  const { layout, dim, buildAt } = plan;
  const { size, stride32, stride16 } = layout;
  const buffer = exports.memory.buffer;
  const rows = multipleOf4(size);
  const rows32 = new Float32Array(buffer, layout.rows32At, rows * stride32);
  const scoresAt = buildAt + ((dim + 1) & ~1) * stride32 * 4;

  // The principal axes of the rows, in order of decreasing variance: rotated
  // onto them, rows and queries have most of their length in the first
  // dimensions, which the prefix copy holds.
  const axes =
    dim > PREFIX_DIMS && dim <= MAX_ROTATED_DIM
      ? principalAxes(
          rows32,
          size,
          dim,
          stride32,
          new Float32Array(buffer, layout.inverseNormsAt, size),
        )
      : undefined;
  let rotationError = 0;
  if (axes) {
    // The kernel rotates in float32 with axes rounded to float32: bound what that costs a dot product.
    for (let i = 0; i < axes.length; i++) axes[i] = Math.fround(axes[i]!);
    rotationError = orthogonalityError(axes, dim) + 2 * Math.sqrt(dim) * (dim / 4 + 6) * 2 ** -23;
    const axes32 = new Float32Array(exports.memory.buffer, layout.axesAt, dim * stride32);
    for (let j = 0; j < dim; j++) axes32.set(axes.subarray(j * dim, (j + 1) * dim), j * stride32);
  }
  // An exact float32 score (a raw row's dot product times its inverse norm) is within (dim / 4 + 6) × 2^-23 of the
  // true cosine.
  const slack = roundUp((rotationError + (dim / 4 + 6) * 2 ** -23 + 1e-6) * SCALE2 + 4096);

  const quantize = (
    values: number,
    rowStep: number,
    dimStep: number,
    from: number,
    to: number,
    inverseNorms: number,
  ) =>
    exports.quantizeRows(
      values,
      rowStep,
      dimStep,
      from,
      to,
      dim,
      inverseNorms,
      layout.head16At,
      layout.tail16At,
      stride16 >> 3,
      layout.errorsAt,
      layout.headRestsAt,
      layout.prefixAt,
    );
  if (!axes) {
    quantize(layout.rows32At, stride32 * 4, 4, 0, size, layout.inverseNormsAt);
  } else {
    // Rotated rows are dot products with the axes: a block of rows against every axis at once, as many as a tile holds.
    loadQueryPairs(exports.memory, buildAt, Float32Array.from(axes), dim, dim);
    const blockRows = Math.floor(TILE / dim) & ~3;
    for (let rowStart = 0; rowStart < size; rowStart += blockRows) {
      const rowEnd = Math.min(size, rowStart + blockRows);
      // Scaled by the inverse norms: the rotated unit vectors.
      exports.scoreBlock(
        layout.rows32At,
        layout.inverseNormsAt,
        rowStart,
        rowEnd,
        stride32 >> 2,
        buildAt,
        dim,
        scoresAt,
        blockRows,
      );
      quantize(scoresAt, 4, blockRows * 4, rowStart, rowEnd, 0);
    }
  }
  // Rows' error terms for the prefix test: their own, plus what capping their rest norm at INT16_MAX left out
  // (in the prefix's error slot), times the largest query rest norm (INT16_MAX + at most excessLimit, which the
  // query's share covers).
  const errors = new Float32Array(buffer, layout.errorsAt, rows);
  const prefix = new Int16Array(buffer, layout.prefixAt, rows * PREFIX_VALUES);
  const excessLimit = Math.ceil(Math.sqrt(dim) / 2) + 1;
  const errorSlot = (row: number): number => prefixGroup(row) + (PREFIX_DIMS / 2) * 8 + 1;
  const prefixErrors = new Float64Array(size);
  for (let row = 0; row < size; row++)
    prefixErrors[row] = errors[row]! + prefix[errorSlot(row)]! * (INT16_MAX + excessLimit);
  // Row errors are at most ½ √dim (S + ½ √dim): scaled down to fit int16 (rounding up).
  let largest = 0;
  for (let row = 0; row < size; row++) largest = Math.max(largest, prefixErrors[row]!);
  const errorScale = Math.max(1, Math.ceil(largest / INT16_MAX));
  for (let row = 0; row < size; row++)
    prefix[errorSlot(row)] = Math.ceil(prefixErrors[row]! / errorScale);
  return { dim, axes, slack, errorScale };
}
