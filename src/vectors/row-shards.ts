/**
 * A model's raw vectors kept once, where the query kernel scores them: rows
 * split into consecutive shards, each in its own WebAssembly memory laid out
 * for the kernel (the rows, their inverse norms, then room for the filter;
 * see wasm-scorer.ts). A loader writes the rows straight into place, so a
 * model as large as GoogleNews's needs no other copy of its matrix.
 */
import { inverseNormsAt, kernelBytes, maxShardRows, ROWS_AT } from './kernel-memory.js';
import { workerCount } from './scorer-pool.js';
import { shardRanges } from './sharded-scorer.js';
import {
  WASM_PAGE,
  multipleOf4,
  sharedInstance,
  similarityModule,
  type SimilarityExports,
} from './similarity-kernel.js';

/** Rows [offset, offset + size) of the model, in a kernel instance's memory. */
export interface RowShard {
  offset: number;
  size: number;
  exports: SimilarityExports;
  /** The shard's rows, `stride` values apart (the padding is zero). */
  rows: Float32Array;
  /** One per row, once {@link RowShards.finish} has found them. */
  inverseNorms: Float32Array;
}

/** Where a loader writes row `row`: `array[base(row) ..]`, `dim` values. */
export interface RowTarget {
  arrayOf(row: number): Float32Array;
  baseOf(row: number): number;
}

/** The rows of a model in kernel memories (see the module's comment). */
export class RowShards implements LoadingRows {
  /** Values from one row to the next in a shard (dim rounded up to a multiple of 4). */
  readonly stride: number;
  private finished = false;
  /** Rows [0, normed) have their inverse norms. */
  private normed = 0;

  private constructor(
    readonly shards: readonly RowShard[],
    readonly size: number,
    readonly dim: number,
  ) {
    this.stride = multipleOf4(dim);
  }

  /**
   * Memories for `size` rows of `dim` values, in shards of at most
   * `shardRows` (by default as many as one memory holds with the filter);
   * undefined where the kernel cannot run or the memory cannot be had (the
   * caller then keeps the rows in an array).
   */
  static create(size: number, dim: number, shardRows?: number): RowShards | undefined {
    const module = similarityModule();
    if (!module || size === 0) return undefined;
    const stride = multipleOf4(dim);
    const shards: RowShard[] = [];
    for (const range of shardRanges(
      size,
      shardRows ?? maxShardRows(dim),
      shardRows !== undefined,
    )) {
      const bytes = kernelBytes(range.size, dim, true, workerCount());
      const exports = sharedInstance(module, Math.ceil(bytes / WASM_PAGE));
      if (!exports) return undefined;
      const buffer = exports.memory.buffer;
      shards.push({
        ...range,
        exports,
        rows: new Float32Array(buffer, ROWS_AT, multipleOf4(range.size) * stride),
        inverseNorms: new Float32Array(buffer, inverseNormsAt(range.size, dim), range.size),
      });
    }
    return new RowShards(shards, size, dim);
  }

  /** A copy of row-major `vectors` (`size × dim`), or undefined where the kernel cannot have them (see create). */
  static copyOf(
    vectors: Float32Array,
    size: number,
    dim: number,
    shardRows?: number,
  ): RowShards | undefined {
    const copy = RowShards.create(size, dim, shardRows);
    if (!copy) return undefined;
    for (const { offset, size: count, rows } of copy.shards) {
      if (copy.stride === dim) rows.set(vectors.subarray(offset * dim, (offset + count) * dim));
      else
        for (let row = 0; row < count; row++)
          rows.set(
            vectors.subarray((offset + row) * dim, (offset + row + 1) * dim),
            row * copy.stride,
          );
    }
    return copy.finish();
  }

  arrayOf(row: number): Float32Array {
    return this.shardOf(row).rows;
  }

  baseOf(row: number): number {
    return (row - this.shardOf(row).offset) * this.stride;
  }

  /** The `dim` values of `row`, as a view (do not modify). */
  row(row: number): Float32Array {
    const shard = this.shardOf(row);
    const base = (row - shard.offset) * this.stride;
    return shard.rows.subarray(base, base + this.dim);
  }

  /** The inverse norm of `row` (0 for a zero row, NaN for one holding NaN or an infinity). */
  inverseNorm(row: number): number {
    const shard = this.shardOf(row);
    return shard.inverseNorms[row - shard.offset]!;
  }

  /**
   * Once every row is written: finds the inverse norms (in the kernel), or,
   * if only the first `used` rows were written (a file with repeated
   * words), moves those into shards of their own size first.
   * @returns The shards holding exactly the rows written.
   */
  finish(used = this.size): RowShards {
    if (used < this.size) {
      const smaller = RowShards.create(used, this.dim);
      if (!smaller) throw new Error(`no memory for ${used} rows of ${this.dim} values`);
      for (let row = 0; row < used; row++)
        smaller.arrayOf(row).set(this.row(row), smaller.baseOf(row));
      return smaller.finish();
    }
    if (!this.finished) {
      this.rowsWritten(this.size);
      this.finished = true;
    }
    return this;
  }

  /**
   * Finds the inverse norms of the rows written since the last call, up to
   * `upTo`: a loader calls it every few hundred rows, while they are still
   * in cache, rather than leaving a pass over the whole matrix to the end.
   */
  rowsWritten(upTo: number): void {
    for (const { offset, size, exports } of this.shards) {
      const from = Math.max(this.normed, offset) - offset;
      const to = Math.min(upTo, offset + size) - offset;
      if (from < to)
        exports.inverseNorms(ROWS_AT, this.stride >> 2, from, to, inverseNormsAt(size, this.dim));
    }
    this.normed = Math.max(this.normed, upTo);
  }

  /** All the rows in one row-major array (a copy). */
  toArray(): Float32Array {
    const { dim, stride } = this;
    const vectors = new Float32Array(this.size * dim);
    for (const { offset, size, rows } of this.shards) {
      if (stride === dim) vectors.set(rows.subarray(0, size * dim), offset * dim);
      else
        for (let row = 0; row < size; row++)
          vectors.set(rows.subarray(row * stride, row * stride + dim), (offset + row) * dim);
    }
    return vectors;
  }

  private shardOf(row: number): RowShard {
    // Shards are of equal size but for the last.
    const shards = this.shards;
    return shards[Math.min(shards.length - 1, Math.floor(row / shards[0]!.size))]!;
  }
}

/** Models from this many values on are loaded straight into kernel memories; smaller ones into an array. */
const IN_PLACE_VALUES = 1 << 24;

/** Where a loader writes a model's rows, and what it gets once they are written. */
export interface LoadingRows extends RowTarget {
  /** Told that rows [0, upTo) are written (see RowShards.rowsWritten). */
  rowsWritten?(upTo: number): void;
  /** The rows, once the first `used` are written (fewer than allocated if words repeated). */
  finish(used: number): Float32Array | RowShards;
}

/** Room for `count` rows of `dim` values: in kernel memories for a large model, else in an array. */
export function loadingRows(count: number, dim: number): LoadingRows {
  const shards = count * dim >= IN_PLACE_VALUES ? RowShards.create(count, dim) : undefined;
  if (shards) return shards;
  const vectors = new Float32Array(count * dim);
  return {
    arrayOf: () => vectors,
    baseOf: (row) => row * dim,
    finish: (used) => (used * dim === vectors.length ? vectors : vectors.slice(0, used * dim)),
  };
}
