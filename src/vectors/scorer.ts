/**
 * Scores of vocabulary rows against query vectors, a cache-sized tile of the
 * product (unit vectors) × (queries)ᵀ at a time: the engine behind
 * KeyedVectors' nearest-neighbour queries, single or batched.
 *
 * This module holds what every scorer shares: the {@link Scorer} interface,
 * the tiles a scan goes through, the selections of the best rows from
 * scanned tiles (top-n and 3CosMul), and the exact TypeScript scores.
 * The WebAssembly SIMD scorer (wasm-scorer.ts, with createScorer) keeps its
 * own copies of the unit vectors, with an int16 filter for top-n queries
 * (similarity-filter.ts) whose batches it splits between worker threads
 * (scorer-pool.ts). Where the kernel cannot be used (not built, no SIMD, or
 * the vectors do not fit in a 32-bit WebAssembly memory) TypeScript computes
 * the same scores bit for bit: every exact score sums float32 products in
 * one fixed order.
 */
import type { TopN } from './top-n.js';

/** Rows per tile (a multiple of 4): their int16 copy (256 × 100 values, 50 KiB) stays in cache while a chunk of queries passes over it. */
export const BLOCK_ROWS = 256;
/** Queries per tile. */
export const QUERY_CHUNK = 128;
export const TILE = QUERY_CHUNK * BLOCK_ROWS;

/**
 * Receives the exact scores of the rows `[rowStart, rowEnd)` for queries
 * `[firstQuery, firstQuery + queryCount)`: the score of row r for query
 * firstQuery + j is `scores[j * stride + (r - rowStart)]`. Only queries whose
 * end exceeds `rowStart` are passed (rows from a query's end on are scored
 * but are not its candidates). The array is only valid during the call.
 */
export type TileVisitor = (
  rowStart: number,
  rowEnd: number,
  firstQuery: number,
  queryCount: number,
  scores: Float32Array,
  stride: number,
) => void;

/** Scores rows against queries: the WebAssembly scorer or the TypeScript one (see createScorer in wasm-scorer.ts). */
export interface Scorer {
  /** Which implementation computes the scores. */
  readonly kind: 'wasm' | 'js';
  /** How many threads answered the last {@link Scorer.selectTop} (1: the calling thread alone). */
  readonly threads: number;
  /** Whether top-n queries use the int16 filter; until it is built, they score every row exactly. */
  readonly filtering: boolean;
  /**
   * Scores every query against the rows before its end, tile by tile in
   * increasing row order.
   * @param queries `count × dim` float32 values, row-major, each of norm 1 or 0.
   * @param ends Per query, the row where its candidates end; non-increasing.
   */
  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void;
  /**
   * Fills `heaps[q]` (empty) with the best rows of query q: those before its
   * end, not in `excludes[q]`, by exact score, ties to the lower row. The
   * result is the same whether the batch is split between threads or not.
   */
  selectTop(
    queries: Float32Array,
    ends: ArrayLike<number>,
    heaps: readonly TopN[],
    excludes: ReadonlyArray<ReadonlySet<number>>,
  ): void;
  /**
   * Starts {@link Scorer.selectTop} on another thread, if this scorer can
   * (and the batch is small enough to gain by it), and returns the function
   * that waits for it to finish; the scorer is not to be used until then.
   */
  startSelectTop?(...request: SelectTopRequest): (() => void) | undefined;
}

/** The arguments of {@link Scorer.selectTop}: the queries, their ends, their (empty) heaps and the rows each must not return. */
export type SelectTopRequest = Parameters<Scorer['selectTop']>;

/**
 * Calls `onTile` for each block of rows and each chunk of queries active in
 * it (those whose end lies beyond the block's start), rows outermost.
 * Blocks are BLOCK_ROWS rows or, given `maxRows`, double in size from there
 * up to it (fewer calls when there are few queries; a block's rows are
 * `stride` = its size at most).
 */
export function forEachTile(
  size: number,
  ends: ArrayLike<number>,
  onTile: (rowStart: number, rowEnd: number, first: number, count: number, stride: number) => void,
  maxRows = BLOCK_ROWS,
): void {
  const count = ends.length;
  if (count === 0) return;
  const lastRow = Math.min(size, ends[0]!);
  for (
    let rowStart = 0, rows = BLOCK_ROWS;
    rowStart < lastRow;
    rowStart += rows, rows = Math.min(maxRows, 2 * rows)
  ) {
    const rowEnd = Math.min(lastRow, rowStart + rows);
    for (let first = 0; first < count && ends[first]! > rowStart; first += QUERY_CHUNK) {
      let active = Math.min(QUERY_CHUNK, count - first);
      while (ends[first + active - 1]! <= rowStart) active--;
      onTile(rowStart, rowEnd, first, active, rows);
    }
  }
}

/** {@link Scorer.selectTop} from every exact score, on the calling thread. */
export function selectTopByScan(
  scan: (queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor) => void,
  queries: Float32Array,
  ends: ArrayLike<number>,
  heaps: readonly TopN[],
  excludes: ReadonlyArray<ReadonlySet<number>>,
): void {
  scan(queries, ends, (rowStart, rowEnd, first, count, scores, stride) => {
    for (let j = 0; j < count; j++) {
      const heap = heaps[first + j]!;
      const exclude = excludes[first + j]!;
      const limit = Math.min(rowEnd, ends[first + j]!);
      for (let row = rowStart, at = j * stride; row < limit; row++, at++) {
        const score = scores[at]!;
        if (heap.accepts(score, row) && !exclude.has(row)) heap.push(score, row);
      }
    }
  });
}

/**
 * Fills `heap` (empty) with the best rows by 3CosMul (see
 * KeyedVectors.mostSimilarCosmul): those before `end`, other than the query
 * rows, each scoring the product of `(1 + cos) / 2` over the `positive` rows
 * divided by (the same product over the `negative` rows + 1e-6).
 * @param unitRow The unit vector of a row, as the scorer scores it.
 */
export function selectTopCosmul(
  scorer: Scorer,
  unitRow: (row: number) => Float32Array,
  positive: readonly number[],
  negative: readonly number[],
  end: number,
  heap: TopN,
): void {
  const rows = [...positive, ...negative];
  const vectors = rows.map(unitRow);
  const dim = vectors[0]!.length;
  const terms = new Float32Array(rows.length * dim);
  vectors.forEach((vector, t) => terms.set(vector, t * dim));
  const exclude = new Set(rows);
  let numerator = new Float64Array(0);
  let denominator = new Float64Array(0);
  scorer.scan(
    terms,
    new Int32Array(rows.length).fill(end),
    (rowStart, rowEnd, first, count, scores, stride) => {
      const tileRows = rowEnd - rowStart;
      if (first === 0) {
        // The first chunk of terms for this block (there is one chunk unless there are very many terms).
        if (numerator.length < tileRows) {
          numerator = new Float64Array(tileRows);
          denominator = new Float64Array(tileRows);
        }
        numerator.fill(1, 0, tileRows);
        denominator.fill(1, 0, tileRows);
      }
      for (let j = 0; j < count; j++) {
        const products = first + j < positive.length ? numerator : denominator;
        const base = j * stride;
        for (let i = 0; i < tileRows; i++)
          products[i] = products[i]! * ((1 + scores[base + i]!) / 2);
      }
      if (first + count < rows.length) return;
      for (let i = 0; i < tileRows; i++) {
        const row = rowStart + i;
        const score = numerator[i]! / (denominator[i]! + 0.000001);
        if (heap.accepts(score, row) && !exclude.has(row)) heap.push(score, row);
      }
    },
  );
}

/**
 * The inverse norm of the row at `base`, as the kernel finds it (its
 * inverseNorms): squares summed in float64, components k ≡ 0, 1, 2, 3
 * (mod 4) apart, then (s0 + s1) + (s2 + s3), the inverse rounded once to
 * float32; 0 for a zero row, NaN for one holding NaN or an infinity.
 */
export function inverseNorm(vectors: Float32Array, base: number, dim: number): number {
  const sums = [0, 0, 0, 0];
  for (let k = 0; k < dim; k++) {
    const v = vectors[base + k]!;
    sums[k & 3] += v * v;
  }
  const squares = sums[0]! + sums[1]! + (sums[2]! + sums[3]!);
  if (squares === 0) return 0;
  return Number.isFinite(squares) ? Math.fround(1 / Math.sqrt(squares)) : NaN;
}

/**
 * The exact dot product of one row with one query, in the kernel's order: lane l
 * of the accumulator sums components k ≡ l (mod 4), rounding to float32
 * after every operation, then (s0 + s1) + (s2 + s3).
 */
function exactScore(
  unit: Float32Array,
  base: number,
  queries: Float32Array,
  queryBase: number,
  dim: number,
): number {
  const fround = Math.fround;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < dim; k += 4) {
    s0 = fround(s0 + fround(unit[base + k]! * queries[queryBase + k]!));
    s1 = fround(s1 + fround(unit[base + k + 1]! * queries[queryBase + k + 1]!));
    s2 = fround(s2 + fround(unit[base + k + 2]! * queries[queryBase + k + 2]!));
    s3 = fround(s3 + fround(unit[base + k + 3]! * queries[queryBase + k + 3]!));
  }
  if (k < dim) {
    // The kernel's zero padding adds +0 to the lanes past the end (turning a -0 sum into +0).
    s0 = fround(s0 + fround(unit[base + k]! * queries[queryBase + k]!));
    s1 =
      k + 1 < dim ? fround(s1 + fround(unit[base + k + 1]! * queries[queryBase + k + 1]!)) : s1 + 0;
    s2 =
      k + 2 < dim ? fround(s2 + fround(unit[base + k + 2]! * queries[queryBase + k + 2]!)) : s2 + 0;
    s3 = s3 + 0;
  }
  return fround(fround(s0 + s1) + fround(s2 + s3));
}

/** The kernel's exact arithmetic in TypeScript: every score computed, rounding to float32 after every operation. */
export class JsScorer implements Scorer {
  readonly kind = 'js';
  readonly threads = 1;
  readonly filtering = false;
  private readonly scores = new Float32Array(TILE);
  private readonly inverseNorms: Float32Array;
  /** @param vectors Raw rows, row-major: scores are their dot products with the queries times their inverse norms. */
  constructor(
    private readonly vectors: Float32Array,
    private readonly size: number,
    private readonly dim: number,
  ) {
    this.inverseNorms = Float32Array.from({ length: size }, (_, row) =>
      inverseNorm(vectors, row * dim, dim),
    );
  }

  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    forEachTile(this.size, ends, (rowStart, rowEnd, first, count) => {
      this.score(queries, rowStart, rowEnd, first, count);
      visit(rowStart, rowEnd, first, count, this.scores, BLOCK_ROWS);
    });
  }

  selectTop(...request: SelectTopRequest): void {
    selectTopByScan((q, e, v) => this.scan(q, e, v), ...request);
  }

  private score(
    queries: Float32Array,
    rowStart: number,
    rowEnd: number,
    first: number,
    count: number,
  ): void {
    const { vectors, inverseNorms, dim, scores } = this;
    for (let j = 0; j < count; j++) {
      const queryBase = (first + j) * dim;
      for (let row = rowStart; row < rowEnd; row++) {
        const dot = exactScore(vectors, row * dim, queries, queryBase, dim);
        scores[j * BLOCK_ROWS + (row - rowStart)] = Math.fround(dot * inverseNorms[row]!);
      }
    }
  }
}
