/**
 * The vector file formats and how a file name chooses one.
 */
import { extname } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The formats vectors are saved in (and loaded from):
 * - `bin`: word2vec binary (word2vec.c, gensim `binary=True`);
 * - `txt`: word2vec text, which is also fastText's `.vec`;
 * - `native`: word2vec-ts's own format with counts, output weights and training options;
 * - `fasttext`: Facebook fastText's `.bin` models, with their n-gram rows (told
 *   from word2vec binary files by content when loading).
 */
export type FileFormat = 'bin' | 'txt' | 'native' | 'fasttext';

export const FILE_FORMATS: readonly FileFormat[] = ['bin', 'txt', 'native', 'fasttext'];

/**
 * The formats vectors are loaded from: those of {@link FileFormat}, and
 * `glove`, GloVe's text files (a word and its values per line, without the
 * header line; gensim's `no_header=True`), which are read only.
 */
export type LoadFormat = FileFormat | 'glove';

export const LOAD_FORMATS: readonly LoadFormat[] = [...FILE_FORMATS, 'glove'];

/** The extensions that name a format; word2vec.c's rule for the text ones. */
const EXTENSION_FORMATS: ReadonlyMap<string, FileFormat> = new Map([
  ['.w2v', 'native'],
  ['.bin', 'bin'],
  ['.txt', 'txt'],
  ['.vec', 'txt'],
  ['.text', 'txt'],
]);

/**
 * The format for `path`: `given` if there is one, else the one its extension
 * implies (`.w2v` native, `.bin` binary, `.txt`, `.vec` and `.text` text),
 * else `otherwise`: binary unless the caller passes undefined, to judge the
 * file by its content instead.
 * @example
 * formatFromPath('wiki.vec'); // 'txt'
 * formatFromPath('model.w2v'); // 'native'
 * formatFromPath('vectors'); // 'bin', as word2vec.c assumes
 * formatFromPath('vectors', 'txt'); // 'txt'
 * formatFromPath('vectors', undefined, undefined); // undefined: the name does not say
 */
export function formatFromPath(path: string, given?: FileFormat): FileFormat;
export function formatFromPath(
  path: string,
  given: FileFormat | undefined,
  otherwise: FileFormat | undefined,
): FileFormat | undefined;
export function formatFromPath(
  path: string,
  given?: FileFormat,
  // A rest tuple, so that an explicit undefined is told apart from no argument.
  ...otherwise: [FileFormat | undefined] | []
): FileFormat | undefined {
  return (
    given ??
    EXTENSION_FORMATS.get(extname(path).toLowerCase()) ??
    (otherwise.length > 0 ? otherwise[0] : 'bin')
  );
}

/** Checks a format to save in, given at run time (from JavaScript or the command line), is one of {@link FILE_FORMATS}. */
export function checkFormat(format: string): asserts format is FileFormat {
  if (format === 'glove') {
    throw new UsageError(
      `format 'glove' is read only: save as ${FILE_FORMATS.join(', ')} (txt is GloVe's lines after a header line)`,
    );
  }
  checkFormatAmong(format, FILE_FORMATS);
}

/** Checks a format to load, given at run time, is one of {@link LOAD_FORMATS}. */
export function checkLoadFormat(format: string): asserts format is LoadFormat {
  checkFormatAmong(format, LOAD_FORMATS);
}

function checkFormatAmong(format: string, formats: readonly string[]): void {
  if (!formats.includes(format)) {
    throw new UsageError(`unknown format '${format}': expected one of ${formats.join(', ')}`);
  }
}
