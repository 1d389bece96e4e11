// A stream of corpus bytes that can be read only once (standard input, a
// pipe, a Readable), gzip or plain as its first bytes say: files are told
// apart by content the same way (reader.ts), but a stream cannot be peeked
// at and read again from its start.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { errorCode, InputError } from '../errors.js';

const GZIP_MAGIC = [0x1f, 0x8b];
/** As reader.ts: below glibc's mmap threshold, so freed buffers go back to the system. */
const READ_BYTES = 1 << 16;

/** A piece of a stream as bytes; a string piece (a stream with an encoding set) is UTF-8 encoded. */
function asBytes(piece: unknown, name: string): Uint8Array {
  if (piece instanceof Uint8Array) return piece;
  if (typeof piece === 'string') return Buffer.from(piece, 'utf8');
  throw new InputError(
    `${name} gave a ${typeName(piece)} where a stream of text gives bytes or strings`,
  );
}

/** What a value is, in a word or two: 'number (42)', 'object', 'null'. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return value.constructor.name;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} (${String(value)})`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? `${name} object` : 'object';
  }
  return typeof value;
}

/**
 * The text bytes of a stream read once, decompressed if it starts with the
 * gzip magic. `name` names it in errors ('standard input'). Whatever the
 * stream throws is passed on as it is; broken gzip data is an InputError.
 */
export async function* streamBytes(
  stream: AsyncIterable<unknown>,
  name: string,
): AsyncGenerator<Uint8Array> {
  const pieces = stream[Symbol.asyncIterator]();
  // Enough of the head to tell gzip from text (a piece may hold a single byte).
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < 2) {
    const next = await pieces.next();
    if (next.done) {
      ended = true;
      break;
    }
    const bytes = asBytes(next.value, name);
    head.push(bytes);
    headBytes += bytes.length;
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  const gzip = first.length >= 2 && first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    if (first.length > 0) yield first;
    if (ended) return;
    for (;;) {
      const next = await pieces.next();
      if (next.done) return;
      yield asBytes(next.value, name);
    }
  };
  if (!gzip) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip({ chunkSize: READ_BYTES });
  const done = pipeline(Readable.from(rest(), { objectMode: false }), gunzip);
  // The pipeline's failure is seen through the gunzip stream, which it destroys with it.
  done.catch(() => {});
  try {
    for await (const bytes of gunzip as AsyncIterable<Buffer>) yield bytes;
    await done;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
      throw new InputError(`cannot read ${name}: corrupt or truncated gzip data`);
    throw error;
  } finally {
    gunzip.destroy();
  }
}
