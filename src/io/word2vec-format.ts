/**
 * The word2vec vector file formats, byte-compatible with word2vec.c and gensim:
 *
 * - header line `"<count> <dim>\n"`, then one record per word, most frequent first;
 * - binary: `word + ' '`, `dim` float32 little-endian, then `'\n'` (word2vec.c
 *   writes it, gensim does not; both are read, see {@link readBinaryRecords});
 * - text: `word v1 v2 ... vdim\n`.
 */
import { InputError } from '../errors.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { writeFileAtomically } from './atomic-write.js';
import { formatFromPath, type FileFormat } from './file-format.js';
import { checkLimit, readInputFile, type LoadProgressListener } from './input-file.js';
import type { WarningListener } from './load-warnings.js';
import { ChunkReader, ChunkWriter } from './word2vec-chunks.js';
import { readTextRecords } from './text-records.js';
import { LoadedWords, readBinaryRecords, readHeader } from './word2vec-read.js';
import { checkWords, writeBinaryRecords, writeTextRecords } from './word2vec-write.js';

export interface SaveWord2VecOptions {
  /** Default: text if the extension is `.txt`, `.vec` or `.text` (see {@link formatFromPath}), else binary. */
  format?: Exclude<FileFormat, 'native' | 'fasttext'>;
}

export interface LoadWord2VecOptions {
  /** Default: text if the extension is `.txt`, `.vec` or `.text` (see {@link formatFromPath}), else binary. */
  format?: Exclude<FileFormat, 'native' | 'fasttext'>;
  /** Load only the first `limit` vectors (the most frequent words). Default all. */
  limit?: number;
  /**
   * Told, one line each, of repeated words, words that are not UTF-8 and
   * words with NaN or infinite values. Default: process.emitWarning.
   */
  onWarning?: WarningListener;
  /** Told how far the load has got. */
  onProgress?: LoadProgressListener;
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
  const format = options.format ?? (formatFromPath(path) === 'txt' ? 'txt' : 'bin');
  checkWords(kv.words, format);
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
  const format = options.format ?? (formatFromPath(path) === 'txt' ? 'txt' : 'bin');
  const limit = options.limit;
  checkLimit(limit);
  return readInputFile(path, async (handle, fileBytes) => {
    const { onProgress } = options;
    const reader = new ChunkReader(handle, onProgress && ((bytes) => onProgress(bytes, fileBytes)));
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
    const words = new LoadedWords(format === 'bin' ? 'byte offset' : 'line', count);
    const vectors =
      format === 'bin'
        ? await readBinaryRecords(reader, path, count, header.dim, words, count === header.count)
        : await readTextRecords(
            reader,
            path,
            {
              count,
              dim: header.dim,
              firstLine: 2,
              countSource: 'the header declares',
              dimNote: '',
            },
            words,
          );
    return words.toKeyedVectors(path, vectors, header.dim, options.onWarning);
  });
}
