import { Worker } from 'node:worker_threads';
import {
  checkCheckpointMinutes,
  checkOptionsForVocabulary,
  optionName,
  resolveOptions,
  type OptionNaming,
  type ResolvedTrainOptions,
} from '../options.js';
import { UsageError } from '../errors.js';
import {
  chunkCapacity,
  chunksOf,
  encodeCached,
  scanCorpus,
  streamChunks,
  type Chunk,
  type CorpusScan,
} from '../corpus/encoded.js';
import { countInvalidTokens, describeInvalidTokens, Vocabulary } from '../vocab/vocabulary.js';
import { KeyedVectors } from '../vectors/keyed-vectors.js';
import { outputKindOf, saveNative, type TrainingState } from '../io/native-format.js';
import {
  corpusIdentity,
  parseRandomState,
  randomStateText,
  TrainingDiverged,
  TrainingInterrupted,
  type TrainableModel,
} from './checkpoint.js';
import { kernelModule, seededRandomState } from './kernel.js';
import { ModelMemory } from './model-memory.js';
import { Word2Vec } from './model.js';
import { releaseMemory } from './release-memory.js';
import type { ChunkMessage, ChunkResult, WorkerSetup } from './worker.js';
import type {
  ResumeRequest,
  TrainControl,
  TrainProgress,
  TrainRequest,
  TrainStart,
  TrainSummary,
  VocabPruning,
} from './types.js';

/** Entries per chunk handed to a worker: small enough to balance threads and follow the learning rate, large enough that messages cost nothing. */
export const CHUNK_TARGET = 8192;
/** Chunks queued per worker, so a worker never waits for the main thread. */
const CHUNKS_IN_FLIGHT = 2;

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Trains word vectors on a corpus: counts the vocabulary in one streaming
 * pass, then trains for `epochs` passes on all threads. With `checkpoint`,
 * the whole state is saved every `everyMinutes` and when `signal` stops the
 * run; `resume` (resume.ts) goes on from such a file.
 * @throws TrainingInterrupted when `signal` stops the run.
 * @example
 * const model = await train({ input: 'corpus.txt.gz', arch: 'sg', loss: 'ns', epochs: 3 });
 * await model.save('vectors.bin');
 * console.log(model.vectors.mostSimilar({ positive: ['king'] }));
 */
export async function train(request: TrainRequest): Promise<Word2Vec> {
  const options = resolveOptions(request, request.optionNaming);
  checkControl(request);
  const startedAt = performance.now();
  const scan = await readCorpus(options, request, startedAt, options.minCount);
  const { vocab, remap } = Vocabulary.fromCounts(scan, options, corpusName(options));
  return trainOn({ options, request, scan, vocab, remap, startedAt, start: 'new', addedWords: 0 });
}

export function checkControl(control: TrainControl): void {
  const every = control.checkpoint?.everyMinutes;
  if (
    control.checkpoint &&
    (typeof control.checkpoint.path !== 'string' || control.checkpoint.path === '')
  ) {
    throw new UsageError('checkpoint.path must name a file');
  }
  checkCheckpointMinutes(every, 'checkpoint.everyMinutes');
}

function warn(request: TrainRequest | ResumeRequest): (message: string) => void {
  return request.onWarning ?? ((message: string) => process.emitWarning(message));
}

export function corpusName(options: ResolvedTrainOptions): string {
  return `corpus ${options.input.map((p) => `'${p}'`).join(', ')}`;
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
): Promise<CorpusScan> {
  const report = request.onProgress ?? (() => {});
  const intervalMs = request.progressIntervalMs ?? 500;
  const stopIfAsked = (): void => {
    if (request.signal?.aborted) {
      throw new TrainingInterrupted(
        'training was stopped while the corpus was read; nothing was trained',
        undefined,
        0,
        0,
        request.signal.reason,
      );
    }
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
      wordsPerSecond: tokens / elapsedSeconds,
      elapsedSeconds,
      etaSeconds: NaN,
    });
  };
  const scan = await scanCorpus(
    options.input,
    options.maxSentenceLength,
    (options.cacheMiB * 2 ** 20) / 4,
    {
      maxVocabBytes: options.maxVocabMemoryMiB * 2 ** 20,
      minCount,
      onTokens,
      onWarning: warn(request),
    },
  );
  if (scan.pruning.prunes > 0)
    warn(request)(pruningWarning(scan.pruning, options.maxVocabMemoryMiB, request.optionNaming));
  return scan;
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

export interface TrainSetup {
  options: ResolvedTrainOptions;
  request: TrainRequest | ResumeRequest;
  scan: CorpusScan;
  vocab: Vocabulary;
  remap: Int32Array;
  startedAt: number;
  start: TrainStart;
  addedWords: number;
  /** Weights to start from; rows map through inputFrom / outputFrom when given. */
  saved?: TrainableModel;
  inputFrom?: Int32Array;
  outputFrom?: Int32Array;
  /** Where an interrupted run stopped. */
  state?: TrainingState;
}

/** Trains a vocabulary on the scanned corpus, from random weights or saved ones. */
export async function trainOn(setup: TrainSetup): Promise<Word2Vec> {
  const { options, request, scan, vocab, remap, startedAt } = setup;
  const report = request.onProgress ?? (() => {});
  const intervalMs = request.progressIntervalMs ?? 500;
  checkOptionsForVocabulary(options, vocab.size, request.optionNaming);
  const invalid = countInvalidTokens(scan);
  if (invalid.tokens > 0)
    warn(request)(`${describeInvalidTokens(invalid)} in ${corpusName(options)}`);
  request.onVocabulary?.({
    vocabSize: vocab.size,
    corpusTokens: scan.tokens,
    invalidTokens: invalid.tokens,
    invalidWords: invalid.words,
  });
  // The corpus words trained per epoch: those of the scan that are in the vocabulary.
  let wordsPerEpoch = 0;
  for (let i = 0; i < remap.length; i++) if (remap[i] >= 0) wordsPerEpoch += scan.counts[i];
  const totalWords = wordsPerEpoch * options.epochs;
  const corpus = await corpusIdentity(options.input, scan.tokens);
  let encoded = scan.cached ? encodeCached(scan.cached, remap) : undefined;
  const corpusTokens = scan.tokens;
  const vocabPruning = scan.pruning;
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
  if (setup.saved) {
    memory.copyRows('input', setup.saved.vectors.vectors, setup.inputFrom);
    memory.copyRows('output', setup.saved.outputWeights, setup.outputFrom);
  }
  const state = setup.state;
  const savedStates = state?.randomStates.map(parseRandomState) ?? [];
  const start: RunStart = {
    wordsDone: state?.wordsDone ?? 0,
    epoch: state?.epoch ?? 0,
    chunksDone: state?.chunksDone ?? 0,
    examples: state?.examples ?? 0,
    epochLoss: state?.epochLoss ?? 0,
    epochExamples: state?.epochExamples ?? 0,
    // A thread the checkpoint did not have (more threads now) starts from its seed.
    randomStates: memory.threads.map(
      (scratch, t) => savedStates[t] ?? seededRandomState(scratch.seed),
    ),
  };

  const checkpoint = request.checkpoint;
  const outputKind = outputKindOf(options.loss);
  const capture = (at: RunPosition): (() => Promise<void>) => {
    // Copies now, while the threads wait; the file is written while they train on.
    const vectors = new KeyedVectors(vocab.words, memory.inputVectors().slice(), options.dim);
    const outputWeights = memory.outputWeights().slice();
    const training: TrainingState = {
      wordsDone: at.wordsDone,
      totalWords,
      epoch: at.epoch,
      chunksDone: at.chunksDone,
      chunkTarget: CHUNK_TARGET,
      randomStates: at.randomStates.map(randomStateText),
      examples: at.examples,
      epochLoss: at.epochLoss,
      epochExamples: at.epochExamples,
      corpus,
    };
    return () =>
      saveNative(checkpoint!.path, {
        vectors,
        counts: vocab.counts,
        outputWeights,
        outputKind,
        options,
        training,
      });
  };

  const epochChunks = (): Iterable<Chunk> | AsyncIterable<Chunk> =>
    encoded
      ? chunksOf(encoded, CHUNK_TARGET)
      : streamChunks(scan.files, vocab, options.maxSentenceLength, CHUNK_TARGET);
  const run = await runWorkers({
    memory,
    options,
    wordsPerEpoch,
    epochChunks,
    report,
    intervalMs,
    start,
    capture: checkpoint ? capture : undefined,
    everyMs: checkpoint?.everyMinutes !== undefined ? checkpoint.everyMinutes * 60_000 : undefined,
    signal: request.signal,
  });
  const cachedCorpus = encoded !== undefined;
  encoded = undefined; // let the corpus go before the vectors are copied out
  if (run.divergedAt !== undefined) {
    throw new TrainingDiverged(
      run.divergedAt,
      totalWords,
      options.alpha,
      options.epochs,
      wordsPerEpoch,
    );
  }
  if (run.sourceError !== undefined) {
    // The weights are whole (every thread finished its chunk): keep them, as a stop would.
    if (!checkpoint || !run.stoppedAt) throw run.sourceError;
    await capture(run.stoppedAt)();
    throw withNote(
      run.sourceError,
      `the checkpoint ${checkpoint.path} holds the training done before that`,
    );
  }
  if (run.stoppedAt) {
    const at = run.stoppedAt;
    const where = `${((100 * at.wordsDone) / totalWords).toFixed(1)}% (epoch ${at.epoch + 1} of ${options.epochs})`;
    const saved = checkpoint
      ? `; the checkpoint ${checkpoint.path} holds its state`
      : '; nothing was saved (no checkpoint was asked for)';
    throw new TrainingInterrupted(
      `training was stopped at ${where}${saved}`,
      checkpoint?.path,
      at.wordsDone,
      totalWords,
      request.signal?.reason,
    );
  }

  const vectors = new KeyedVectors(vocab.words, memory.inputVectors(), options.dim);
  const summary: TrainSummary = {
    vocabSize: vocab.size,
    corpusTokens,
    invalidTokens: invalid.tokens,
    trainedWords: run.words,
    examples: run.examples,
    cachedCorpus,
    vocabPruning,
    finalLoss: run.finalLoss,
    vocabSeconds,
    trainSeconds: run.seconds,
    wordsPerSecond: (run.words - start.wordsDone) / run.seconds,
    threadBusy: run.busySeconds.map((busy) => busy / run.seconds),
    start: setup.start,
    addedWords: setup.addedWords,
  };
  return new Word2Vec(vectors, vocab.counts, memory.outputWeights(), summary, options);
}

/** `error` with `note` added to its message, keeping its class (and so its exit code). */
function withNote(error: unknown, note: string): unknown {
  if (error instanceof Error) error.message = `${error.message}; ${note}`;
  return error;
}

/** Where a run is: what a checkpoint needs besides the weights. */
interface RunPosition {
  wordsDone: number;
  /** The epoch under way (0-based) and its chunks done. */
  epoch: number;
  chunksDone: number;
  examples: number;
  epochLoss: number;
  epochExamples: number;
  /** Each thread's kernel random state. */
  randomStates: bigint[];
}

type RunStart = RunPosition;

interface RunSetup {
  memory: ModelMemory;
  options: ResolvedTrainOptions;
  wordsPerEpoch: number;
  epochChunks: () => Iterable<Chunk> | AsyncIterable<Chunk>;
  report: (progress: TrainProgress) => void;
  intervalMs: number;
  start: RunStart;
  /** Copies the state while every thread waits, and returns the (slow) save, which runs while training goes on. */
  capture: ((at: RunPosition) => () => Promise<void>) | undefined;
  /** Milliseconds between checkpoints. */
  everyMs: number | undefined;
  signal: AbortSignal | undefined;
}

interface RunResult {
  words: number;
  examples: number;
  seconds: number;
  finalLoss: number;
  /** Per thread, seconds spent on chunks. */
  busySeconds: number[];
  /** Set when the signal stopped the run before its end, or the corpus failed to read. */
  stoppedAt?: RunPosition;
  /** Corpus words trained when a chunk's loss was not finite: the run diverged. */
  divergedAt?: number;
  /** What the corpus threw while it was read again; training stopped there. */
  sourceError?: unknown;
}

/**
 * The main thread's part of training: hands chunks to the workers in corpus
 * order, sets each chunk's learning rate from the words handed out before it
 * (so one thread is deterministic), and gathers loss and progress. For a
 * checkpoint it stops handing out chunks, waits until the threads have
 * finished theirs, copies the state, and goes on.
 */
async function runWorkers(setup: RunSetup): Promise<RunResult> {
  const {
    memory,
    options,
    wordsPerEpoch,
    epochChunks,
    report,
    intervalMs,
    start,
    capture,
    everyMs,
    signal,
  } = setup;
  const totalWords = wordsPerEpoch * options.epochs;
  const module = kernelModule();
  const workers = memory.threads.map((scratch, t) => {
    const workerSetup: WorkerSetup = {
      module,
      memory: memory.memory,
      config: memory.config,
      scratch,
      randomState: start.randomStates[t]!,
    };
    return new Worker(WORKER_URL, { workerData: workerSetup });
  });
  const randomStates = [...start.randomStates];
  const busySeconds = workers.map(() => 0);

  interface Placed {
    chunk: Chunk;
    epoch: number;
    index: number;
  }
  async function* allChunks(): AsyncGenerator<Placed> {
    for (let epoch = start.epoch; epoch < options.epochs; epoch++) {
      let index = 0;
      for await (const chunk of epochChunks()) {
        // A resumed run skips the chunks its epoch had done.
        if (epoch === start.epoch && index < start.chunksDone) {
          index++;
          continue;
        }
        yield { chunk, epoch, index: index++ };
      }
    }
  }
  const source = allChunks();

  let dispatched = start.wordsDone;
  let done = start.wordsDone;
  let examples = start.examples;
  let lossSinceReport = 0;
  let examplesSinceReport = 0;
  let epochLoss = start.epochLoss;
  let epochExamples = start.epochExamples;
  let lastEpochLoss = NaN;
  let recentLoss = NaN;
  let epoch = start.epoch;
  let chunksDone = start.chunksDone;
  const startedAt = performance.now();
  const alphaAt = (words: number): number =>
    options.alpha - (options.alpha - options.minAlpha) * Math.min(1, words / totalWords);

  const progress = (): TrainProgress => {
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const wordsPerSecond = (done - start.wordsDone) / Math.max(elapsedSeconds, 1e-9);
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
      etaSeconds: done > start.wordsDone ? (totalWords - done) / wordsPerSecond : NaN,
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
  let failure: ((error: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  workers.forEach((worker, t) => {
    worker.on('message', (result: ChunkResult) => pending[t].shift()?.(result));
    worker.on('error', (error) => failure?.(error));
    worker.on('exit', (code) => {
      if (code !== 0) failure?.(new Error(`training thread ${t} stopped with exit code ${code}`));
    });
  });

  const send = (t: number, placed: Placed): Promise<ChunkResult> => {
    const { chunk } = placed;
    const message: ChunkMessage = {
      ids: chunk.ids,
      alphaStart: alphaAt(dispatched),
      alphaEnd: alphaAt(dispatched + chunk.words),
    };
    dispatched += chunk.words;
    epoch = placed.epoch;
    chunksDone = placed.index + 1;
    const result = new Promise<ChunkResult>((resolve) => pending[t].push(resolve));
    const shared = chunk.ids.buffer instanceof SharedArrayBuffer;
    workers[t].postMessage(message, shared ? [] : [chunk.ids.buffer as ArrayBuffer]);
    return result;
  };

  // Pausing: feeders park at the gate before taking a chunk; once every
  // feeder is parked or finished, no chunk is in flight and the state is whole.
  const feederCount = workers.length * CHUNKS_IN_FLIGHT;
  let parked = 0;
  let finished = 0;
  let gate:
    | { idle: Promise<void>; reachIdle: () => void; open: Promise<void>; release: () => void }
    | undefined;
  const checkIdle = (): void => {
    if (gate && parked + finished === feederCount) gate.reachIdle();
  };
  const pause = (): Promise<void> => {
    if (!gate) {
      let reachIdle = (): void => {};
      let release = (): void => {};
      const idle = new Promise<void>((resolve) => (reachIdle = resolve));
      const open = new Promise<void>((resolve) => (release = resolve));
      gate = { idle, reachIdle, open, release };
      checkIdle();
    }
    return gate.idle;
  };

  const feed = async (t: number): Promise<void> => {
    for (;;) {
      while (gate) {
        const { open } = gate;
        parked++;
        checkIdle();
        await open;
        parked--;
      }
      if (stoppedAt || divergedAt !== undefined || sourceError !== undefined) return;
      let next;
      try {
        next = await source.next();
      } catch (error) {
        sourceError ??= error;
        return;
      }
      if (next.done) return;
      const result = await send(t, next.value);
      if (!Number.isFinite(result.loss)) divergedAt ??= done;
      randomStates[t] = result.randomState;
      busySeconds[t] += result.busySeconds;
      const epochBefore = Math.floor(done / wordsPerEpoch);
      done += next.value.chunk.words;
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

  // Checkpoints: saves run one after another, each while training goes on.
  let saves: Promise<void> = Promise.resolve();
  let savesPending = 0;
  let saveError: unknown;
  let stopRequested = false;
  let stoppedAt: RunPosition | undefined;
  let divergedAt: number | undefined;
  let sourceError: unknown;
  let snapshot: Promise<void> | undefined;
  const position = (): RunPosition => ({
    wordsDone: done,
    epoch,
    chunksDone,
    examples,
    epochLoss,
    epochExamples,
    randomStates: [...randomStates],
  });
  const takeSnapshot = (): Promise<void> =>
    (snapshot ??= (async () => {
      await pause();
      const unfinished = finished < feederCount && done < totalWords;
      if (capture && unfinished && divergedAt === undefined) {
        const save = capture(position());
        savesPending++;
        saves = saves
          .then(save)
          .catch((error: unknown) => {
            saveError ??= error;
            failure?.(error);
          })
          .finally(() => savesPending--);
      }
      if (stopRequested && unfinished) {
        stoppedAt = position();
      }
      snapshot = undefined;
      const opened = gate;
      gate = undefined;
      opened?.release();
    })());
  const checkpointTimer =
    everyMs !== undefined && capture
      ? setInterval(() => {
          if (savesPending === 0) void takeSnapshot();
        }, everyMs)
      : undefined;
  const onAbort = (): void => {
    stopRequested = true;
    void takeSnapshot();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();

  try {
    const feeders: Promise<void>[] = [];
    for (let slot = 0; slot < CHUNKS_IN_FLIGHT; slot++) {
      workers.forEach((_, t) =>
        feeders.push(
          feed(t).finally(() => {
            finished++;
            checkIdle();
          }),
        ),
      );
    }
    await Promise.race([Promise.all(feeders), failed]);
    if (snapshot) await snapshot; // a pause that began as the last chunks finished
    await Promise.race([saves, failed]);
  } finally {
    clearInterval(timer);
    clearInterval(checkpointTimer);
    signal?.removeEventListener('abort', onAbort);
    failure = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (saveError) throw saveError;
  if (examplesSinceReport > 0) recentLoss = lossSinceReport / examplesSinceReport;
  if (epochExamples > 0) lastEpochLoss = epochLoss / epochExamples;
  report(progress());
  if (sourceError !== undefined) stoppedAt = position();
  return {
    words: done,
    examples,
    seconds: (performance.now() - startedAt) / 1000,
    finalLoss: lastEpochLoss,
    busySeconds,
    stoppedAt,
    divergedAt,
    sourceError,
  };
}
