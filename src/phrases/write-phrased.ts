// Writing the phrased corpus: the input's lines with the phrases joined,
// gzip when the output's name ends in .gz. Bytes are handled as Latin-1, so
// every word is written back byte for byte, whatever its encoding.
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { corpusBuffers } from '../corpus/reader.js';
import { writeFileAtomically } from '../io/atomic-write.js';
import { PhraseJoiner, SENTENCE_END } from './phrase-layers.js';
import type { PhraseModel } from './phrase-model.js';

/** The tokenizer's white space: ASCII space, tab, line feed, vertical tab, form feed, carriage return. */
const SPACE = /[\t\n\v\f\r ]+/;

export interface WritePhrasedOptions {
  /** Called after each piece read, with the tokens written so far. */
  onTokens?: (tokens: number) => void;
  onWarning?: (message: string) => void;
}

/** What writing the phrased corpus did. */
export interface WriteSummary {
  tokensRead: number;
  tokensWritten: number;
  lines: number;
  phrasesJoined: number;
}

/**
 * Reads the corpus files and writes them to `output` with the model's
 * phrases joined, line for line. With word2phrase scoring each word is
 * written after a space (or the delimiter), as word2phrase.c writes it;
 * otherwise a line's words are separated by single spaces.
 */
export async function writePhrasedCorpus(
  model: PhraseModel,
  input: readonly string[],
  output: string,
  options: WritePhrasedOptions = {},
): Promise<WriteSummary> {
  const ids = new Map<string, number>();
  const words: string[] = [];
  const latin1 = (word: string): string => Buffer.from(word, 'utf8').toString('latin1');
  const idOf = (word: string): number => {
    const key = latin1(word);
    let id = ids.get(key);
    if (id === undefined) {
      id = words.length;
      ids.set(key, id);
      words.push(key);
    }
    return id;
  };
  const joiner = new PhraseJoiner(model.compile(idOf, () => words.length));
  const word2phraseStyle = model.settings.scoring === 'word2phrase';
  const summary: WriteSummary = { tokensRead: 0, tokensWritten: 0, lines: 0, phrasesJoined: 0 };
  let scratch = new Int32Array(1024);
  /** A line's text; `last`: the file's last line, without a line end, as word2phrase.c's passes see it. */
  const lineOut = (line: string, last = false): string => {
    const tokens = line.split(SPACE);
    let n = 0;
    if (scratch.length < tokens.length + 1) scratch = new Int32Array(2 * tokens.length + 1);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token === '') continue;
      scratch[n++] = ids.get(token) ?? -2 - i;
    }
    summary.tokensRead += n;
    scratch[n] = SENTENCE_END;
    const run = scratch.subarray(0, n + 1);
    const joined = last
      ? joiner.finish(run, /[^\t ]$/.test(line), /[^\t\r ]/.test(line))
      : joiner.push(run);
    const out: string[] = [];
    for (let i = 0; i < joined.length - 1; i++) {
      const id = joined[i];
      out.push(id >= 0 ? words[id] : tokens[-2 - id]);
    }
    summary.tokensWritten += out.length;
    return word2phraseStyle ? out.map((w) => ` ${w}`).join('') : out.join(' ');
  };
  async function* phrased(): AsyncGenerator<Buffer> {
    for (const path of input) {
      let carry = '';
      for await (const { bytes, final } of corpusBuffers([path], {
        onWarning: options.onWarning,
      })) {
        const text =
          carry + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
        const lines = text.split('\n');
        carry = lines.pop() ?? '';
        const pieces: string[] = [];
        for (const line of lines) pieces.push(lineOut(line), '\n');
        summary.lines += lines.length;
        if (final && carry !== '') {
          pieces.push(lineOut(carry, word2phraseStyle));
          summary.lines++;
          carry = '';
        }
        options.onTokens?.(summary.tokensRead);
        if (pieces.length > 0) yield Buffer.from(pieces.join(''), 'latin1');
      }
    }
  }
  await writeFileAtomically(output, async (handle) => {
    const source: AsyncIterable<Buffer> = output.endsWith('.gz')
      ? Readable.from(phrased()).pipe(createGzip())
      : phrased();
    for await (const chunk of source) await handle.write(chunk);
  });
  summary.phrasesJoined = joiner.joins;
  return summary;
}
