/**
 * What the loaders tell their caller about a model that loaded but not quite
 * as stored (repeated words dropped, bytes that are not UTF-8 replaced) or
 * that has words queries cannot use (NaN or infinite values): one line per
 * kind, naming the file, how many words and the first few.
 */
import { quoteWord } from '../printable.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';

/** Receives a loader's warnings, one line each. */
export type WarningListener = (message: string) => void;

/** Words quoted in a warning; the rest are counted. */
const EXAMPLES = 3;

/** The listener given, or else Node's process warnings (as training uses). */
export function warningListener(onWarning: WarningListener | undefined): WarningListener {
  return onWarning ?? ((message) => process.emitWarning(message));
}

/** Words a loader noticed something about: how many, and the first few with where each was. */
export class NotedWords {
  count = 0;
  private readonly examples: string[] = [];

  /** Notes `word`, found at `unit location` (e.g. line 3, byte offset 120). */
  add(word: string, unit: string, location: number): void {
    this.count++;
    if (this.examples.length < EXAMPLES)
      this.examples.push(`${quoteWord(word)} (${unit} ${location})`);
  }

  /** `'a' (line 3), 'b' (line 9), 'c' (line 12), …` */
  toString(): string {
    return this.examples.join(', ') + (this.count > this.examples.length ? ', …' : '');
  }
}

/** Warns of repeated words (of which the first was kept) and of words that were not UTF-8. */
export function warnOfChangedWords(
  path: string,
  repeated: NotedWords,
  notUtf8: NotedWords,
  onWarning: WarningListener,
): void {
  if (repeated.count > 0) {
    const what = repeated.count === 1 ? 'word appears' : 'words appear';
    onWarning(
      `${path}: ${count(repeated.count)} ${what} more than once; the first of each is kept: ${repeated}`,
    );
  }
  if (notUtf8.count > 0) {
    const what =
      notUtf8.count === 1 ? 'word is not valid UTF-8; its' : 'words are not valid UTF-8; their';
    onWarning(
      `${path}: ${count(notUtf8.count)} ${what} invalid bytes are read as U+FFFD: ${notUtf8}`,
    );
  }
}

/** Warns of the words whose vectors hold NaN or an infinity, if there are any. */
export function warnOfNonFiniteRows(
  path: string,
  kv: KeyedVectors,
  onWarning: WarningListener,
): void {
  const rows = kv.nonFiniteRows();
  if (rows.length === 0) return;
  const examples =
    rows
      .slice(0, EXAMPLES)
      .map((row) => quoteWord(kv.words[row]!))
      .join(', ') + (rows.length > EXAMPLES ? ', …' : '');
  const what =
    rows.length === 1
      ? 'word has NaN or infinite values; it is never a similarity candidate'
      : 'words have NaN or infinite values; they are never similarity candidates';
  onWarning(`${path}: ${count(rows.length)} ${what} and cannot be queried: ${examples}`);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
