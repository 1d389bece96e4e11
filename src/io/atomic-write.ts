/**
 * Atomic file replacement: write a temporary file next to the target, sync
 * it, rename it over the target, then sync the directory. Readers see either
 * the complete old file or the complete new one, never a truncated file.
 *
 * A target that is a symbolic link is replaced through the link (the link
 * stays, its target gets the new bytes); a target that exists but is not a
 * regular file (a device, a FIFO, a socket) is refused, never replaced. A
 * replaced file keeps its permissions, and its owner where the process may
 * set it.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { lstat, open, readlink, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errorCode, systemErrorText, W2vError } from '../errors.js';

/** Symbolic links followed before a path is taken to loop, as Linux's own limit. */
const MAX_LINKS = 40;

/** Temporary files being written; removed if the process exits before they are renamed. */
const temporaries = new Set<string>();
let exitHookInstalled = false;

/**
 * Calls `write` with a handle on a new temporary file in the directory of
 * `path` (of the file a symbolic link `path` points to), then replaces that
 * file with it. If `write` (or anything after it) fails, the temporary file
 * is removed and the target is left as it was.
 * @throws the W2vError `write` threw, or a W2vError naming `path` for system errors
 * and for a target that is not a regular file.
 * @example
 * await writeFileAtomically('model.w2v', async (handle) => { await handle.write(bytes); });
 */
export async function writeFileAtomically(
  path: string,
  write: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const target = await writableTarget(path);
  const replaced = await stat(target).catch(() => undefined);
  const temporary = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    removeOnExit(temporary);
    if (replaced) await keepOwnership(handle, replaced.mode, replaced.uid, replaced.gid);
    await write(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, target);
    temporaries.delete(temporary);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    temporaries.delete(temporary);
    if (error instanceof W2vError) throw error;
    throw new W2vError(`cannot write ${path}: ${systemErrorText(error)}`);
  }
  await syncDirectory(dirname(target));
}

/** A path a save cannot write to, and why (without the path, for callers that name it their own way). */
export class UnwritableTarget extends W2vError {
  constructor(
    path: string,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
  }
}

/**
 * The file a save to `path` replaces or creates: `path` itself, or what its
 * chain of symbolic links ends at (which need not exist yet).
 * @throws UnwritableTarget if that exists and is not a regular file, or the links loop.
 */
export async function writableTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let links = 0; ; links++) {
    const info = await lstat(current).catch((error: unknown) => {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // a new file; opening it says what is wrong with its directory
      throw new UnwritableTarget(path, systemErrorText(error));
    });
    if (info === undefined || info.isFile()) return current;
    if (!info.isSymbolicLink())
      throw new UnwritableTarget(path, notRegularFile(path, fileKind(info)));
    if (links === MAX_LINKS)
      throw new UnwritableTarget(path, 'too many levels of symbolic links (ELOOP)');
    current = resolve(dirname(current), await readlink(current));
  }
}

/** What a file that is not a regular one is, in words. */
export function fileKind(info: {
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isDirectory(): boolean;
}): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why a save refuses `path`, which is `kind`. */
export function notRegularFile(path: string, kind: string): string {
  return `'${path}' is ${kind}; model files, checkpoints and logs are written only to regular files, which a save replaces whole`;
}

/** Gives the new file the mode of the one it replaces, and its owner when allowed (root may; others keep their own). */
async function keepOwnership(
  handle: FileHandle,
  mode: number,
  uid: number,
  gid: number,
): Promise<void> {
  await handle.chmod(mode & 0o7777);
  if (uid !== process.getuid?.() || gid !== process.getgid?.()) {
    await handle.chown(uid, gid).catch(() => undefined);
    // chown clears set-user-ID and set-group-ID bits: set the mode again.
    await handle.chmod(mode & 0o7777).catch(() => undefined);
  }
}

/** A process that exits (process.exit, a handled signal) mid-save leaves no temporary file behind. */
function removeOnExit(temporary: string): void {
  temporaries.add(temporary);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const file of temporaries) {
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
    }
  });
}

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
