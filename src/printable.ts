/**
 * Words from model files, made safe to print. A terminal acts on control
 * characters (ESC starts escape sequences that can clear the screen or
 * rewrite what was printed, BEL rings), so human-readable output shows the
 * C0 controls and DEL as `\xNN` and the C1 controls as `\u{NN}`. Everything
 * else, backslashes included, is printed as it is.
 */

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** What JSON.stringify leaves unescaped of the above. */
const JSON_UNESCAPED_CONTROL = /[\u007f-\u009f]/g;
/** Longest word quoted in a message; longer ones are cut. */
const QUOTED_WORD_LENGTH = 40;

/**
 * `text` with its control characters escaped.
 * @example
 * printable('\x1b[2Jclear'); // '\\x1b[2Jclear'
 * printable('csi\u009b'); // 'csi\\u{9b}'
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (character) => {
    const code = character.charCodeAt(0);
    const hex = code.toString(16).padStart(2, '0');
    return code < 0x80 ? `\\x${hex}` : `\\u{${hex}}`;
  });
}

/**
 * A word for a message: printable, in single quotes, cut after 40 characters.
 * @example
 * quoteWord('bell\x07'); // "'bell\\x07'"
 */
export function quoteWord(word: string): string {
  const characters = [...word];
  const shown =
    characters.length <= QUOTED_WORD_LENGTH
      ? word
      : `${characters.slice(0, QUOTED_WORD_LENGTH).join('')}…`;
  return `'${printable(shown)}'`;
}

/**
 * JSON.stringify with DEL and the C1 controls escaped too (it escapes the C0
 * ones itself): the same JSON value, safe to print on a terminal.
 * @example
 * printableJson({ word: 'csi\u009b' }); // '{"word":"csi\\u009b"}'
 */
export function printableJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    JSON_UNESCAPED_CONTROL,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
