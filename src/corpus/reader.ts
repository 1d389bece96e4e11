import type { ReadStream, Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { errorCode, InputError, systemErrorText } from '../errors.js';
import { streamBytes } from './byte-stream.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Bytes per read and per decompressed piece. Below glibc's initial mmap
 * threshold (128 KiB) on purpose: freeing thousands of larger buffers raises
 * that threshold, after which buffers of a few MB come from the heap and stay
 * in the process's memory when freed, which raises the peak memory of a run.
 */
const READ_BYTES = 1 << 16;

/** Checks that every corpus file exists and is a readable regular file, naming the one that is not. */
export async function checkCorpusFiles(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new InputError(`cannot read corpus file '${path}': ${systemErrorText(error)}`);
    }
    if (info.isDirectory())
      throw new InputError(`corpus file '${path}' is a directory; give the text files inside it`);
    // A pipe opened and closed here would lose what its writer wrote meanwhile.
    if (!info.isFile()) continue;
    try {
      await (await open(path, 'r')).close();
    } catch (error) {
      throw new InputError(`cannot read corpus file '${path}': ${systemErrorText(error)}`);
    }
  }
}

/**
 * A corpus file that is no longer what the counting pass read, found by a
 * later pass: reading on would train on other text than was counted.
 */
export class CorpusChangedError extends InputError {
  constructor(
    readonly path: string,
    change: string,
  ) {
    super(
      `corpus file '${path}' changed while training (${change}); each epoch reads it again, so it must stay as it was until training ends`,
    );
  }
}

/** A corpus file as a pass found it when it opened it. */
export interface FileStamp {
  path: string;
  /** A regular file; only such a file's size and time say whether it changed (a pipe's do not). */
  regular: boolean;
  /** Size on disk (compressed, for gzip). */
  bytes: number;
  mtimeMs: number;
  /** The file's identity, whatever name it was given by. */
  dev: number;
  ino: number;
}

function stampOf(path: string, info: Stats): FileStamp {
  return {
    path,
    regular: info.isFile(),
    bytes: info.size,
    mtimeMs: info.mtimeMs,
    dev: info.dev,
    ino: info.ino,
  };
}

/**
 * How a file differs from its stamp, in a few words, or undefined if it
 * does not: another file under its name, another size or modification time.
 */
function changeOf(before: FileStamp, after: FileStamp): string | undefined {
  if (!before.regular) return undefined;
  if (after.dev !== before.dev || after.ino !== before.ino) return 'replaced by another file';
  if (after.bytes !== before.bytes)
    return `size ${before.bytes.toLocaleString('en-US')} → ${after.bytes.toLocaleString('en-US')} bytes`;
  if (after.mtimeMs !== before.mtimeMs) {
    return `modification time ${new Date(before.mtimeMs).toISOString()} → ${new Date(after.mtimeMs).toISOString()}`;
  }
  return undefined;
}

/** The file at `path` now, or why it cannot be looked at. */
async function stampNow(path: string): Promise<FileStamp | string> {
  try {
    return stampOf(path, await stat(path));
  } catch (error) {
    return systemErrorText(error);
  }
}

async function isGzip(handle: FileHandle): Promise<boolean> {
  const head = Buffer.alloc(2);
  const { bytesRead } = await handle.read(head, 0, 2, 0);
  return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/**
 * The decompressed text of an open file, and the stream of its raw bytes; a
 * regular file is read up to the size in its stamp, no further. Anything
 * else (a pipe) is read as a stream, from where it is, and cannot be peeked at.
 */
async function openText(
  handle: FileHandle,
  file: FileStamp,
): Promise<{ text: AsyncIterable<Uint8Array>; raw: ReadStream }> {
  if (!file.regular) {
    const raw = handle.createReadStream({ highWaterMark: READ_BYTES, autoClose: false });
    return { text: streamBytes(raw, `corpus file '${file.path}'`), raw };
  }
  const raw = handle.createReadStream({
    start: 0,
    end: file.bytes - 1,
    highWaterMark: READ_BYTES,
    autoClose: false,
  });
  if (!(await isGzip(handle))) return { text: raw, raw };
  const gunzip = createGunzip({ chunkSize: READ_BYTES });
  raw.on('error', (error) => gunzip.destroy(error));
  return { text: raw.pipe(gunzip), raw };
}

/** A piece of a corpus file's bytes (decompressed); `final` marks the end of a file. */
export interface CorpusBuffer {
  bytes: Uint8Array;
  final: boolean;
  /** The file the bytes are from, as this pass found it when it opened it (the same object for all its pieces). */
  file: FileStamp;
}

export interface CorpusReadOptions {
  /**
   * The files as the counting pass found them (its buffers' `file`), for a
   * pass that reads them again: each must be the same file, of the same size
   * and modification time, when opened and when read to its end (a
   * CorpusChangedError says which is not, before the piece that ends it),
   * and no byte past that size is read.
   */
  counted?: readonly FileStamp[];
  /** For the counting pass: hears of a file given twice and of one that changed while it was read. */
  onWarning?: (message: string) => void;
}

/**
 * Streams the bytes of one or more corpus files (plain or gzip, detected by
 * content), 64 KiB at a time, with an empty final piece after each file.
 * A file given twice is read twice.
 */
export async function* corpusBuffers(
  paths: readonly string[],
  options: CorpusReadOptions = {},
): AsyncGenerator<CorpusBuffer> {
  const { counted, onWarning } = options;
  if (!counted) await checkCorpusFiles(paths);
  const opened: FileStamp[] = [];
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (counted) throw new CorpusChangedError(path, `cannot open it: ${systemErrorText(error)}`);
      throw new InputError(`cannot read corpus file '${path}': ${systemErrorText(error)}`);
    }
    try {
      const file = stampOf(path, await handle.stat());
      if (counted) {
        const change = changeOf(counted[i], file);
        if (change) throw new CorpusChangedError(path, change);
      } else {
        const before = opened.find((other) => other.dev === file.dev && other.ino === file.ino);
        if (before) {
          onWarning?.(
            `corpus file '${path}' is the same file as '${before.path}', given before it: its words are counted and trained twice, as if the two were one text`,
          );
        }
        opened.push(file);
      }
      yield* fileBuffers(handle, file, counted?.[i], onWarning);
    } finally {
      await handle.close();
    }
  }
}

/**
 * The pieces of one open file, then its final piece once the file has been
 * looked at again: against `counted` for a pass that reads it again (a
 * CorpusChangedError if it differs), against how it was opened for the
 * counting pass (a warning). Whatever ends the reading, the file is looked
 * at, as a change explains a short read or broken gzip data.
 */
async function* fileBuffers(
  handle: FileHandle,
  file: FileStamp,
  counted: FileStamp | undefined,
  onWarning: ((message: string) => void) | undefined,
): AsyncGenerator<CorpusBuffer> {
  const { path } = file;
  let raw: ReadStream | undefined;
  const lookAgain = async (): Promise<void> => {
    const bytesRead = raw?.bytesRead ?? 0;
    const now = await stampNow(path);
    const change =
      typeof now === 'string' ? `cannot look at it: ${now}` : changeOf(counted ?? file, now);
    if (!change) return;
    if (counted) throw new CorpusChangedError(path, change);
    onWarning?.(
      `corpus file '${path}' changed while its words were counted (${change}): the counts hold the ${bytesRead.toLocaleString('en-US')} bytes that were read`,
    );
  };
  try {
    if (!file.regular || file.bytes > 0) {
      const source = await openText(handle, file);
      raw = source.raw;
      for await (const bytes of source.text) yield { bytes, final: false, file };
    }
  } catch (error) {
    await lookAgain();
    if (error instanceof InputError) throw error;
    const code = errorCode(error);
    const what =
      code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR'
        ? 'corrupt or truncated gzip data'
        : String(error);
    throw new InputError(`cannot read corpus file '${path}': ${what}`);
  } finally {
    raw?.destroy();
  }
  await lookAgain();
  yield { bytes: new Uint8Array(0), final: true, file };
}
