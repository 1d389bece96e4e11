/**
 * The word2vec vector file formats, byte-compatible with word2vec.c and gensim:
 *
 * - header line `"<count> <dim>\n"`, then one record per word, most frequent first;
 * - binary: `word + ' '`, `dim` float32 little-endian, then `'\n'` (word2vec.c
 *   writes it, gensim does not; both are read, see {@link readBinaryRecords});
 * - text: `word v1 v2 ... vdim\n`.
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { extname } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { quoteWord } from '../printable.js';
import { KeyedVectors } from '../vectors/keyed-vectors.js';
import { writeFileAtomically } from './atomic-write.js';
import { checkLimit, readInputFile } from './input-file.js';
import {
  NotedWords,
  warningListener,
  warnOfChangedWords,
  warnOfNonFiniteRows,
  type WarningListener,
} from './load-warnings.js';

export type VectorFormat = 'bin' | 'txt';

export interface SaveWord2VecOptions {
  /** Default: from the file extension, see {@link formatFromPath}. */
  format?: VectorFormat;
}

export interface LoadWord2VecOptions {
  /** Default: from the file extension, see {@link formatFromPath}. */
  format?: VectorFormat;
  /** Load only the first `limit` vectors (the most frequent words). Default all. */
  limit?: number;
  /**
   * Told, one line each, of repeated words, words that are not UTF-8 and
   * words with NaN or infinite values. Default: process.emitWarning.
   */
  onWarning?: WarningListener;
}

/** Bytes buffered before each write, and read per read call. */
const CHUNK_BYTES = 1 << 20;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * '.txt', '.vec' and '.text' files are text; anything else is binary, the
 * word2vec.c default.
 * @example
 * formatFromPath('vectors.vec'); // 'txt'
 * formatFromPath('vectors.bin'); // 'bin'
 */
export function formatFromPath(path: string): VectorFormat {
  const extension = extname(path).toLowerCase();
  return extension === '.txt' || extension === '.vec' || extension === '.text' ? 'txt' : 'bin';
}

/**
 * The shortest decimal that parses back to the same float32, so text files
 * round-trip exactly. Non-finite values are written as `nan`, `inf`, `-inf`
 * (as C's printf and numpy do).
 * @example
 * formatFloat32(Math.fround(0.1)); // '0.1'
 */
export function formatFloat32(value: number): string {
  const f = Math.fround(value);
  if (f !== f) return 'nan';
  if (f === Infinity) return 'inf';
  if (f === -Infinity) return '-inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const magnitude = Math.abs(f);
  const digits =
    magnitude >= 1e-4 && magnitude < 10 ? shortestFixed(magnitude) : shortestByPrecision(magnitude);
  return f < 0 ? `-${digits}` : digits;
}

const POWERS_OF_TEN = Array.from({ length: 13 }, (_, j) => 10 ** j);

/**
 * Fast path of {@link formatFloat32} for 1e-4 <= magnitude < 10, where up to
 * 12 decimals suffice: `magnitude * 10^j` is then exact in a double (24-bit
 * mantissa times 5^12 < 2^53), so rounding it is exactly what toPrecision
 * does, and `n / 10^j` is exactly what parsing the decimal string gives.
 */
function shortestFixed(magnitude: number): string {
  const j = shortestDecimals(magnitude);
  const n = Math.round(magnitude * POWERS_OF_TEN[j]!);
  if (j === 0) return String(n);
  // n has no trailing zero: with one, j - 1 decimals would have round-tripped.
  const padded = String(n).padStart(j + 1, '0');
  const integerDigits = padded.length - j;
  return `${padded.slice(0, integerDigits)}.${padded.slice(integerDigits)}`;
}

/** The fewest decimals j for which `magnitude` (in 1e-4..10) rounded to j decimals round-trips. */
function shortestDecimals(magnitude: number): number {
  const roundTrips = (j: number): boolean =>
    Math.fround(Math.round(magnitude * POWERS_OF_TEN[j]!) / POWERS_OF_TEN[j]!) === magnitude;
  // Fewer decimals never round-trip when more do not, so search from a likely
  // guess (8 significant digits, the commonest) in the direction needed.
  let j = Math.min(12, Math.max(0, 7 - Math.floor(Math.log10(magnitude))));
  if (roundTrips(j)) {
    while (j > 0 && roundTrips(j - 1)) j--;
  } else {
    do j++;
    while (j < 12 && !roundTrips(j));
  }
  return j;
}

/** Longest text {@link formatFloat32} writes: '-' and 21 digits, e.g. for -1.2345679e20 (JavaScript writes it out in full). */
const MAX_FLOAT_TEXT_BYTES = 22;

/**
 * Writes {@link formatFloat32}(value) into `buffer` at `at` as ASCII and
 * returns the offset after it. The common magnitudes get their digits
 * written directly, without building a string.
 */
function writeFloat32Text(buffer: Buffer, at: number, value: number): number {
  const f = Math.fround(value);
  const magnitude = Math.abs(f);
  if (!(magnitude >= 1e-4 && magnitude < 10))
    return at + buffer.write(formatFloat32(f), at, 'latin1');
  if (f < 0) buffer[at++] = 0x2d;
  const j = shortestDecimals(magnitude);
  const scale = POWERS_OF_TEN[j]!;
  const n = Math.round(magnitude * scale);
  let integerPart = Math.floor(n / scale);
  if (integerPart * scale > n) integerPart--;
  let fraction = n - integerPart * scale;
  if (integerPart >= 10) buffer[at++] = 0x30 + Math.floor(integerPart / 10);
  buffer[at++] = 0x30 + (integerPart % 10);
  if (j === 0) return at;
  buffer[at++] = 0x2e;
  for (let d = j - 1; d >= 0; d--) {
    buffer[at + d] = 0x30 + (fraction % 10);
    fraction = Math.floor(fraction / 10);
  }
  return at + j;
}

/**
 * The general path of {@link formatFloat32}: the fewest significant digits
 * whose toPrecision round-trips, in JavaScript's shortest notation.
 */
function shortestByPrecision(magnitude: number): string {
  // Round-tripping is monotone in the number of digits (rounding to p+1 digits
  // is never further off than to p), so binary search over 1..9 digits.
  let low = 1;
  let high = 9;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (Math.fround(Number(magnitude.toPrecision(middle))) === magnitude) high = middle;
    else low = middle + 1;
  }
  const shortest = Number(magnitude.toPrecision(low));
  // Normalises toPrecision's '1.50e+2' / trailing zeros to JavaScript's shortest form.
  return Math.fround(shortest) === magnitude ? String(shortest) : String(magnitude);
}

/**
 * Writes `kv` in word2vec format. The file is written to a temporary file in
 * the same directory, synced and renamed over `path`, so `path` is either
 * the complete new file or untouched.
 * @throws UsageError if a word is empty or contains a space, tab or line break (it could not be read back).
 * @throws W2vError if the file cannot be written.
 * @example
 * await saveWord2Vec(kv, 'vectors.bin');
 * await saveWord2Vec(kv, 'vectors.txt'); // text, from the extension
 */
export async function saveWord2Vec(
  kv: KeyedVectors,
  path: string,
  options: SaveWord2VecOptions = {},
): Promise<void> {
  const format = options.format ?? formatFromPath(path);
  await writeFileAtomically(path, async (handle) => {
    const writer = new ChunkWriter(handle);
    writer.writeString(`${kv.size} ${kv.dim}\n`);
    if (format === 'bin') await writeBinaryRecords(kv, writer);
    else await writeTextRecords(kv, writer);
    await writer.flush();
  });
}

/**
 * Reads a word2vec file written by word2vec.c, gensim or {@link saveWord2Vec}.
 * Words are UTF-8 (invalid bytes, e.g. from word2vec.c cutting a long word,
 * become U+FFFD). A word that appears again is ignored, as gensim does. Both
 * are told to `onWarning`, as are words with NaN or infinite values.
 * @throws InputError naming the file and line (text) or byte offset (binary) if the file is malformed.
 * @example
 * const kv = await loadWord2Vec('GoogleNews-vectors-negative300.bin', { limit: 100000 });
 */
export async function loadWord2Vec(
  path: string,
  options: LoadWord2VecOptions = {},
): Promise<KeyedVectors> {
  const format = options.format ?? formatFromPath(path);
  const limit = options.limit;
  checkLimit(limit);
  return readInputFile(path, async (handle, fileBytes) => {
    const reader = new ChunkReader(handle);
    const header = await readHeader(reader, path);
    const count = limit === undefined ? header.count : Math.min(header.count, limit);
    const bodyBytes = fileBytes - header.bytes;
    // A lying header must not make us allocate gigabytes: check the smallest possible records fit.
    const minimumRecordBytes = format === 'bin' ? header.dim * 4 + 2 : header.dim * 2 + 1;
    if (count * minimumRecordBytes > bodyBytes) {
      throw new InputError(
        `${path} line 1: the header declares ${header.count} vectors of ${header.dim} dimensions; ` +
          `${count < header.count ? `the first ${count}` : 'they'} need at least ${count * minimumRecordBytes} bytes ` +
          `in ${format === 'bin' ? 'binary' : 'text'} format, ` +
          `but only ${bodyBytes} bytes follow the header`,
      );
    }
    const words = new LoadedWords(format === 'bin' ? 'byte offset' : 'line');
    const vectors =
      format === 'bin'
        ? await readBinaryRecords(reader, path, count, header.dim, words, count === header.count)
        : await readTextRecords(reader, path, count, header.dim, words);
    const kv = new KeyedVectors(words.list, vectors, header.dim);
    const onWarning = warningListener(options.onWarning);
    warnOfChangedWords(path, words.repeated, words.notUtf8, onWarning);
    warnOfNonFiniteRows(path, kv, onWarning);
    return kv;
  });
}

// ---- writing ----

/** Buffers writes into ~1 MiB chunks. */
class ChunkWriter {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(private readonly handle: FileHandle) {}

  /** Whether `bytes` more fit without a flush. */
  fits(bytes: number): boolean {
    return this.used + bytes <= this.buffer.length;
  }

  /** Flushes if needed so that `bytes` more fit (growing for one huge record). */
  async reserve(bytes: number): Promise<void> {
    if (this.fits(bytes)) return;
    await this.flush();
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes);
  }

  /** Appends a string; the caller has reserved its UTF-8 length. */
  writeString(text: string): void {
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  writeByte(byte: number): void {
    this.buffer[this.used++] = byte;
  }

  /** Appends the shortest round-tripping decimal of a float32; the caller has reserved MAX_FLOAT_TEXT_BYTES. */
  writeFloatText(value: number): void {
    this.used = writeFloat32Text(this.buffer, this.used, value);
  }

  /** Appends `count` float32 values little-endian; the caller has reserved the space. */
  writeFloats(values: Float32Array, start: number, count: number): void {
    if (LITTLE_ENDIAN) {
      this.buffer.set(
        new Uint8Array(values.buffer, values.byteOffset + start * 4, count * 4),
        this.used,
      );
    } else {
      for (let k = 0; k < count; k++)
        this.buffer.writeFloatLE(values[start + k]!, this.used + k * 4);
    }
    this.used += count * 4;
  }

  async flush(): Promise<void> {
    let offset = 0;
    while (offset < this.used) {
      const { bytesWritten } = await this.handle.write(this.buffer, offset, this.used - offset);
      offset += bytesWritten;
    }
    this.used = 0;
  }
}

/** Word2vec readers split words on whitespace, so such a word could not be read back. */
function checkWord(word: string, row: number): void {
  if (word.length === 0 || /[ \t\n\r\v\f]/.test(word)) {
    throw new UsageError(
      `cannot save word ${row} (${JSON.stringify(word)}): word2vec files need non-empty words without whitespace`,
    );
  }
}

async function writeBinaryRecords(kv: KeyedVectors, writer: ChunkWriter): Promise<void> {
  const { words, vectors, dim } = kv;
  for (let row = 0; row < words.length; row++) {
    const word = words[row]!;
    checkWord(word, row);
    const recordBytes = Buffer.byteLength(word, 'utf8') + 1 + dim * 4 + 1;
    if (!writer.fits(recordBytes)) await writer.reserve(recordBytes);
    writer.writeString(word);
    writer.writeByte(SPACE);
    writer.writeFloats(vectors, row * dim, dim);
    writer.writeByte(NEWLINE);
  }
}

async function writeTextRecords(kv: KeyedVectors, writer: ChunkWriter): Promise<void> {
  const { words, vectors, dim } = kv;
  for (let row = 0; row < words.length; row++) {
    const word = words[row]!;
    checkWord(word, row);
    const lineBytes = Buffer.byteLength(word, 'utf8') + dim * (1 + MAX_FLOAT_TEXT_BYTES) + 1;
    if (!writer.fits(lineBytes)) await writer.reserve(lineBytes);
    writer.writeString(word);
    const base = row * dim;
    for (let k = 0; k < dim; k++) {
      writer.writeByte(SPACE);
      writer.writeFloatText(vectors[base + k]!);
    }
    writer.writeByte(NEWLINE);
  }
}

// ---- reading ----

/** Sequential reads into a growable buffer holding the unconsumed bytes `buffer[start..end)`. */
class ChunkReader {
  buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  start = 0;
  end = 0;
  /** File offset of `buffer[0]`. */
  base = 0;
  eof = false;

  constructor(private readonly handle: FileHandle) {}

  /** Reads more bytes after `end`, keeping `buffer[start..end)`. Returns false at end of file. */
  async more(): Promise<boolean> {
    if (this.eof) return false;
    if (this.start > 0) {
      this.buffer.copy(this.buffer, 0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buffer.length) {
      const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(bigger, 0, 0, this.end);
      this.buffer = bigger;
    }
    const { bytesRead } = await this.handle.read(
      this.buffer,
      this.end,
      this.buffer.length - this.end,
      null,
    );
    if (bytesRead === 0) {
      this.eof = true;
      return false;
    }
    this.end += bytesRead;
    return true;
  }

  /** Index of the first space or line break in `buffer[from..end)`, or -1. */
  findWordEnd(from: number): number {
    const { buffer, end } = this;
    for (let i = from; i < end; i++) {
      const byte = buffer[i]!;
      if (byte === SPACE || byte === NEWLINE) return i;
    }
    return -1;
  }

  /** Index of the next `byte` in `buffer[from..end)`, or -1. */
  find(byte: number, from: number): number {
    const at = this.buffer.indexOf(byte, from);
    return at >= 0 && at < this.end ? at : -1;
  }

  /** File offset of buffer index `i`. */
  offset(i: number): number {
    return this.base + i;
  }
}

interface Header {
  count: number;
  dim: number;
  /** Bytes of the header line including its newline. */
  bytes: number;
}

async function readHeader(reader: ChunkReader, path: string): Promise<Header> {
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
        'is it a word2vec (.bin, .txt, .vec) or native (.w2v) model?',
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
class LoadedWords {
  readonly list: string[] = [];
  readonly repeated = new NotedWords();
  readonly notUtf8 = new NotedWords();
  private readonly seen = new Set<string>();

  /** @param unit How a location is given: 'line' (text) or 'byte offset' (binary). */
  constructor(private readonly unit: string) {}

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
    if (this.seen.has(word)) {
      this.repeated.add(word, this.unit, location);
      return false;
    }
    this.seen.add(word);
    this.list.push(word);
    return true;
  }
}

/** The vectors of the kept words, without the unused tail that repeated words leave. */
function keptVectors(words: LoadedWords, vectors: Float32Array, dim: number): Float32Array {
  const used = words.list.length * dim;
  return used === vectors.length ? vectors : vectors.slice(0, used);
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
async function readBinaryRecords(
  reader: ChunkReader,
  path: string,
  count: number,
  dim: number,
  words: LoadedWords,
  readsToEnd: boolean,
): Promise<Float32Array> {
  const vectorBytes = dim * 4;
  const vectors = new Float32Array(count * dim);
  const vectorMemory = new Uint8Array(vectors.buffer);
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
    if (LITTLE_ENDIAN) {
      vectorMemory.set(reader.buffer.subarray(valuesAt, valuesAt + vectorBytes), row * vectorBytes);
    } else {
      for (let k = 0; k < dim; k++)
        vectors[row * dim + k] = reader.buffer.readFloatLE(valuesAt + k * 4);
    }
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
  return keptVectors(words, vectors, dim);
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

async function readTextRecords(
  reader: ChunkReader,
  path: string,
  count: number,
  dim: number,
  words: LoadedWords,
): Promise<Float32Array> {
  const vectors = new Float32Array(count * dim);
  let lineNumber = 1;
  for (let record = 0; record < count; record++) {
    lineNumber++;
    let newline = reader.find(NEWLINE, reader.start);
    while (newline < 0) {
      const scanned = reader.end - reader.start;
      if (!(await reader.more())) break;
      newline = reader.find(NEWLINE, reader.start + scanned);
    }
    if (newline < 0 && reader.start === reader.end) {
      throw new InputError(
        `${path} line ${lineNumber}: expected vector ${record + 1} of the ${count} the header declares, found the end of the file`,
      );
    }
    const lineEnd = newline < 0 ? reader.end : newline;
    const word = parseTextRecord(
      reader.buffer,
      reader.start,
      lineEnd,
      path,
      lineNumber,
      dim,
      vectors,
      words.list.length * dim,
      words,
    );
    reader.start = newline < 0 ? reader.end : newline + 1;
    words.keep(word, lineNumber);
  }
  return keptVectors(words, vectors, dim);
}

const NOT_A_NUMBER = /^[+-]?nan$/i;
const INFINITE = /^[+-]?inf(?:inity)?$/i;

/** A decimal as C's strtod reads it, including `nan` and `inf` as printf writes them; NaN if not a number. */
function parseValue(token: string): number {
  const value = Number(token);
  if (value === value) return value;
  if (INFINITE.test(token)) return token.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

/**
 * Parses the line `bytes[start..end)`, `word v1 ... vdim`, into
 * `vectors[at..at+dim)` and returns the word, decoded by `words`. Values are
 * separated by spaces or tabs; surrounding whitespace and '\r' (as word2vec.c's
 * "%lf " and CRLF files leave) are ignored. Works on bytes so that only the
 * word becomes a string.
 */
function parseTextRecord(
  bytes: Buffer,
  start: number,
  end: number,
  path: string,
  lineNumber: number,
  dim: number,
  vectors: Float32Array,
  at: number,
  words: LoadedWords,
): string {
  while (end > start && isWhiteSpace(bytes[end - 1]!)) end--;
  let position = start;
  while (position < end && isWhiteSpace(bytes[position]!)) position++;
  if (position === end) {
    throw new InputError(
      `${path} line ${lineNumber}: expected a word followed by ${dim} values, found an empty line`,
    );
  }
  let wordEnd = position;
  while (wordEnd < end && !isWhiteSpace(bytes[wordEnd]!)) wordEnd++;
  const word = words.decode(bytes, position, wordEnd, lineNumber);
  position = wordEnd;
  let values = 0;
  while (position < end) {
    while (isWhiteSpace(bytes[position]!)) position++;
    let tokenEnd = position;
    while (tokenEnd < end && !isWhiteSpace(bytes[tokenEnd]!)) tokenEnd++;
    if (values < dim) {
      let value = parseSimpleDecimal(bytes, position, tokenEnd);
      if (value !== value) {
        const token = bytes.toString('utf8', position, tokenEnd);
        value = parseValue(token);
        if (value !== value && !NOT_A_NUMBER.test(token)) {
          throw new InputError(
            `${path} line ${lineNumber}: value ${values + 1} of the word ${quoteWord(word)} is not a number: ${JSON.stringify(token.slice(0, 40))}`,
          );
        }
      }
      vectors[at + values] = value;
    }
    values++;
    position = tokenEnd;
  }
  if (values !== dim) {
    throw new InputError(
      `${path} line ${lineNumber}: expected ${dim} values after the word ${quoteWord(word)}, found ${values}`,
    );
  }
  return word;
}

const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `[-]digits[.digits][e[+-]digits]` with at most 15 digits and a decimal
 * exponent within ±22, parsed exactly (Clinger's fast path: an exact integer
 * times or divided by an exact power of ten is one correctly rounded
 * operation, so this equals `Number(text)`). NaN for anything else, which the
 * caller hands to the general parser.
 */
function parseSimpleDecimal(bytes: Buffer, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === 0x2d;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (; i < end; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
  }
  if (i < end && bytes[i] === 0x2e) {
    for (i++; i < end; i++) {
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      digits++;
      fractionDigits++;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  let exponent = 0;
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    const negativeExponent = bytes[i] === 0x2d;
    if (negativeExponent || bytes[i] === 0x2b) i++;
    const exponentStart = i;
    for (; i < end && i - exponentStart < 4; i++) {
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) break;
      exponent = exponent * 10 + digit;
    }
    if (i === exponentStart) return NaN;
    if (negativeExponent) exponent = -exponent;
  }
  if (i !== end) return NaN;
  const scale = exponent - fractionDigits;
  let value: number;
  if (scale === 0) value = mantissa;
  else if (scale < 0 && scale >= -22) value = mantissa / EXACT_POWERS_OF_TEN[-scale]!;
  else if (scale > 0 && scale <= 22) value = mantissa * EXACT_POWERS_OF_TEN[scale]!;
  else return NaN;
  return negative ? -value : value;
}

/** The text format's separators, and what may follow the last binary vector. */
function isWhiteSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}
