import { open, type FileHandle } from 'node:fs/promises';
import { InputError, systemErrorText, UsageError, W2vError } from '../errors.js';

/**
 * Told how far a load has got: the bytes read so far of the `totalBytes` it
 * reads in all (the file's size; twice it for a GloVe file, which is read
 * once to count its lines). Called after each read, with `bytesRead`
 * increasing; a load of every vector ends with `bytesRead === totalBytes`.
 */
export type LoadProgressListener = (bytesRead: number, totalBytes: number) => void;

/** Checks a loader's `limit` (how many vectors to read): a non-negative integer or undefined. */
export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new UsageError(`limit must be a non-negative integer, got ${limit}`);
  }
}

/**
 * Opens a model file for reading and runs `read` on it with the file's size;
 * any failure that is not already a user-facing error becomes an InputError
 * naming the file, and the file is always closed.
 */
export async function readInputFile<T>(
  path: string,
  read: (handle: FileHandle, fileBytes: number) => Promise<T>,
): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${systemErrorText(error)}`);
  }
  try {
    return await read(handle, (await handle.stat()).size);
  } catch (error) {
    if (error instanceof W2vError) throw error;
    throw new InputError(`cannot read ${path}: ${systemErrorText(error)}`);
  } finally {
    await handle.close();
  }
}
