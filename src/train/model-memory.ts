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
  CFG_POINTS,
  CFG_SHARED,
  CFG_SIGMOID,
  CFG_SOFTMAX,
  CFG_STRIDE,
  CFG_SYN0,
  CFG_SYN1,
  CFG_SYN1NEG,
  CFG_VOCAB,
  CFG_WINDOW,
  SIGMOID_MAX,
  SIGMOID_TABLE_SIZE,
} from '../../assembly/training-layout.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import type { ThreadScratch } from './kernel.js';
import { CHUNK_TARGET } from './training-corpus.js';

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
} as const;
type ConfigField = keyof typeof CONFIG_INDEX;

const WASM_PAGE = 65536;
/** Output rows each thread replicates when there are several threads. */
const HOT_OUTPUT_ROWS = 2048;
const MAX_PAGES = 65536; // 4 GiB: the most a 32-bit WebAssembly memory can address

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
    sharedOutputs: options.sharedNegatives && options.arch === 'sg' && options.loss !== 'softmax',
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

/**
 * All training state in one shared WebAssembly memory: both weight matrices,
 * the sampling tables, the Huffman paths, and each thread's scratch. Rows
 * are padded to a multiple of 4 floats (`stride`) for 128-bit SIMD; the
 * padding stays zero.
 */
export class ModelMemory {
  readonly memory: WebAssembly.Memory;
  readonly vocabSize: number;
  readonly dim: number;
  readonly stride: number;
  readonly config: number;
  readonly syn0: number;
  readonly syn1neg: number;
  readonly syn1: number;
  readonly threads: ThreadScratch[];

  constructor(spec: ModelMemorySpec) {
    const v = spec.counts.length;
    const stride = Math.ceil(spec.dim / 4) * 4;
    const rowBytes = stride * 4;
    const hs = spec.loss === 'hs';
    const layout = new Layout();
    const fields = Object.fromEntries(Object.keys(CONFIG_INDEX).map((f) => [f, 0])) as Record<
      ConfigField,
      number
    >;

    this.config = layout.take(CFG_FIELDS * 4);
    fields.syn0 = layout.take(v * rowBytes);
    if (hs) fields.syn1 = layout.take(Math.max(v - 1, 1) * rowBytes);
    else fields.syn1neg = layout.take(v * rowBytes);
    const keep =
      spec.sample > 0 ? keepThresholds(spec.counts, spec.sample, sum(spec.counts)) : undefined;
    if (keep) fields.keep = layout.take(v * 4);
    const alias = spec.loss === 'ns' ? buildAliasTable(spec.counts, spec.nsExponent) : undefined;
    if (alias) {
      fields.aliasProb = layout.take(v * 4);
      fields.aliasIndex = layout.take(v * 4);
    }
    const tree = hs ? buildHuffman(spec.counts) : undefined;
    if (tree) {
      fields.codeOffset = layout.take(tree.offsets.byteLength);
      fields.points = layout.take(tree.points.byteLength);
      fields.codes = layout.take(tree.codes.byteLength);
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
    const random = new Random(spec.seed);
    this.threads = [];
    for (let t = 0; t < spec.threads; t++) {
      this.threads.push({
        neu1: layout.take(rowBytes),
        neu1e: layout.take(rowBytes),
        sentence: layout.take(spec.maxSentenceLength * 4),
        outputs: layout.take(maxOutputs * 8),
        window: layout.take(
          Math.ceil((spec.window * 8) / 16) * 16 + 2 * spec.window * (rowBytes + maxOutputs * 4),
        ),
        hot: layout.take(2 * hotRows * rowBytes),
        chunk: layout.take(spec.chunkCapacity * 4),
        seed: random.nextSeed64(),
      });
    }

    const pages = Math.ceil(layout.size / WASM_PAGE);
    if (pages > MAX_PAGES) {
      const gib = (layout.size / 2 ** 30).toFixed(1);
      throw new UsageError(
        `the model needs ${gib} GiB of weights and tables, more than the 4 GiB a WebAssembly memory holds; lower --dim or --max-vocab`,
      );
    }
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.vocabSize = v;
    this.dim = spec.dim;
    this.stride = stride;
    this.syn0 = fields.syn0;
    this.syn1neg = fields.syn1neg;
    this.syn1 = fields.syn1;

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
    writeSigmoidTables(
      new Float32Array(buffer, fields.sigmoid, SIGMOID_TABLE_SIZE),
      new Float32Array(buffer, fields.lossPos, SIGMOID_TABLE_SIZE),
      new Float32Array(buffer, fields.lossNeg, SIGMOID_TABLE_SIZE),
    );
    // word2vec.c's initialisation: input vectors uniform in [-0.5, 0.5) / dim, output vectors zero.
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

  /** The input vectors without padding: vocabSize × dim. */
  inputVectors(): Float32Array {
    return this.unpadded('syn0');
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
