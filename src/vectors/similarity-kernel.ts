/**
 * The similarity kernel (assembly/similarity.ts) as the host sees it: its
 * exports, the compiled module, and instances over a shared memory that
 * worker threads can instantiate it over too.
 */
import { compileOptional } from '../wasm-module.js';

export const WASM_PAGE = 65536;
/** A 32-bit WebAssembly memory holds at most 4 GiB. */
export const MAX_WASM_BYTES = 65536 * WASM_PAGE;

/**
 * `n` rounded up to a multiple of 4: floats per padded row (one v128 holds 4),
 * and rows including the zero rows that complete the last group of 4 (the
 * kernel works on 4 rows at a time).
 */
export function multipleOf4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * The kernel's exports, each documented where it is defined: scoreBlock,
 * rescore and inverseNorms in assembly/similarity-score.ts, prefilterBlock and refine in
 * assembly/similarity-int16.ts, keepBest in assembly/similarity-heap.ts,
 * quantizeRows in assembly/similarity-quantize.ts.
 */
export interface SimilarityExports {
  memory: WebAssembly.Memory;
  scoreBlock(
    rows: number,
    inverseNorms: number,
    rowStart: number,
    rowEnd: number,
    lanes: number,
    queries: number,
    queryCount: number,
    out: number,
    outStride: number,
  ): void;
  prefilterBlock(
    prefix: number,
    rowStart: number,
    rowEnd: number,
    queries: number,
    queryCount: number,
    params: number,
    out: number,
    outStride: number,
    counts: number,
  ): void;
  refine(
    head: number,
    tail: number,
    lanes: number,
    queries: number,
    queryCount: number,
    params: number,
    rowErrors: number,
    headRests: number,
    lists: number,
    listStride: number,
    counts: number,
  ): void;
  rescore(
    rows: number,
    inverseNorms: number,
    lanes: number,
    queries: number,
    queryCount: number,
    lists: number,
    listStride: number,
    counts: number,
    out: number,
  ): void;
  quantizeRows(
    values: number,
    rowStep: number,
    dimStep: number,
    rowStart: number,
    rowEnd: number,
    dim: number,
    inverseNorms: number,
    head: number,
    tail: number,
    lanes: number,
    errors: number,
    headRests: number,
    prefix: number,
  ): void;
  inverseNorms(rows: number, lanes: number, rowStart: number, rowEnd: number, out: number): void;
  keepBest(
    queryCount: number,
    params: number,
    lists: number,
    listStride: number,
    counts: number,
    scores: number,
  ): void;
}

const WASM_URL = new URL('../../../build/similarity.wasm', import.meta.url);
let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null if it is not built or this runtime cannot run it. */
export function similarityModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileOptional(WASM_URL);
  return compiled;
}

/**
 * A kernel instance over a new shared memory (so that worker threads can
 * filter a batch over the same copies) of `pages` pages, growable to 4 GiB
 * for more queries, or not at all where that much address space cannot be
 * reserved; undefined if even `pages` cannot be had.
 */
export function sharedInstance(
  module: WebAssembly.Module,
  pages: number,
): SimilarityExports | undefined {
  for (const maximum of [MAX_WASM_BYTES / WASM_PAGE, pages]) {
    try {
      const memory = new WebAssembly.Memory({ initial: pages, maximum, shared: true });
      return new WebAssembly.Instance(module, { env: { memory } })
        .exports as unknown as SimilarityExports;
    } catch {
      // try the smaller maximum
    }
  }
  return undefined;
}

/**
 * Copies `count` queries (`dim` values each, row-major) into `memory` at
 * byte `at` as float32 pairs interleaved by lane (the kernel's layout of
 * queries, see assembly/similarity.ts), an odd one out paired with zeros.
 */
export function loadQueryPairs(
  memory: WebAssembly.Memory,
  at: number,
  queries: Float32Array,
  count: number,
  dim: number,
): void {
  const stride32 = multipleOf4(dim);
  const pairs = (count + 1) >> 1;
  const memory32 = new Float32Array(memory.buffer, at, pairs * 2 * stride32);
  memory32.fill(0);
  for (let q = 0; q < count; q++) {
    const source = q * dim;
    const target = (q >> 1) * stride32 * 2 + (q & 1) * 4;
    for (let k = 0; k < dim; k++) memory32[target + (k >> 2) * 8 + (k & 3)] = queries[source + k]!;
  }
}

/** Grows `memory` to at least `bytes` (throws if it cannot). */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}
