// Phrases joined on the fly in the tokenizer's word ids, while a training
// run counts its corpus and reads it each epoch: no phrased copy of the
// corpus is written. The ids of the phrases and their words are added to the
// tokenizer first, and each word's count becomes its count in the joined
// text.
import {
  buildLayer,
  CountChanges,
  PhraseJoiner,
  SENTENCE_END,
  type CompiledPhrases,
} from './phrase-layers.js';
import type { PhraseModel } from './phrase-model.js';

/** A word no vocabulary holds (as the encoded corpus's PRUNED_WORD). */
const DROPPED = -2;

/** What of a tokenizer the joiner uses: adding a word (its id is the next one). */
export interface WordTable {
  add(word: string): void;
  readonly size: number;
}

export class CorpusPhraseJoiner {
  private compiled: CompiledPhrases;
  private joiner: PhraseJoiner;
  /** What joining changed in each word's count (and the one each added word got from being added). */
  private changes = new CountChanges();

  /**
   * `known`: the words the table already holds, by id (those of the
   * vocabulary, for a pass that reads the corpus again); others are added.
   */
  constructor(model: PhraseModel, table: WordTable, known: readonly string[] = []) {
    const ids = new Map<string, number>();
    known.forEach((word, id) => ids.set(word, id));
    const idOf = (word: string): number => {
      let id = ids.get(word);
      if (id === undefined) {
        table.add(word);
        id = table.size - 1;
        ids.set(word, id);
        this.changes.add(id, -1); // add() counted it once
      }
      return id;
    };
    this.compiled = model.compile(idOf, () => table.size);
    this.joiner = new PhraseJoiner(this.compiled, undefined, this.changes);
  }

  /** Phrases joined so far. */
  get joins(): number {
    return this.joiner.joins;
  }

  /** What joining changed in each word's count, by id. */
  get delta(): Float64Array {
    return this.changes.delta;
  }

  /** Joins the phrases in a run of ids (a sentence may go on in the next run), tallying the counts' changes. */
  push(run: Int32Array): Int32Array {
    return this.joiner.push(run);
  }

  /** What is held back at the end of the stream. */
  end(): Int32Array {
    return this.joiner.end();
  }

  /** The tokenizer renumbered its words (dropping some): so do the phrases, the held ids and the counts' changes. */
  renumber(newIds: Int32Array): void {
    const map = (id: number): number =>
      id >= 0 && id < newIds.length ? (newIds[id] >= 0 ? newIds[id] : DROPPED) : id;
    const old = this.changes.delta;
    const delta = new Float64Array(old.length);
    for (let id = 0; id < Math.min(newIds.length, old.length); id++)
      if (newIds[id] >= 0) delta[newIds[id]] = old[id];
    this.changes.delta = delta;
    const limit = newIds.length;
    const layers = this.compiled.layers.map((layer) => {
      const phrases: { parts: Int32Array; id: number }[] = [];
      for (const slot of layer.pairs.slotList()) {
        const parts = Int32Array.of(map(layer.pairs.first(slot)), map(layer.pairs.second(slot)));
        const id = map(layer.pairs.value(slot));
        if (parts[0] >= 0 && parts[1] >= 0) phrases.push({ parts, id: id >= 0 ? id : DROPPED });
      }
      for (let e = 0; e < layer.table.size; e++) {
        const parts = layer.table.key(e).map(map);
        const id = map(layer.table.value(e));
        if (parts.every((p) => p >= 0)) phrases.push({ parts, id: id >= 0 ? id : DROPPED });
      }
      return buildLayer(phrases, limit);
    });
    const connectors = new Uint8Array(limit);
    this.compiled.connectors.forEach((flag, id) => {
      if (flag === 1 && id < newIds.length && newIds[id] >= 0) connectors[newIds[id]] = 1;
    });
    this.compiled = { layers, connectors };
    this.joiner = this.joiner.renumbered(this.compiled, map);
  }
}

export { SENTENCE_END };
