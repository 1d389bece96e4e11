import { UsageError } from '../errors.js';

/**
 * The row of each word: `given` if the caller has built it (the words are
 * then taken as distinct), else built here.
 * @throws UsageError if a word appears twice, or `given` does not hold as many words.
 */
export function wordIndex(
  words: readonly string[],
  given: Map<string, number> | undefined,
): Map<string, number> {
  if (given !== undefined) {
    if (given.size !== words.length)
      throw new UsageError(`index has ${given.size} words, expected ${words.length}`);
    return given;
  }
  const index = new Map<string, number>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const previous = index.get(word);
    if (previous !== undefined) {
      throw new UsageError(
        `word '${word}' appears twice in the vocabulary (positions ${previous} and ${i})`,
      );
    }
    index.set(word, i);
  }
  return index;
}
