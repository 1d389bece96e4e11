/**
 * A subword model's n-gram rows in a WebAssembly memory, so that the
 * loader's hot loop (every word's vector: its own row plus some 30 n-gram
 * rows of 300 values) runs in the SIMD kernel of assembly/subword-mean.ts
 * rather than element by element in TypeScript. A batch of words' own rows
 * is copied in beside the n-gram rows, made into vectors there, and copied
 * back.
 */
import { compileOptional } from '../wasm-module.js';
import { RowChunks } from './row-chunks.js';

const WASM_URL = new URL('../../../build/subword-mean.wasm', import.meta.url);
const WASM_PAGE = 65536;
/** The most a 32-bit memory holds, in pages. */
const MAX_PAGES = 65536;
/** Words per batch, and room for their n-gram row numbers (a longer word goes alone). */
const BATCH_WORDS = 4096;
const BATCH_IDS = 1 << 18;

interface MeanExports {
  meanRows(
    vectors: number,
    words: number,
    dim: number,
    offsets: number,
    ids: number,
    rowsAt: number,
  ): void;
}

let compiled: WebAssembly.Module | null | undefined;

function meanModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileOptional(WASM_URL);
  return compiled;
}

/** Where a word's vector lies: `array[at .. at + dim)`. */
export interface RowPlace {
  array: Float32Array;
  at: number;
}

export class NgramMemory {
  private readonly vectors: Float32Array;
  private readonly offsets: Int32Array;
  private readonly ids: Int32Array;

  private constructor(
    private readonly kernel: MeanExports,
    buffer: ArrayBuffer,
    private readonly rowsAt: number,
    readonly rows: RowChunks,
  ) {
    const dim = rows.dim;
    this.vectors = new Float32Array(buffer, 0, BATCH_WORDS * dim);
    this.offsets = new Int32Array(buffer, this.vectors.byteLength, BATCH_WORDS + 1);
    this.ids = new Int32Array(buffer, this.offsets.byteOffset + this.offsets.byteLength, BATCH_IDS);
  }

  /**
   * `rows × dim` zero rows in a kernel's memory, or undefined where the
   * kernel is not built or they do not fit one memory (the caller then
   * keeps them in plain arrays).
   * @example
   * const space = NgramMemory.create(2000000, 300);
   */
  static create(rows: number, dim: number): NgramMemory | undefined {
    const module = meanModule();
    if (!module) return undefined;
    const scratch = (BATCH_WORDS * dim + BATCH_WORDS + 1 + BATCH_IDS) * 4;
    const rowsAt = Math.ceil(scratch / 16) * 16;
    const pages = Math.ceil((rowsAt + rows * dim * 4) / WASM_PAGE);
    if (pages > MAX_PAGES) return undefined;
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: Math.max(1, pages), maximum: Math.max(1, pages) });
    } catch {
      return undefined;
    }
    const kernel = new WebAssembly.Instance(module, { env: { memory } })
      .exports as unknown as MeanExports;
    // The chunks are consecutive views, so row r lies at rowsAt + r × dim × 4 for the kernel.
    const perChunk = new RowChunks(0, dim).rowsPerChunk;
    const chunks: Float32Array[] = [];
    for (let from = 0; from < rows; from += perChunk) {
      const count = Math.min(perChunk, rows - from);
      chunks.push(new Float32Array(memory.buffer, rowsAt + from * dim * 4, count * dim));
    }
    return new NgramMemory(
      kernel,
      memory.buffer,
      rowsAt,
      new RowChunks(rows, dim, chunks, perChunk),
    );
  }

  /**
   * Makes `count` words' vectors where they lie: each the mean of the own
   * row found there and its n-gram rows, with fastText's float32 sums.
   * @param place     where word w's own row lies (its vector replaces it)
   * @param ngramsOf  writes word w's n-gram row numbers into `out`, returning how many
   * @param longest   the most n-grams a word has (the size of `out`)
   */
  meanWords(
    count: number,
    place: (w: number) => RowPlace,
    ngramsOf: (w: number, out: Int32Array) => number,
    longest: number,
  ): void {
    const dim = this.rows.dim;
    const own = new Int32Array(Math.max(1, longest));
    const batch: RowPlace[] = [];
    let filled = 0;
    const flush = (): void => {
      if (batch.length === 0) return;
      this.kernel.meanRows(
        this.vectors.byteOffset,
        batch.length,
        dim,
        this.offsets.byteOffset,
        this.ids.byteOffset,
        this.rowsAt,
      );
      batch.forEach(({ array, at }, b) =>
        array.set(this.vectors.subarray(b * dim, (b + 1) * dim), at),
      );
      batch.length = 0;
      filled = 0;
    };
    for (let w = 0; w < count; w++) {
      const n = ngramsOf(w, own);
      const target = place(w);
      if (n > BATCH_IDS) {
        this.meanOne(target, own, n);
        continue;
      }
      if (batch.length === BATCH_WORDS || filled + n > BATCH_IDS) flush();
      const b = batch.length;
      this.vectors.set(target.array.subarray(target.at, target.at + dim), b * dim);
      this.offsets[b] = filled;
      this.ids.set(own.subarray(0, n), filled);
      filled += n;
      this.offsets[b + 1] = filled;
      batch.push(target);
    }
    flush();
  }

  /** The same for a word with more n-grams than a batch has room for, in TypeScript. */
  private meanOne({ array, at }: RowPlace, ids: Int32Array, n: number): void {
    const dim = this.rows.dim;
    const sum = array.subarray(at, at + dim);
    for (let i = 0; i < n; i++) this.rows.addRowTo(ids[i]!, sum);
    const scale = Math.fround(1 / (n + 1));
    for (let k = 0; k < dim; k++) sum[k] = Math.fround(sum[k]! * scale);
  }
}
