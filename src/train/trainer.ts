import { Worker } from 'node:worker_threads';
import { resolveOptions, type ResolvedTrainOptions } from '../options.js';
import { UsageError } from '../errors.js';
import { chunkCapacity, chunksOf, encodeCached, scanCorpus, streamChunks, type Chunk } from '../corpus/encoded.js';
import { Vocabulary } from '../vocab/vocabulary.js';
import { KeyedVectors } from '../vectors/keyed-vectors.js';
import { kernelModule } from './kernel.js';
import { ModelMemory } from './model-memory.js';
import { Word2Vec } from './model.js';
import { releaseMemory } from './release-memory.js';
import type { ChunkMessage, ChunkResult, WorkerSetup } from './worker.js';
import type { TrainProgress, TrainRequest, TrainSummary, VocabPruning } from './types.js';

/** Entries per chunk handed to a worker: small enough to balance threads and follow the learning rate, large enough that messages cost nothing. */
const CHUNK_TARGET = 8192;
/** Chunks queued per worker, so a worker never waits for the main thread. */
const CHUNKS_IN_FLIGHT = 2;

/** Largest vocabulary the full softmax trains on. */
export const SOFTMAX_MAX_VOCAB = 100_000;

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Trains word vectors on a corpus: counts the vocabulary in one streaming
 * pass, then trains for `epochs` passes on all threads.
 * @example
 * const model = await train({ input: 'corpus.txt.gz', arch: 'sg', loss: 'ns', epochs: 3 });
 * await model.save('vectors.bin');
 * console.log(model.vectors.mostSimilar({ positive: ['king'] }));
 */
export async function train(request: TrainRequest): Promise<Word2Vec> {
  const options = resolveOptions(request);
  const report = request.onProgress ?? (() => {});
  const intervalMs = request.progressIntervalMs ?? 500;

  const startedAt = performance.now();
  let lastReport = 0;
  const onTokens = (tokens: number): void => {
    const now = performance.now();
    if (now - lastReport < intervalMs) return;
    lastReport = now;
    const elapsedSeconds = (now - startedAt) / 1000;
    report({
      phase: 'vocab', epoch: 0, epochs: options.epochs, words: tokens, totalWords: 0, fraction: 0,
      alpha: options.alpha, loss: NaN, wordsPerSecond: tokens / elapsedSeconds, elapsedSeconds, etaSeconds: NaN,
    });
  };
  const scan = await scanCorpus(options.input, options.maxSentenceLength, (options.cacheMiB * 2 ** 20) / 4, {
    maxVocabBytes: options.maxVocabMemoryMiB * 2 ** 20,
    minCount: options.minCount,
    onTokens,
  });
  const vocabPruning = scan.pruning;
  if (vocabPruning.prunes > 0) {
    (request.onWarning ?? ((message: string) => process.emitWarning(message)))(pruningWarning(vocabPruning, options.maxVocabMemoryMiB));
  }
  const { vocab, remap } = Vocabulary.fromCounts(scan, options, `corpus ${options.input.map((p) => `'${p}'`).join(', ')}`);
  if (options.loss === 'softmax' && vocab.size > SOFTMAX_MAX_VOCAB) {
    throw new UsageError(
      `the full softmax costs one dot product per vocabulary word and example; it is limited to ${SOFTMAX_MAX_VOCAB.toLocaleString('en')} words, ` +
        `and this vocabulary has ${vocab.size.toLocaleString('en')}: use --loss ns or hs, or raise --min-count / set --max-vocab`,
    );
  }
  let encoded = scan.cached ? encodeCached(scan.cached, remap) : undefined;
  const corpusTokens = scan.tokens;
  // Only the vocabulary and the encoded corpus go on: let every raw word and the first encoding go.
  Object.assign(scan, { cached: undefined, words: [], counts: [] });
  releaseMemory();
  const vocabSeconds = (performance.now() - startedAt) / 1000;

  const memory = new ModelMemory({
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
  });

  const epochChunks = (): Iterable<Chunk> | AsyncIterable<Chunk> =>
    encoded ? chunksOf(encoded, CHUNK_TARGET) : streamChunks(options.input, vocab, options.maxSentenceLength, CHUNK_TARGET);
  const run = await runWorkers(memory, options, vocab.totalWords, epochChunks, report, intervalMs);
  const cachedCorpus = encoded !== undefined;
  encoded = undefined; // let the corpus go before the vectors are copied out

  const vectors = new KeyedVectors(vocab.words, memory.inputVectors(), options.dim);
  const summary: TrainSummary = {
    vocabSize: vocab.size,
    corpusTokens,
    trainedWords: run.words,
    examples: run.examples,
    cachedCorpus,
    vocabPruning,
    finalLoss: run.finalLoss,
    vocabSeconds,
    trainSeconds: run.seconds,
    wordsPerSecond: run.words / run.seconds,
  };
  return new Word2Vec(vectors, vocab.counts, memory.outputWeights(), summary, options);
}

/** Says that counting pruned words, what that cost and how to avoid it. */
export function pruningWarning(pruning: VocabPruning, budgetMiB: number): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  return (
    `the vocabulary outgrew its memory budget (${count(budgetMiB)} MiB) while counting, so rare words were pruned ` +
    `${pruning.prunes} time${pruning.prunes === 1 ? '' : 's'}: ${count(pruning.wordsDropped)} distinct words seen at most ` +
    `${pruning.threshold} time${pruning.threshold === 1 ? '' : 's'} when pruned were dropped, and their ` +
    `${count(pruning.occurrencesDropped)} occurrences before that are not counted; ` +
    `raise maxVocabMemoryMiB for exact counts`
  );
}

interface RunResult {
  words: number;
  examples: number;
  seconds: number;
  finalLoss: number;
}

/**
 * The main thread's part of training: hands chunks to the workers in corpus
 * order, sets each chunk's learning rate from the words handed out before it
 * (so one thread is deterministic), and gathers loss and progress.
 */
async function runWorkers(
  memory: ModelMemory,
  options: ResolvedTrainOptions,
  wordsPerEpoch: number,
  epochChunks: () => Iterable<Chunk> | AsyncIterable<Chunk>,
  report: (progress: TrainProgress) => void,
  intervalMs: number,
): Promise<RunResult> {
  const totalWords = wordsPerEpoch * options.epochs;
  const module = kernelModule();
  const workers = memory.threads.map((scratch) => {
    const setup: WorkerSetup = { module, memory: memory.memory, config: memory.config, scratch };
    return new Worker(WORKER_URL, { workerData: setup });
  });

  async function* allChunks(): AsyncGenerator<Chunk> {
    for (let epoch = 0; epoch < options.epochs; epoch++) yield* epochChunks();
  }
  const source = allChunks();

  let dispatched = 0;
  let done = 0;
  let examples = 0;
  let lossSinceReport = 0;
  let examplesSinceReport = 0;
  let epochLoss = 0;
  let epochExamples = 0;
  let lastEpochLoss = NaN;
  let recentLoss = NaN;
  const startedAt = performance.now();
  const alphaAt = (words: number): number =>
    options.alpha - (options.alpha - options.minAlpha) * Math.min(1, words / totalWords);

  const progress = (): TrainProgress => {
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const wordsPerSecond = done / Math.max(elapsedSeconds, 1e-9);
    return {
      phase: 'train',
      epoch: Math.min(options.epochs, Math.floor(done / wordsPerEpoch) + 1),
      epochs: options.epochs,
      words: done,
      totalWords,
      fraction: Math.min(1, done / totalWords),
      alpha: alphaAt(done),
      loss: recentLoss,
      wordsPerSecond,
      elapsedSeconds,
      etaSeconds: done > 0 ? (totalWords - done) / wordsPerSecond : NaN,
    };
  };
  const timer = setInterval(() => {
    if (examplesSinceReport > 0) recentLoss = lossSinceReport / examplesSinceReport;
    lossSinceReport = 0;
    examplesSinceReport = 0;
    report(progress());
  }, intervalMs);

  // Each worker answers its chunks in the order it got them.
  const pending = workers.map(() => [] as Array<(result: ChunkResult) => void>);
  let failure: ((error: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  workers.forEach((worker, t) => {
    worker.on('message', (result: ChunkResult) => pending[t].shift()?.(result));
    worker.on('error', (error) => failure?.(error));
    worker.on('exit', (code) => {
      if (code !== 0) failure?.(new Error(`training thread ${t} stopped with exit code ${code}`));
    });
  });

  const send = (t: number, chunk: Chunk): Promise<ChunkResult> => {
    const message: ChunkMessage = {
      ids: chunk.ids,
      words: chunk.words,
      alphaStart: alphaAt(dispatched),
      alphaEnd: alphaAt(dispatched + chunk.words),
    };
    dispatched += chunk.words;
    const result = new Promise<ChunkResult>((resolve) => pending[t].push(resolve));
    const shared = chunk.ids.buffer instanceof SharedArrayBuffer;
    workers[t].postMessage(message, shared ? [] : [chunk.ids.buffer as ArrayBuffer]);
    return result;
  };

  const feed = async (t: number): Promise<void> => {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      const result = await send(t, next.value);
      const epochBefore = Math.floor(done / wordsPerEpoch);
      done += result.words;
      lossSinceReport += result.loss;
      examplesSinceReport += result.examples;
      epochLoss += result.loss;
      epochExamples += result.examples;
      examples += result.examples;
      if (Math.floor(done / wordsPerEpoch) > epochBefore) {
        lastEpochLoss = epochLoss / Math.max(epochExamples, 1);
        epochLoss = 0;
        epochExamples = 0;
      }
    }
  };

  try {
    const feeders: Promise<void>[] = [];
    for (let slot = 0; slot < CHUNKS_IN_FLIGHT; slot++) workers.forEach((_, t) => feeders.push(feed(t)));
    await Promise.race([Promise.all(feeders), failed]);
  } finally {
    clearInterval(timer);
    failure = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (examplesSinceReport > 0) recentLoss = lossSinceReport / examplesSinceReport;
  if (epochExamples > 0) lastEpochLoss = epochLoss / epochExamples;
  report(progress());
  return { words: done, examples, seconds: (performance.now() - startedAt) / 1000, finalLoss: lastEpochLoss };
}
