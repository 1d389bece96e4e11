/**
 * What both evaluations share: which of the model's words count as known
 * (gensim's `restrict_vocab` and case folding), and reading the data file.
 */
import { readFile } from 'node:fs/promises';
import { InputError, systemErrorText, UsageError } from '../errors.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';

/** The options both evaluations take; see AnalogyOptions and WordPairOptions. */
export interface KnownWordsOptions {
  restrictVocab?: number;
  caseInsensitive?: boolean;
}

/** The known words of an evaluation, and how its words are folded to look them up. */
export interface KnownWords {
  /** The first `restrictVocab` words (default 300,000), folded. */
  known: Map<string, number>;
  fold: (word: string) => string;
  restrictVocab: number;
}

/**
 * The known words for an evaluation's options.
 * @throws UsageError if restrictVocab is not a positive integer.
 */
export function knownWordsFor(kv: KeyedVectors, options: KnownWordsOptions): KnownWords {
  const restrictVocab = options.restrictVocab ?? 300000;
  const caseInsensitive = options.caseInsensitive ?? true;
  if (!Number.isSafeInteger(restrictVocab) || restrictVocab < 1) {
    throw new UsageError(`restrictVocab must be a positive integer, got ${restrictVocab}`);
  }
  const fold = caseInsensitive ? (word: string) => word.toUpperCase() : (word: string) => word;
  return { known: knownWords(kv, restrictVocab, fold), fold, restrictVocab };
}

/**
 * Folded word → row among the first `restrictVocab` words; the first (most
 * frequent) word folding to a key wins, as in gensim's evaluations.
 * @example
 * const known = knownWords(kv, 300000, (w) => w.toUpperCase());
 * known.get('PARIS'); // row of 'paris' or 'Paris', whichever comes first
 */
function knownWords(
  kv: KeyedVectors,
  restrictVocab: number,
  fold: (word: string) => string,
): Map<string, number> {
  const known = new Map<string, number>();
  const end = Math.min(restrictVocab, kv.size);
  for (let row = 0; row < end; row++) {
    const key = fold(kv.words[row]!);
    if (!known.has(key)) known.set(key, row);
  }
  return known;
}

/**
 * An evaluation file's text.
 * @throws InputError naming the file if it cannot be read.
 */
export async function readEvaluationFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${systemErrorText(error)}`);
  }
}
