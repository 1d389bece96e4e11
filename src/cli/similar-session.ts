/**
 * The interactive `w2v similar` session: one query a line, with the
 * command's query options (`paris london --topn 3`), and on a terminal the
 * completion of words with Tab.
 */
import { UsageError } from '../errors.js';
import { printable } from '../printable.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';

/** A line of the session: its words, and the options it sets for itself. */
export interface SessionQuery {
  positive: string[];
  negative: string[];
  topn?: number;
  restrict?: number;
}

/** The options a line may give, as the command spells them. */
const SESSION_OPTIONS = '--topn <n>, --restrict <n> and --negative <word...>';

/**
 * Parses "paris -france italy --topn 3": words (a word written '-word' is
 * subtracted), and the query options, which hold for this line only.
 * @throws UsageError for an option the session does not take, or a bad value.
 * @example
 * parseSessionLine('king woman --negative man --topn 3');
 * // { positive: ['king', 'woman'], negative: ['man'], topn: 3 }
 */
export function parseSessionLine(line: string): SessionQuery {
  const query: SessionQuery = { positive: [], negative: [] };
  const tokens = line
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  let negatives = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith('--') && token.length > 2) {
      const [name, inline] = token.split('=', 2) as [string, string | undefined];
      negatives = false;
      if (name === '--negative') {
        negatives = true;
        if (inline !== undefined) query.negative.push(inline);
        continue;
      }
      if (name !== '--topn' && name !== '--restrict') {
        throw new UsageError(
          `'${printable(name)}' is not an option of the session; a line takes words and ${SESSION_OPTIONS}`,
        );
      }
      const text = inline ?? tokens[++i];
      const value = Number(text);
      if (text === undefined || !/^\d+$/.test(text) || value < 1 || !Number.isSafeInteger(value))
        throw new UsageError(
          `${name} needs a positive integer, got ${text === undefined ? 'nothing' : `'${printable(text)}'`}`,
        );
      if (name === '--topn') query.topn = value;
      else query.restrict = value;
    } else if (negatives) query.negative.push(token);
    else if (token.length > 1 && token.startsWith('-')) query.negative.push(token.slice(1));
    else query.positive.push(token);
  }
  return query;
}

/** Most completions offered for one Tab. */
const MAX_COMPLETIONS = 40;

/**
 * A node:readline completer over the vocabulary: the words that start with
 * the line's last word (after its '-', for a subtracted word), most
 * frequent first. Option names complete too.
 * @example
 * wordCompleter(kv)('paris lon'); // [['london', 'longer', ...], 'lon']
 */
export function wordCompleter(kv: KeyedVectors): (line: string) => [string[], string] {
  return (line) => {
    const last = /(\S*)$/.exec(line)![1]!;
    if (last.startsWith('--')) {
      const names = ['--topn', '--restrict', '--negative'].filter((o) => o.startsWith(last));
      return [names, last];
    }
    const sign = last.startsWith('-') ? '-' : '';
    const prefix = last.slice(sign.length);
    if (prefix === '') return [[], last];
    const found: string[] = [];
    for (const word of kv.words) {
      if (word.startsWith(prefix)) found.push(sign + word);
      if (found.length === MAX_COMPLETIONS) break;
    }
    return [found, last];
  };
}
