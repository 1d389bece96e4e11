import type { WordCounts } from '../vocab/vocabulary.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import { ChunkBuilder, PRUNED_WORD, SENTENCE_END, type Chunk } from './chunk-builder.js';
import { CorpusIdHash } from './corpus-hash.js';
import { CorpusChangedError, corpusBuffers, type CorpusBuffer, type FileStamp } from './reader.js';
import { escapedBytes, unescapeWord } from './sentence-source.js';
import type { SpillFile } from './spill-file.js';
import { Tokenizer, type VocabPruning } from './tokenizer.js';
import { CorpusPhraseJoiner } from '../phrases/corpus-joiner.js';
import type { PhraseModel } from '../phrases/phrase-model.js';

export { chunkCapacity, PRUNED_WORD, SENTENCE_END, type Chunk } from './chunk-builder.js';

const BLOCK = 1 << 20;

/** A growable list of int32 blocks, so a long corpus never needs one huge reallocation. */
class IntBlocks {
  blocks: Int32Array[] = [];
  private current = new Int32Array(BLOCK);
  private used = 0;
  length = 0;

  pushAll(values: Int32Array): void {
    let from = 0;
    while (from < values.length) {
      if (this.used === BLOCK) {
        this.blocks.push(this.current);
        this.current = new Int32Array(BLOCK);
        this.used = 0;
      }
      const n = Math.min(values.length - from, BLOCK - this.used);
      this.current.set(values.subarray(from, from + n), this.used);
      this.used += n;
      this.length += n;
      from += n;
    }
  }

  /** Rewrites every word id through `newIds` (the tokenizer renumbered its words); dropped words become PRUNED_WORD. */
  renumber(newIds: Int32Array): void {
    for (const block of [...this.blocks, this.current.subarray(0, this.used)]) {
      for (let i = 0; i < block.length; i++) {
        const id = block[i];
        if (id >= 0) block[i] = newIds[id] >= 0 ? newIds[id] : PRUNED_WORD;
      }
    }
  }

  /** Every block, the last one trimmed. */
  finish(): Int32Array[] {
    return [...this.blocks, this.current.subarray(0, this.used)];
  }

  /** Takes the full blocks out, keeping the one being filled. */
  takeFull(): Int32Array[] {
    const full = this.blocks;
    this.blocks = [];
    return full;
  }
}

/** A corpus file as the counting pass found it, and the tokens it read from it: what a pass that reads it again must find. */
export interface CountedFile extends FileStamp {
  tokens: number;
}

export interface CorpusScan extends WordCounts {
  /** Tokens read, including those that will fall below min-count. */
  tokens: number;
  /** Each file given, in order. */
  files: CountedFile[];
  /** The corpus as word ids (indices into `words`; PRUNED_WORD for words dropped while counting), kept while it fits the cache budget. */
  cached?: Int32Array[];
  /** The same, written to a file when it did not fit the cache budget and the corpus cannot be read again. */
  spill?: SpillFile;
  /** A hash of the corpus's word ids as counted (16 hexadecimal digits): with the tokens, what tells this text from other text. */
  hash: string;
  /** What keeping counting within its memory budget dropped. */
  pruning: VocabPruning;
  /** Bytes of the tokenizer's memory at the end of counting: its table, refs, counts and word bytes, and its buffers. */
  tokenizerBytes: number;
}

export interface ScanOptions {
  /** Memory (bytes) counting may use; rarer words are pruned to stay within it (see TokenizerOptions.maxBytes). Default: no budget. */
  maxVocabBytes?: number;
  /**
   * Only words counted at least this often are returned (default 1: all).
   * The others are dropped before the words are decoded, so they never
   * become strings; if no word is that frequent, the most frequent ones are
   * returned, so the caller can say so.
   */
  minCount?: number;
  /** Called after each buffer with the tokens read so far. */
  onTokens?: (tokens: number) => void;
  /** Hears of a file given twice and of one that changed while it was read. */
  onWarning?: (message: string) => void;
  /**
   * For a corpus that cannot be read again: where the word ids go when they
   * outgrow `cacheEntries` (created when first needed), so that no epoch
   * needs to read the corpus again.
   */
  spill?: () => Promise<SpillFile>;
  /** The buffers' tokens had their white space escaped (sentences given as token arrays; see sentence-source.ts). */
  escaped?: boolean;
  /** Phrases to join on the fly: the counts and the cache are those of the joined text. */
  phrases?: PhraseModel;
}

/**
 * The one pass that reads the corpus before training: counts every word and,
 * while the corpus fits `cacheEntries`, keeps it encoded so that epochs need
 * not read and tokenize the text again. When the words outgrow
 * `maxVocabBytes`, the rarest are pruned and the cache is renumbered to match.
 */
export async function scanCorpus(
  input: readonly string[] | AsyncIterable<CorpusBuffer>,
  maxSentenceLength: number,
  cacheEntries: number,
  options: ScanOptions = {},
): Promise<CorpusScan> {
  const buffers = Array.isArray(input)
    ? corpusBuffers(input, { onWarning: options.onWarning })
    : (input as AsyncIterable<CorpusBuffer>);
  let cache: IntBlocks | undefined =
    cacheEntries > 0 || options.spill ? new IntBlocks() : undefined;
  let spill: SpillFile | undefined;
  let joiner: CorpusPhraseJoiner | undefined;
  const tokenizer = new Tokenizer(maxSentenceLength, {
    maxBytes: options.maxVocabBytes,
    onRenumber: (newIds) => {
      cache?.renumber(newIds);
      spill?.renumber(newIds);
      joiner?.renumber(newIds);
    },
  });
  if (options.phrases) joiner = new CorpusPhraseJoiner(options.phrases, tokenizer);
  const hash = new CorpusIdHash();
  let tokens = 0;
  const files: CountedFile[] = [];
  let fileStart = 0; // tokens before the file being read
  try {
    for await (const { bytes, final, file } of buffers) {
      tokenizer.push(bytes, final, true, (ids, read) => {
        tokens += read;
        hash.add(ids);
        const joined = joiner ? joiner.push(ids) : ids; // counted even when nothing is cached
        cache?.pushAll(joined);
      });
      if (final && joiner) cache?.pushAll(joiner.end());
      if (cache && !spill && cache.length > cacheEntries) {
        if (options.spill) spill = await options.spill();
        else cache = undefined;
      }
      if (spill && cache) await spill.append(cache.takeFull());
      if (final) {
        files.push({ ...file, tokens: tokens - fileStart });
        fileStart = tokens;
      }
      options.onTokens?.(tokens);
    }
    if (spill && cache) {
      await spill.append(cache.finish());
      cache = undefined;
    }
  } catch (error) {
    await spill?.remove();
    throw error;
  }
  if (joiner) tokenizer.adjustCounts(joiner.delta);
  const minCount = options.minCount ?? 1;
  if (minCount > 1 && tokenizer.size > 0) {
    const top = tokenizer.counts().reduce((a, b) => Math.max(a, b), 0);
    tokenizer.dropRare(Math.min(minCount, top) - 1);
  }
  const words = tokenizer.words();
  return {
    words: options.escaped ? words.map(unescapeWord) : words,
    counts: tokenizer.counts(),
    tokens,
    files,
    cached: cache?.finish(),
    spill,
    hash: hash.digest(),
    pruning: tokenizer.pruning,
    tokenizerBytes: tokenizer.memoryBytes,
  };
}

/**
 * Rewrites a cached scan in final vocabulary indices, dropping words not in
 * the vocabulary and sentences left empty, as compact shared bytes (worker
 * threads read chunks of them without copies): each entry is id + 1 in
 * LEB128 varint code, so a 0 byte is exactly a sentence end and frequent
 * words (small ids) take one byte; about 1.5 bytes a word instead of 4. Each
 * int32 block is let go once it is encoded.
 */
export function encodeCached(blocks: Int32Array[], remap: Int32Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let scratch = new Uint8Array(0); // room for a block at 5 bytes an entry, the most a varint takes
  let open = false; // the current sentence has a word
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b];
    if (scratch.length < block.length * 5) scratch = new Uint8Array(block.length * 5);
    let at = 0;
    for (let i = 0; i < block.length; i++) {
      const id = block[i];
      if (id === SENTENCE_END) {
        if (open) scratch[at++] = 0;
        open = false;
      } else if (id >= 0 && remap[id] >= 0) {
        let v = remap[id] + 1;
        while (v >= 0x80) {
          scratch[at++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        scratch[at++] = v;
        open = true;
      }
    }
    const bytes = new Uint8Array(new SharedArrayBuffer(at));
    bytes.set(scratch.subarray(0, at));
    out.push(bytes);
    blocks[b] = new Int32Array(0);
  }
  return out;
}

/** Decodes varint-coded entries (see encodeCached) into `out` from index `at`; returns how many. */
export function decodeVarints(bytes: Uint8Array, out: Int32Array, at = 0): number {
  let n = 0;
  let value = 0;
  let scale = 1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    value += (byte & 0x7f) * scale;
    if (byte & 0x80) {
      scale *= 0x80;
      continue;
    }
    out[at + n++] = value - 1;
    value = 0;
    scale = 1;
  }
  return n;
}

/**
 * Cuts a varint-coded corpus into chunks of whole sentences of about `target`
 * entries: views of the blocks, or for a chunk that spans two blocks, a copy.
 */
export function* chunksOf(blocks: Uint8Array[], target: number): Generator<Chunk> {
  let pieces: Uint8Array[] = []; // of the chunk being gathered, from earlier blocks
  let gathered = 0;
  let entries = 0;
  let words = 0;
  const chunk = (last: Uint8Array): Chunk => {
    if (pieces.length === 0) return { ids: last, words };
    const ids = new Uint8Array(new SharedArrayBuffer(gathered + last.length));
    let at = 0;
    for (const piece of [...pieces, last]) {
      ids.set(piece, at);
      at += piece.length;
    }
    return { ids, words };
  };
  for (const block of blocks) {
    let start = 0;
    for (let i = 0; i < block.length; i++) {
      const byte = block[i];
      if (byte & 0x80) continue; // inside a varint
      entries++;
      if (byte !== 0) {
        words++;
      } else if (entries >= target) {
        yield chunk(block.subarray(start, i + 1));
        start = i + 1;
        pieces = [];
        gathered = 0;
        entries = 0;
        words = 0;
      }
    }
    if (start < block.length) {
      pieces.push(block.subarray(start));
      gathered += block.length - start;
    }
  }
  if (gathered > 0) yield chunk(new Uint8Array(0));
}

/** What a later pass reads: its buffers, what the counting pass found, and how a difference is told. */
export interface PassAgain {
  buffers: AsyncIterable<CorpusBuffer>;
  counted: readonly CountedFile[];
  /** The buffers' tokens had their white space escaped (see sentence-source.ts). */
  escaped: boolean;
  /** The error for a pass that does not read what was counted (default: a CorpusChangedError). */
  changed?: (counted: CountedFile, change: string) => Error;
}

/**
 * Reads the corpus again and encodes it on the fly, for corpora too large to
 * cache. A file that is no longer as it was counted (see CorpusReadOptions),
 * or that holds another number of tokens, stops the pass with a
 * CorpusChangedError before the chunk that would end the file.
 */
export async function* streamChunks(
  again: readonly CountedFile[] | PassAgain,
  vocab: Vocabulary,
  maxSentenceLength: number,
  target: number,
  phrases?: PhraseModel,
): AsyncGenerator<Chunk> {
  const pass: PassAgain = Array.isArray(again)
    ? {
        buffers: corpusBuffers(
          again.map((file: CountedFile) => file.path),
          { counted: again },
        ),
        counted: again,
        escaped: false,
      }
    : (again as PassAgain);
  const { counted: files, changed = (file, change) => new CorpusChangedError(file.path, change) } =
    pass;
  const tokenizer = new Tokenizer(maxSentenceLength);
  for (const word of vocab.words) tokenizer.add(pass.escaped ? escapedBytes(word) : word);
  const builder = new ChunkBuilder(target, maxSentenceLength);
  // Words of phrases that are not in the vocabulary get ids past it, and are dropped once joined.
  const joiner = phrases ? new CorpusPhraseJoiner(phrases, tokenizer, vocab.words) : undefined;
  const vocabSize = vocab.words.length;
  let fileTokens = 0;
  const append = (raw: Int32Array, tokens: number): void => {
    fileTokens += tokens;
    builder.add(joiner ? joiner.push(raw) : raw, vocabSize);
  };
  let index = 0; // of the file being read
  for await (const { bytes, final } of pass.buffers) {
    // With phrases every word needs an id, so that unknown words still part the words around them.
    tokenizer.push(bytes, final, joiner !== undefined, append);
    const counted = files[index];
    if (fileTokens > counted.tokens || (final && fileTokens !== counted.tokens)) {
      const count = (n: number): string => n.toLocaleString('en-US');
      const now = final ? count(fileTokens) : `over ${count(counted.tokens)}`;
      throw changed(counted, `${count(counted.tokens)} tokens when counted, ${now} now`);
    }
    if (final) {
      index++;
      fileTokens = 0;
    }
    yield* builder.ready.splice(0);
  }
  const last = builder.rest();
  if (last) yield last;
}
