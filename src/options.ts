import { availableParallelism } from 'node:os';
import { UsageError } from './errors.js';

export type Architecture = 'sg' | 'cbow';
export type Loss = 'ns' | 'hs' | 'softmax';

/** Training options as a user gives them; every field has a default. */
export interface TrainOptions {
  /** Corpus files: plain text or gzip, one sentence per line, tokens split on whitespace. */
  input: string | string[];
  /** Skip-gram (predict context from word) or CBOW (predict word from context). Default 'sg'. */
  arch?: Architecture;
  /** Negative sampling, hierarchical softmax, or the full softmax (exact; O(V) per example, for small vocabularies). Default 'ns'. */
  loss?: Loss;
  /** Vector dimensions. Default 100. */
  dim?: number;
  /** Largest distance between a word and its context; the window used is drawn from 1..window. Default 5. */
  window?: number;
  /** Noise words per positive pair (negative sampling). Default 5. */
  negative?: number;
  /** Noise distribution is count^nsExponent. Default 0.75. */
  nsExponent?: number;
  /** Subsampling threshold for frequent words; 0 disables. Default 1e-3. */
  sample?: number;
  /** Words seen fewer times are dropped. Default 5. */
  minCount?: number;
  /** Keep only the most frequent words; 0 = no cap. Default 0. */
  maxVocab?: number;
  /** Starting learning rate. Default 0.025 for sg, 0.05 for cbow. */
  alpha?: number;
  /** Final learning rate, reached linearly at the end of the last epoch. Default 0.0001. */
  minAlpha?: number;
  /** Passes over the corpus. Default 5. */
  epochs?: number;
  /** Worker threads sharing the weights lock-free. Default: all cores. */
  threads?: number;
  /** Seed for initial weights and all sampling. Default 1. */
  seed?: number;
  /** Lines longer than this many tokens are cut into several sentences. Default 10000. */
  maxSentenceLength?: number;
  /**
   * Skip-gram: the context words of a window share one draw of noise words (and
   * are updated together as small matrix products, as in pWord2Vec). Faster;
   * with hierarchical softmax it only changes the order of updates. Default false.
   */
  sharedNegatives?: boolean;
  /**
   * Memory (MiB) the first pass may use to keep the corpus encoded (4 bytes a
   * token) so later epochs need not re-read it; the copy kept for training is
   * about 1.5 bytes a word. 0 re-reads the files every epoch. Default 512.
   */
  cacheMiB?: number;
  /**
   * Memory (MiB) counting the vocabulary may use: the table of distinct words
   * with their counts and bytes, and the words once decoded. When the words
   * outgrow it, the rarest are pruned while counting, as word2vec.c does: the
   * words seen at most once so far, at the next prune at most twice, and so
   * on. Their occurrences before the prune are not counted. Default 2048
   * (about 15 million distinct words); at least 32.
   */
  maxVocabMemoryMiB?: number;
}

/** Options with every default filled in and checked. */
export type ResolvedTrainOptions = Required<Omit<TrainOptions, 'input'>> & { input: string[] };

/** The longest interval between checkpoints: a timer's limit, 2^31 - 1 ms (about 24.8 days). */
export const MAX_CHECKPOINT_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

export const DEFAULTS = {
  arch: 'sg' as Architecture,
  loss: 'ns' as Loss,
  dim: 100,
  window: 5,
  negative: 5,
  nsExponent: 0.75,
  sample: 1e-3,
  minCount: 5,
  maxVocab: 0,
  alphaSg: 0.025,
  alphaCbow: 0.05,
  minAlpha: 0.0001,
  epochs: 5,
  seed: 1,
  maxSentenceLength: 10000,
  cacheMiB: 512,
  maxVocabMemoryMiB: 2048,
  sharedNegatives: false,
} as const;

/** Smallest vocabulary memory budget: the tokenizer's buffers and the room for one piece of text take about 16 MiB. */
const MIN_VOCAB_MEMORY_MIB = 32;

export function defaultThreads(): number {
  return availableParallelism();
}

function integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new UsageError(`${name} must be an integer ${range}, got ${value}`);
  }
  return value;
}

function real(name: string, value: number, check: (v: number) => boolean, expected: string): number {
  if (!Number.isFinite(value) || !check(value)) {
    throw new UsageError(`${name} must be ${expected}, got ${value}`);
  }
  return value;
}

/** Fills in defaults and checks every value once, at the boundary. */
export function resolveOptions(options: TrainOptions): ResolvedTrainOptions {
  const input = Array.isArray(options.input) ? options.input : [options.input];
  if (input.length === 0 || input.some((p) => typeof p !== 'string' || p === '')) {
    throw new UsageError('input must name at least one corpus file');
  }
  const arch = options.arch ?? DEFAULTS.arch;
  if (arch !== 'sg' && arch !== 'cbow') throw new UsageError(`arch must be 'sg' or 'cbow', got '${String(arch)}'`);
  const loss = options.loss ?? DEFAULTS.loss;
  if (loss !== 'ns' && loss !== 'hs' && loss !== 'softmax') {
    throw new UsageError(`loss must be 'ns', 'hs' or 'softmax', got '${String(loss)}'`);
  }
  const alpha = options.alpha ?? (arch === 'sg' ? DEFAULTS.alphaSg : DEFAULTS.alphaCbow);
  const minAlpha = options.minAlpha ?? Math.min(DEFAULTS.minAlpha, alpha);
  return {
    input,
    arch,
    loss,
    dim: integer('dim', options.dim ?? DEFAULTS.dim, 1, 10000),
    window: integer('window', options.window ?? DEFAULTS.window, 1, 1000),
    negative: integer('negative', options.negative ?? DEFAULTS.negative, loss === 'ns' ? 1 : 0, 1000),
    nsExponent: real('nsExponent', options.nsExponent ?? DEFAULTS.nsExponent, () => true, 'a finite number'),
    sample: real('sample', options.sample ?? DEFAULTS.sample, (v) => v >= 0, 'a number >= 0'),
    minCount: integer('minCount', options.minCount ?? DEFAULTS.minCount, 1),
    maxVocab: integer('maxVocab', options.maxVocab ?? DEFAULTS.maxVocab, 0),
    alpha: real('alpha', alpha, (v) => v > 0, 'a number > 0'),
    minAlpha: real('minAlpha', minAlpha, (v) => v >= 0 && v <= alpha, `a number in 0..alpha (${alpha})`),
    epochs: integer('epochs', options.epochs ?? DEFAULTS.epochs, 1, 100000),
    threads: integer('threads', options.threads ?? defaultThreads(), 1, 1024),
    seed: integer('seed', options.seed ?? DEFAULTS.seed, 0, 2 ** 53 - 1),
    maxSentenceLength: integer('maxSentenceLength', options.maxSentenceLength ?? DEFAULTS.maxSentenceLength, 1),
    sharedNegatives: options.sharedNegatives ?? DEFAULTS.sharedNegatives,
    cacheMiB: real('cacheMiB', options.cacheMiB ?? DEFAULTS.cacheMiB, (v) => v >= 0, 'a number >= 0'),
    maxVocabMemoryMiB: real(
      'maxVocabMemoryMiB',
      options.maxVocabMemoryMiB ?? DEFAULTS.maxVocabMemoryMiB,
      (v) => v >= MIN_VOCAB_MEMORY_MIB,
      `a number >= ${MIN_VOCAB_MEMORY_MIB}`,
    ),
  };
}

/**
 * Checks the options that depend on the vocabulary, once it is counted and
 * before training starts.
 * @throws UsageError naming the option and both numbers.
 */
export function checkOptionsForVocabulary(options: ResolvedTrainOptions, vocabSize: number): void {
  if (options.loss === 'ns' && options.negative > vocabSize) {
    throw new UsageError(
      `--negative ${options.negative} is larger than the vocabulary (${vocabSize.toLocaleString('en-US')} word${vocabSize === 1 ? '' : 's'}): ` +
        'each example would draw noise words more often than there are words to draw; lower --negative or --min-count',
    );
  }
}
