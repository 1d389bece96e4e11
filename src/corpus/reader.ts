import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { systemErrorText } from '../io/atomic-write.js';

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
    } catch (error) {
      throw new InputError(`cannot read corpus file '${path}': ${systemErrorText(error)}`);
    }
    if (info.isDirectory()) throw new InputError(`corpus file '${path}' is a directory; give the text files inside it`);
    try {
      await (await open(path, 'r')).close();
    } catch (error) {
      throw new InputError(`cannot read corpus file '${path}': ${systemErrorText(error)}`);
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

/** A piece of a corpus file's bytes (decompressed); `final` marks the end of a file. */
export interface CorpusBuffer {
  path: string;
  bytes: Uint8Array;
  final: boolean;
}

/**
 * Streams the bytes of one or more corpus files (plain or gzip, detected by
 * content), a megabyte at a time, with an empty final piece after each file.
 */
export async function* corpusBuffers(paths: string[]): AsyncGenerator<CorpusBuffer> {
  await checkCorpusFiles(paths);
  for (const path of paths) {
    try {
      for await (const bytes of (await openText(path)) as AsyncIterable<Buffer>) yield { path, bytes, final: false };
    } catch (error) {
      if (error instanceof InputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const what = code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' ? 'corrupt or truncated gzip data' : String(error);
      throw new InputError(`cannot read corpus file '${path}': ${what}`);
    }
    yield { path, bytes: new Uint8Array(0), final: true };
  }
}
