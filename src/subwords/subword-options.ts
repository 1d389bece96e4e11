/**
 * The training options of subword (fastText) models, entries of the option
 * table (see OPTION_TABLE in options.ts).
 */
import type { OptionSpec } from '../options.js';

export const SUBWORD_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'subwords',
    flag: '--subwords',
    kind: 'flag',
    default: false,
    resume: 'weights',
    help: 'fastText subword model: a word is the mean of its row and its character n-grams, so unseen words get vectors (on with --minn, --maxn or --bucket)',
  },
  {
    key: 'minn',
    flag: '--minn <n>',
    kind: 'integer',
    default: (o) => (o.subwords ? 3 : 0),
    min: (o) => (o.subwords ? 1 : 0),
    max: 100,
    resume: 'weights',
    help: 'shortest character n-gram (with --subwords)',
    defaultText: '3 with --subwords',
  },
  {
    key: 'maxn',
    flag: '--maxn <n>',
    kind: 'integer',
    default: (o) => (o.subwords ? Math.max(6, o.minn!) : 0),
    min: (o) => o.minn!,
    max: 100,
    resume: 'weights',
    help: 'longest character n-gram (with --subwords)',
    defaultText: '6 with --subwords',
  },
  {
    key: 'bucket',
    flag: '--bucket <n>',
    kind: 'integer',
    default: (o) => (o.subwords ? 2_000_000 : 0),
    min: (o) => (o.subwords ? 1 : 0),
    max: 2 ** 31 - 1,
    resume: 'weights',
    help: 'rows the character n-grams are hashed into (with --subwords)',
    defaultText: '2000000 with --subwords',
  },
];

/**
 * Whether a run trains a subword model with n-grams.
 * @example
 * trainsSubwords(resolveOptions({ input: 'corpus.txt', subwords: true })); // true
 */
export function trainsSubwords(options: { subwords: boolean; maxn: number }): boolean {
  return options.subwords && options.maxn > 0;
}
