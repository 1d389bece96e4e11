/**
 * Buffered sequential reading and writing of word2vec files, and the bytes
 * that delimit their words and records.
 */
import type { FileHandle } from 'node:fs/promises';
import { LITTLE_ENDIAN } from './byte-order.js';
import { writeFloat32Text } from './float-text.js';

/** Bytes buffered before each write, and read per read call. */
export const CHUNK_BYTES = 1 << 20;
export const SPACE = 0x20;
export const NEWLINE = 0x0a;

/** Buffers writes into ~1 MiB chunks. */
export class ChunkWriter {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(private readonly handle: FileHandle) {}

  /** Whether `bytes` more fit without a flush. */
  fits(bytes: number): boolean {
    return this.used + bytes <= this.buffer.length;
  }

  /** Flushes if needed so that `bytes` more fit (growing for one huge record). */
  async reserve(bytes: number): Promise<void> {
    if (this.fits(bytes)) return;
    await this.flush();
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes);
  }

  /** Appends a string; the caller has reserved its UTF-8 length. */
  writeString(text: string): void {
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  writeByte(byte: number): void {
    this.buffer[this.used++] = byte;
  }

  /** Appends the shortest round-tripping decimal of a float32; the caller has reserved MAX_FLOAT_TEXT_BYTES. */
  writeFloatText(value: number): void {
    this.used = writeFloat32Text(this.buffer, this.used, value);
  }

  /** Appends `count` float32 values little-endian; the caller has reserved the space. */
  writeFloats(values: Float32Array, start: number, count: number): void {
    if (LITTLE_ENDIAN) {
      this.buffer.set(
        new Uint8Array(values.buffer, values.byteOffset + start * 4, count * 4),
        this.used,
      );
    } else {
      for (let k = 0; k < count; k++)
        this.buffer.writeFloatLE(values[start + k]!, this.used + k * 4);
    }
    this.used += count * 4;
  }

  async flush(): Promise<void> {
    let offset = 0;
    while (offset < this.used) {
      const { bytesWritten } = await this.handle.write(this.buffer, offset, this.used - offset);
      offset += bytesWritten;
    }
    this.used = 0;
  }
}

/**
 * Sequential reads into a growable buffer holding the unconsumed bytes
 * `buffer[start..end)`. Each read starts when the one before it ends, into a
 * spare chunk, so the file is read while the caller parses the bytes it has.
 */
export class ChunkReader {
  buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  start = 0;
  end = 0;
  /** File offset of `buffer[0]`. */
  base = 0;
  eof = false;
  private readonly spare = Buffer.allocUnsafe(CHUNK_BYTES);
  /** The read under way into `spare` (closing the handle waits for it). */
  private ahead: Promise<number> | undefined;

  /**
   * @param onRead Told the bytes read so far after each read.
   */
  constructor(
    private readonly handle: FileHandle,
    private readonly onRead?: (bytesRead: number) => void,
  ) {}

  /** Reads more bytes after `end`, keeping `buffer[start..end)`. Returns false at end of file. */
  async more(): Promise<boolean> {
    if (this.eof) return false;
    const bytesRead = await (this.ahead ?? this.readAhead());
    this.ahead = undefined;
    if (bytesRead === 0) {
      this.eof = true;
      return false;
    }
    if (this.start > 0) {
      this.buffer.copy(this.buffer, 0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (this.buffer.length - this.end < bytesRead) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.end + bytesRead));
      this.buffer.copy(bigger, 0, 0, this.end);
      this.buffer = bigger;
    }
    this.spare.copy(this.buffer, this.end, 0, bytesRead);
    this.end += bytesRead;
    this.ahead = this.readAhead();
    this.onRead?.(this.base + this.end);
    return true;
  }

  private readAhead(): Promise<number> {
    const read = this.handle
      .read(this.spare, 0, this.spare.length, null)
      .then(({ bytesRead }) => bytesRead);
    // A reader left before the end never awaits its last read; its failure is then nobody's.
    read.catch(() => {});
    return read;
  }

  /** Index of the first space or line break in `buffer[from..end)`, or -1. */
  findWordEnd(from: number): number {
    const { buffer, end } = this;
    for (let i = from; i < end; i++) {
      const byte = buffer[i]!;
      if (byte === SPACE || byte === NEWLINE) return i;
    }
    return -1;
  }

  /** Index of the next line break at or after `start`, reading more as needed; -1 if the file ends first. */
  async findLineEnd(): Promise<number> {
    let newline = this.find(NEWLINE, this.start);
    while (newline < 0) {
      const scanned = this.end - this.start;
      if (!(await this.more())) break;
      newline = this.find(NEWLINE, this.start + scanned);
    }
    return newline;
  }

  /** Index of the next `byte` in `buffer[from..end)`, or -1. */
  find(byte: number, from: number): number {
    const at = this.buffer.indexOf(byte, from);
    return at >= 0 && at < this.end ? at : -1;
  }

  /** File offset of buffer index `i`. */
  offset(i: number): number {
    return this.base + i;
  }
}
