import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';

/** Exports of assembly/tokenizer.ts; pointers are byte offsets into the module's own memory. */
interface TokenizerExports {
  memory: WebAssembly.Memory;
  setup(
    table: number,
    slots: number,
    refs: number,
    counts: number,
    store: number,
    storeUsed: number,
    words: number,
    maxSentence: number,
    maxToken: number,
  ): void;
  scan(input: number, length: number, final: boolean, out: number, insert: boolean): number;
  rehash(table: number, slots: number): void;
  keepAbove(threshold: number): number;
  wordCount(): number;
  storeUsed(): number;
  lastConsumed(): number;
  lastTokens(): number;
  lastDroppedOccurrences(): number;
}

/**
 * Longest token kept whole, in bytes (word2vec.c cuts at 100). A longer run
 * of non-space is one token, its first bytes up to a character boundary;
 * the rest of it is skipped, however many reads it spans.
 */
const MAX_TOKEN_BYTES = 1000;
/** Bytes tokenized per call: bounds how many new words one call can add, and so the room kept free. */
const PIECE = 1 << 18;
const PAGE = 65536;
/** Bytes per hash-table slot: the word's hash and its id + 1. */
const SLOT = 8;
/** Bytes per word of refs (offset and length) and of counts (f64); the table has two slots per word it can hold. */
const REF = 8;
const COUNT = 8;
/** The most a 32-bit WebAssembly memory can hold. */
const MAX_WASM_BYTES = 2 ** 32;
/**
 * What a word costs on the JavaScript side once counting is done, at most:
 * the decoded string's header and rounding (24 bytes on 64-bit V8), its slot
 * in the words array (8), its count in the copy counts() makes (8) and its
 * entry in a renumbering map (4); plus up to 2 bytes per UTF-8 byte of text
 * (a string with one non-Latin-1 character is stored as UTF-16).
 */
const JS_BYTES_PER_WORD = 48;
const JS_BYTES_PER_TEXT_BYTE = 2;

/** What pruning rare words during counting did (see TokenizerOptions.maxBytes). */
export interface VocabPruning {
  /** Times rare words were pruned; 0 when the vocabulary fitted its memory budget. */
  prunes: number;
  /** The last prune dropped the words counted at most this many times so far; each prune raises it by one (0 without pruning). */
  threshold: number;
  /** Distinct words dropped, over all prunes. */
  wordsDropped: number;
  /** Occurrences of the dropped words counted before they were dropped: lost from the counts. */
  occurrencesDropped: number;
}

export interface TokenizerOptions {
  /**
   * Memory (bytes) counting may use: this module's memory, which holds the
   * table, the words' refs, counts and bytes, plus what the words will take
   * as strings and counts once decoded. When the next piece of text could
   * exceed it, words counted at most `threshold` times are dropped and the
   * threshold rises by one, as word2vec.c's ReduceVocab does; their counts
   * so far are lost. Default: no budget and no pruning.
   */
  maxBytes?: number;
  /** Called when words were dropped, with each old id's new id (-1 for a dropped word). */
  onRenumber?: (newIds: Int32Array) => void;
}

/** Where the growable regions are: [refs | counts | store | table], packed after the fixed buffers. */
interface Layout {
  refs: number;
  counts: number;
  store: number;
  table: number;
  end: number;
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

const WASM_URL = new URL('../../../build/tokenizer.wasm', import.meta.url);
let compiled: WebAssembly.Module | undefined;

function tokenizerModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(new Uint8Array(readFileSync(WASM_URL)));
  return compiled;
}

/**
 * Splits raw corpus bytes into word ids (with SENTENCE_END after each line,
 * and after every `maxSentenceLength` tokens) in WebAssembly, keeping the
 * words as bytes in a hash table: no string per token. In counting mode it
 * adds new words and counts every token; in lookup mode (a table filled with
 * `add`) unknown words are dropped.
 *
 * The growable regions sit packed one after another; growing one moves those
 * after it up, so the memory (which never shrinks) holds no dead copies and
 * its size is what the regions need. With a budget, it prunes rare words
 * instead of growing past it.
 */
export class Tokenizer {
  private readonly wasm: TokenizerExports;
  private readonly input: number;
  private readonly out: number;
  /** Where the growable regions start. */
  private readonly base: number;
  private slots = 1 << 16;
  private storeCapacity = 1 << 16;
  private readonly maxBytes: number;
  private readonly onRenumber: ((newIds: Int32Array) => void) | undefined;
  private pruned: VocabPruning = {
    prunes: 0,
    threshold: 0,
    wordsDropped: 0,
    occurrencesDropped: 0,
  };
  private readonly decoder = new TextDecoder('utf-8');
  private carry = new Uint8Array(0);

  constructor(
    private readonly maxSentenceLength: number,
    options: TokenizerOptions = {},
  ) {
    this.wasm = new WebAssembly.Instance(tokenizerModule()).exports as unknown as TokenizerExports;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.onRenumber = options.onRenumber;
    this.input = 1024; // offset 0 is never used
    this.out = align16(this.input + PIECE + MAX_TOKEN_BYTES + 16);
    this.base = align16(this.out + (PIECE + MAX_TOKEN_BYTES + 16) * 4);
    const layout = this.layout(this.slots, this.storeCapacity);
    this.growMemory(layout.end);
    this.wasm.setup(
      layout.table,
      this.slots,
      layout.refs,
      layout.counts,
      layout.store,
      0,
      0,
      maxSentenceLength,
      MAX_TOKEN_BYTES,
    );
  }

  get size(): number {
    return this.wasm.wordCount();
  }

  /** Bytes of this tokenizer's WebAssembly memory (it never shrinks). */
  get memoryBytes(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  /** What pruning has done so far. */
  get pruning(): VocabPruning {
    return { ...this.pruned };
  }

  /**
   * Every word, by id, decoded. A word whose bytes are not UTF-8 is spelled
   * byte by byte as lone surrogates (byte b → U+DC00 + b): two such words
   * stay distinct, and the vocabulary can tell them from text (see
   * isTextWord) and leave them out.
   */
  words(): string[] {
    const total = this.size;
    const { refs, store } = this.layout(this.slots, this.storeCapacity);
    const heap = new Uint8Array(this.wasm.memory.buffer);
    const ref = new Uint32Array(this.wasm.memory.buffer, refs, total * 2);
    const words = new Array<string>(total);
    for (let id = 0; id < total; id++) {
      const start = store + ref[2 * id];
      const bytes = heap.subarray(start, start + ref[2 * id + 1]);
      words[id] = isUtf8(bytes)
        ? this.decoder.decode(bytes)
        : String.fromCharCode(...Array.from(bytes, (b) => 0xdc00 + b));
    }
    return words;
  }

  /** Each word's count so far, by id (a copy). */
  counts(): Float64Array {
    return this.countsView().slice();
  }

  /** Adds `delta[id]` to each word's count (phrases joined on the fly change what was counted). */
  adjustCounts(delta: Float64Array): void {
    const counts = this.countsView();
    for (let id = 0; id < Math.min(counts.length, delta.length); id++) counts[id] += delta[id];
  }

  /** Adds a word (as text, or its bytes) for lookup mode; words get ids in the order they are added. */
  add(word: string | Uint8Array): void {
    const bytes = typeof word === 'string' ? Buffer.from(word, 'utf8') : word;
    this.reserve(bytes.length + 1);
    new Uint8Array(this.wasm.memory.buffer).set(bytes, this.input);
    this.wasm.scan(this.input, bytes.length, true, this.out, true);
  }

  /**
   * Drops the words counted at most `threshold` times, keeping the others in
   * their order with new ids (onRenumber hears of it). Returns how many
   * occurrences the dropped words had.
   */
  dropRare(threshold: number): number {
    let newIds: Int32Array | undefined;
    if (this.onRenumber) {
      const counts = this.countsView();
      newIds = new Int32Array(counts.length);
      let next = 0;
      for (let id = 0; id < counts.length; id++) newIds[id] = counts[id] > threshold ? next++ : -1;
    }
    this.wasm.keepAbove(threshold);
    if (newIds) this.onRenumber?.(newIds);
    return this.wasm.lastDroppedOccurrences();
  }

  /**
   * Tokenizes the next bytes of a file; `final` at the end of the file. Calls
   * `onIds` with each run of ids (a view, valid only during the call) and the
   * number of tokens read for it.
   */
  push(
    bytes: Uint8Array,
    final: boolean,
    insert: boolean,
    onIds: (ids: Int32Array, tokens: number) => void,
  ): void {
    let data = bytes;
    if (this.carry.length > 0) {
      data = new Uint8Array(this.carry.length + bytes.length);
      data.set(this.carry);
      data.set(bytes, this.carry.length);
    }
    let offset = 0;
    for (;;) {
      const piece = data.subarray(offset, offset + PIECE);
      const last = offset + piece.length >= data.length;
      this.reserve(piece.length);
      new Uint8Array(this.wasm.memory.buffer).set(piece, this.input);
      const written = this.wasm.scan(this.input, piece.length, final && last, this.out, insert);
      // Tokens of unknown words write no id but are still read.
      if (written > 0 || this.wasm.lastTokens() > 0)
        onIds(new Int32Array(this.wasm.memory.buffer, this.out, written), this.wasm.lastTokens());
      // A piece that is not the last is cut before its trailing token, which the next piece starts with.
      offset += this.wasm.lastConsumed();
      if (last) break;
    }
    this.carry = final ? new Uint8Array(0) : data.slice(offset);
  }

  private countsView(): Float64Array {
    return new Float64Array(
      this.wasm.memory.buffer,
      this.layout(this.slots, this.storeCapacity).counts,
      this.size,
    );
  }

  private layout(slots: number, storeCapacity: number): Layout {
    const refs = this.base;
    const counts = refs + (slots / 2) * REF;
    const store = counts + (slots / 2) * COUNT;
    const table = align16(store + storeCapacity);
    return { refs, counts, store, table, end: table + slots * SLOT };
  }

  /**
   * Makes room for every word `length` more bytes could add: the table at
   * most half full, refs and counts for as many words as the table holds.
   * Regions double when they grow; under a budget, the store grows only as
   * far as the budget allows, and when the room still does not fit, rare
   * words are pruned until it does.
   */
  private reserve(length: number): void {
    for (;;) {
      const words = this.size + Math.ceil(length / 2) + 1;
      const bytes = this.wasm.storeUsed() + length;
      let slots = this.slots;
      while (slots < 2 * words) slots *= 2;
      let storeCapacity = this.storeCapacity;
      if (storeCapacity < bytes) {
        const limit = Math.floor(this.wasmRoom(words, bytes) / PAGE) * PAGE;
        const most = Math.floor((limit - this.layout(slots, 0).end) / 16) * 16;
        storeCapacity = Math.max(bytes, Math.min(2 * storeCapacity, most));
      }
      if (this.fits(slots, storeCapacity, words, bytes)) {
        this.grow(slots, storeCapacity);
        return;
      }
      if (this.size === 0) {
        throw new RangeError(
          `counting needs more than ${Math.round(this.maxBytes / 2 ** 20)} MiB for its buffers`,
        );
      }
      this.prune();
    }
  }

  /** Bytes this module's memory may take when the words will number at most `words` with `bytes` of text. */
  private wasmRoom(words: number, bytes: number): number {
    return Math.min(
      MAX_WASM_BYTES,
      this.maxBytes - words * JS_BYTES_PER_WORD - bytes * JS_BYTES_PER_TEXT_BYTE,
    );
  }

  private fits(slots: number, storeCapacity: number, words: number, bytes: number): boolean {
    if (this.maxBytes === Infinity) return true;
    const wasm = Math.max(
      this.memoryBytes,
      Math.ceil(this.layout(slots, storeCapacity).end / PAGE) * PAGE,
    );
    return wasm <= this.wasmRoom(words, bytes);
  }

  /** Drops the rarest words, as word2vec.c's ReduceVocab: those counted at most 1 time, then 2, and so on. */
  private prune(): void {
    const threshold = this.pruned.threshold + 1;
    const before = this.size;
    const occurrences = this.dropRare(threshold);
    this.pruned = {
      prunes: this.pruned.prunes + 1,
      threshold,
      wordsDropped: this.pruned.wordsDropped + before - this.size,
      occurrencesDropped: this.pruned.occurrencesDropped + occurrences,
    };
  }

  /** Moves the regions to a layout with (at least) these capacities; a larger table is rebuilt rather than moved. */
  private grow(slots: number, storeCapacity: number): void {
    const words = this.size;
    const used = this.wasm.storeUsed();
    if (slots !== this.slots || storeCapacity !== this.storeCapacity) {
      const from = this.layout(this.slots, this.storeCapacity);
      const to = this.layout(slots, storeCapacity);
      this.growMemory(to.end);
      // Every region moves up (or stays); moving the last one first never overwrites one not yet moved.
      const heap = new Uint8Array(this.wasm.memory.buffer);
      if (slots === this.slots) heap.copyWithin(to.table, from.table, from.table + slots * SLOT);
      heap.copyWithin(to.store, from.store, from.store + used);
      heap.copyWithin(to.counts, from.counts, from.counts + words * COUNT);
      const rebuild = slots !== this.slots;
      this.slots = slots;
      this.storeCapacity = storeCapacity;
      this.wasm.setup(
        to.table,
        slots,
        to.refs,
        to.counts,
        to.store,
        used,
        words,
        this.maxSentenceLength,
        MAX_TOKEN_BYTES,
      );
      if (rebuild) this.wasm.rehash(to.table, slots);
    }
  }

  private growMemory(bytes: number): void {
    const needed = Math.ceil(bytes / PAGE) - this.wasm.memory.buffer.byteLength / PAGE;
    if (needed > 0) this.wasm.memory.grow(needed);
  }
}
