import { InputError } from '../errors.js';

/** Raw counts in order of first appearance, as the corpus scan collects them. */
export interface WordCounts {
  words: string[];
  counts: ArrayLike<number>;
  /** All tokens read, when the words are not all of them (a scan may leave out rare words). */
  tokens?: number;
}

export interface VocabularyLimits {
  minCount: number;
  /** Keep only this many of the most frequent words; 0 = no cap. */
  maxVocab: number;
  /** Raise minCount until at most this many words are kept; 0 (or absent) = off. */
  maxFinalVocab?: number;
}

/**
 * The min-count that keeps at most `limits.maxFinalVocab` of these words, or
 * `limits.minCount` if that is higher: one more than the count of the first
 * word past the limit, so that words of equal count stay or go together (as
 * gensim's `max_final_vocab`).
 */
export function effectiveMinCount(counts: ArrayLike<number>, limits: VocabularyLimits): number {
  const limit = limits.maxFinalVocab ?? 0;
  if (limit <= 0 || counts.length <= limit) return limits.minCount;
  const sorted = Float64Array.from(counts).sort().reverse();
  return Math.max(limits.minCount, sorted[limit]! + 1);
}

/** Corpus tokens left out of the vocabulary because they are not text. */
export interface InvalidTokens {
  /** Distinct words. */
  words: number;
  /** Their occurrences. */
  tokens: number;
}

/**
 * Lone surrogates (how the tokenizer spells bytes that are not UTF-8) and
 * control characters (C0, DEL, C1) other than the white space no token of
 * a file holds (tab to carriage return): a token given in an array may.
 */
const NOT_TEXT = /[\uD800-\uDFFF]|(?![\t-\r])\p{Cc}/u;

/**
 * Whether a corpus word is text that can be trained and saved: well-formed
 * Unicode (the tokenizer turns bytes that are not UTF-8 into lone
 * surrogates, see Tokenizer.words) without control characters such as
 * NUL, which other word2vec tools split on or cannot store.
 */
export function isTextWord(word: string): boolean {
  return !NOT_TEXT.test(word);
}

/**
 * The warning for tokens left out as not text.
 * @example describeInvalidTokens({ words: 2, tokens: 12 }); // 'skipped 12 tokens (2 distinct words) that are not UTF-8 text (...)'
 */
export function describeInvalidTokens(invalid: InvalidTokens): string {
  const count = (n: number, noun: string): string =>
    `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
  return (
    `skipped ${count(invalid.tokens, 'token')} (${count(invalid.words, 'distinct word')}) ` +
    'that are not UTF-8 text (invalid UTF-8 or control characters)'
  );
}

/** The words of `raw` that are not text (see {@link isTextWord}), and their tokens. */
export function countInvalidTokens(raw: WordCounts): InvalidTokens {
  const invalid: InvalidTokens = { words: 0, tokens: 0 };
  for (let i = 0; i < raw.words.length; i++) {
    if (isTextWord(raw.words[i])) continue;
    invalid.words++;
    invalid.tokens += raw.counts[i];
  }
  return invalid;
}

function times(count: number): string {
  return count === 1 ? 'once' : count === 2 ? 'twice' : `${count.toLocaleString('en-US')} times`;
}

/** A word short enough to quote in a message. */
function shorten(word: string): string {
  return word.length <= 40 ? word : `${word.slice(0, 40)}…`;
}

/** The trained words, most frequent first, with their corpus counts. */
export class Vocabulary {
  readonly index: Map<string, number>;

  constructor(
    readonly words: string[],
    readonly counts: Float64Array,
  ) {
    this.index = new Map(words.map((word, i) => [word, i]));
  }

  get size(): number {
    return this.words.length;
  }

  /** Sum of counts: the corpus words that are trained in one epoch (before subsampling). */
  get totalWords(): number {
    let total = 0;
    for (const count of this.counts) total += count;
    return total;
  }

  indexOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /**
   * Keeps words seen at least minCount times (and at most maxVocab of them),
   * sorted by count, most frequent first; ties keep first-appearance order.
   * Words that are not text (see {@link isTextWord}) are dropped whatever
   * their count ({@link countInvalidTokens} counts them). Returns the
   * vocabulary and, for each raw word, its new index or -1.
   * @throws InputError if no word is left, saying why.
   */
  static fromCounts(
    raw: WordCounts,
    limits: VocabularyLimits,
    source = 'corpus',
  ): { vocab: Vocabulary; remap: Int32Array } {
    const text: number[] = [];
    let top = -1; // the most frequent text word
    for (let i = 0; i < raw.words.length; i++) {
      if (!isTextWord(raw.words[i])) continue;
      text.push(i);
      if (top < 0 || raw.counts[i] > raw.counts[top]) top = i;
    }
    const minCount = effectiveMinCount(
      text.map((i) => raw.counts[i]),
      limits,
    );
    const kept = text.filter((i) => raw.counts[i] >= minCount);
    if (top < 0) {
      const invalid = countInvalidTokens(raw);
      if (invalid.tokens === 0)
        throw new InputError(`${source} holds no words: it is empty or only white space`);
      if (raw.tokens === undefined || raw.tokens === invalid.tokens) {
        throw new InputError(
          `${source} holds no text: all of its ${invalid.tokens.toLocaleString('en-US')} tokens are invalid UTF-8 or hold control characters; ` +
            'is it a binary file?',
        );
      }
      // The scan kept only the most frequent words, and none of them is text.
      throw new InputError(
        `no word in ${source} that is text occurs at least min-count = ${limits.minCount} times, and its most frequent ` +
          'tokens are invalid UTF-8 or hold control characters; is it a binary file? Otherwise lower --min-count',
      );
    }
    if (kept.length === 0 && minCount > limits.minCount) {
      throw new InputError(
        `max-final-vocab = ${limits.maxFinalVocab} keeps no word of ${source}: its ${limits.maxFinalVocab! + 1} most frequent words ` +
          `all occur ${times(raw.counts[top])}, and words of equal count are kept or dropped together; raise --max-final-vocab`,
      );
    }
    if (kept.length === 0) {
      throw new InputError(
        `no word in ${source} occurs at least min-count = ${limits.minCount} times ` +
          `(the most frequent, '${shorten(raw.words[top])}', occurs ${times(raw.counts[top])}); lower --min-count`,
      );
    }
    kept.sort((a, b) => raw.counts[b] - raw.counts[a] || a - b);
    if (limits.maxVocab > 0 && kept.length > limits.maxVocab) kept.length = limits.maxVocab;
    const remap = new Int32Array(raw.words.length).fill(-1);
    const words = new Array<string>(kept.length);
    const counts = new Float64Array(kept.length);
    kept.forEach((old, i) => {
      remap[old] = i;
      words[i] = raw.words[old];
      counts[i] = raw.counts[old];
    });
    return { vocab: new Vocabulary(words, counts), remap };
  }
}
