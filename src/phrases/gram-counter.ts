// One counting pass's tallies: each word's count and each phrase
// candidate's (a word, the connector words after it, the next word), within
// a memory budget that drops the rarest candidates when they outgrow it.
import { BYTES_PER_GRAM, GramTable, type GramTableParts } from './gram-table.js';
import { BYTES_PER_PAIR, PairTable, type PairTableParts } from './pair-table.js';
import { SENTENCE_END } from './phrase-layers.js';

/** What keeping the candidates within their memory budget dropped. */
export interface CandidatePruning {
  /** Times rare candidates were pruned (0 when they fitted the budget). */
  prunes: number;
  /** The last prune dropped the candidates counted at most this many times so far. */
  threshold: number;
  /** Distinct candidates dropped, over all prunes. */
  dropped: number;
}

export interface GramCounterOptions {
  /** Connector words' flags, by id (gensim's connector_words); none for word2phrase. */
  connectors: Uint8Array;
  /** Candidates span sentence ends, as word2phrase.c counts its pairs. */
  acrossSentences: boolean;
  /** Bytes the candidates may take; past it the rarest are pruned. */
  maxBytes: number;
}

/** A counting pass's tallies, once it is done. */
export interface GramCounts {
  readonly pairs: PairTable;
  readonly grams: GramTable;
  readonly unigrams: Float64Array;
  readonly totalWords: number;
  readonly candidates: number;
  readonly pruning: CandidatePruning;
}

/** What a counter's tallies are made of, to move them to another thread (`transferList` lists the buffers). */
export interface GramCountsParts {
  pairs: PairTableParts;
  grams: GramTableParts;
  unigrams: Float64Array<ArrayBuffer>;
  totalWords: number;
  pruning: CandidatePruning;
}

/** The tallies over the arrays of `GramCounter.toParts` (not copied). */
export function countsFromParts(parts: GramCountsParts): GramCounts {
  const pairs = PairTable.fromParts(parts.pairs);
  const grams = GramTable.fromParts(parts.grams);
  return {
    pairs,
    grams,
    unigrams: parts.unigrams,
    totalWords: parts.totalWords,
    candidates: pairs.size + grams.size,
    pruning: parts.pruning,
  };
}

export class GramCounter implements GramCounts {
  /** Candidates of two words; `grams` holds those with connector words inside. Values: the token index where first counted. */
  readonly pairs = new PairTable(1 << 18);
  readonly grams = new GramTable();
  unigrams = new Float64Array(1 << 16);
  /** Every token counted, connector words included. */
  totalWords = 0;
  pruning: CandidatePruning = { prunes: 0, threshold: 0, dropped: 0 };
  private start = -1;
  private key = new Int32Array(16);
  private keyLength = 0;

  constructor(private readonly options: GramCounterOptions) {}

  /** Counts a run of ids (SENTENCE_END between sentences; a sentence may go on in the next run). */
  push(ids: Int32Array): void {
    const { connectors, acrossSentences } = this.options;
    let unigrams = this.unigrams;
    const grams = this.grams;
    const pairs = this.pairs;
    let key = this.key;
    let start = this.start;
    let length = this.keyLength;
    let total = this.totalWords;
    for (let i = 0; i < ids.length; i++) {
      const x = ids[i];
      if (x === SENTENCE_END) {
        if (!acrossSentences) start = -1;
        continue;
      }
      total++;
      if (x < connectors.length && connectors[x] === 1) {
        if (start >= 0) {
          if (length + 1 >= key.length) {
            const grown = new Int32Array(2 * key.length);
            grown.set(key);
            key = grown;
          }
          key[length++] = x;
        }
        continue;
      }
      if (x >= unigrams.length) {
        const grown = new Float64Array(Math.max(2 * unigrams.length, x + 1));
        grown.set(unigrams);
        unigrams = grown;
      }
      unigrams[x]++;
      if (start >= 0) {
        if (length === 1) pairs.add(start, x, total);
        else {
          key[length] = x;
          const e = grams.add(key, 0, length + 1);
          if (grams.value(e) < 0) grams.setValue(e, total);
        }
      }
      start = x;
      key[0] = x;
      length = 1;
    }
    this.unigrams = unigrams;
    this.key = key;
    this.start = start;
    this.keyLength = length;
    this.totalWords = total;
  }

  /** Prunes the rarest candidates while they take more than the budget (less `otherBytes`). */
  keepWithin(otherBytes: number): void {
    while (this.candidates > 0 && this.candidateBytes + otherBytes > this.options.maxBytes) {
      const threshold = this.pruning.threshold + 1;
      const before = this.candidates;
      this.pairs.keepAbove(threshold);
      this.grams.keepAbove(threshold);
      this.pruning = {
        prunes: this.pruning.prunes + 1,
        threshold,
        dropped: this.pruning.dropped + before - this.candidates,
      };
    }
  }

  /** The tallies' arrays and sizes, and the buffers to transfer with them. */
  toParts(): { parts: GramCountsParts; transferList: ArrayBuffer[] } {
    const pairs = this.pairs.toParts();
    const grams = this.grams.toParts();
    const arrays = [
      pairs.slots,
      grams.slots,
      grams.hashes,
      grams.offsets,
      grams.lengths,
      grams.countsOf,
      grams.valuesOf,
      grams.keys,
      this.unigrams,
    ];
    return {
      parts: {
        pairs,
        grams,
        unigrams: this.unigrams,
        totalWords: this.totalWords,
        pruning: this.pruning,
      },
      transferList: arrays.map((a) => a.buffer),
    };
  }

  /** Distinct candidates counted. */
  get candidates(): number {
    return this.pairs.size + this.grams.size;
  }

  /** What the candidates and the word counts take, about. */
  get candidateBytes(): number {
    return (
      this.pairs.size * BYTES_PER_PAIR + this.grams.size * BYTES_PER_GRAM + this.unigrams.byteLength
    );
  }
}
