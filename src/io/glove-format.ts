/**
 * GloVe's text vector files (e.g. glove.6B.100d.txt): a word and its values
 * per line, as word2vec text but without the header line. Read as gensim's
 * `load_word2vec_format(..., no_header=True)` reads them: a first pass
 * counts the lines, the first line gives the dimension, and every line must
 * have as many values.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { isWhiteSpace } from './float-text.js';
import { checkLimit, readInputFile, type LoadProgressListener } from './input-file.js';
import type { WarningListener } from './load-warnings.js';
import { readTextRecords } from './text-records.js';
import { ChunkReader, NEWLINE } from './word2vec-chunks.js';
import { LoadedWords } from './word2vec-read.js';

export interface LoadGloveOptions {
  /** Load only the first `limit` vectors. Default all. */
  limit?: number;
  /** Told of repeated words, words that are not UTF-8 and words with NaN or infinite values. Default: process.emitWarning. */
  onWarning?: WarningListener;
  /** Told how far the load has got (the file is read twice: once to count its lines). */
  onProgress?: LoadProgressListener;
}

/** Bytes per read of the counting pass. */
const COUNT_CHUNK_BYTES = 1 << 24;

/**
 * Reads a GloVe text file.
 * @throws InputError naming the file and line if a line is not a word and
 * values, or has not as many values as the first line.
 * @example
 * const kv = await loadGlove('glove.6B.100d.txt', { limit: 100000 });
 */
export async function loadGlove(
  path: string,
  options: LoadGloveOptions = {},
): Promise<KeyedVectors> {
  const { limit, onProgress } = options;
  checkLimit(limit);
  return readInputFile(path, async (handle, fileBytes) => {
    const totalBytes = 2 * fileBytes;
    // Line 1 is read whatever the limit: it gives the dimension.
    const lines = await countLines(
      handle,
      fileBytes,
      limit === undefined ? undefined : Math.max(limit, 1),
      (bytesRead) => onProgress?.(bytesRead, totalBytes),
    );
    if (lines === 0) {
      throw new InputError(
        `${path}: expected GloVe lines (a word and its values), found ${fileBytes === 0 ? 'an empty file' : 'only white space'}`,
      );
    }
    const count = limit === undefined ? lines : Math.min(lines, limit);
    const reader = new ChunkReader(handle, (bytesRead) =>
      onProgress?.(fileBytes + bytesRead, totalBytes),
    );
    const dim = await firstLineValues(reader, path);
    const words = new LoadedWords('line', count);
    const vectors = await readTextRecords(
      reader,
      path,
      {
        count,
        dim,
        firstLine: 1,
        countSource: 'counted',
        dimNote: `; every line must have as many values as line 1 (${dim})`,
      },
      words,
    );
    return words.toKeyedVectors(path, vectors, dim, options.onWarning);
  });
}

/**
 * The lines of the file up to its last one that holds more than white space
 * (blank lines at the end are left out), or `limit` if there are more.
 */
async function countLines(
  handle: FileHandle,
  fileBytes: number,
  limit: number | undefined,
  onRead: (bytesRead: number) => void,
): Promise<number> {
  const buffer = Buffer.allocUnsafe(Math.min(COUNT_CHUNK_BYTES, Math.max(fileBytes, 1)));
  let newlines = 0;
  /** Line breaks before the last byte that is not white space, once there is one. */
  let newlinesBeforeContent = -1;
  for (let position = 0; ;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    onRead(position);
    const chunk = buffer.subarray(0, bytesRead);
    let inChunk = 0;
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) inChunk++;
    let last = bytesRead - 1;
    let trailing = 0;
    for (; last >= 0 && isWhiteSpace(chunk[last]!); last--) if (chunk[last] === NEWLINE) trailing++;
    if (last >= 0) newlinesBeforeContent = newlines + inChunk - trailing;
    newlines += inChunk;
    if (limit !== undefined && newlinesBeforeContent >= limit) return limit;
  }
  return newlinesBeforeContent + 1;
}

/** The number of values on the first line (its fields after the word), which every line must have. */
async function firstLineValues(reader: ChunkReader, path: string): Promise<number> {
  const newline = await reader.findLineEnd();
  const end = newline < 0 ? reader.end : newline;
  let fields = 0;
  for (let i = reader.start; i < end; i++) {
    if (
      !isWhiteSpace(reader.buffer[i]!) &&
      (i === reader.start || isWhiteSpace(reader.buffer[i - 1]!))
    )
      fields++;
  }
  if (fields < 2) {
    throw new InputError(
      `${path} line 1: expected a word followed by its values, found ${fields === 0 ? 'an empty line' : 'a word alone'}`,
    );
  }
  return fields - 1;
}
