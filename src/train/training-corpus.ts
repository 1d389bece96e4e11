// The corpus as a run sees it: the counting pass that reads it first, and
// the corpus each epoch trains on, cut into chunks (from the in-memory
// cache, or read again from the files).
import { optionName, type OptionNaming, type ResolvedTrainOptions } from '../options.js';
import { tmpdir } from 'node:os';
import type { CorpusSource } from '../corpus/corpus-source.js';
import {
  chunksOf,
  encodeCached,
  scanCorpus,
  streamChunks,
  type Chunk,
  type CorpusScan,
  type CountedFile,
} from '../corpus/encoded.js';
import { SpillFile } from '../corpus/spill-file.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import type { PhraseModel } from '../phrases/phrase-model.js';
import { TrainingInterrupted } from './checkpoint.js';
import type { ResumeRequest, TrainRequest, VocabPruning } from './types.js';

/** Entries per chunk handed to a worker: small enough to balance threads and follow the learning rate, large enough that messages cost nothing. */
export const CHUNK_TARGET = 8192;

/** Where a run's warnings go: the request's onWarning, or process warnings. */
export function warningsOf(request: TrainRequest | ResumeRequest): (message: string) => void {
  return request.onWarning ?? ((message: string) => process.emitWarning(message));
}

/**
 * The counting pass, reporting progress and pruning; a stop while it runs
 * ends it with nothing trained. Words seen fewer than `minCount` times are
 * left out of the scan.
 */
export async function readCorpus(
  options: ResolvedTrainOptions,
  request: TrainRequest | ResumeRequest,
  startedAt: number,
  minCount: number,
  source: CorpusSource,
): Promise<CorpusScan> {
  const report = request.onProgress ?? (() => {});
  const intervalMs = request.progressIntervalMs ?? 500;
  const stopped = (): TrainingInterrupted =>
    new TrainingInterrupted(
      'training was stopped while the corpus was read; nothing was trained',
      undefined,
      0,
      0,
      request.signal?.reason,
    );
  const stopIfAsked = (): void => {
    if (request.signal?.aborted) throw stopped();
  };
  stopIfAsked();
  let lastReport = 0;
  const onTokens = (tokens: number): void => {
    stopIfAsked();
    const now = performance.now();
    if (now - lastReport < intervalMs) return;
    lastReport = now;
    const elapsedSeconds = (now - startedAt) / 1000;
    report({
      phase: 'vocab',
      epoch: 0,
      epochs: options.epochs,
      words: tokens,
      totalWords: 0,
      fraction: 0,
      alpha: options.alpha,
      loss: NaN,
      epochLoss: NaN,
      wordsPerSecond: tokens / elapsedSeconds,
      elapsedSeconds,
      etaSeconds: NaN,
    });
  };
  const onWarning = warningsOf(request);
  const spillDirectory = request.spillDirectory ?? tmpdir();
  // The pass first: a source given as a function tells what it yields once called.
  const pass = untilStopped(source.count(onWarning), request.signal, stopped);
  const scan = await scanCorpus(pass, options.maxSentenceLength, (options.cacheMiB * 2 ** 20) / 4, {
    maxVocabBytes: options.maxVocabMemoryMiB * 2 ** 20,
    minCount,
    onTokens,
    onWarning,
    // A source read once is kept whole: in memory, or past the budget in a file.
    spill: source.oneShot ? () => SpillFile.create(spillDirectory) : undefined,
    escaped: source.escaped,
    phrases: phrasesOf(request),
  });
  if (scan.pruning.prunes > 0)
    warningsOf(request)(
      pruningWarning(scan.pruning, options.maxVocabMemoryMiB, request.optionNaming),
    );
  return scan;
}

/**
 * The buffers of `pass`, ended by `signal` even while it waits for more (a
 * pipe or standard input that sends nothing): the stop does not wait for it.
 */
async function* untilStopped<T>(
  pass: AsyncIterable<T>,
  signal: AbortSignal | undefined,
  stopped: () => Error,
): AsyncGenerator<T> {
  if (!signal) {
    yield* pass;
    return;
  }
  const pieces = pass[Symbol.asyncIterator]();
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  let finished = false;
  try {
    for (;;) {
      const next = await Promise.race([pieces.next(), aborted]);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // A pass still waiting for its source is let go, not waited for.
    if (!finished) pieces.return?.().catch(() => {});
  }
}

/** The phrase model a run joins on the fly (`train` loads a path given for it). */
export function phrasesOf(request: TrainRequest | ResumeRequest): PhraseModel | undefined {
  return 'phrases' in request && typeof request.phrases === 'object' ? request.phrases : undefined;
}

/** Says that counting pruned words, what that cost and how to avoid it. */
function pruningWarning(
  pruning: VocabPruning,
  budgetMiB: number,
  naming: OptionNaming | undefined,
): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  return (
    `the vocabulary outgrew its memory budget (${count(budgetMiB)} MiB) while counting, so rare words were pruned ` +
    `${pruning.prunes} time${pruning.prunes === 1 ? '' : 's'}: ${count(pruning.wordsDropped)} distinct words seen at most ` +
    `${pruning.threshold} time${pruning.threshold === 1 ? '' : 's'} when pruned were dropped, and their ` +
    `${count(pruning.occurrencesDropped)} occurrences before that are not counted; ` +
    `raise ${optionName('maxVocabMemoryMiB', naming)} for exact counts`
  );
}

/**
 * The corpus every epoch trains on, in the vocabulary's word ids: the
 * counting pass's cache encoded again, or (without a cache) the files,
 * read again each epoch. It keeps nothing else of the scan, whose raw words
 * and first encoding can then go.
 */
export class TrainingCorpus {
  /** Tokens the counting pass read, including words below min-count. */
  readonly tokens: number;
  readonly pruning: VocabPruning;
  /** Corpus words trained per epoch: those of the scan that are in the vocabulary. */
  readonly wordsPerEpoch: number;
  /** Whether the epochs read the corpus encoded in memory. */
  readonly cached: boolean;
  private readonly files: CountedFile[];
  private encoded: Uint8Array[] | undefined;
  /** The corpus's word ids in a temporary file, for a source read once that outgrew the cache. */
  private readonly spill: SpillFile | undefined;
  private readonly remap: Int32Array;

  constructor(
    scan: CorpusScan,
    remap: Int32Array,
    private readonly vocab: Vocabulary,
    private readonly maxSentenceLength: number,
    private readonly source: CorpusSource,
    private readonly phrases?: PhraseModel,
  ) {
    let wordsPerEpoch = 0;
    for (let i = 0; i < remap.length; i++) if (remap[i] >= 0) wordsPerEpoch += scan.counts[i];
    this.wordsPerEpoch = wordsPerEpoch;
    this.encoded = scan.cached ? encodeCached(scan.cached, remap) : undefined;
    this.cached = this.encoded !== undefined;
    this.tokens = scan.tokens;
    this.pruning = scan.pruning;
    this.files = scan.files;
    this.spill = scan.spill;
    this.remap = remap;
  }

  /** One epoch's chunks, in corpus order. */
  epochChunks(): Iterable<Chunk> | AsyncIterable<Chunk> {
    if (this.encoded) return chunksOf(this.encoded, CHUNK_TARGET);
    if (this.spill) return this.spill.chunks(this.remap, this.maxSentenceLength, CHUNK_TARGET);
    return streamChunks(
      this.source.again(this.files),
      this.vocab,
      this.maxSentenceLength,
      CHUNK_TARGET,
      this.phrases,
    );
  }

  /** Lets the encoded corpus go once training is over, and deletes its temporary file. */
  async release(): Promise<void> {
    this.encoded = undefined;
    await this.spill?.remove();
  }
}
