// Phrases compiled onto word ids, and their greedy left-to-right joining as
// gensim's FrozenPhrases.analyze_sentence does it (word2phrase.c joins the
// same way: a pair is joined when it is a phrase and its first word was not
// just joined to the word before it).
import { GramTable } from './gram-table.js';
import { hashPair, PairTable } from './pair-table.js';

/** Ends a sentence in an id stream, as in the encoded corpus. */
export const SENTENCE_END = -1;
const NONE = -1;

/** One pass's phrases over an id space: each phrase's parts (first word, connectors, last word) → the phrase's own id. */
export interface PhraseLayer {
  /** Phrases of two words, and (`table`) those with connector words inside; values are phrase ids. */
  pairs: PairTable;
  table: GramTable;
  /** Ids that start some phrase of this layer (1), by id. */
  starts: Uint8Array;
  /**
   * One bit per hash of a pair (its low bits), set for each two-word phrase:
   * most words that start a phrase are followed by a word that does not end
   * one, and the filter, small enough to stay in cache, says so without a
   * probe of the table.
   */
  filter: Uint32Array;
  filterMask: number;
  /** The most connector words any phrase of this layer holds. */
  maxInside: number;
}

/** Phrases over an id space, one layer a pass, with the connector words' flags (1 by id). */
export interface CompiledPhrases {
  layers: PhraseLayer[];
  connectors: Uint8Array;
}

/** Builds a layer from its phrases' part ids and phrase ids; `idLimit` bounds every id. */
export function buildLayer(
  phrases: ReadonlyArray<{ parts: Int32Array; id: number }>,
  idLimit: number,
): PhraseLayer {
  const table = new GramTable();
  const pairs = new PairTable(phrases.length);
  const starts = new Uint8Array(idLimit);
  // About 32 bits a phrase: few words that are no phrase's end pass it.
  let bits = 1 << 15;
  while (bits < 32 * phrases.length) bits *= 2;
  const filter = new Uint32Array(bits >>> 5);
  const filterMask = bits - 1;
  let maxInside = 0;
  for (const { parts, id } of phrases) {
    if (parts.length === 2) {
      pairs.add(parts[0], parts[1], id);
      const bit = hashPair(parts[0], parts[1]) & filterMask;
      filter[bit >>> 5] |= 1 << (bit & 31);
    } else table.setValue(table.add(parts, 0, parts.length), id);
    starts[parts[0]] = 1;
    maxInside = Math.max(maxInside, parts.length - 2);
  }
  return { pairs, table, starts, filter, filterMask, maxInside };
}

/** What joining changes in each word's count: each phrase joined counts once, and its parts once less. */
export class CountChanges {
  delta = new Float64Array(1024);

  add(id: number, by: number): void {
    if (id < 0) return;
    if (id >= this.delta.length) {
      const grown = new Float64Array(Math.max(2 * this.delta.length, id + 1));
      grown.set(this.delta);
      this.delta = grown;
    }
    this.delta[id] += by;
  }

  joined(phrase: number, first: number, last: number): void {
    this.add(phrase, 1);
    this.add(first, -1);
    this.add(last, -1);
  }
}

/**
 * Joins one layer's phrases in a stream of ids that may arrive in pieces
 * (a sentence may span them): `push` returns the ids decided so far, `end`
 * the rest. Negative ids other than SENTENCE_END are words no phrase holds.
 */
export class LayerJoiner {
  private start = NONE;
  private inside: Int32Array;
  private insideCount = 0;
  private key: Int32Array;
  private out = new Int32Array(1 << 16);
  /** Phrases joined so far. */
  joins = 0;

  constructor(
    private readonly layer: PhraseLayer,
    private readonly connectors: Uint8Array,
    private readonly changes?: CountChanges,
  ) {
    this.inside = new Int32Array(Math.max(1, layer.maxInside));
    this.key = new Int32Array(layer.maxInside + 2);
  }

  push(ids: Int32Array): Int32Array {
    if (this.out.length < ids.length + this.layer.maxInside + 2)
      this.out = new Int32Array(2 * (ids.length + this.layer.maxInside + 2));
    const { starts, pairs, table, maxInside, filter, filterMask } = this.layer;
    const connectors = this.connectors;
    const out = this.out;
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const x = ids[i];
      if (x === SENTENCE_END) {
        n = this.flushInto(n);
        out[n++] = x;
        continue;
      }
      if (x >= 0 && connectors[x] === 1) {
        if (this.start === NONE) out[n++] = x;
        else if (this.insideCount < maxInside) this.inside[this.insideCount++] = x;
        else {
          // Longer than any phrase's inside: this candidate cannot be one.
          n = this.flushInto(n);
          out[n++] = x;
        }
        continue;
      }
      if (this.start !== NONE && this.insideCount === 0) {
        const bit = hashPair(this.start, x) & filterMask;
        const slot = (filter[bit >>> 5] & (1 << (bit & 31))) === 0 ? -1 : pairs.find(this.start, x);
        if (slot >= 0) {
          const phrase = pairs.value(slot);
          out[n++] = phrase;
          this.changes?.joined(phrase, this.start, x);
          this.start = NONE;
          this.joins++;
          continue;
        }
        n = this.flushInto(n);
      } else if (this.start !== NONE) {
        const key = this.key;
        key[0] = this.start;
        for (let k = 0; k < this.insideCount; k++) key[k + 1] = this.inside[k];
        key[this.insideCount + 1] = x;
        const entry = table.find(key, 0, this.insideCount + 2);
        if (entry >= 0) {
          const phrase = table.value(entry);
          out[n++] = phrase;
          if (this.changes) {
            this.changes.joined(phrase, this.start, x);
            for (let k = 0; k < this.insideCount; k++) this.changes.add(this.inside[k], -1);
          }
          this.start = NONE;
          this.insideCount = 0;
          this.joins++;
          continue;
        }
        n = this.flushInto(n);
      }
      if (x >= 0 && starts[x] === 1) this.start = x;
      else out[n++] = x;
    }
    return out.subarray(0, n);
  }

  /** A joiner over a renumbered layer, holding what this one holds (its ids through `map`). */
  renumbered(layer: PhraseLayer, connectors: Uint8Array, map: (id: number) => number): LayerJoiner {
    const next = new LayerJoiner(layer, connectors, this.changes);
    next.start = this.start === NONE ? NONE : map(this.start);
    next.insideCount = this.insideCount;
    for (let k = 0; k < this.insideCount; k++) next.inside[k] = map(this.inside[k]);
    next.joins = this.joins;
    return next;
  }

  /** The ids still held (a candidate not yet decided), at the end of the stream. */
  end(): Int32Array {
    const n = this.flushInto(0);
    return this.out.subarray(0, n);
  }

  private flushInto(n: number): number {
    if (this.start === NONE) return n;
    this.out[n++] = this.start;
    for (let k = 0; k < this.insideCount; k++) this.out[n++] = this.inside[k];
    this.start = NONE;
    this.insideCount = 0;
    return n;
  }
}

/** Every layer's joiner, in order: each pass joins on the previous one's output. */
export class PhraseJoiner {
  private readonly joiners: LayerJoiner[];

  constructor(compiled: CompiledPhrases, joiners?: LayerJoiner[], changes?: CountChanges) {
    this.joiners =
      joiners ??
      compiled.layers.map((layer) => new LayerJoiner(layer, compiled.connectors, changes));
  }

  /** This joiner over renumbered layers, holding the same ids (through `map`). */
  renumbered(compiled: CompiledPhrases, map: (id: number) => number): PhraseJoiner {
    return new PhraseJoiner(
      compiled,
      this.joiners.map((j, i) => j.renumbered(compiled.layers[i], compiled.connectors, map)),
    );
  }

  get joins(): number {
    return this.joiners.reduce((sum, j) => sum + j.joins, 0);
  }

  push(ids: Int32Array): Int32Array {
    let run = ids;
    for (const joiner of this.joiners) run = joiner.push(run);
    return run;
  }

  /**
   * The last run of a stream through every layer, with what each held back,
   * as word2phrase.c passes see the end of a file that does not end with a
   * line end: `dropFirst` drops the run's last word before the first layer
   * (the text ends inside it), `dropLater` the last word before each later
   * layer (each earlier pass wrote the file without a final line end).
   */
  finish(run: Int32Array, dropFirst: boolean, dropLater: boolean): Int32Array {
    let current = dropFirst ? withoutLastWord(run) : run;
    this.joiners.forEach((joiner, i) => {
      if (i > 0 && dropLater) current = withoutLastWord(current);
      const pushed = joiner.push(current).slice();
      const rest = joiner.end();
      current = new Int32Array(pushed.length + rest.length);
      current.set(pushed);
      current.set(rest, pushed.length);
    });
    return current;
  }

  /** The ids held back at the end of the stream, through the later layers. */
  end(): Int32Array {
    let held = new Int32Array(0);
    for (const joiner of this.joiners) {
      const pushed = joiner.push(held).slice(); // end() reuses the joiner's buffer
      const rest = joiner.end();
      const all = new Int32Array(pushed.length + rest.length);
      all.set(pushed);
      all.set(rest, pushed.length);
      held = all;
    }
    return held;
  }
}

/** A run without its last word (a SENTENCE_END after it stays). */
export function withoutLastWord(run: Int32Array): Int32Array {
  const end = run.length > 0 && run[run.length - 1] === SENTENCE_END ? run.length - 1 : run.length;
  if (end === 0) return run;
  const out = run.slice(0, run.length - 1);
  if (end < run.length) out[end - 1] = SENTENCE_END;
  return out;
}
