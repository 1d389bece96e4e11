import { InputError } from '../errors.js';

/** Raw counts in order of first appearance, as the corpus scan collects them. */
export interface WordCounts {
  words: string[];
  counts: ArrayLike<number>;
}

export interface VocabularyLimits {
  minCount: number;
  /** Keep only this many of the most frequent words; 0 = no cap. */
  maxVocab: number;
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
   * Returns the vocabulary and, for each raw word, its new index or -1.
   */
  static fromCounts(raw: WordCounts, limits: VocabularyLimits, source = 'corpus'): { vocab: Vocabulary; remap: Int32Array } {
    const kept: number[] = [];
    let top = 0;
    for (let i = 0; i < raw.words.length; i++) {
      if (raw.counts[i] >= limits.minCount) kept.push(i);
      if (raw.counts[i] > top) top = raw.counts[i];
    }
    if (raw.words.length === 0) throw new InputError(`${source} holds no words`);
    if (kept.length === 0) {
      throw new InputError(
        `no word in ${source} occurs at least min-count = ${limits.minCount} times (the most frequent occurs ${top} times); lower --min-count`,
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
