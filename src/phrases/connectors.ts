// Connector words: words a phrase may hold inside but never start or end
// with ("bank_of_america"), as gensim 4's connector_words.
import { readFile } from 'node:fs/promises';
import { InputError, systemErrorText } from '../errors.js';

/** gensim 4's ENGLISH_CONNECTOR_WORDS. */
export const ENGLISH_CONNECTOR_WORDS: readonly string[] = [
  'a',
  'an',
  'the',
  'for',
  'of',
  'with',
  'without',
  'at',
  'from',
  'to',
  'in',
  'on',
  'by',
  'and',
  'or',
];

/**
 * The connector words an option names: `english`, `none`, or a file of
 * words separated by white space (one a line).
 */
export async function connectorWordsOf(option: string): Promise<string[]> {
  if (option === 'english') return [...ENGLISH_CONNECTOR_WORDS];
  if (option === 'none' || option === '') return [];
  let text: string;
  try {
    text = await readFile(option, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read connector words file '${option}' (expected english, none or a file): ${systemErrorText(error)}`,
    );
  }
  return [...new Set(text.split(/\s+/).filter((w) => w.length > 0))];
}
