import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';

/** Sentences as lists of tokens, several at a time so the caller pays for one await per batch. */
export type SentenceBatch = string[][];

/** Longest token kept whole; longer runs of non-space are cut (word2vec.c cuts at 100 bytes). */
export const MAX_TOKEN_LENGTH = 1000;

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** Checks that every corpus file exists and is a readable regular file, naming the one that is not. */
export async function checkCorpusFiles(paths: string[]): Promise<void> {
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new InputError(`cannot read corpus file '${path}': no such file`);
    }
    if (info.isDirectory()) throw new InputError(`corpus file '${path}' is a directory; give the text files inside it`);
    try {
      await (await open(path, 'r')).close();
    } catch (error) {
      throw new InputError(`cannot read corpus file '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
}

async function openText(path: string): Promise<Readable> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!(await isGzip(path))) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/**
 * Streams the sentences of one or more text files (plain or gzip, detected by
 * content). A line is a sentence; tokens are separated by white space; a line
 * of more than `maxSentenceLength` tokens is cut into several sentences. Only
 * one input chunk and the sentences completed in it are in memory at a time.
 */
export async function* readSentences(paths: string[], maxSentenceLength: number): AsyncGenerator<SentenceBatch> {
  await checkCorpusFiles(paths);
  for (const path of paths) {
    const decoder = new StringDecoder('utf8');
    let partial = ''; // a token cut by the chunk boundary
    const splitter = new SentenceSplitter(maxSentenceLength);
    let stream: Readable;
    try {
      stream = await openText(path);
    } catch (error) {
      throw new InputError(`cannot read corpus file '${path}': ${String(error)}`);
    }
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const text = partial + decoder.write(chunk);
        const batch = splitter.push(text, false);
        partial = splitter.partial;
        if (batch.length > 0) yield batch;
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const what = code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' ? 'corrupt or truncated gzip data' : String(error);
      throw new InputError(`cannot read corpus file '${path}': ${what}`);
    }
    const last = splitter.push(partial + decoder.end(), true);
    if (last.length > 0) yield last;
  }
}

/** Turns text into sentences, carrying an unfinished line and token from one chunk to the next. */
export class SentenceSplitter {
  private current: string[] = [];
  /** The unfinished token at the end of the last text pushed. */
  partial = '';

  constructor(private readonly maxSentenceLength: number) {}

  push(text: string, final: boolean): SentenceBatch {
    const out: SentenceBatch = [];
    let end = text.length;
    if (!final) {
      // Keep the trailing token (it may continue in the next chunk) unless it is absurdly long.
      let cut = end;
      while (cut > 0 && !isSpace(text.charCodeAt(cut - 1))) cut--;
      if (end - cut <= MAX_TOKEN_LENGTH) end = cut;
      this.partial = text.slice(end);
    } else {
      this.partial = '';
    }
    let start = 0;
    while (start < end) {
      let newline = text.indexOf('\n', start);
      if (newline < 0 || newline >= end) newline = -1;
      const lineEnd = newline < 0 ? end : newline;
      if (lineEnd > start) this.addTokens(text.slice(start, lineEnd), out);
      if (newline < 0) break;
      this.endSentence(out);
      start = newline + 1;
    }
    if (final) this.endSentence(out);
    return out;
  }

  private addTokens(line: string, out: SentenceBatch): void {
    for (const token of line.split(/\s+/)) {
      if (token === '') continue;
      this.current.push(token.length > MAX_TOKEN_LENGTH ? token.slice(0, MAX_TOKEN_LENGTH) : token);
      if (this.current.length >= this.maxSentenceLength) this.endSentence(out);
    }
  }

  private endSentence(out: SentenceBatch): void {
    if (this.current.length > 0) out.push(this.current);
    this.current = [];
  }
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13 || code === 12 || code === 11;
}
