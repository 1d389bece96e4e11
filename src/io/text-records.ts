/**
 * Reading the records of text vector files (word2vec text, fastText's
 * `.vec`, GloVe): one word and its values per line, parsed from the bytes so
 * that only the word becomes a string.
 */
import { InputError } from '../errors.js';
import { quoteWord } from '../printable.js';
import { DecimalScanner, isWhiteSpace, NOT_A_NUMBER, parseValue } from './float-text.js';
import type { ChunkReader } from './word2vec-chunks.js';
import { loadingRows, type RowShards, type RowTarget } from '../vectors/row-shards.js';
import type { LoadedWords } from './word2vec-read.js';

/** Where the records are and what they must hold. */
export interface TextRecordsLayout {
  /** Records to read. */
  count: number;
  /** Values per record. */
  dim: number;
  /** Line number of the first record (1-based). */
  firstLine: number;
  /** Where `count` comes from, for the message of a file that ends first: 'the header declares'. */
  countSource: string;
  /** Said after the message of a record that has not `dim` values; empty if nothing is to be said. */
  dimNote: string;
}

/** Reads `layout.count` text records, one per line, into the vectors of the kept words. */
export async function readTextRecords(
  reader: ChunkReader,
  path: string,
  layout: TextRecordsLayout,
  words: LoadedWords,
): Promise<Float32Array | RowShards> {
  const { count, dim } = layout;
  const vectors = loadingRows(count, dim);
  const parser = new TextRecordParser(path, layout, vectors, words);
  let lineNumber = layout.firstLine - 1;
  for (let record = 0; record < count; record++) {
    lineNumber++;
    const newline = await reader.findLineEnd();
    if (newline < 0 && reader.start === reader.end) {
      throw new InputError(
        `${path} line ${lineNumber}: expected vector ${record + 1} of the ${count} ${layout.countSource}, found the end of the file`,
      );
    }
    const lineEnd = newline < 0 ? reader.end : newline;
    const word = parser.parse(reader.buffer, reader.start, lineEnd, lineNumber);
    reader.start = newline < 0 ? reader.end : newline + 1;
    words.keep(word, lineNumber);
  }
  return vectors.finish(words.list.length);
}

/** Parses lines `word v1 ... vdim` into the rows of the kept words. */
class TextRecordParser {
  private readonly scanner = new DecimalScanner();

  constructor(
    private readonly path: string,
    private readonly layout: TextRecordsLayout,
    private readonly vectors: RowTarget,
    private readonly words: LoadedWords,
  ) {}

  /**
   * Parses the line `bytes[start..end)` into the next free row and returns
   * its word. Values are separated by spaces or tabs; surrounding white
   * space and '\r' (as word2vec.c's "%lf " and CRLF files leave) are ignored.
   */
  parse(bytes: Buffer, start: number, end: number, lineNumber: number): string {
    const { path, scanner } = this;
    const { dim } = this.layout;
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
    const word = this.words.decode(bytes, position, wordEnd, lineNumber);
    const row = this.words.list.length;
    const vectors = this.vectors.arrayOf(row);
    const at = this.vectors.baseOf(row);
    position = wordEnd;
    let values = 0;
    while (position < end) {
      while (isWhiteSpace(bytes[position]!)) position++;
      let value = scanner.scan(bytes, position, end);
      let tokenEnd = scanner.end;
      if (value !== value) {
        tokenEnd = position;
        while (tokenEnd < end && !isWhiteSpace(bytes[tokenEnd]!)) tokenEnd++;
        value = this.parseOther(bytes, position, tokenEnd, lineNumber, values, word);
      }
      if (values < dim) vectors[at + values] = value;
      values++;
      position = tokenEnd;
    }
    if (values !== dim) {
      throw new InputError(
        `${path} line ${lineNumber}: expected ${dim} values after the word ${quoteWord(word)}, found ${values}` +
          this.layout.dimNote,
      );
    }
    return word;
  }

  /** A value the fast scan does not take: long, far from 1, `nan`, `inf`, or not a number. */
  private parseOther(
    bytes: Buffer,
    start: number,
    end: number,
    lineNumber: number,
    index: number,
    word: string,
  ): number {
    const token = bytes.toString('utf8', start, end);
    const value = parseValue(token);
    if (value !== value && !NOT_A_NUMBER.test(token)) {
      throw new InputError(
        `${this.path} line ${lineNumber}: value ${index + 1} of the word ${quoteWord(word)} is not a number: ${JSON.stringify(token.slice(0, 40))}`,
      );
    }
    return value;
  }
}
