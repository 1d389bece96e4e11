/**
 * Saving word vectors in any supported format, chosen from the file name
 * unless given.
 */
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { checkFormat, formatFromPath, type FileFormat } from './file-format.js';
import { saveFastTextBin } from './fasttext-bin-write.js';
import { saveNative } from './native-format.js';
import { saveWord2Vec } from './word2vec-format.js';

export interface SaveVectorsOptions {
  /**
   * Default: from the extension (see {@link formatFromPath}); binary if it
   * says nothing, and for a subword model fastText's `.bin` rather than word2vec's.
   */
  format?: FileFormat;
}

/**
 * Saves word vectors in any format (native files then hold the vectors only,
 * without counts or output weights).
 * @example
 * await saveVectors(kv, 'vectors.txt');
 */
export async function saveVectors(
  kv: KeyedVectors,
  path: string,
  options: SaveVectorsOptions = {},
): Promise<void> {
  let format = formatFromPath(path, options.format);
  if (options.format === undefined && format === 'bin' && kv instanceof SubwordKeyedVectors)
    format = 'fasttext';
  checkFormat(format);
  if (format === 'fasttext') await saveFastTextBin(kv, path);
  else if (format === 'native') await saveNative(path, { vectors: kv });
  else await saveWord2Vec(kv, path, { format });
}
