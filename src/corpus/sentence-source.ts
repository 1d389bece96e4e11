// Sentences given to `train` instead of files: arrays, iterables, async
// iterables (generators, readline), Node Readable streams, or a function
// that returns a fresh one for each pass. Each pass turns them into the
// bytes the tokenizer reads from files, so the same text trains the same
// vectors whichever way it comes.
import { Readable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';
import { streamBytes, typeName } from './byte-stream.js';
import type { CorpusBuffer, FileStamp } from './reader.js';

/** A sentence: a string, split on white space as a line of a file is, or its tokens, each taken as it is. */
export type Sentence = string | readonly string[];

/** Something that yields sentences: an array, any iterable, or an async iterable (an async generator, `readline`, an object-mode stream). */
export type SentenceIterable = Iterable<Sentence> | AsyncIterable<Sentence>;

/**
 * The sentences `train` reads instead of files: an array or iterable of
 * sentences, an async iterable of them, a Node `Readable` of text (bytes
 * or strings, plain or gzip; lines are sentences, as in a file), or a
 * function that returns a fresh one of these for each pass.
 */
export type Sentences = SentenceIterable | Readable | (() => SentenceIterable | Readable);

/** The ASCII white space the tokenizer splits on, which a token given in an array may hold. */
const SEPARATOR = /[\t\n\v\f\r ]/;
/**
 * A token's white space as bytes no UTF-8 text holds (0xF8 + its place in
 * ESCAPED), so the tokenizer keeps the token whole; the words are given
 * their white space back once counted (see unescapeWord).
 */
const ESCAPED = [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d];
const ESCAPE_BASE = 0xf8;
/** Characters gathered before they are encoded and handed to the tokenizer: under 128 KiB of bytes for text that is mostly ASCII. */
const BATCH_CHARS = 1 << 15;

/** A source as a run reads it: how to read a pass, and whether a second pass is possible. */
export interface SentenceSource {
  /** How messages name it. */
  readonly name: string;
  /** Whether it can be read only once (a generator, a stream, standard input): then the counting pass keeps it. */
  readonly oneShot: boolean;
  /** Whether it yields sentences rather than bytes: the white space inside its tokens is escaped, and the counted words get it back (see unescapeWord). */
  readonly escaped: boolean;
  /** The bytes of one pass; the first call is the counting pass. */
  pass(): AsyncGenerator<CorpusBuffer>;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

/** A stream of text bytes rather than of sentences. */
function isByteStream(value: unknown): value is Readable {
  return value instanceof Readable && !value.readableObjectMode;
}

const EXPECTED =
  'an array or iterable of sentences (strings or arrays of strings), an async iterable of them, a Readable stream of text, or a function returning a fresh one of these for each pass';

/** Checks a source given as `what`, naming it and what it is when it is none of the sources accepted. */
function checkSource(value: unknown, what: string): void {
  if (typeof value === 'string') {
    throw new UsageError(
      `${what} must be ${EXPECTED}; got a string (give [text] for a single text, or write it to a file and give input)`,
      'sentences',
    );
  }
  if (!isIterable(value) && !isAsyncIterable(value))
    throw new UsageError(
      `${what} must be ${EXPECTED}; got ${article(typeName(value))}`,
      'sentences',
    );
}

function article(name: string): string {
  if (name === 'null' || name === 'undefined') return name;
  return /^[aeiou]/i.test(name) ? `an ${name}` : `a ${name}`;
}

/**
 * The source a run reads `sentences` from, checked.
 * @throws UsageError naming what was given when it is not a source.
 */
export function sentenceSource(sentences: unknown, name = 'the sentences given'): SentenceSource {
  if (typeof sentences === 'function') {
    const make = sentences as () => unknown;
    let previous: unknown;
    let escaped = true;
    return {
      name,
      oneShot: false,
      // As the last pass found it: a function may return a stream of bytes.
      get escaped() {
        return escaped;
      },
      pass: () => {
        const fresh = make();
        checkSource(fresh, 'sentences()');
        escaped = !isByteStream(fresh);
        // A generator object is its own iterator: the same one again is already read.
        if (fresh === previous && (fresh as Iterator<unknown>).next !== undefined) {
          throw new UsageError(
            'sentences() returned the same iterator as for the previous pass, which is already read; return a fresh one each time (call the generator function inside it)',
            'sentences',
          );
        }
        previous = fresh;
        return passOf(fresh as SentenceIterable | Readable, name);
      },
    };
  }
  checkSource(sentences, 'sentences');
  let source = sentences as SentenceIterable | Readable;
  // Iterated from now on: readline drops the lines its input gives before it is iterated.
  if (!Array.isArray(source) && !isByteStream(source) && !isIterable(source)) {
    const iterator = source[Symbol.asyncIterator]();
    source = { [Symbol.asyncIterator]: () => iterator };
  }
  let read = false;
  return {
    name,
    // Only an array can be read again as it was; anything else is read once and kept.
    oneShot: !Array.isArray(sentences),
    escaped: !isByteStream(source),
    pass: () => {
      if (read && !Array.isArray(source))
        throw new Error('a one-shot sentence source was read a second time');
      read = true;
      return passOf(source, name);
    },
  };
}

/** A pass's buffers carry the stamp of a "file" that is no file: it is never looked at again. */
function stampOf(name: string): FileStamp {
  return { path: name, regular: false, bytes: 0, mtimeMs: 0, dev: -1, ino: -1 };
}

/** One pass over a source, as the bytes of a file: pieces, then an empty final one. */
async function* passOf(
  source: SentenceIterable | Readable,
  name: string,
): AsyncGenerator<CorpusBuffer> {
  const file = stampOf(name);
  if (isByteStream(source)) {
    for await (const bytes of streamBytes(source, name)) yield { bytes, final: false, file };
  } else {
    for await (const bytes of sentenceBytes(source)) yield { bytes, final: false, file };
  }
  yield { bytes: new Uint8Array(0), final: true, file };
}

/** Sentences as text lines, encoded a batch at a time. */
async function* sentenceBytes(source: SentenceIterable): AsyncGenerator<Uint8Array> {
  let parts: string[] = [];
  let chars = 0;
  let index = 0;
  const ready: Uint8Array[] = [];
  const flush = (): void => {
    if (chars === 0) return;
    ready.push(Buffer.from(parts.join(''), 'utf8'));
    parts = [];
    chars = 0;
  };
  const add = (sentence: unknown): boolean => {
    const line = sentenceLine(sentence, index++);
    if (typeof line === 'string') {
      parts.push(line, '\n');
      chars += line.length + 1;
      if (chars >= BATCH_CHARS) flush();
    } else {
      flush();
      ready.push(line);
    }
    return ready.length > 0;
  };
  // A sync iterable is walked without a promise per sentence.
  if (isIterable(source)) {
    for (const sentence of source) if (add(sentence)) yield* ready.splice(0);
  } else {
    for await (const sentence of source) if (add(sentence)) yield* ready.splice(0);
  }
  flush();
  yield* ready.splice(0);
}

/**
 * A sentence as a line of text, without its line break; a token array
 * with white space inside a token as the bytes of its line, the white
 * space of its tokens escaped (see ESCAPED), with its line break.
 */
function sentenceLine(sentence: unknown, index: number): string | Uint8Array {
  if (typeof sentence === 'string') return sentence;
  if (!Array.isArray(sentence)) {
    throw new InputError(
      `sentences[${index}] is ${article(typeName(sentence))}; each sentence must be a string or an array of strings (its tokens)`,
    );
  }
  const tokens = sentence as unknown[];
  let plain = true;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t];
    if (typeof token !== 'string') {
      throw new InputError(
        `sentences[${index}][${t}] is ${article(typeName(token))}; the tokens of a sentence must be strings`,
      );
    }
    if (plain && SEPARATOR.test(token)) plain = false;
  }
  if (plain) return (tokens as string[]).join(' ');
  const line = (tokens as string[]).map((token) => Buffer.from(escapedBytes(token)));
  return Buffer.concat(line.flatMap((bytes) => [bytes, SPACE]).concat(NEWLINE));
}

const SPACE = Buffer.from(' ');
const NEWLINE = Buffer.from('\n');

/** The UTF-8 bytes of a token as an escaped source hands it to the tokenizer. */
export function escapedBytes(word: string): Uint8Array {
  const bytes = Buffer.from(word, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const at = ESCAPED.indexOf(bytes[i]!);
    if (at >= 0) bytes[i] = ESCAPE_BASE + at;
  }
  return bytes;
}

/**
 * A counted word of an escaped source with its white space back. The
 * tokenizer spells a word that is not UTF-8 (one with escaped white space)
 * byte by byte as U+DC00 + byte; such a word is rebuilt from its bytes.
 */
export function unescapeWord(word: string): string {
  if (!/[\uDC00-\uDCFF]/.test(word)) return word;
  const bytes = Uint8Array.from(word, (c) => c.charCodeAt(0) - 0xdc00);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= ESCAPE_BASE && b < ESCAPE_BASE + ESCAPED.length) bytes[i] = ESCAPED[b - ESCAPE_BASE]!;
  }
  return Buffer.from(bytes).toString('utf8');
}
