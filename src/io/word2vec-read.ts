/**
 * Reading word2vec files: the header line, the words (decoded and kept once
 * each) and the binary or text records, with messages that say where a
 * malformed file goes wrong.
 */
import { isUtf8 } from 'node:buffer';
import { InputError } from '../errors.js';
import { quoteWord } from '../printable.js';
import { LITTLE_ENDIAN } from './byte-order.js';
import { isWhiteSpace } from './float-text.js';
import { KeyedVectors } from '../vectors/keyed-vectors.js';
import { loadingRows, type RowShards } from '../vectors/row-shards.js';
import { WordTable } from '../vectors/word-table.js';
import {
  NotedWords,
  warningListener,
  warnOfChangedWords,
  warnOfNonFiniteRows,
  type WarningListener,
} from './load-warnings.js';
import { NEWLINE, type ChunkReader } from './word2vec-chunks.js';

/** Rows loaded between two calls to find their norms (a few hundred KiB: still in cache). */
const NORM_ROWS = 256;

interface Header {
  count: number;
  dim: number;
  /** Bytes of the header line including its newline. */
  bytes: number;
}

/** Reads the header line `<count> <dim>` and leaves the reader at the first record. */
export async function readHeader(reader: ChunkReader, path: string): Promise<Header> {
  let newline = reader.find(NEWLINE, 0);
  while (newline < 0 && reader.end < 4096 && (await reader.more()))
    newline = reader.find(NEWLINE, 0);
  // The whole line: a header padded past a fixed length could otherwise hide what follows the numbers.
  const lineEnd = newline >= 0 ? newline : Math.min(reader.end, 200);
  const text = reader.buffer.toString('utf8', 0, lineEnd).trim();
  const match = newline >= 0 ? /^(\d+)[ \t]+(\d+)$/.exec(text) : null;
  const count = match ? Number(match[1]) : NaN;
  const dim = match ? Number(match[2]) : NaN;
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(dim) || dim < 1) {
    const excerpt = text.slice(0, 60);
    // Quoting random bytes would only print noise.
    const found =
      reader.end === 0
        ? 'an empty file'
        : /[\uFFFD\p{Cc}]/u.test(excerpt.replace(/\t/g, ' '))
          ? 'binary data'
          : JSON.stringify(excerpt);
    throw new InputError(
      `${path} line 1: expected a header "<vector count> <dimensions>" (dimensions at least 1), found ${found}; ` +
        'is it a word2vec (.bin, .txt, .vec) or native (.w2v) model? (GloVe files, without a header, are read with format glove)',
    );
  }
  reader.start = newline + 1;
  return { count, dim, bytes: newline + 1 };
}

/**
 * The words of a word2vec file as they are read: decoded from UTF-8 and kept
 * once each, the first time. Words that were not UTF-8 and words met again
 * are noted for the load's warnings.
 */
export class LoadedWords {
  readonly list: string[] = [];
  readonly repeated = new NotedWords();
  readonly notUtf8 = new NotedWords();
  /** The row of each kept word (handed to the KeyedVectors, so the index is built once). */
  private readonly index: WordTable;

  /**
   * @param unit How a location is given: 'line' (text) or 'byte offset' (binary).
   * @param capacity The most words the file can hold.
   */
  constructor(
    private readonly unit: string,
    capacity: number,
  ) {
    this.index = new WordTable(this.list, capacity);
  }

  /** Decodes the word `bytes[start..end)`, found at `location`. */
  decode(bytes: Buffer, start: number, end: number, location: number): string {
    const word = bytes.toString('utf8', start, end);
    // Only a word holding U+FFFD can have had invalid bytes; the file may also hold U+FFFD itself.
    if (word.includes('\uFFFD') && !isUtf8(bytes.subarray(start, end)))
      this.notUtf8.add(word, this.unit, location);
    return word;
  }

  /** Keeps `word` unless it was kept before; says whether it was kept. */
  keep(word: string, location: number): boolean {
    this.list.push(word);
    if (this.index.add(this.list.length - 1) >= 0) {
      this.list.pop();
      this.repeated.add(word, this.unit, location);
      return false;
    }
    return true;
  }

  /**
   * The kept words with their `vectors`; tells `onWarning` (default
   * process.emitWarning) of the words noted and of those with NaN or
   * infinite values.
   */
  toKeyedVectors(
    path: string,
    vectors: Float32Array | RowShards,
    dim: number,
    onWarning: WarningListener | undefined,
  ): KeyedVectors {
    const kv = new KeyedVectors(this.list, vectors, dim, { index: this.index });
    const listener = warningListener(onWarning);
    warnOfChangedWords(path, this.repeated, this.notUtf8, listener);
    warnOfNonFiniteRows(path, kv, listener);
    return kv;
  }
}

/**
 * Reads binary records: a word, a space and `dim` float32 values, then a
 * line break (word2vec.c) or directly the next word (gensim). The byte after
 * the first vector says which, and every later vector must be followed the
 * same way. A wrong dimension in the header shifts every record, and these
 * checks are where it shows: a vector is then followed by something else, a
 * "word" runs into a line break (no tool writes a word holding one), or bytes
 * are left after the last vector, where only white space may follow (that
 * last check needs the whole file, so it is left out when reading the first
 * vectors only). Line breaks before the first word are skipped, as gensim does.
 */
export async function readBinaryRecords(
  reader: ChunkReader,
  path: string,
  count: number,
  dim: number,
  words: LoadedWords,
  readsToEnd: boolean,
): Promise<Float32Array | RowShards> {
  const vectorBytes = dim * 4;
  const vectors = loadingRows(count, dim);
  // The bytes of the array the last row went to (all rows, or one shard's).
  let array: Float32Array | undefined;
  let arrayBytes: Uint8Array = new Uint8Array(0);
  const dimensionHint = `is the dimension in the header (${dim}) right?`;
  /** Whether a line break follows each vector; known once the first one is read. */
  let lineBreakAfterVector: boolean | undefined;
  let previousWord = '';
  for (let record = 0; record < count; record++) {
    if (record > 0) {
      if (reader.start === reader.end && !(await reader.more()))
        throw endsEarly(reader, path, record, count);
      const next = reader.buffer[reader.start]!;
      lineBreakAfterVector ??= next === NEWLINE;
      if (lineBreakAfterVector !== (next === NEWLINE)) {
        throw new InputError(
          `${path}: expected a line break at byte offset ${reader.offset(reader.start)} after vector ${record} of ${count} ` +
            `(${quoteWord(previousWord)}), as after the first vector, found ${describeByte(next)}; ${dimensionHint}`,
        );
      }
    }
    if (record === 0 || lineBreakAfterVector) {
      for (;;) {
        while (reader.start < reader.end && reader.buffer[reader.start] === NEWLINE) reader.start++;
        if (reader.start < reader.end || !(await reader.more())) break;
      }
      if (reader.start === reader.end) throw endsEarly(reader, path, record, count);
    }
    let wordEnd = reader.findWordEnd(reader.start);
    while (wordEnd < 0 && (await reader.more())) wordEnd = reader.findWordEnd(reader.start);
    if (wordEnd < 0) {
      throw new InputError(
        `${path}: expected a word and a space at byte offset ${reader.offset(reader.start)} (vector ${record + 1} of ${count}), ` +
          `found the end of the file`,
      );
    }
    if (reader.buffer[wordEnd] === NEWLINE) {
      throw new InputError(
        `${path}: expected a word and a space at byte offset ${reader.offset(reader.start)} (vector ${record + 1} of ${count}), ` +
          `found a line break at byte offset ${reader.offset(wordEnd)}; ${dimensionHint}`,
      );
    }
    if (wordEnd === reader.start) {
      throw new InputError(
        `${path}: expected a word at byte offset ${reader.offset(reader.start)} (vector ${record + 1} of ${count}), ` +
          `found a space; ${dimensionHint}`,
      );
    }
    let space = wordEnd;
    while (reader.end - (space + 1) < vectorBytes) {
      // `more` may move the buffer contents, so keep positions relative to `start`.
      const wordLength = space - reader.start;
      if (!(await reader.more())) {
        const word = reader.buffer.toString('utf8', reader.start, reader.start + wordLength);
        throw new InputError(
          `${path}: vector ${record + 1} of ${count} (${quoteWord(word)}) at byte offset ${reader.offset(reader.start + wordLength + 1)} ` +
            `is truncated: expected ${vectorBytes} bytes of float32 values, found ${reader.end - (reader.start + wordLength + 1)}; ` +
            `the file is cut short, or ${dimensionHint}`,
        );
      }
      space = reader.start + wordLength;
    }
    const valuesAt = space + 1;
    const wordOffset = reader.offset(reader.start);
    const word = words.decode(reader.buffer, reader.start, space, wordOffset);
    previousWord = word;
    reader.start = valuesAt + vectorBytes;
    const row = words.list.length;
    if (!words.keep(word, wordOffset)) continue;
    const target = vectors.arrayOf(row);
    const base = vectors.baseOf(row);
    if (LITTLE_ENDIAN) {
      if (target !== array) {
        array = target;
        arrayBytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
      }
      // Buffer#copy takes offsets, where subarray would make an object per row.
      reader.buffer.copy(arrayBytes, base * 4, valuesAt, valuesAt + vectorBytes);
    } else {
      for (let k = 0; k < dim; k++) target[base + k] = reader.buffer.readFloatLE(valuesAt + k * 4);
    }
    if ((row & (NORM_ROWS - 1)) === NORM_ROWS - 1) vectors.rowsWritten?.(row + 1);
  }
  if (readsToEnd) {
    for (;;) {
      while (reader.start < reader.end && isWhiteSpace(reader.buffer[reader.start]!))
        reader.start++;
      if (reader.start < reader.end || !(await reader.more())) break;
    }
    if (reader.start < reader.end) {
      throw new InputError(
        `${path}: byte offset ${reader.offset(reader.start)}: found ${describeByte(reader.buffer[reader.start]!)} ` +
          `after the ${count} vectors the header declares, where only white space may follow; ${dimensionHint}`,
      );
    }
  }
  return vectors.finish(words.list.length);
}

function endsEarly(reader: ChunkReader, path: string, record: number, count: number): InputError {
  return new InputError(
    `${path}: the file ends at byte offset ${reader.offset(reader.start)} after ${record} vectors, but the header declares ${count}`,
  );
}

/** A byte for a message: the character if it is printable ASCII, else its hex value. */
function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return byte > 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}' (${hex})` : `byte ${hex}`;
}
