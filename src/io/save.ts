/**
 * Saving word vectors in any supported format, chosen from the file name
 * unless given.
 */
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { checkFormat, formatFromPath, type FileFormat } from './file-format.js';
import { saveNative } from './native-format.js';
import { saveWord2Vec } from './word2vec-format.js';

export interface SaveVectorsOptions {
  /** Default: from the extension (see {@link formatFromPath}); binary if it says nothing. */
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
  const format = formatFromPath(path, options.format);
  checkFormat(format);
  if (format === 'native') await saveNative(path, { vectors: kv });
  else await saveWord2Vec(kv, path, { format });
}
