import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorCode, UsageError } from '../errors.js';

/**
 * Checks, before any work is done, that a file can be written at `path`:
 * its directory exists and is writable, and `path` is not a directory or a
 * read-only file. `flag` names the option or argument in messages.
 * @throws UsageError saying which.
 */
export async function checkOutput(path: string, flag: string): Promise<void> {
  const dir = dirname(path);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new UsageError(`${flag}: '${dir}' is not a directory`);
    await access(dir, constants.W_OK);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = errorCode(err);
    if (code === 'ENOENT') throw new UsageError(`${flag}: directory '${dir}' does not exist`);
    if (code === 'ENOTDIR') throw new UsageError(`${flag}: '${dir}' is not a directory`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new UsageError(`${flag}: directory '${dir}' is not writable`);
    }
    throw err;
  }
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`${flag}: '${path}' is a directory`);
    await access(path, constants.W_OK);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = errorCode(err);
    if (code === 'ENOENT') return; // the usual case: a new file
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new UsageError(`${flag}: '${path}' exists and is not writable`);
    }
    throw err;
  }
}
