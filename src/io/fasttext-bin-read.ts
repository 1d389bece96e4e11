/**
 * Loading Facebook fastText `.bin` models (unsupervised, not quantized):
 * the words' vectors as fastText computes them, and the n-gram rows that
 * give vectors to any other word. The layout is in fasttext-bin-layout.ts.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { quoteWord } from '../printable.js';
import { RowChunks } from '../subwords/row-chunks.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { SubwordVectors } from '../subwords/subword-vectors.js';
import { LITTLE_ENDIAN } from './byte-order.js';
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

export interface LoadFastTextOptions {
  /** Keep only the first `limit` words (the most frequent); every n-gram row is kept. */
  limit?: number;
  onProgress?: LoadProgressListener;
}

/** Bytes read at a time from the header and the dictionary. */
const BUFFER_BYTES = 1 << 20;

/** Reads a file front to back: small fields through a buffer, matrices straight into their arrays. */
class SequentialReader {
  private buffer = new Uint8Array(BUFFER_BYTES);
  private view = new DataView(this.buffer.buffer);
  private start = 0; // file offset of buffer[0]
  private length = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly fileBytes: number,
    private readonly path: string,
    private readonly onProgress?: LoadProgressListener,
  ) {}

  /** Makes `count` bytes from `position` available in the buffer; returns their index there. */
  private async need(count: number, what: string): Promise<number> {
    if (this.position + count > this.fileBytes) {
      throw new InputError(
        `${this.path}: the file ends at byte ${this.fileBytes}, inside ${what} (at byte ${this.position}); is it truncated?`,
      );
    }
    if (this.position >= this.start && this.position + count <= this.start + this.length) {
      return this.position - this.start;
    }
    const size = Math.max(count, Math.min(BUFFER_BYTES, this.fileBytes - this.position));
    if (size > this.buffer.length) {
      this.buffer = new Uint8Array(size);
      this.view = new DataView(this.buffer.buffer);
    }
    let done = 0;
    while (done < size) {
      const { bytesRead } = await this.handle.read(
        this.buffer,
        done,
        size - done,
        this.position + done,
      );
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    this.start = this.position;
    this.length = done;
    this.onProgress?.(this.position + done, this.fileBytes);
    return 0;
  }

  async int32(what: string): Promise<number> {
    const at = await this.need(4, what);
    this.position += 4;
    return this.view.getInt32(at, true);
  }

  async int64(what: string, signed = false): Promise<number> {
    const at = await this.need(8, what);
    this.position += 8;
    const value = this.view.getBigInt64(at, true);
    if ((value < 0n && !(signed && value === -1n)) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new InputError(
        `${this.path}: ${what} at byte ${this.position - 8} is ${value}, expected a non-negative count`,
      );
    }
    return Number(value);
  }

  async byte(what: string): Promise<number> {
    const at = await this.need(1, what);
    this.position += 1;
    return this.buffer[at]!;
  }

  async bytes(count: number, what: string): Promise<Uint8Array> {
    const at = await this.need(count, what);
    this.position += count;
    return this.buffer.slice(at, at + count);
  }

  /** The bytes up to the next NUL (which is skipped). */
  async cString(what: string): Promise<Uint8Array> {
    for (let scan = 0; ; scan += 256) {
      const available = Math.min(scan + 256, this.fileBytes - this.position);
      const at = await this.need(available, what);
      const end = this.buffer.subarray(at, at + available).indexOf(0);
      if (end >= 0) {
        const word = this.buffer.slice(at, at + end);
        this.position += end + 1;
        return word;
      }
      if (available < scan + 256) await this.need(available + 1, what);
    }
  }

  /** Reads `target.length` floats straight into `target`. */
  async floats(target: Float32Array, what: string): Promise<void> {
    const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
    if (this.position + bytes.length > this.fileBytes) await this.need(bytes.length, what);
    for (let done = 0; done < bytes.length;) {
      const { bytesRead } = await this.handle.read(
        bytes,
        done,
        Math.min(1 << 26, bytes.length - done),
        this.position + done,
      );
      if (bytesRead === 0) await this.need(bytes.length, what);
      done += bytesRead;
      this.onProgress?.(this.position + done, this.fileBytes);
    }
    this.position += bytes.length;
    this.length = 0;
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
    }
  }
}

/** A fastText model's dictionary entries (words only; labels make it supervised). */
interface Dictionary {
  words: string[];
  counts: number[];
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
  const pruned = old ? 0 : await reader.int64('the pruned-index size', true);
  const words: string[] = [];
  const counts: number[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < size; i++) {
    const word = decodeWord(await reader.cString(`the dictionary's word ${i}`));
    const count = await reader.int64(`the count of word ${i}`);
    const type = await reader.byte(`the entry type of word ${i}`);
    if (type !== 0) {
      throw new InputError(
        `${path}: dictionary entry ${i} (${quoteWord(word)}) has type ${type}, expected 0 (a word)`,
      );
    }
    if (seen.has(word))
      throw new InputError(`${path}: word ${quoteWord(word)} appears twice in the dictionary`);
    seen.add(word);
    words.push(word);
    counts.push(count);
  }
  for (let i = 0; i < pruned; i++) await reader.bytes(8, 'the pruned index');
  return { words, counts, tokens, pruned: pruned >= 0 };
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
    const wordRows = new Float32Array(kept * dim);
    await reader.floats(wordRows, 'the input matrix');
    reader.position += (nwords - kept) * dim * 4;
    const ngrams = new RowChunks(args.bucket, dim);
    for (const chunk of ngrams.chunks) await reader.floats(chunk, 'the input matrix');
    // The output matrix is not kept, but a file cut inside it is damaged.
    const output = await readShape(reader, path, old, 'output');
    if (output.cols !== dim || reader.position + output.rows * output.cols * 4 !== fileBytes) {
      throw new InputError(
        `${path}: the output matrix (${output.rows} × ${output.cols} from byte ${reader.position}) does not end where the file does (byte ${fileBytes}); is it truncated?`,
      );
    }
    const words = dictionary.words.slice(0, kept);
    const subwords = new SubwordVectors(
      { minn: args.maxn === 0 ? 0 : args.minn, maxn: args.maxn, bucket: args.bucket },
      dim,
      wordRows,
      ngrams,
      dictionary.counts.slice(0, kept),
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
    options.onProgress?.(fileBytes, fileBytes);
    return new SubwordKeyedVectors(words, subwords.wordVectors(words), subwords);
  });
}
