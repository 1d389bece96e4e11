/**
 * Writing word2vec records: binary (`word`, a space, `dim` float32
 * little-endian, a line break) or text (`word v1 ... vdim`, a line break).
 */
import { UsageError } from '../errors.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { MAX_FLOAT_TEXT_BYTES } from './float-text.js';
import { NEWLINE, SPACE, type ChunkWriter } from './word2vec-chunks.js';

/**
 * Checks every word before anything is written: a word2vec file separates
 * words with white space, so a word holding a space, tab or line break (a
 * token given in an array) could not be read back.
 * @throws UsageError naming the first such word and the native format, which holds any word.
 */
export function checkWords(words: readonly string[], format: 'bin' | 'txt'): void {
  for (let row = 0; row < words.length; row++) {
    const word = words[row]!;
    if (word.length > 0 && !/[ \t\n\r\v\f]/.test(word)) continue;
    throw new UsageError(
      `cannot save word ${row} (${JSON.stringify(word)}) in the word2vec ${format} format, which separates words with white space: ` +
        `it needs non-empty words without spaces, tabs or line breaks; save the model in the native format (.w2v, or format 'native'), which holds any word`,
    );
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

/** Writes every word and its vector as a binary record. */
export async function writeBinaryRecords(kv: KeyedVectors, writer: ChunkWriter): Promise<void> {
  const { words, dim } = kv;
  for (let row = 0; row < words.length; row++) {
    const word = words[row]!;
    checkWord(word, row);
    const recordBytes = Buffer.byteLength(word, 'utf8') + 1 + dim * 4 + 1;
    if (!writer.fits(recordBytes)) await writer.reserve(recordBytes);
    writer.writeString(word);
    writer.writeByte(SPACE);
    writer.writeFloats(kv.row(row), 0, dim);
    writer.writeByte(NEWLINE);
  }
}

/** Writes every word and its vector as a text line. */
export async function writeTextRecords(kv: KeyedVectors, writer: ChunkWriter): Promise<void> {
  const { words, dim } = kv;
  for (let row = 0; row < words.length; row++) {
    const word = words[row]!;
    checkWord(word, row);
    const lineBytes = Buffer.byteLength(word, 'utf8') + dim * (1 + MAX_FLOAT_TEXT_BYTES) + 1;
    if (!writer.fits(lineBytes)) await writer.reserve(lineBytes);
    writer.writeString(word);
    const vector = kv.row(row);
    for (let k = 0; k < dim; k++) {
      writer.writeByte(SPACE);
      writer.writeFloatText(vector[k]!);
    }
    writer.writeByte(NEWLINE);
  }
}
