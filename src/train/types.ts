import type { PhraseModel } from '../phrases/phrase-model.js';
import type { OptionNaming, ResolvedTrainOptions } from '../options.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import type { TrainOptions } from '../options.js';
import type { VocabPruning } from '../corpus/tokenizer.js';
import type { CheckpointOptions } from './checkpoint.js';
import type { Sentences } from '../corpus/sentence-source.js';

export type { VocabPruning };

/** A snapshot of a training run, handed to `onProgress` a few times a second. */
export interface TrainProgress {
  /** 'vocab' while the corpus is counted, 'train' while weights are learned. */
  phase: 'vocab' | 'train';
  /** 1-based epoch being trained (0 during 'vocab'). */
  epoch: number;
  epochs: number;
  /** Corpus words (in vocabulary, before subsampling) trained so far, over all epochs; during 'vocab', tokens read. */
  words: number;
  /** Words to train over all epochs (0 during 'vocab'). */
  totalWords: number;
  /** Fraction done, 0..1 (0 during 'vocab'). */
  fraction: number;
  /** Current learning rate. */
  alpha: number;
  /** Mean loss per training example over the last reporting interval (NaN before the first). */
  loss: number;
  /**
   * Mean loss per training example over the epoch under way so far; once an
   * epoch is done and before the next has examples, over that whole epoch.
   * At the end of a run it is `TrainSummary.finalLoss`. NaN before the first.
   */
  epochLoss: number;
  /** Corpus words per second since training started (tokens per second during 'vocab'). */
  wordsPerSecond: number;
  elapsedSeconds: number;
  /** Estimated seconds to the end of training (NaN when unknown). */
  etaSeconds: number;
}

/** What a finished run did. */
export interface TrainSummary {
  vocabSize: number;
  /** Tokens in the corpus, including words below min-count. */
  corpusTokens: number;
  /** Tokens left out because they are not text: invalid UTF-8 or control characters (see VocabularyInfo). */
  invalidTokens: number;
  /** Corpus words trained over all epochs (in vocabulary, before subsampling). */
  trainedWords: number;
  /** Training examples: (context, word) pairs for skip-gram, one per word trained for CBOW. */
  examples: number;
  /** Whether epochs after the first reused the corpus encoded in memory. */
  cachedCorpus: boolean;
  /** Rare words pruned to keep counting within maxVocabMemoryMiB (prunes is 0 when nothing was). */
  vocabPruning: VocabPruning;
  /** Mean loss per training example in the last epoch. */
  finalLoss: number;
  vocabSeconds: number;
  trainSeconds: number;
  /** Words trained by this call (trainedWords less those of an interrupted run's earlier part) / trainSeconds. */
  wordsPerSecond: number;
  /**
   * Per training thread, the fraction of trainSeconds it spent decoding and
   * training chunks; the rest it waited for work. Near 1 when the main thread
   * keeps every thread fed.
   */
  threadBusy: number[];
  /** How the run began: see {@link TrainStart}. */
  start: TrainStart;
  /** Words added to the vocabulary when a trained model was trained on new text (0 otherwise). */
  addedWords: number;
}

/**
 * 'new': a model trained from random weights; 'resume': an interrupted run
 * finished from its checkpoint (trainedWords then counts the whole run);
 * 'continue': a trained model trained further on more text, with its
 * vocabulary extended and a fresh learning-rate schedule.
 */
export type TrainStart = 'new' | 'resume' | 'continue';

/** The vocabulary as counted, handed to `onVocabulary` before training starts. */
export interface VocabularyInfo {
  vocabSize: number;
  /** Tokens in the corpus, including words below min-count and invalid tokens. */
  corpusTokens: number;
  /**
   * Tokens left out of the vocabulary, whatever their count, because they are
   * not text: invalid UTF-8 (binary data) or holding control characters
   * (such as NUL) other than the white space that separates tokens.
   */
  invalidTokens: number;
  /** Distinct words among the invalid tokens. */
  invalidWords: number;
}

/** The end of an epoch, handed to `onEpoch` (gensim's `CallbackAny2Vec.on_epoch_end`). */
export interface EpochEnd {
  /** 1-based number of the epoch that ended. */
  epoch: number;
  epochs: number;
  /** Mean loss per training example over the epoch. */
  loss: number;
  /** Training examples of the epoch. */
  examples: number;
  /** Corpus words trained so far over all epochs. */
  words: number;
  /** Seconds since training began. */
  elapsedSeconds: number;
}

export interface TrainCallbacks {
  onProgress?: (progress: TrainProgress) => void;
  /**
   * Called when each epoch ends, with its mean loss, as gensim's
   * `on_epoch_end`; an error thrown here is reported as a warning, and
   * training goes on.
   */
  onEpoch?: (end: EpochEnd) => void;
  /** Told of things that change the result without stopping training (pruned vocabulary). Default: process.emitWarning. */
  onWarning?: (message: string) => void;
  /**
   * Called once the vocabulary is built and every option checked against it,
   * before training starts; an error thrown here ends the run.
   */
  onVocabulary?: (info: VocabularyInfo) => void;
  /** Milliseconds between onProgress calls. Default 500. */
  progressIntervalMs?: number;
  /** How errors and warnings name options: 'key' ('minCount', the default) or 'flag' ('--min-count', for a command's users). */
  optionNaming?: OptionNaming;
}

/** Checkpoints and stopping. */
export interface TrainControl {
  /** Save the whole training state to this file: every `everyMinutes`, and when `signal` stops the run. */
  checkpoint?: CheckpointOptions;
  /**
   * Stops training: the threads finish the chunks they have, the state is
   * saved to `checkpoint.path` (if given), and the call rejects with a
   * `TrainingInterrupted` error that names the checkpoint.
   */
  signal?: AbortSignal;
  /**
   * Where a corpus that can be read only once (`sentences` from a generator
   * or a stream, a named pipe) goes when it outgrows `cacheMiB`: a hidden
   * temporary file in this directory, deleted when the run ends. Default:
   * the system's temporary directory.
   */
  spillDirectory?: string;
}

/** The corpus given in memory or as a stream rather than as files. */
export interface SentenceInput {
  /**
   * Sentences instead of `input` files: an array or iterable of strings
   * (each split on white space, as a line of a file) or of token arrays
   * (each token taken as it is), an async iterable of either (an async
   * generator, `readline`), a Node `Readable` of text (plain or gzip), or a
   * function returning a fresh one of these for each pass. An array or a
   * function is read again for each epoch only if the corpus does not fit
   * `cacheMiB`; anything else is read once.
   */
  sentences?: Sentences;
}

/** Phrases joined in the corpus on the fly, while it is counted and trained on. */
export interface TrainPhrases {
  /** A model from `learnPhrases` or `loadPhrases`, or a phrase file's path (not kept by checkpoints). */
  phrases?: PhraseModel | string;
}

export type TrainRequest = TrainOptions &
  TrainCallbacks &
  TrainControl &
  SentenceInput &
  TrainPhrases;

/** What training a model further needs of it: a `Word2Vec` has all of it. */
export interface TrainedWeights {
  readonly vectors: KeyedVectors;
  readonly counts: Float64Array;
  readonly outputWeights: Float32Array;
  readonly options: ResolvedTrainOptions;
}

/**
 * Training from a saved state: a checkpoint of an interrupted run, or a
 * trained native model. Options not given come from the file.
 */
export type ResumeRequest = Partial<TrainOptions> &
  TrainCallbacks &
  TrainControl &
  SentenceInput & {
    /**
     * A checkpoint, or a native (.w2v) model saved by `train`; or a model in
     * memory (a `Word2Vec` that `train` returned or `loadModel` loaded), trained further.
     */
    from: string | TrainedWeights;
  };
