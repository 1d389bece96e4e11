/**
 * Checkpoints: a native model file (see src/io/native-format.ts) whose
 * header also holds the run's progress, so that an interrupted run can go on
 * where it stopped; the capture of one while the threads wait; and the
 * checks that tell whether a saved model can be trained further.
 */
import { stat } from 'node:fs/promises';
import { InputError, UsageError, W2vError } from '../errors.js';
import {
  loadNative,
  outputKindOf,
  saveNative,
  type CorpusIdentity,
  type NativeModel,
  type OutputKind,
  type TrainingState,
} from '../io/native-format.js';
import { checkCheckpointMinutes, DEFAULTS, type ResolvedTrainOptions } from '../options.js';
import type { RowChunks } from '../subwords/row-chunks.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { trainsSubwords } from '../subwords/subword-options.js';
import { KeyedVectors } from '../vectors/keyed-vectors.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import { seededRandomState } from './kernel.js';
import { subwordModel } from './subword-model.js';

/** Where and how often a run saves its whole state. */
export interface CheckpointOptions {
  /** The checkpoint file, replaced atomically at every save. */
  path: string;
  /**
   * Minutes between saves while training. Without it, a checkpoint is saved
   * only when the run is stopped through its `signal`.
   */
  everyMinutes?: number;
}

/** Checks a request's checkpoint options before anything is read. */
export function checkControl(control: { checkpoint?: CheckpointOptions }): void {
  const every = control.checkpoint?.everyMinutes;
  if (
    control.checkpoint &&
    (typeof control.checkpoint.path !== 'string' || control.checkpoint.path === '')
  ) {
    throw new UsageError('checkpoint.path must name a file');
  }
  checkCheckpointMinutes(every, 'checkpoint.everyMinutes');
}

/**
 * Thrown by `train` and `resume` when their `signal` stops them: the threads
 * finished the chunks they had, and the state was saved to `checkpoint` if a
 * checkpoint path was given and training had begun.
 */
export class TrainingInterrupted extends W2vError {
  constructor(
    message: string,
    /** The checkpoint file written, if any. */
    readonly checkpoint: string | undefined,
    /** Corpus words trained before the stop, over all epochs (0 if training had not begun). */
    readonly wordsDone: number,
    readonly totalWords: number,
    /** The signal's reason (for example 'SIGINT'). */
    readonly reason: unknown,
  ) {
    super(message, 130);
  }
}

/**
 * Thrown by `train` and `resume` when the weights stop being numbers: the
 * learning rate is too high for the data. Nothing of the run is kept.
 */
export class TrainingDiverged extends W2vError {
  constructor(
    /** Corpus words trained when the loss stopped being finite, over all epochs. */
    readonly wordsDone: number,
    readonly totalWords: number,
    /** The starting learning rate of the run. */
    readonly alpha: number,
    epochs: number,
    wordsPerEpoch: number,
  ) {
    const epoch = Math.min(epochs, Math.floor(wordsDone / wordsPerEpoch) + 1);
    super(
      `training diverged at ${((100 * wordsDone) / totalWords).toFixed(1)}% (epoch ${epoch} of ${epochs}): the loss and the weights ` +
        `stopped being finite numbers, so nothing was saved. The learning rate is too high for this data ` +
        `(alpha ${alpha}; --alpha on the command line): try ${Number((alpha / 10).toPrecision(2))} or lower (the defaults are ${DEFAULTS.alphaSg} for skip-gram, ${DEFAULTS.alphaCbow} for CBOW)`,
    );
  }
}

/** A native model with everything training needs: counts, output weights and options. */
export interface TrainableModel {
  /** A `SubwordKeyedVectors` (own rows and n-gram rows) when the options train subwords. */
  vectors: KeyedVectors;
  counts: Float64Array;
  outputWeights: Float32Array;
  outputKind: OutputKind;
  options: ResolvedTrainOptions;
  training?: TrainingState;
}

/**
 * Loads a checkpoint, or a native model to train further.
 * @throws UsageError if the file is a model that cannot be trained (vectors only).
 * @throws InputError if it is not a native file or is damaged.
 */
export async function loadTrainable(path: string): Promise<TrainableModel> {
  let model: NativeModel;
  try {
    model = await loadNative(path);
  } catch (error) {
    if (error instanceof InputError && /not a word2vec-ts native model file/.test(error.message)) {
      throw new UsageError(
        `${path} is not a checkpoint or a native .w2v model; training can only go on from one of those ` +
          '(word2vec .bin and .txt files hold the vectors only, without the counts and output weights)',
      );
    }
    throw error;
  }
  const { vectors, counts, outputWeights, outputKind, options, training } = model;
  if (!counts || !outputWeights || !outputKind || !options) {
    const missing = [
      !counts && 'counts',
      !outputWeights && 'output weights',
      !options && 'training options',
    ]
      .filter(Boolean)
      .join(', ');
    throw new UsageError(
      `${path}: this native file holds vectors only (no ${missing}); training can only go on from a model saved by w2v train`,
    );
  }
  const expectedKind = outputKindOf(options.loss);
  if (outputKind !== expectedKind) {
    throw new InputError(
      `${path}: the output weights are '${outputKind}' but the options say --loss ${options.loss}`,
    );
  }
  if (options.dim !== vectors.dim)
    throw new InputError(
      `${path}: the vectors have ${vectors.dim} dimensions but the options say --dim ${options.dim}`,
    );
  checkSubwordRows(vectors, options, path);
  return training
    ? { vectors, counts, outputWeights, outputKind, options, training }
    : { vectors, counts, outputWeights, outputKind, options };
}

/**
 * Checks that a model whose options train subwords has its n-gram rows
 * (files saved before the native format kept them hold only the words'
 * vectors), and that one with n-gram rows was trained as a subword model.
 * @throws UsageError naming `from` if not.
 */
export function checkSubwordRows(
  vectors: KeyedVectors,
  options: ResolvedTrainOptions,
  from: string,
): void {
  const rows = vectors instanceof SubwordKeyedVectors;
  if (trainsSubwords(options) && !rows) {
    throw new UsageError(
      `${from} is a subword model saved without its n-gram rows (by an earlier version of word2vec-ts), ` +
        'so training cannot go on from it; train it again from the corpus',
    );
  }
  if (!trainsSubwords(options) && rows) {
    throw new UsageError(
      `${from} has n-gram rows but its options train no subwords; training can only go on from a model saved by w2v train`,
    );
  }
}

/**
 * The corpus's files with their sizes (none for sentences), its tokens and
 * the hash of its word ids: what a checkpoint remembers of it.
 */
export async function corpusIdentity(
  paths: readonly string[],
  tokens: number,
  hash: string,
): Promise<CorpusIdentity> {
  const files = [];
  for (const path of paths) files.push({ path, bytes: (await stat(path)).size });
  return { tokens, files, hash };
}

/**
 * Why `paths` are not the corpus a checkpoint was trained on, judged by the
 * files' sizes (cheap, before reading them), or undefined if they may be.
 * Sentences (no files), on either side, are judged once counted (see
 * sameCorpus), if the checkpoint has the hash that tells them.
 */
export async function corpusMismatch(
  saved: CorpusIdentity,
  paths: readonly string[],
): Promise<string | undefined> {
  if (saved.files.length === 0 || paths.length === 0) {
    return saved.hash !== undefined || saved.files.length === paths.length
      ? undefined
      : `it was trained on ${describeFiles(saved.files)}, given again as files only`;
  }
  const given = await corpusIdentity(paths, saved.tokens, '');
  const same =
    given.files.length === saved.files.length &&
    given.files.every((f, i) => f.bytes === saved.files[i]!.bytes);
  return same
    ? undefined
    : `it was trained on ${describeFiles(saved.files)}, not ${describeFiles(given.files)}`;
}

function describeFiles(files: CorpusIdentity['files']): string {
  return files.map((f) => `'${f.path}' (${f.bytes.toLocaleString('en-US')} bytes)`).join(', ');
}

/** Whether a counted corpus is the one a checkpoint remembers: its tokens, and its hash when the checkpoint has one. */
export function sameCorpus(saved: CorpusIdentity, tokens: number, hash: string): boolean {
  return tokens === saved.tokens && (saved.hash === undefined || saved.hash === hash);
}

/** A kernel random state as a checkpoint stores it: 16 hexadecimal digits. */
export function randomStateText(state: bigint): string {
  return BigInt.asUintN(64, state).toString(16).padStart(16, '0');
}

export function parseRandomState(text: string): bigint {
  return BigInt(`0x${text}`);
}

/**
 * Where a run is: what a checkpoint needs besides the weights. Its saved
 * form is a TrainingState, which also holds what stays the same over the
 * run (its words, chunk size and corpus) and the random states as text.
 */
export interface RunPosition {
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

/** What a checkpoint holds besides the position: the same over the whole run. */
export interface RunConstants {
  totalWords: number;
  chunkTarget: number;
  corpus: CorpusIdentity;
}

/**
 * Where a run starts: where `state` (a checkpoint's) stopped, or at the
 * beginning without one. A thread the checkpoint did not have (more threads
 * now) starts from its seed.
 */
export function startPosition(
  state: TrainingState | undefined,
  threadSeeds: bigint[],
): RunPosition {
  const savedStates = state?.randomStates.map(parseRandomState) ?? [];
  return {
    wordsDone: state?.wordsDone ?? 0,
    epoch: state?.epoch ?? 0,
    chunksDone: state?.chunksDone ?? 0,
    examples: state?.examples ?? 0,
    epochLoss: state?.epochLoss ?? 0,
    epochExamples: state?.epochExamples ?? 0,
    randomStates: threadSeeds.map((seed, t) => savedStates[t] ?? seededRandomState(seed)),
  };
}

/** The saved form of a run's position. */
export function savedState(at: RunPosition, run: RunConstants): TrainingState {
  return {
    wordsDone: at.wordsDone,
    totalWords: run.totalWords,
    epoch: at.epoch,
    chunksDone: at.chunksDone,
    chunkTarget: run.chunkTarget,
    randomStates: at.randomStates.map(randomStateText),
    examples: at.examples,
    epochLoss: at.epochLoss,
    epochExamples: at.epochExamples,
    corpus: run.corpus,
  };
}

/** The weights a checkpoint copies: unpadded input vectors, a subword model's n-gram rows, output weights. */
export interface TrainedWeights {
  inputVectors(): Float32Array;
  ngramRows(): RowChunks;
  outputWeights(): Float32Array;
}

/** A run that saves checkpoints: the file, the model, and what stays the same over the run. */
export interface CheckpointedRun extends RunConstants {
  checkpoint: CheckpointOptions;
  vocab: Vocabulary;
  weights: TrainedWeights;
  options: ResolvedTrainOptions;
}

/**
 * Captures a checkpoint at `at`: copies the weights now, while the threads
 * wait, and returns the (slow) save, which writes the file while they
 * train on.
 */
export function captureCheckpoint(run: CheckpointedRun, at: RunPosition): () => Promise<void> {
  const { options, vocab } = run;
  const inputRows = run.weights.inputVectors().slice();
  const ngrams = trainsSubwords(options) ? run.weights.ngramRows().copy() : undefined;
  const outputWeights = run.weights.outputWeights().slice();
  const training = savedState(at, run);
  return () =>
    saveNative(run.checkpoint.path, {
      // A subword model's words' vectors are made here, while the threads train on.
      vectors: ngrams
        ? subwordModel(vocab, options, inputRows, ngrams, run.corpus.tokens)
        : new KeyedVectors(vocab.words, inputRows, options.dim),
      counts: vocab.counts,
      outputWeights,
      outputKind: outputKindOf(options.loss),
      options,
      training,
    });
}
