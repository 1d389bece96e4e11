/**
 * Atomic file replacement: write a temporary file next to the target, sync
 * it, rename it over the target, then sync the directory. Readers see either
 * the complete old file or the complete new one, never a truncated file.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { W2vError } from '../errors.js';

/**
 * Calls `write` with a handle on a new temporary file in the directory of
 * `path`, then replaces `path` with it. If `write` (or anything after it)
 * fails, the temporary file is removed and `path` is left as it was.
 * @throws the W2vError `write` threw, or a W2vError naming `path` for system errors.
 * @example
 * await writeFileAtomically('model.w2v', async (handle) => { await handle.write(bytes); });
 */
export async function writeFileAtomically(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    await write(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    if (error instanceof W2vError) throw error;
    throw new W2vError(`cannot write ${path}: ${systemErrorText(error)}`);
  }
  await syncDirectory(dirname(path));
}

/**
 * A system error's message without the ", open '<path>'" Node appends (it
 * may name our temporary file).
 * @example
 * systemErrorText(error); // 'no such file (ENOENT)'
 */
export function systemErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && code in PLAIN_REASONS) return `${PLAIN_REASONS[code]} (${code})`;
  return code ? message.replace(/, \w+ '.*'$/, '') : message;
}

/** The system errors users meet most, in plain words. */
const PLAIN_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** Makes a rename durable; best effort, as not every platform can open a directory. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Nothing to do: the file itself is complete either way.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
