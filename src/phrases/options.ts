// The options of learning phrases, their defaults and their checks.
import { UsageError } from '../errors.js';
import { checkThreshold, SCORINGS, type PhraseScoring } from './scoring.js';

/** Progress of learning phrases, reported about twice a second and at the end of each pass. */
export interface PhraseProgress {
  pass: number;
  passes: number;
  /** Tokens read in this pass so far. */
  words: number;
  /** Distinct phrase candidates counted in this pass so far. */
  candidates: number;
  elapsedSeconds: number;
  wordsPerSecond: number;
  /** At the end of a pass: the phrases it found. */
  phrasesFound?: number;
}

export interface LearnPhrasesOptions {
  /** Corpus file(s): plain or gzip text, one sentence a line, words separated by white space. */
  input: string | string[];
  /** `default` (gensim's original_scorer), `npmi`, or `word2phrase` (word2phrase.c's). Default `default`. */
  scoring?: PhraseScoring;
  /** Words and candidates counted fewer times are no phrase (default 5). */
  minCount?: number;
  /**
   * The score a candidate must exceed: one value, or one a pass (the last
   * one repeated). Default 10 (gensim's), 100 for word2phrase (its own);
   * with npmi a value in −1..1 is required.
   */
  threshold?: number | number[];
  /** Joins a phrase's words (default `_`). */
  delimiter?: string;
  /** `english` (gensim 4's ENGLISH_CONNECTOR_WORDS), `none` (default), a file of words, or the words. */
  connectorWords?: 'english' | 'none' | string | readonly string[];
  /** Passes, each joining on the previous one's output: 2 give phrases of up to 4 words (default 1). */
  passes?: number;
  /** Memory (MiB) the words and candidates may take while counting; rarer candidates are pruned past it (default 2048). */
  maxMemoryMiB?: number;
  onProgress?: (progress: PhraseProgress) => void;
  /** Hears of pruning and of odd corpus files; default: process warnings. */
  onWarning?: (message: string) => void;
  progressIntervalMs?: number;
}

export interface ResolvedPhraseOptions {
  input: string[];
  scoring: PhraseScoring;
  minCount: number;
  thresholds: number[];
  delimiter: string;
  connectorWords: string | readonly string[];
  passes: number;
  maxMemoryMiB: number;
  onProgress?: (progress: PhraseProgress) => void;
  onWarning: (message: string) => void;
  progressIntervalMs?: number;
}

export const PHRASE_DEFAULTS = {
  scoring: 'default' as PhraseScoring,
  minCount: 5,
  threshold: 10,
  word2phraseThreshold: 100,
  delimiter: '_',
  connectorWords: 'none',
  passes: 1,
  maxMemoryMiB: 2048,
};

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Checks the options and fills in the defaults. */
export function checkPhraseOptions(options: LearnPhrasesOptions): ResolvedPhraseOptions {
  if (typeof options !== 'object' || options === null)
    throw new UsageError('learnPhrases takes an options object with an input');
  const input = typeof options.input === 'string' ? [options.input] : options.input;
  if (!Array.isArray(input) || input.length === 0 || input.some((p) => typeof p !== 'string'))
    throw new UsageError('input must be a corpus file path or a non-empty list of them');
  const scoring = options.scoring ?? PHRASE_DEFAULTS.scoring;
  if (!SCORINGS.includes(scoring))
    throw new UsageError(`scoring must be one of ${SCORINGS.join(', ')}, got '${String(scoring)}'`);
  const passes = positiveInteger(options.passes ?? PHRASE_DEFAULTS.passes, 'passes');
  const minCount = positiveInteger(options.minCount ?? PHRASE_DEFAULTS.minCount, 'minCount');
  const fallback =
    scoring === 'word2phrase' ? PHRASE_DEFAULTS.word2phraseThreshold : PHRASE_DEFAULTS.threshold;
  const given = options.threshold ?? fallback;
  const list = typeof given === 'number' ? [given] : [...given];
  if (list.length === 0) throw new UsageError('threshold must hold at least one value');
  for (const t of list) checkThreshold(scoring, t, 'threshold');
  const thresholds = Array.from({ length: passes }, (_, i) => list[Math.min(i, list.length - 1)]);
  const delimiter = options.delimiter ?? PHRASE_DEFAULTS.delimiter;
  if (typeof delimiter !== 'string' || delimiter.length === 0 || /\s/.test(delimiter))
    throw new UsageError(
      `delimiter must be a non-empty string without white space, got '${delimiter}'`,
    );
  if (scoring === 'word2phrase' && delimiter !== '_')
    throw new UsageError("word2phrase scoring joins with '_' only, as word2phrase.c does");
  const maxMemoryMiB = options.maxMemoryMiB ?? PHRASE_DEFAULTS.maxMemoryMiB;
  if (!(maxMemoryMiB > 0))
    throw new UsageError(`maxMemoryMiB must be positive, got ${maxMemoryMiB}`);
  return {
    input,
    scoring,
    minCount,
    thresholds,
    delimiter,
    connectorWords: options.connectorWords ?? PHRASE_DEFAULTS.connectorWords,
    passes,
    maxMemoryMiB,
    onProgress: options.onProgress,
    onWarning: options.onWarning ?? ((message) => process.emitWarning(message)),
    progressIntervalMs: options.progressIntervalMs,
  };
}
