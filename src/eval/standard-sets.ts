/**
 * The evaluation sets shipped with the package (its `data/` folder), found
 * by name as gensim's `datapath()` finds its test data: `questions-words`
 * (word analogies) and `wordsim353` (word pairs).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Each shipped set's name and file. */
export const STANDARD_SETS = {
  'questions-words': 'questions-words.txt',
  wordsim353: 'wordsim353.tsv',
} as const;

export type StandardSet = keyof typeof STANDARD_SETS;

/** dist/src/eval/ (and src/eval/) → the package's data/ folder. */
const DATA = new URL('../../../data/', import.meta.url);

/**
 * The path of a shipped evaluation set, by its name or its file's name.
 * @example
 * datapath('questions-words'); // '/…/node_modules/word2vec-ts/data/questions-words.txt'
 */
export function datapath(name: StandardSet | (typeof STANDARD_SETS)[StandardSet]): string {
  const file = name in STANDARD_SETS ? STANDARD_SETS[name as StandardSet] : name;
  return fileURLToPath(new URL(file, DATA));
}

/**
 * The file an evaluation reads: `path` itself if it exists, else the shipped
 * set it names ('questions-words', 'wordsim353.tsv'), else `path` (whose
 * read then fails naming it).
 */
export function evaluationFile(path: string): string {
  if (existsSync(path)) return path;
  const set = (Object.keys(STANDARD_SETS) as StandardSet[]).find(
    (name) => path === name || path === STANDARD_SETS[name],
  );
  return set === undefined ? path : datapath(set);
}
