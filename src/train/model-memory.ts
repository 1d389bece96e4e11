import { UsageError } from '../errors.js';
import { chunkCapacity } from '../corpus/encoded.js';
import type { Architecture, Loss, ResolvedTrainOptions } from '../options.js';
import { Random } from '../sampling/random.js';
import { buildAliasTable } from '../sampling/noise.js';
import { keepThresholds } from '../sampling/subsample.js';
import { buildHuffman } from '../vocab/huffman.js';
import {
  CFG_ALIAS_INDEX,
  CFG_ALIAS_PROB,
  CFG_CBOW,
  CFG_CODE_OFFSET,
  CFG_CODES,
  CFG_FIELDS,
  CFG_HOT_ROWS,
  CFG_HS,
  CFG_KEEP,
  CFG_LOSS_NEG,
  CFG_LOSS_POS,
  CFG_NEGATIVE,
  CFG_OUTPUT_HIGH,
  CFG_POINTS,
  CFG_SHARED,
  CFG_SIGMOID,
  CFG_SOFTMAX,
  CFG_STRIDE,
  CFG_SUBWORD_OFFSETS,
  CFG_SUBWORD_ROWS,
  CFG_SUBWORDS,
  CFG_SYN0,
  CFG_SYN1,
  CFG_SYN1NEG,
  CFG_VOCAB,
  CFG_WINDOW,
  SIGMOID_MAX,
  SIGMOID_TABLE_SIZE,
} from '../../assembly/training-layout.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import { buildNgramTable, type NgramTable } from '../subwords/ngram-table.js';
import { RowChunks } from '../subwords/row-chunks.js';
import type { SubwordParams } from '../subwords/ngrams.js';
import { trainsSubwords } from '../subwords/subword-options.js';
import type { ThreadScratch } from './kernel.js';
import { CHUNK_TARGET } from './training-corpus.js';
import { hasMemory64, MAX_PAGES_64, sharedMemory64 } from './memory64.js';

/** Where each field of the kernels' configuration block lies. */
const CONFIG_INDEX = {
  syn0: CFG_SYN0,
  syn1neg: CFG_SYN1NEG,
  syn1: CFG_SYN1,
  stride: CFG_STRIDE,
  vocabSize: CFG_VOCAB,
  window: CFG_WINDOW,
  negative: CFG_NEGATIVE,
  keep: CFG_KEEP,
  aliasProb: CFG_ALIAS_PROB,
  aliasIndex: CFG_ALIAS_INDEX,
  codeOffset: CFG_CODE_OFFSET,
  points: CFG_POINTS,
  codes: CFG_CODES,
  sigmoid: CFG_SIGMOID,
  lossPos: CFG_LOSS_POS,
  lossNeg: CFG_LOSS_NEG,
  cbow: CFG_CBOW,
  hs: CFG_HS,
  shared: CFG_SHARED,
  softmax: CFG_SOFTMAX,
  hotRows: CFG_HOT_ROWS,
  outputHigh: CFG_OUTPUT_HIGH,
  subwords: CFG_SUBWORDS,
  subwordOffsets: CFG_SUBWORD_OFFSETS,
  subwordRows: CFG_SUBWORD_ROWS,
} as const;
type ConfigField = keyof typeof CONFIG_INDEX;

const WASM_PAGE = 65536;
/** Output rows each thread replicates when there are several threads. */
const HOT_OUTPUT_ROWS = 2048;
const MAX_PAGES = 65536; // 4 GiB: the most a 32-bit WebAssembly memory addresses

export interface ModelMemorySpec {
  counts: Float64Array;
  dim: number;
  arch: Architecture;
  loss: Loss;
  window: number;
  negative: number;
  nsExponent: number;
  sample: number;
  threads: number;
  /** Longest sentence a chunk may hold. */
  maxSentenceLength: number;
  /** Most entries (words and sentence ends) in one chunk. */
  chunkCapacity: number;
  seed: number;
  /** Skip-gram: one set of output units (noise words) per window instead of per pair. */
  sharedOutputs: boolean;
  /** A 64-bit memory even if the model fits a 32-bit one (to compare the two builds of the kernels). */
  memory64?: boolean;
  /** A subword model: the vocabulary's words (whose n-grams the kernels train) and the n-gram options. */
  subwords?: { words: readonly string[]; params: SubwordParams };
}

/** The memory a run with `options` needs to train `vocab`. */
export function memorySpec(options: ResolvedTrainOptions, vocab: Vocabulary): ModelMemorySpec {
  return {
    counts: vocab.counts,
    dim: options.dim,
    arch: options.arch,
    loss: options.loss,
    window: options.window,
    negative: options.negative,
    nsExponent: options.nsExponent,
    sample: options.sample,
    threads: options.threads,
    maxSentenceLength: options.maxSentenceLength,
    chunkCapacity: chunkCapacity(CHUNK_TARGET, options.maxSentenceLength),
    seed: options.seed,
    sharedOutputs:
      options.sharedNegatives &&
      options.arch === 'sg' &&
      options.loss !== 'softmax' &&
      !trainsSubwords(options),
    subwords: trainsSubwords(options) ? { words: vocab.words, params: options } : undefined,
  };
}

/** Hands out 16-byte aligned regions of the memory, in order. */
class Layout {
  size = 1024; // the kernels treat offset 0 as "absent"

  take(bytes: number): number {
    const at = this.size;
    this.size = Math.ceil((at + bytes) / 16) * 16;
    return at;
  }
}

/** The sampling tables and Huffman paths of a run, built once. */
interface Tables {
  keep?: Uint32Array;
  alias?: ReturnType<typeof buildAliasTable>;
  tree?: ReturnType<typeof buildHuffman>;
  ngrams?: NgramTable;
}

function buildTables(spec: ModelMemorySpec): Tables {
  return {
    keep: spec.sample > 0 ? keepThresholds(spec.counts, spec.sample, sum(spec.counts)) : undefined,
    alias: spec.loss === 'ns' ? buildAliasTable(spec.counts, spec.nsExponent) : undefined,
    tree: spec.loss === 'hs' ? buildHuffman(spec.counts) : undefined,
    ngrams: spec.subwords && buildNgramTable(spec.subwords.words, spec.subwords.params),
  };
}

/** Where everything lies, and the bytes it takes. */
interface Placement {
  fields: Record<ConfigField, number>;
  config: number;
  threads: Array<Omit<ThreadScratch, 'seed'>>;
  size: number;
  /** The output matrix's offset (syn1neg or syn1), which may pass 4 GiB. */
  output: number;
}

/**
 * Lays out the memory for kernels whose row pointers are `pointerBytes`
 * wide: the tables and every thread's scratch first, the two weight
 * matrices last, so that past 4 GiB only the matrices lie high (the
 * configuration holds 32-bit offsets, and the scratch is addressed from
 * JavaScript in 32-bit arithmetic).
 */
function place(spec: ModelMemorySpec, tables: Tables, pointerBytes: number): Placement {
  const v = spec.counts.length;
  const stride = Math.ceil(spec.dim / 4) * 4;
  const rowBytes = stride * 4;
  const hs = spec.loss === 'hs';
  const { keep, alias, tree, ngrams } = tables;
  const layout = new Layout();
  const fields = Object.fromEntries(Object.keys(CONFIG_INDEX).map((f) => [f, 0])) as Record<
    ConfigField,
    number
  >;

  const config = layout.take(CFG_FIELDS * 4);
  if (keep) fields.keep = layout.take(v * 4);
  if (alias) {
    fields.aliasProb = layout.take(v * 4);
    fields.aliasIndex = layout.take(v * 4);
  }
  if (tree) {
    fields.codeOffset = layout.take(tree.offsets.byteLength);
    fields.points = layout.take(tree.points.byteLength);
    fields.codes = layout.take(tree.codes.byteLength);
  }
  if (ngrams) {
    fields.subwords = 1;
    fields.subwordOffsets = layout.take(ngrams.offsets.byteLength);
    fields.subwordRows = layout.take(ngrams.rows.byteLength);
  }
  fields.sigmoid = layout.take(SIGMOID_TABLE_SIZE * 4);
  fields.lossPos = layout.take(SIGMOID_TABLE_SIZE * 4);
  fields.lossNeg = layout.take(SIGMOID_TABLE_SIZE * 4);
  // With several threads, each keeps private copies of the hottest output rows (see mergeHotRows in the kernels).
  const outputRows = hs ? Math.max(v - 1, 1) : v;
  const hotRows =
    spec.threads > 1 && spec.loss !== 'softmax' ? Math.min(HOT_OUTPUT_ROWS, outputRows) : 0;
  Object.assign(fields, {
    stride,
    vocabSize: v,
    window: spec.window,
    negative: spec.negative,
    cbow: +(spec.arch === 'cbow'),
    hs: +hs,
    shared: +spec.sharedOutputs,
    softmax: +(spec.loss === 'softmax'),
    hotRows,
  });

  // Output units of one example; the full softmax keeps a score per word there.
  const maxOutputs = Math.max(
    spec.negative + 1,
    tree?.maxCodeLength ?? 0,
    spec.loss === 'softmax' ? v : 0,
  );
  // An output unit is a row pointer and a label; a window holds 2 * window context pointers,
  // and 2 * (2 * window + 1) rows: an error per context word, or for subword CBOW a sum
  // and a pending error per position of its sliding window.
  const slotBytes = 2 * pointerBytes;
  const threads = [];
  for (let t = 0; t < spec.threads; t++) {
    threads.push({
      neu1: layout.take(rowBytes),
      neu1e: layout.take(rowBytes),
      sentence: layout.take(spec.maxSentenceLength * 4),
      outputs: layout.take(maxOutputs * slotBytes),
      window: layout.take(
        Math.ceil((spec.window * slotBytes) / 16) * 16 +
          (4 * spec.window + 2) * rowBytes +
          2 * spec.window * maxOutputs * 4,
      ),
      hot: layout.take(2 * hotRows * rowBytes),
      chunk: layout.take(spec.chunkCapacity * 4),
    });
  }
  fields.syn0 = layout.take((v + (spec.subwords?.params.bucket ?? 0)) * rowBytes);
  const output = layout.take(outputRows * rowBytes);
  // A 32-bit field each: the offset's low bits where the kernels look for the matrix, its high bits apart.
  fields[hs ? 'syn1' : 'syn1neg'] = output % 2 ** 32;
  fields.outputHigh = Math.floor(output / 2 ** 32);
  return { fields, config, threads, size: layout.size, output };
}

/** The shared memory for `placement`: 32-bit up to 4 GiB, else 64-bit where this Node.js has it. */
function allocate(placement: Placement, memory64: boolean): WebAssembly.Memory {
  const pages = Math.ceil(placement.size / WASM_PAGE);
  if (!memory64) return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const gib = (placement.size / 2 ** 30).toFixed(1);
  const needs = `the model needs ${gib} GiB of weights and tables`;
  if (!hasMemory64()) {
    throw new UsageError(
      `${needs}, more than the 4 GiB a 32-bit WebAssembly memory holds; Node.js 22 and later train it in a 64-bit memory, and Node.js ${process.versions.node} does with 'node --experimental-wasm-memory64'; or lower --dim or --max-vocab`,
    );
  }
  if (pages > MAX_PAGES_64) {
    throw new UsageError(
      `${needs}, more than the 16 GiB the 64-bit kernels address; lower --dim or --max-vocab`,
    );
  }
  return sharedMemory64(pages);
}

/**
 * All training state in one shared WebAssembly memory: both weight matrices,
 * the sampling tables, the Huffman paths, and each thread's scratch. Rows
 * are padded to a multiple of 4 floats (`stride`) for 128-bit SIMD; the
 * padding stays zero. Past 4 GiB the memory is 64-bit, for the 64-bit build
 * of the kernels (`memory64`).
 */
export class ModelMemory {
  readonly memory: WebAssembly.Memory;
  /** Whether the memory is 64-bit (for kernels64.wasm). */
  readonly memory64: boolean;
  readonly vocabSize: number;
  readonly dim: number;
  readonly stride: number;
  readonly config: number;
  readonly syn0: number;
  readonly syn1neg: number;
  readonly syn1: number;
  /** N-gram rows after the words' rows in syn0 (a subword model), else 0. */
  readonly bucket: number;
  readonly threads: ThreadScratch[];

  constructor(spec: ModelMemorySpec) {
    const v = spec.counts.length;
    const hs = spec.loss === 'hs';
    const tables = buildTables(spec);
    const { keep, alias, tree, ngrams } = tables;
    let placement = place(spec, tables, 4);
    this.memory64 = spec.memory64 === true || placement.size > MAX_PAGES * WASM_PAGE;
    if (this.memory64) placement = place(spec, tables, 8);
    const { fields } = placement;
    this.memory = allocate(placement, this.memory64);
    const random = new Random(spec.seed);
    this.threads = placement.threads.map((scratch) => ({ ...scratch, seed: random.nextSeed64() }));
    this.config = placement.config;
    this.vocabSize = v;
    this.dim = spec.dim;
    this.stride = fields.stride;
    this.syn0 = fields.syn0;
    this.syn1neg = hs ? 0 : placement.output;
    this.syn1 = hs ? placement.output : 0;
    this.bucket = spec.subwords?.params.bucket ?? 0;

    const buffer = this.memory.buffer;
    const config = new Int32Array(buffer, this.config, CFG_FIELDS);
    for (const [field, index] of Object.entries(CONFIG_INDEX))
      config[index] = fields[field as ConfigField];
    if (keep) new Uint32Array(buffer, fields.keep, v).set(keep);
    if (alias) {
      new Uint32Array(buffer, fields.aliasProb, v).set(alias.threshold);
      new Int32Array(buffer, fields.aliasIndex, v).set(alias.alias);
    }
    if (tree) {
      new Int32Array(buffer, fields.codeOffset, v + 1).set(tree.offsets);
      new Int32Array(buffer, fields.points, tree.points.length).set(tree.points);
      new Uint8Array(buffer, fields.codes, tree.codes.length).set(tree.codes);
    }
    if (ngrams) {
      new Int32Array(buffer, fields.subwordOffsets, v + 1).set(ngrams.offsets);
      new Int32Array(buffer, fields.subwordRows, ngrams.rows.length).set(ngrams.rows);
    }
    writeSigmoidTables(
      new Float32Array(buffer, fields.sigmoid, SIGMOID_TABLE_SIZE),
      new Float32Array(buffer, fields.lossPos, SIGMOID_TABLE_SIZE),
      new Float32Array(buffer, fields.lossNeg, SIGMOID_TABLE_SIZE),
    );
    // word2vec.c's initialisation: input vectors uniform in [-0.5, 0.5) / dim, output vectors zero.
    const stride = this.stride;
    // The n-gram rows after them start at zero: a word's first vector is then its own row's share.
    const syn0 = new Float32Array(buffer, this.syn0, v * stride);
    for (let w = 0; w < v; w++) {
      for (let d = 0; d < spec.dim; d++) syn0[w * stride + d] = (random.next() - 0.5) / spec.dim;
    }
  }

  /** A view of one matrix's rows (padded to `stride`). */
  matrix(which: 'syn0' | 'syn1neg' | 'syn1'): Float32Array {
    const offset = this[which];
    const rows = which === 'syn1' ? Math.max(this.vocabSize - 1, 1) : this.vocabSize;
    if (offset === 0) throw new Error(`${which} is not part of this model`);
    return new Float32Array(this.memory.buffer, offset, rows * this.stride);
  }

  /**
   * Overwrites rows of the input vectors or the output weights with rows of
   * `source` (unpadded, `dim` wide): row r gets source row `from[r]`, or row r
   * without `from`. Rows whose `from` is negative keep their initial values
   * (random input vectors, zero output weights).
   */
  copyRows(which: 'input' | 'output', source: Float32Array, from?: Int32Array): void {
    const target = this.matrix(which === 'input' ? 'syn0' : this.syn1 !== 0 ? 'syn1' : 'syn1neg');
    const rows = target.length / this.stride;
    for (let r = 0; r < rows; r++) {
      const s = from ? from[r] : r;
      if (s < 0) continue;
      target.set(source.subarray(s * this.dim, (s + 1) * this.dim), r * this.stride);
    }
  }

  /** Overwrites the n-gram rows of a subword model (those after the words' rows in syn0) with `rows`. */
  copyNgramRows(rows: RowChunks): void {
    const { bucket, dim, stride } = this;
    if (rows.rows !== bucket || rows.dim !== dim)
      throw new UsageError(
        `expected ${bucket} n-gram rows of ${dim} values, got ${rows.rows} of ${rows.dim}`,
      );
    const target = new Float32Array(
      this.memory.buffer,
      this.syn0 + this.vocabSize * stride * 4,
      bucket * stride,
    );
    for (let h = 0; h < bucket; h++) target.set(rows.row(h), h * stride);
  }

  /** The input vectors without padding: vocabSize × dim. */
  inputVectors(): Float32Array {
    return this.unpadded('syn0');
  }

  /**
   * The n-gram rows of a subword model (those after the words' in syn0),
   * without padding: views of the memory when rows have no padding, else a copy.
   */
  ngramRows(): RowChunks {
    const { bucket, dim, stride } = this;
    const start = this.syn0 + this.vocabSize * stride * 4;
    if (stride === dim) {
      const perChunk = new RowChunks(0, dim).rowsPerChunk;
      const chunks: Float32Array[] = [];
      for (let from = 0; from < bucket; from += perChunk) {
        const count = Math.min(perChunk, bucket - from);
        chunks.push(new Float32Array(this.memory.buffer, start + from * stride * 4, count * dim));
      }
      return new RowChunks(bucket, dim, chunks, perChunk);
    }
    const rows = new RowChunks(bucket, dim);
    for (let from = 0; from < bucket; from += rows.rowsPerChunk) {
      const count = Math.min(rows.rowsPerChunk, bucket - from);
      const padded = new Float32Array(
        this.memory.buffer,
        start + from * stride * 4,
        count * stride,
      );
      for (let r = 0; r < count; r++) {
        rows.row(from + r).set(padded.subarray(r * stride, r * stride + dim));
      }
    }
    return rows;
  }

  /** The output weights (syn1neg for negative sampling, syn1 for hierarchical softmax), without padding. */
  outputWeights(): Float32Array {
    return this.unpadded(this.syn1 !== 0 ? 'syn1' : 'syn1neg');
  }

  /** Rows without padding: a view of the shared memory when there is none, else a copy. */
  private unpadded(which: 'syn0' | 'syn1neg' | 'syn1'): Float32Array {
    const padded = this.matrix(which);
    if (this.stride === this.dim) return padded;
    const rows = padded.length / this.stride;
    const out = new Float32Array(rows * this.dim);
    for (let r = 0; r < rows; r++)
      out.set(padded.subarray(r * this.stride, r * this.stride + this.dim), r * this.dim);
    return out;
  }
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** sigma(x), -log sigma(x) and -log(1 - sigma(x)) at the middle of each grid cell. */
function writeSigmoidTables(
  sigmoid: Float32Array,
  lossPos: Float32Array,
  lossNeg: Float32Array,
): void {
  const scale = SIGMOID_TABLE_SIZE / (2 * SIGMOID_MAX);
  for (let i = 0; i < SIGMOID_TABLE_SIZE; i++) {
    const x = (i + 0.5) / scale - SIGMOID_MAX;
    sigmoid[i] = 1 / (1 + Math.exp(-x));
    lossPos[i] = Math.log1p(Math.exp(-x));
    lossNeg[i] = Math.log1p(Math.exp(x));
  }
}
