import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorCode, UsageError } from '../errors.js';
import { fileKind, notRegularFile, UnwritableTarget, writableTarget } from '../io/atomic-write.js';

/**
 * Checks, before any work is done, that a file can be written at `path`:
 * its directory exists and is writable, and `path` (or the file a symbolic
 * link there points to) is new or a writable regular file, not a directory,
 * a device or a FIFO. `flag` names the option or argument in messages.
 * @throws UsageError saying which.
 */
export async function checkOutput(path: string, flag: string): Promise<void> {
  const target = await targetOf(path, flag);
  const dir = dirname(target);
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
    const info = await stat(target);
    if (info.isDirectory()) throw new UsageError(`${flag}: '${path}' is a directory`);
    if (!info.isFile()) throw new UsageError(`${flag}: ${notRegularFile(path, fileKind(info))}`);
    await access(target, constants.W_OK);
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

async function targetOf(path: string, flag: string): Promise<string> {
  try {
    return await writableTarget(path);
  } catch (err) {
    if (err instanceof UnwritableTarget) throw new UsageError(`${flag}: ${err.reason}`);
    throw err;
  }
}

/** A file a command reads or writes, and the option or argument that named it. */
export interface NamedFile {
  path: string;
  /** As the user knows it: '--output', '--input', 'input', ... */
  name: string;
}

/**
 * Refuses, before anything is read, a run that would write over one of its
 * own inputs or write two outputs to one file. Files are compared by
 * identity (device and inode), so './a.txt', a hard link and a symbolic link
 * to the same file are caught as well as the same name.
 * @throws UsageError naming both.
 */
export async function checkDistinctFiles(
  inputs: readonly NamedFile[],
  outputs: readonly NamedFile[],
): Promise<void> {
  const read = new Map<string, NamedFile>();
  for (const input of inputs) {
    const id = await identity(input.path);
    if (id !== undefined && !read.has(id)) read.set(id, input);
  }
  const written = new Map<string, NamedFile>();
  for (const output of outputs) {
    const id = await identity(output.path);
    if (id === undefined) continue;
    const input = read.get(id);
    if (input)
      throw new UsageError(
        `${bothName(output, input)}: writing ${output.name} would destroy the ${input.name} file; write it elsewhere`,
      );
    const earlier = written.get(id);
    if (earlier) throw new UsageError(`${bothName(earlier, output)}: give each its own file`);
    written.set(id, output);
  }
}

function bothName(a: NamedFile, b: NamedFile): string {
  const files = a.path === b.path ? `'${a.path}'` : `'${a.path}' and '${b.path}' (the same file)`;
  return `${a.name} and ${b.name} both name ${files}`;
}

/** A file's device and inode if it exists, else the absolute path it would be created at. */
async function identity(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info) return `inode ${info.dev}:${info.ino}`;
  try {
    const target = await writableTarget(path);
    return `path ${join(await realpath(dirname(target)), basename(target))}`;
  } catch {
    return undefined; // checkOutput reports what is wrong with it
  }
}
