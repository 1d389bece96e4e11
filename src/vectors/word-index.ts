import { UsageError } from '../errors.js';
import { WordTable, type WordLookup } from './word-table.js';

/**
 * The row of each word: `given` if the caller has built it (the words are
 * then taken as distinct), else built here.
 * @throws UsageError if a word appears twice, or `given` does not hold as many words.
 */
export function wordIndex(words: readonly string[], given: WordLookup | undefined): WordLookup {
  if (given !== undefined) {
    if (given.size !== words.length)
      throw new UsageError(`index has ${given.size} words, expected ${words.length}`);
    return given;
  }
  const index = new WordTable(words, words.length);
  for (let i = 0; i < words.length; i++) {
    const previous = index.add(i);
    if (previous >= 0) {
      throw new UsageError(
        `word '${words[i]}' appears twice in the vocabulary (positions ${previous} and ${i})`,
      );
    }
  }
  return index;
}
