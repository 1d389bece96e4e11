/**
 * Loading Facebook fastText `.bin` models (unsupervised, not quantized):
 * the words' vectors as fastText computes them, and the n-gram rows that
 * give vectors to any other word. The layout is in fasttext-bin-layout.ts.
 */
import { InputError } from '../errors.js';
import { quoteWord } from '../printable.js';
import { RowChunks } from '../subwords/row-chunks.js';
import { NgramMemory, type RowPlace } from '../subwords/ngram-memory.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { SubwordVectors } from '../subwords/subword-vectors.js';
import { END_OF_SENTENCE, ngramRowsInto } from '../subwords/ngrams.js';
import { loadingRows, RowShards, type LoadingRows } from '../vectors/row-shards.js';
import {
  ARGS_BYTES,
  FASTTEXT_MAGIC,
  FASTTEXT_VERSION,
  MODEL_SUPERVISED,
  plausibleArgs,
  readArgs,
  type FastTextArgs,
} from './fasttext-bin-layout.js';
import { checkLimit, readInputFile, type LoadProgressListener } from './input-file.js';
import { SequentialReader } from './sequential-reader.js';

export interface LoadFastTextOptions {
  /** Keep only the first `limit` words (the most frequent); every n-gram row is kept. */
  limit?: number;
  /** The words' vectors go into shards of this many rows (default: as many as one kernel memory holds); answers do not depend on it. */
  shardRows?: number;
  onProgress?: LoadProgressListener;
}

/** A fastText model's dictionary entries (words only; labels make it supervised). */
interface Dictionary {
  words: string[];
  /** The row of each word. */
  index: Map<string, number>;
  counts: Float64Array;
  /** Each word's bytes as `<word>` (its n-grams' delimiters included), one after another. */
  delimited: Uint8Array;
  /** Word `i`'s bytes in `delimited` are [starts[i], starts[i + 1]). */
  starts: Int32Array;
  tokens: number;
  /** Whether the n-gram rows were pruned (fasttext quantize -cutoff). */
  pruned: boolean;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes a word's bytes; bytes that are not UTF-8 become `\xNN` escapes, as gensim's loader does. */
function decodeWord(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    let word = '';
    for (let i = 0; i < bytes.length;) {
      let length = 1;
      let decoded: string | undefined;
      for (length = Math.min(4, bytes.length - i); length >= 1; length--) {
        try {
          decoded = decoder.decode(bytes.subarray(i, i + length));
          break;
        } catch {
          decoded = undefined;
        }
      }
      if (decoded === undefined) {
        word += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
        i++;
      } else {
        word += decoded;
        i += length;
      }
    }
    return word;
  }
}

async function readHeader(
  reader: SequentialReader,
  path: string,
): Promise<{ args: FastTextArgs; old: boolean }> {
  const head = await reader.bytes(8 + ARGS_BYTES - 8, 'the header');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getInt32(0, true);
  if (magic === FASTTEXT_MAGIC) {
    const version = view.getInt32(4, true);
    if (version > FASTTEXT_VERSION) {
      throw new InputError(
        `${path}: fastText format version ${version} is newer than the versions word2vec-ts reads (up to ${FASTTEXT_VERSION})`,
      );
    }
    const rest = await reader.bytes(8, 'the header');
    const full = new Uint8Array(8 + ARGS_BYTES);
    full.set(head);
    full.set(rest, head.length);
    return { args: readArgs(new DataView(full.buffer), 8, false), old: false };
  }
  const args = readArgs(view, 8, true);
  if (!plausibleArgs(args)) {
    throw new InputError(`${path}: not a fastText model (no fastText magic number at its start)`);
  }
  return { args, old: true };
}

function checkArgs(args: FastTextArgs, path: string): void {
  if (args.model === MODEL_SUPERVISED) {
    throw new InputError(
      `${path} is a supervised fastText model (a text classifier): it holds no word vectors to load; ` +
        `word2vec-ts loads unsupervised (skipgram or cbow) fastText models`,
    );
  }
  if (!(args.dim >= 1 && args.dim <= 100000)) {
    throw new InputError(`${path}: fastText header gives dim ${args.dim}, expected 1 to 100000`);
  }
  if (
    args.bucket < 0 ||
    (args.maxn > 0 && args.bucket < 1) ||
    args.maxn < 0 ||
    args.minn < 0 ||
    (args.maxn > 0 && (args.minn < 1 || args.minn > args.maxn))
  ) {
    throw new InputError(
      `${path}: fastText header gives minn ${args.minn}, maxn ${args.maxn}, bucket ${args.bucket}, which no model has`,
    );
  }
}

async function readDictionary(
  reader: SequentialReader,
  path: string,
  old: boolean,
): Promise<Dictionary> {
  const size = await reader.int32('the dictionary size');
  const nwords = await reader.int32('the dictionary size');
  const nlabels = await reader.int32('the dictionary size');
  const tokens = await reader.int64('the token count');
  if (nlabels > 0) {
    throw new InputError(
      `${path} is a supervised fastText model (a text classifier with ${nlabels} labels): ` +
        `word2vec-ts loads unsupervised (skipgram or cbow) fastText models`,
    );
  }
  if (size < 0 || nwords < 0 || size !== nwords + nlabels || size > reader.fileBytes / 10) {
    throw new InputError(
      `${path}: fastText dictionary gives ${size} entries and ${nwords} words, which cannot be`,
    );
  }
  const pruned = old ? -1 : await reader.int64('the pruned-index size', true);
  const entries = await readEntries(reader, size, path);
  for (let i = 0; i < pruned; i++) await reader.bytes(8, 'the pruned index');
  return { ...entries, tokens, pruned: pruned >= 0 };
}

/** Bytes asked of the reader at a time for the dictionary's entries (more for a longer entry). */
const ENTRY_WINDOW = 1 << 16;

/**
 * Reads `size` dictionary entries (a word and a NUL, an int64 count, an
 * int8 type): parsed from the reader's buffer, as many as it holds at a time.
 */
async function readEntries(
  reader: SequentialReader,
  size: number,
  path: string,
): Promise<Omit<Dictionary, 'tokens' | 'pruned'>> {
  const words: string[] = [];
  const index = new Map<string, number>();
  const counts = new Float64Array(size);
  const starts = new Int32Array(size + 1);
  let delimited = new Uint8Array(Math.max(1024, size * 16));
  let used = 0;
  let window = ENTRY_WINDOW;
  for (let i = 0; i < size;) {
    const what = `the dictionary's word ${i}`;
    const { buffer, at, length } = await reader.peek(window, what);
    const end = at + length;
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let p = at;
    const first = i;
    while (i < size) {
      let nul = p;
      while (nul < end && buffer[nul] !== 0) nul++;
      // The word, its NUL, an 8-byte count and a type byte.
      if (nul + 10 > end) break;
      const bytes = buffer.subarray(p, nul);
      const word = decodeWord(bytes);
      const low = view.getUint32(nul + 1, true);
      const high = view.getInt32(nul + 5, true);
      if (high < 0 || high >= 1 << 21) {
        throw new InputError(
          `${path}: the count of word ${i} at byte ${reader.position + nul + 1 - at} is not a non-negative count`,
        );
      }
      const type = buffer[nul + 9]!;
      if (type !== 0) {
        throw new InputError(
          `${path}: dictionary entry ${i} (${quoteWord(word)}) has type ${type}, expected 0 (a word)`,
        );
      }
      if (index.has(word))
        throw new InputError(`${path}: word ${quoteWord(word)} appears twice in the dictionary`);
      index.set(word, i);
      words.push(word);
      counts[i] = high * 2 ** 32 + low;
      if (used + bytes.length + 2 > delimited.length) {
        const grown = new Uint8Array(Math.max(2 * delimited.length, used + bytes.length + 2));
        grown.set(delimited.subarray(0, used));
        delimited = grown;
      }
      delimited[used] = 0x3c; // '<'
      delimited.set(bytes, used + 1);
      used += bytes.length + 2;
      delimited[used - 1] = 0x3e; // '>'
      starts[++i] = used;
      p = nul + 10;
    }
    reader.position += p - at;
    if (i === first) {
      // No whole entry in the window: a longer one, or the file ends inside it.
      if (reader.position + length >= reader.fileBytes) {
        throw new InputError(
          `${path}: the file ends at byte ${reader.fileBytes}, inside ${what} (at byte ${reader.position}); is it truncated?`,
        );
      }
      window = 2 * Math.max(window, length);
    }
  }
  return { words, index, counts, delimited: delimited.subarray(0, used), starts };
}

/** Reads a matrix's shape (after its quantized flag in new files); throws for a quantized one. */
async function readShape(
  reader: SequentialReader,
  path: string,
  old: boolean,
  which: string,
): Promise<{ rows: number; cols: number }> {
  if (!old && (await reader.byte(`the ${which} matrix's quantized flag`)) !== 0) {
    throw new InputError(
      `${path} is a quantized fastText model (.ftz, made by fasttext quantize): its rows are compressed, ` +
        `which word2vec-ts does not read; load the .bin model it was quantized from`,
    );
  }
  const rows = await reader.int64(`the ${which} matrix's row count`);
  const cols = await reader.int64(`the ${which} matrix's column count`);
  return { rows, cols };
}

/** Reads the words' own rows into the shards, each shard's in large reads (row by row where rows are padded). */
async function readShards(reader: SequentialReader, shards: RowShards): Promise<void> {
  const { dim, stride } = shards;
  for (const { size, rows } of shards.shards) {
    if (stride === dim) {
      await reader.floats(rows.subarray(0, size * dim), 'the input matrix');
      continue;
    }
    const block = new Float32Array(Math.min(size, 1 << 14) * dim);
    for (let first = 0; first < size; first += block.length / dim) {
      const count = Math.min(block.length / dim, size - first);
      await reader.floats(block.subarray(0, count * dim), 'the input matrix');
      for (let i = 0; i < count; i++)
        rows.set(block.subarray(i * dim, (i + 1) * dim), (first + i) * stride);
    }
  }
}

/**
 * Makes the first `kept` words' vectors in `target`, each the mean of its
 * own row (there already, or in `wordRows`) and its n-gram rows, which are
 * found from the words' bytes.
 */
function writeWordVectors(
  dictionary: Dictionary,
  kept: number,
  subwords: SubwordVectors,
  target: LoadingRows,
  wordRows: Float32Array | undefined,
  ngramMemory: NgramMemory | undefined,
): void {
  const { delimited, starts, words } = dictionary;
  const { dim, params } = subwords;
  let longest = 0;
  for (let i = 0; i < kept; i++) longest = Math.max(longest, starts[i + 1]! - starts[i]!);
  const rows = new Int32Array(longest * Math.max(1, params.maxn));
  const ngramsOf = (i: number, out: Int32Array): number =>
    params.maxn <= 0 || words[i] === END_OF_SENTENCE
      ? 0
      : ngramRowsInto(delimited, starts[i]!, starts[i + 1]!, params, out);
  if (ngramMemory) {
    const place = (i: number): RowPlace => {
      const array = target.arrayOf(i);
      const at = target.baseOf(i);
      if (wordRows) array.set(wordRows.subarray(i * dim, (i + 1) * dim), at);
      return { array, at };
    };
    ngramMemory.meanWords(kept, place, ngramsOf, rows.length);
    return;
  }
  for (let i = 0; i < kept; i++) {
    const array = target.arrayOf(i);
    const at = target.baseOf(i);
    if (wordRows) array.set(wordRows.subarray(i * dim, (i + 1) * dim), at);
    subwords.meanInPlace(array, at, rows, ngramsOf(i, rows));
  }
}

/**
 * Loads a fastText `.bin` model: a KeyedVectors of its words' vectors
 * (each the mean of the word's row and its n-gram rows, as
 * `fasttext print-word-vectors` gives them) whose queries give vectors to
 * words outside the vocabulary from the n-gram rows. The output matrix is
 * not kept.
 * @throws InputError naming the file for a supervised, quantized, newer or damaged model.
 * @example
 * const kv = await loadFastTextBin('cc.en.300.bin');
 * kv.vector('unseenword'); // from its n-grams
 */
export async function loadFastTextBin(
  path: string,
  options: LoadFastTextOptions = {},
): Promise<SubwordKeyedVectors> {
  checkLimit(options.limit);
  return readInputFile(path, async (handle, fileBytes) => {
    const reader = new SequentialReader(handle, fileBytes, path, options.onProgress);
    const { args, old } = await readHeader(reader, path);
    checkArgs(args, path);
    const dictionary = await readDictionary(reader, path, old);
    const { rows, cols } = await readShape(reader, path, old, 'input');
    if (dictionary.pruned) {
      throw new InputError(
        `${path} is a pruned fastText model (made by fasttext quantize with -cutoff), which word2vec-ts does not read`,
      );
    }
    const nwords = dictionary.words.length;
    if (cols !== args.dim || rows !== nwords + args.bucket) {
      throw new InputError(
        `${path}: the input matrix is ${rows} × ${cols}, expected ${nwords} words + ${args.bucket} buckets = ${nwords + args.bucket} rows of ${args.dim}`,
      );
    }
    if (reader.position + rows * cols * 4 > fileBytes) {
      throw new InputError(
        `${path}: the file ends at byte ${fileBytes}, before the end of its ${rows} × ${cols} input matrix; is it truncated?`,
      );
    }
    const kept = Math.min(options.limit ?? nwords, nwords);
    const dim = args.dim;
    const params = { minn: args.maxn === 0 ? 0 : args.minn, maxn: args.maxn, bucket: args.bucket };
    // A large model's own rows go straight into the kernel's memories, where they become the words' vectors.
    const target =
      (options.shardRows === undefined
        ? undefined
        : RowShards.create(kept, dim, options.shardRows)) ?? loadingRows(kept, dim);
    const inPlace = target instanceof RowShards;
    const wordRows = inPlace ? undefined : new Float32Array(kept * dim);
    if (target instanceof RowShards) await readShards(reader, target);
    else await reader.floats(wordRows!, 'the input matrix');
    reader.position += (nwords - kept) * dim * 4;
    // In the mean kernel's memory where they fit one, so that the words' vectors are made in SIMD.
    const ngramMemory = NgramMemory.create(args.bucket, dim);
    const ngrams = ngramMemory?.rows ?? new RowChunks(args.bucket, dim);
    for (const chunk of ngrams.chunks) await reader.floats(chunk, 'the input matrix');
    // The output matrix is not kept, but a file cut inside it is damaged.
    const output = await readShape(reader, path, old, 'output');
    if (output.cols !== dim || reader.position + output.rows * output.cols * 4 !== fileBytes) {
      throw new InputError(
        `${path}: the output matrix (${output.rows} × ${output.cols} from byte ${reader.position}) does not end where the file does (byte ${fileBytes}); is it truncated?`,
      );
    }
    const subwords = new SubwordVectors(
      params,
      dim,
      wordRows,
      ngrams,
      dictionary.counts.subarray(0, kept),
      {
        epoch: args.epoch,
        window: args.ws,
        minCount: args.minCount,
        negative: args.neg,
        wordNgrams: args.wordNgrams,
        loss: args.loss,
        model: args.model,
        lrUpdateRate: args.lrUpdateRate,
        sample: args.t,
        tokens: dictionary.tokens,
      },
    );
    writeWordVectors(dictionary, kept, subwords, target, wordRows, ngramMemory);
    options.onProgress?.(fileBytes, fileBytes);
    const { words, index } = dictionary;
    if (kept < nwords) {
      for (let i = kept; i < nwords; i++) index.delete(words[i]!);
      words.length = kept;
    }
    return new SubwordKeyedVectors(words, target.finish(kept), subwords, { index });
  });
}
