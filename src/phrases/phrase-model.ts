// A learned phrase model: each pass's phrases as words, applied to tokens
// (or compiled onto word ids for the corpus and for training).
import { UsageError } from '../errors.js';
import { writePhraseFile } from './phrase-file-text.js';
import { buildLayer, PhraseJoiner, type CompiledPhrases } from './phrase-layers.js';
import type { PhraseScoring } from './scoring.js';

/** A phrase: its words as joined, the pass that found it, and the score and count it had. */
export interface Phrase {
  /** The parts joined with the delimiter ("new_york"). */
  phrase: string;
  /** The tokens it joins: first word, connector words, last word (a part may be an earlier pass's phrase). */
  parts: string[];
  score: number;
  count: number;
  /** The pass that found it, from 1. */
  pass: number;
}

/** How a model's phrases were learned and are applied. */
export interface PhraseSettings {
  scoring: PhraseScoring;
  delimiter: string;
  minCount: number;
  /** Each pass's threshold. */
  thresholds: number[];
  connectorWords: string[];
}

/**
 * Phrases learned by `learnPhrases` or read by `loadPhrases`. `apply` joins
 * them in a sentence greedily left to right, one pass after the other, as
 * gensim's FrozenPhrases (and word2phrase.c) do.
 * @example
 * const model = await learnPhrases({ input: 'corpus.txt' });
 * model.apply(['in', 'new', 'york']); // ['in', 'new_york']
 */
export class PhraseModel {
  private joinerCache:
    { compiled: CompiledPhrases; ids: Map<string, number>; words: string[] } | undefined;

  constructor(
    readonly settings: PhraseSettings,
    private readonly layers: Phrase[][],
  ) {}

  /** Passes the model was learned with (some may have found no phrase). */
  get passes(): number {
    return this.layers.length;
  }

  /** Every phrase, pass by pass, each pass's in the order first seen. */
  phrases(): Phrase[] {
    return this.layers.flat().map((p) => ({ ...p, parts: [...p.parts] }));
  }

  /** The phrases of one pass (from 1). */
  phrasesOfPass(pass: number): readonly Phrase[] {
    return this.layers[pass - 1] ?? [];
  }

  /** Writes the phrases to a phrase file (tab-separated phrase, score, count), atomically. */
  async save(path: string): Promise<void> {
    await writePhraseFile(path, this.settings, this.layers);
  }

  /** Joins the phrases in one sentence of tokens. */
  apply(tokens: readonly string[]): string[] {
    if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string'))
      throw new UsageError('apply(tokens) takes an array of strings');
    this.joinerCache ??= this.compileOnMap();
    const { compiled, ids, words } = this.joinerCache;
    const input = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) input[i] = ids.get(tokens[i]) ?? -2 - i;
    const joiner = new PhraseJoiner(compiled);
    const first = joiner.push(input).slice();
    const rest = joiner.end();
    return [...first, ...rest].map((id) => (id >= 0 ? words[id] : tokens[-2 - id]));
  }

  /**
   * The phrases over an id space: `idOf` gives (adding it if need be) the id
   * of each connector word, phrase part and phrase; `idLimit()` is one past
   * the largest id given so far.
   */
  compile(idOf: (word: string) => number, idLimit: () => number): CompiledPhrases {
    const connectorIds = this.settings.connectorWords.map(idOf);
    const layerParts = this.layers.map((layer) =>
      layer.map((p) => ({ parts: Int32Array.from(p.parts, idOf), id: idOf(p.phrase) })),
    );
    const limit = idLimit();
    const connectors = new Uint8Array(limit);
    for (const id of connectorIds) connectors[id] = 1;
    return { layers: layerParts.map((l) => buildLayer(l, limit)), connectors };
  }

  private compileOnMap(): {
    compiled: CompiledPhrases;
    ids: Map<string, number>;
    words: string[];
  } {
    const ids = new Map<string, number>();
    const words: string[] = [];
    const idOf = (word: string): number => {
      let id = ids.get(word);
      if (id === undefined) {
        ids.set(word, (id = words.length));
        words.push(word);
      }
      return id;
    };
    return { compiled: this.compile(idOf, () => words.length), ids, words };
  }
}
