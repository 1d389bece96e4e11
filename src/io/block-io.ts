/**
 * Writing and reading byte ranges of any length on an open file, in calls
 * small enough for Node.
 */
import type { FileHandle } from 'node:fs/promises';

/** Bytes per write call; large blocks go in several. */
const IO_CHUNK = 1 << 30;
/** Bytes per read call: small enough for a load's progress to move often. */
const READ_CHUNK = 1 << 26;

/** Writes all of `bytes` at the current file position. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    const { bytesWritten } = await handle.write(
      bytes,
      offset,
      Math.min(IO_CHUNK, bytes.length - offset),
    );
    offset += bytesWritten;
  }
}

/**
 * Reads `length` bytes at `position` into a new buffer; undefined if the
 * file ends first. `onRead` is told the bytes read by each call.
 */
export async function readAt(
  handle: FileHandle,
  position: number,
  length: number,
  onRead?: (bytes: number) => void,
): Promise<Uint8Array | undefined> {
  const bytes = new Uint8Array(new ArrayBuffer(length));
  return (await readInto(handle, position, bytes, onRead)) ? bytes : undefined;
}

/**
 * Fills `target` with the bytes at `position`; false if the file ends
 * first. `onRead` is told the bytes read by each call.
 */
export async function readInto(
  handle: FileHandle,
  position: number,
  target: Uint8Array,
  onRead?: (bytes: number) => void,
): Promise<boolean> {
  const length = target.length;
  for (let done = 0; done < length;) {
    const { bytesRead } = await handle.read(
      target,
      done,
      Math.min(READ_CHUNK, length - done),
      position + done,
    );
    if (bytesRead === 0) return false;
    done += bytesRead;
    onRead?.(bytesRead);
  }
  return true;
}
