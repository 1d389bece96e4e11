import { readFileSync } from 'node:fs';

/** Exports of assembly/tokenizer.ts; pointers are byte offsets into the module's own memory. */
interface TokenizerExports {
  memory: WebAssembly.Memory;
  setup(table: number, slots: number, refs: number, counts: number, store: number, storeUsed: number, words: number, maxSentence: number, maxToken: number): void;
  scan(input: number, length: number, final: boolean, out: number, insert: boolean): number;
  rehash(table: number, slots: number): void;
  wordCount(): number;
  storeUsed(): number;
  lastConsumed(): number;
  lastTokens(): number;
}

/** Longest token kept whole, in bytes; longer runs of non-space are cut (word2vec.c cuts at 100). */
export const MAX_TOKEN_BYTES = 1000;
/** Bytes tokenized per call: bounds how many new words one call can add, and so the room kept free. */
const PIECE = 1 << 18;
const PAGE = 65536;
/** Bytes per hash-table slot: the word's hash and its id + 1. */
const SLOT = 8;

const WASM_URL = new URL('../../../build/tokenizer.wasm', import.meta.url);
let compiled: WebAssembly.Module | undefined;

function tokenizerModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(new Uint8Array(readFileSync(WASM_URL)));
  return compiled;
}

/** A region of the tokenizer's memory that can be moved to a larger place. */
interface Region {
  at: number;
  bytes: number;
}

/**
 * Splits raw corpus bytes into word ids (with SENTENCE_END after each line,
 * and after every `maxSentenceLength` tokens) in WebAssembly, keeping the
 * words as bytes in a hash table: no string per token. In counting mode it
 * adds new words and counts every token; in lookup mode (a table filled with
 * `add`) unknown words are dropped.
 */
export class Tokenizer {
  private readonly wasm: TokenizerExports;
  private top = 1024; // next free byte; offset 0 is never used
  private table: Region;
  private refs: Region;
  private countsRegion: Region;
  private store: Region;
  private readonly input: Region;
  private readonly out: Region;
  private decoded = 0; // words already handed out as strings
  private readonly decoder = new TextDecoder('utf-8');
  private carry = new Uint8Array(0);

  constructor(private readonly maxSentenceLength: number) {
    this.wasm = new WebAssembly.Instance(tokenizerModule()).exports as unknown as TokenizerExports;
    this.input = this.take(PIECE + MAX_TOKEN_BYTES + 16);
    this.out = this.take((PIECE + MAX_TOKEN_BYTES + 16) * 4);
    this.table = this.take((1 << 16) * SLOT);
    this.refs = this.take(1 << 16);
    this.countsRegion = this.take(1 << 16);
    this.store = this.take(1 << 16);
    this.wasm.setup(this.table.at, this.table.bytes / SLOT, this.refs.at, this.countsRegion.at, this.store.at, 0, 0, maxSentenceLength, MAX_TOKEN_BYTES);
  }

  get size(): number {
    return this.wasm.wordCount();
  }

  /** Words added since the last call, decoded (invalid UTF-8 becomes U+FFFD). */
  newWords(): string[] {
    const total = this.size;
    const heap = new Uint8Array(this.wasm.memory.buffer);
    const refs = new Uint32Array(this.wasm.memory.buffer, this.refs.at, total * 2);
    const words: string[] = [];
    for (let id = this.decoded; id < total; id++) {
      const start = this.store.at + refs[2 * id];
      words.push(this.decoder.decode(heap.subarray(start, start + refs[2 * id + 1])));
    }
    this.decoded = total;
    return words;
  }

  /** Each word's count so far, by id (a copy). */
  counts(): Float64Array {
    return new Float64Array(this.wasm.memory.buffer, this.countsRegion.at, this.size).slice();
  }

  /** Adds a word for lookup mode; words get ids in the order they are added. */
  add(word: string): void {
    const bytes = Buffer.from(word, 'utf8');
    this.reserve(bytes.length + 1);
    new Uint8Array(this.wasm.memory.buffer).set(bytes, this.input.at);
    this.wasm.scan(this.input.at, bytes.length, true, this.out.at, true);
  }

  /**
   * Tokenizes the next bytes of a file; `final` at the end of the file. Calls
   * `onIds` with each run of ids (a view, valid only during the call) and the
   * number of tokens read for it.
   */
  push(bytes: Uint8Array, final: boolean, insert: boolean, onIds: (ids: Int32Array, tokens: number) => void): void {
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
      new Uint8Array(this.wasm.memory.buffer).set(piece, this.input.at);
      const written = this.wasm.scan(this.input.at, piece.length, final && last, this.out.at, insert);
      if (written > 0) onIds(new Int32Array(this.wasm.memory.buffer, this.out.at, written), this.wasm.lastTokens());
      // A piece that is not the last is cut before its trailing token, which the next piece starts with.
      offset += this.wasm.lastConsumed();
      if (last) break;
    }
    this.carry = data.slice(offset);
    if (final) this.carry = new Uint8Array(0);
  }

  /** Makes room for every word `length` more bytes could add. */
  private reserve(length: number): void {
    const words = this.size + Math.ceil(length / 2) + 1;
    if (this.refs.bytes < words * 8) {
      this.refs = this.relocate(this.refs, words * 8);
      this.countsRegion = this.relocate(this.countsRegion, words * 8);
    }
    const used = this.wasm.storeUsed();
    if (this.store.bytes < used + length) this.store = this.relocate(this.store, used + length);
    this.wasm.setup(this.table.at, this.table.bytes / SLOT, this.refs.at, this.countsRegion.at, this.store.at, used, this.size, this.maxSentenceLength, MAX_TOKEN_BYTES);
    // Keep the table at most half full, so probes stay short.
    let slots = this.table.bytes / SLOT;
    if (slots >= 2 * words) return;
    while (slots < 2 * words) slots *= 2;
    this.table = this.take(slots * SLOT);
    this.wasm.rehash(this.table.at, slots);
  }

  private take(bytes: number): Region {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 16) * 16;
    const needed = Math.ceil(this.top / PAGE) - this.wasm.memory.buffer.byteLength / PAGE;
    if (needed > 0) this.wasm.memory.grow(needed);
    return { at, bytes };
  }

  /** Moves a region to a new place at least twice as large. */
  private relocate(region: Region, bytes: number): Region {
    const next = this.take(Math.max(bytes, region.bytes * 2));
    new Uint8Array(this.wasm.memory.buffer).copyWithin(next.at, region.at, region.at + region.bytes);
    return next;
  }
}
