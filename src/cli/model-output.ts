/**
 * A model is written only over a model: an existing output that does not
 * look like a model file of a known format (a corpus, a log, an image) is
 * refused unless the command is given --force, so a swapped argument or a
 * typo never replaces a corpus with vectors.
 */
import { open } from 'node:fs/promises';
import { errorCode, UsageError } from '../errors.js';
import { isNativeMagic } from '../io/native-header.js';

const SNIFF_BYTES = 4096;

/**
 * @throws UsageError if `path` exists, is not empty and does not start as a
 * native, word2vec (bin or txt, `.vec`) or GloVe file, and `force` is false;
 * the message says what the file looks like.
 */
export async function checkModelOutput(path: string, flag: string, force: boolean): Promise<void> {
  if (force) return;
  const head = await readHead(path);
  if (head === undefined || head.length === 0 || looksLikeModel(head)) return;
  throw new UsageError(
    `${flag}: '${path}' exists and is not a model file (it looks like ${describeContent(head)}); ` +
      'give --force to replace it, or choose another name',
  );
}

/** The first bytes of a file, or undefined if it does not exist (checkOutput reports anything else). */
async function readHead(path: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'EACCES') return undefined;
    throw err;
  }
  try {
    const bytes = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, SNIFF_BYTES, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?(nan|inf(inity)?)$/i;

/** A native file (or checkpoint), a word2vec file (a `<count> <dim>` header) or a GloVe file (a word, then numbers). */
export function looksLikeModel(head: Buffer): boolean {
  if (isNativeMagic(head)) return true;
  const end = head.indexOf(0x0a);
  const first = head
    .subarray(0, end < 0 ? head.length : end)
    .toString('latin1')
    .trim()
    .split(/[ \t]+/);
  if (first.length === 2 && first.every((f) => /^\d+$/.test(f))) return true;
  return (
    first.length >= 2 && !NUMBER.test(first[0]!) && first.slice(1).every((f) => NUMBER.test(f))
  );
}

/** In a few words: 'gzip-compressed data', "text, first line 'the quick brown fox'". */
export function describeContent(head: Buffer): string {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip-compressed data';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'a PNG image';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  // Control characters other than white space, and bytes that are not UTF-8.
  const controls = [...text].filter((c) => {
    const code = c.codePointAt(0)!;
    return code < 0x09 || (code > 0x0d && code < 0x20) || code === 0xfffd;
  }).length;
  if (controls > text.length / 100) return 'binary data';
  const firstLine = text.split('\n', 1)[0]!.trim();
  if (/^\{.*\}$/.test(firstLine)) return 'JSON Lines, such as a training log';
  if (/^<(\?xml|svg)/.test(firstLine)) return 'an SVG image';
  const lines = text.split('\n').length - 1;
  const shown = firstLine.length > 40 ? `${firstLine.slice(0, 40)}…` : firstLine;
  return `text${lines > 1 ? ' (a corpus?)' : ''}, first line '${shown}'`;
}
