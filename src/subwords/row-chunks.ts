/**
 * A matrix of float32 rows held in several arrays of at most 1 GiB each,
 * so that a large n-gram matrix (2,000,000 × 300 floats and more) never
 * needs one contiguous buffer.
 */

/** Bytes per chunk at most. */
const CHUNK_BYTES = 1 << 30;

export class RowChunks {
  /** Rows per chunk (the last may hold fewer). */
  readonly rowsPerChunk: number;
  readonly chunks: readonly Float32Array[];

  /**
   * Zero rows, or the given chunks (each `rowsPerChunk × dim` but the last).
   * @example
   * const rows = new RowChunks(2000000, 300);
   */
  constructor(
    readonly rows: number,
    readonly dim: number,
    chunks?: readonly Float32Array[],
    rowsPerChunk?: number,
  ) {
    this.rowsPerChunk = rowsPerChunk ?? Math.max(1, Math.floor(CHUNK_BYTES / (4 * dim)));
    if (chunks) {
      this.chunks = chunks;
      return;
    }
    const made: Float32Array[] = [];
    for (let from = 0; from < rows; from += this.rowsPerChunk) {
      made.push(new Float32Array(Math.min(this.rowsPerChunk, rows - from) * dim));
    }
    this.chunks = made;
  }

  /**
   * Row `i` as a view (writes go to the matrix).
   * @example
   * rows.row(7)[0] = 1;
   */
  row(i: number): Float32Array {
    const chunk = this.chunks[Math.floor(i / this.rowsPerChunk)]!;
    const at = (i % this.rowsPerChunk) * this.dim;
    return chunk.subarray(at, at + this.dim);
  }

  /**
   * A copy of the rows, in chunks of its own.
   * @example
   * const kept = rows.copy();
   */
  copy(): RowChunks {
    return new RowChunks(
      this.rows,
      this.dim,
      this.chunks.map((chunk) => chunk.slice()),
      this.rowsPerChunk,
    );
  }

  /** Adds row `i` into `sum` (float32 adds, as fastText's `addRow`). */
  addRowTo(i: number, sum: Float32Array): void {
    const chunk = this.chunks[Math.floor(i / this.rowsPerChunk)]!;
    const at = (i % this.rowsPerChunk) * this.dim;
    for (let k = 0; k < this.dim; k++) sum[k] = Math.fround(sum[k]! + chunk[at + k]!);
  }
}
