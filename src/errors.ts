/**
 * Errors a user can cause and fix. The CLI prints their message without a
 * stack trace and exits with `exitCode`; anything else is a bug.
 */
export class W2vError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A wrong option or argument: exit code 2, like other Unix tools. */
export class UsageError extends W2vError {
  constructor(
    message: string,
    /** The training option at fault, by its library name ('minCount'), when there is one. */
    readonly option?: string,
  ) {
    super(message, 2);
  }
}

/** A file that cannot be read or does not hold what was expected. */
export class InputError extends W2vError {}

/** The `code` of a Node.js system or zlib error ('ENOENT', 'Z_DATA_ERROR', ...), if it has one. */
export function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
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
  EDQUOT: 'disk quota exceeded',
};
