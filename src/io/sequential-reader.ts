/**
 * A binary model file read front to back: small fields through a buffer,
 * large matrices straight into the arrays they end in (fastText's .bin).
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { LITTLE_ENDIAN } from './byte-order.js';
import type { LoadProgressListener } from './input-file.js';

/** Bytes read at a time from the header and the dictionary. */
const BUFFER_BYTES = 1 << 20;

/** Reads a file front to back: small fields through a buffer, matrices straight into their arrays. */
export class SequentialReader {
  private buffer = new Uint8Array(BUFFER_BYTES);
  private view = new DataView(this.buffer.buffer);
  private start = 0; // file offset of buffer[0]
  private length = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly fileBytes: number,
    private readonly path: string,
    private readonly onProgress?: LoadProgressListener,
  ) {}

  /** Makes `count` bytes from `position` available in the buffer; returns their index there. */
  private async need(count: number, what: string): Promise<number> {
    if (this.position + count > this.fileBytes) {
      throw new InputError(
        `${this.path}: the file ends at byte ${this.fileBytes}, inside ${what} (at byte ${this.position}); is it truncated?`,
      );
    }
    if (this.position >= this.start && this.position + count <= this.start + this.length) {
      return this.position - this.start;
    }
    const size = Math.max(count, Math.min(BUFFER_BYTES, this.fileBytes - this.position));
    if (size > this.buffer.length) {
      this.buffer = new Uint8Array(size);
      this.view = new DataView(this.buffer.buffer);
    }
    let done = 0;
    while (done < size) {
      const { bytesRead } = await this.handle.read(
        this.buffer,
        done,
        size - done,
        this.position + done,
      );
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    this.start = this.position;
    this.length = done;
    this.onProgress?.(this.position + done, this.fileBytes);
    return 0;
  }

  async int32(what: string): Promise<number> {
    const at = await this.need(4, what);
    this.position += 4;
    return this.view.getInt32(at, true);
  }

  async int64(what: string, signed = false): Promise<number> {
    const at = await this.need(8, what);
    this.position += 8;
    const value = this.view.getBigInt64(at, true);
    if ((value < 0n && !(signed && value === -1n)) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new InputError(
        `${this.path}: ${what} at byte ${this.position - 8} is ${value}, expected a non-negative count`,
      );
    }
    return Number(value);
  }

  async byte(what: string): Promise<number> {
    const at = await this.need(1, what);
    this.position += 1;
    return this.buffer[at]!;
  }

  async bytes(count: number, what: string): Promise<Uint8Array> {
    const at = await this.need(count, what);
    this.position += count;
    return this.buffer.slice(at, at + count);
  }

  /**
   * The buffer from `position` on: at least `count` bytes (fewer only where
   * the file ends), and whatever more it holds. Does not advance.
   */
  async peek(
    count: number,
    what: string,
  ): Promise<{ buffer: Uint8Array; at: number; length: number }> {
    const at = await this.need(Math.min(count, this.fileBytes - this.position), what);
    return { buffer: this.buffer, at, length: this.start + this.length - this.position };
  }

  /** Reads `target.length` floats straight into `target`. */
  async floats(target: Float32Array, what: string): Promise<void> {
    const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
    if (this.position + bytes.length > this.fileBytes) await this.need(bytes.length, what);
    for (let done = 0; done < bytes.length;) {
      const { bytesRead } = await this.handle.read(
        bytes,
        done,
        Math.min(1 << 26, bytes.length - done),
        this.position + done,
      );
      if (bytesRead === 0) await this.need(bytes.length, what);
      done += bytesRead;
      this.onProgress?.(this.position + done, this.fileBytes);
    }
    this.position += bytes.length;
    this.length = 0;
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
    }
  }
}
