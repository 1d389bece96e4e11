// Training a run: the corpus counted, the vocabulary checked, the model
// memory laid out, the workers fed (dispatcher.ts), and the run's end:
// a model, or the error that tells why and where it stopped.
import {
  checkOptionsForVocabulary,
  resolveOptions,
  type ResolvedTrainOptions,
} from '../options.js';
import type { CorpusScan } from '../corpus/encoded.js';
import { corpusSource, type CorpusSource } from '../corpus/corpus-source.js';
import { loadPhrases } from '../phrases/phrase-file.js';
import type { CorpusIdentity, TrainingState } from '../io/native-format.js';
import { countInvalidTokens, describeInvalidTokens, Vocabulary } from '../vocab/vocabulary.js';
import { KeyedVectors } from '../vectors/keyed-vectors.js';
import {
  captureCheckpoint,
  checkControl,
  corpusIdentity,
  startPosition,
  TrainingDiverged,
  TrainingInterrupted,
  type CheckpointedRun,
  type RunPosition,
  type TrainableModel,
} from './checkpoint.js';
import { dispatch, type DispatchSetup, type RunResult } from './dispatcher.js';
import { checkRequestKeys } from './request-keys.js';
import { memorySpec, ModelMemory } from './model-memory.js';
import { trainedSubwordVectors } from './subword-model.js';
import { trainsSubwords } from '../subwords/subword-options.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { Word2Vec } from './model.js';
import { releaseMemory } from './release-memory.js';
import {
  CHUNK_TARGET,
  phrasesOf,
  readCorpus,
  TrainingCorpus,
  warningsOf,
} from './training-corpus.js';
import type { ResumeRequest, TrainRequest, TrainStart, TrainSummary } from './types.js';

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
  checkRequestKeys(request, 'train');
  const options = resolveOptions(request, request.optionNaming);
  checkControl(request);
  const source = await corpusSource(options.input, request.sentences, request.optionNaming);
  const phrases =
    typeof request.phrases === 'string' ? await loadPhrases(request.phrases) : request.phrases;
  return runTraining({
    options,
    request: { ...request, phrases },
    source,
    startedAt: performance.now(),
    start: 'new',
    minCount: options.minCount,
    vocabulary: (scan) => ({
      ...Vocabulary.fromCounts(scan, options, source.name),
      addedWords: 0,
    }),
  });
}

/** The request's `onEpoch`, whose errors become warnings: a callback's bug must not lose the run. */
function epochCallback(request: TrainRequest | ResumeRequest): DispatchSetup['onEpoch'] {
  const { onEpoch } = request;
  if (!onEpoch) return undefined;
  return (end) => {
    try {
      onEpoch(end);
    } catch (error) {
      warningsOf(request)(
        `onEpoch threw after epoch ${end.epoch}: ${String(error)}; training goes on`,
      );
    }
  };
}

/** A run to train: its options and request, and how its vocabulary comes from the counted corpus. */
export interface RunPlan {
  options: ResolvedTrainOptions;
  request: TrainRequest | ResumeRequest;
  /** The corpus: the options' files, or the request's sentences. */
  source: CorpusSource;
  startedAt: number;
  start: TrainStart;
  /** Words counted fewer times are left out of the scan (1: every word). */
  minCount: number;
  /** The vocabulary to train, from the counted corpus; it throws if the corpus does not fit the run. */
  vocabulary: (scan: CorpusScan) => RunVocabulary;
  /** Weights to start from; rows map through the vocabulary's inputFrom / outputFrom when given. */
  saved?: TrainableModel;
  /** Where an interrupted run stopped. */
  state?: TrainingState;
}

export interface RunVocabulary {
  vocab: Vocabulary;
  /** Raw scan word → index in the vocabulary, or -1. */
  remap: Int32Array;
  /** Words added to a trained model's vocabulary (0 otherwise). */
  addedWords: number;
  /** For each vocabulary word, its row in the saved input vectors (-1: a new word). */
  inputFrom?: Int32Array;
  /** For each output row, its row in the saved output weights (-1: starts at zero). */
  outputFrom?: Int32Array;
}

/** What training keeps of the counting pass: the vocabulary, the corpus in its ids, and a few facts. */
interface Counted {
  words: RunVocabulary;
  corpus: TrainingCorpus;
  identity: CorpusIdentity;
  invalidTokens: number;
}

/**
 * Counts the corpus, takes the plan's vocabulary from it, checks every
 * option against that vocabulary, and trains: from random weights, or from
 * the plan's saved ones.
 */
export async function runTraining(plan: RunPlan): Promise<Word2Vec> {
  const counted = await countCorpus(plan);
  try {
    // Only the vocabulary and the encoded corpus go on: every raw word and the first encoding are garbage now.
    releaseMemory();
    const vocabSeconds = (performance.now() - plan.startedAt) / 1000;
    return await trainOn(plan, counted, vocabSeconds);
  } finally {
    await counted.corpus.release(); // whatever ends the run, a temporary corpus file goes
  }
}

/**
 * The counting pass, and the vocabulary checked against every option and
 * announced. The scan ends with this call: only what is returned goes on.
 */
async function countCorpus(plan: RunPlan): Promise<Counted> {
  const { options, request, source } = plan;
  const scan = await readCorpus(options, request, plan.startedAt, plan.minCount, source);
  try {
    const words = plan.vocabulary(scan);
    const { vocab } = words;
    checkOptionsForVocabulary(options, vocab.size, request.optionNaming);
    const invalid = countInvalidTokens(scan);
    if (invalid.tokens > 0)
      warningsOf(request)(`${describeInvalidTokens(invalid)} in ${source.name}`);
    request.onVocabulary?.({
      vocabSize: vocab.size,
      corpusTokens: scan.tokens,
      invalidTokens: invalid.tokens,
      invalidWords: invalid.words,
    });
    const identity = await corpusIdentity(source.files, scan.tokens, scan.hash);
    const corpus = new TrainingCorpus(
      scan,
      words.remap,
      vocab,
      options.maxSentenceLength,
      source,
      phrasesOf(request),
    );
    return { words, corpus, identity, invalidTokens: invalid.tokens };
  } catch (error) {
    await scan.spill?.remove();
    throw error;
  }
}

/** Trains the vocabulary on the corpus, and ends the run: the model, or why and where it stopped. */
async function trainOn(plan: RunPlan, counted: Counted, vocabSeconds: number): Promise<Word2Vec> {
  const { options, request } = plan;
  const { words, corpus } = counted;
  const { vocab } = words;
  const { wordsPerEpoch } = corpus;
  const totalWords = wordsPerEpoch * options.epochs;
  const memory = new ModelMemory(memorySpec(options, vocab));
  if (plan.saved) {
    const saved = plan.saved.vectors;
    // A subword model's own rows go in; its n-gram rows, indexed by hash, keep their places.
    const subwords = saved instanceof SubwordKeyedVectors ? saved : undefined;
    memory.copyRows('input', subwords ? subwords.ownRows() : saved.vectors, words.inputFrom);
    if (subwords) memory.copyNgramRows(subwords.subwords.ngrams);
    memory.copyRows('output', plan.saved.outputWeights, words.outputFrom);
  }
  const start = startPosition(
    plan.state,
    memory.threads.map((scratch) => scratch.seed),
  );

  const checkpoint = request.checkpoint;
  const checkpointed: CheckpointedRun | undefined = checkpoint && {
    checkpoint,
    vocab,
    weights: memory,
    options,
    totalWords,
    chunkTarget: CHUNK_TARGET,
    corpus: counted.identity,
  };
  const capture = checkpointed && ((at: RunPosition) => captureCheckpoint(checkpointed, at));
  const run = await dispatch({
    memory,
    options,
    wordsPerEpoch,
    epochChunks: () => corpus.epochChunks(),
    report: request.onProgress ?? (() => {}),
    onEpoch: epochCallback(request),
    intervalMs: request.progressIntervalMs ?? 500,
    start,
    capture,
    everyMs: checkpoint?.everyMinutes !== undefined ? checkpoint.everyMinutes * 60_000 : undefined,
    signal: request.signal,
  });
  await corpus.release(); // let the corpus go before the vectors are copied out
  await throwIfUnfinished(run, plan, wordsPerEpoch, checkpointed);

  const vectors = trainsSubwords(options)
    ? trainedSubwordVectors(memory, vocab, options, corpus.tokens)
    : new KeyedVectors(vocab.words, memory.inputVectors(), options.dim);
  const summary: TrainSummary = {
    vocabSize: vocab.size,
    corpusTokens: corpus.tokens,
    invalidTokens: counted.invalidTokens,
    trainedWords: run.words,
    examples: run.examples,
    cachedCorpus: corpus.cached,
    vocabPruning: corpus.pruning,
    finalLoss: run.finalLoss,
    vocabSeconds,
    trainSeconds: run.seconds,
    wordsPerSecond: (run.words - start.wordsDone) / run.seconds,
    threadBusy: run.busySeconds.map((busy) => busy / run.seconds),
    start: plan.start,
    addedWords: words.addedWords,
  };
  return new Word2Vec(vectors, vocab.counts, memory.outputWeights(), summary, options);
}

/**
 * Throws what ended a run before its end: divergence, a corpus that failed
 * to read again (once the checkpoint holds the training done before), or a
 * stop through the signal.
 */
async function throwIfUnfinished(
  run: RunResult,
  plan: RunPlan,
  wordsPerEpoch: number,
  checkpointed: CheckpointedRun | undefined,
): Promise<void> {
  const { options, request } = plan;
  const checkpoint = request.checkpoint;
  const totalWords = wordsPerEpoch * options.epochs;
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
    if (!checkpointed || !run.stoppedAt) throw run.sourceError;
    await captureCheckpoint(checkpointed, run.stoppedAt)();
    throw withNote(
      run.sourceError,
      `the checkpoint ${checkpointed.checkpoint.path} holds the training done before that`,
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
}

/** `error` with `note` added to its message, keeping its class (and so its exit code). */
function withNote(error: unknown, note: string): unknown {
  if (error instanceof Error) error.message = `${error.message}; ${note}`;
  return error;
}
