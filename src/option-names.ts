/**
 * What users of word2vec.c, fastText and gensim call our options, and the
 * nearest of our names to a name we do not know: the library's unknown keys
 * and the command line's unknown flags are both explained from here.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { OptionKey } from './options.js';

/** The names an option can be asked by: a training option, or the command's input and output. */
export type ForeignTarget = OptionKey | 'input' | 'output' | 'format';

/** Another tool's option that has an equivalent here. */
export interface ForeignOption {
  /** The tool's spelling: '-size', 'vector_size'. */
  spelling: string;
  tool: "word2vec.c's" | "fastText's" | "gensim's";
  target: ForeignTarget;
  /**
   * Our value for the tool's value, for options whose values differ
   * ('-cbow 1' → 'cbow'); without it the value carries over.
   */
  value?: (given: string | undefined) => string | undefined;
}

const flagValue =
  (on: string, off: string) =>
  (given: string | undefined): string =>
    given === '0' ? off : on;

/** Keyed by the normalized name (see `normalizeName`). */
const FOREIGN: ReadonlyMap<string, ForeignOption> = new Map(
  (
    [
      ['size', { spelling: '-size', tool: "word2vec.c's", target: 'dim' }],
      ['vectorsize', { spelling: 'vector_size', tool: "gensim's", target: 'dim' }],
      ['iter', { spelling: '-iter', tool: "word2vec.c's", target: 'epochs' }],
      ['epoch', { spelling: '-epoch', tool: "fastText's", target: 'epochs' }],
      ['ws', { spelling: '-ws', tool: "fastText's", target: 'window' }],
      ['neg', { spelling: '-neg', tool: "fastText's", target: 'negative' }],
      ['t', { spelling: '-t', tool: "fastText's", target: 'sample' }],
      ['thread', { spelling: '-thread', tool: "fastText's", target: 'threads' }],
      ['workers', { spelling: 'workers', tool: "gensim's", target: 'threads' }],
      ['lr', { spelling: '-lr', tool: "fastText's", target: 'alpha' }],
      [
        'cbow',
        { spelling: '-cbow', tool: "word2vec.c's", target: 'arch', value: flagValue('cbow', 'sg') },
      ],
      ['sg', { spelling: 'sg', tool: "gensim's", target: 'arch', value: flagValue('sg', 'cbow') }],
      [
        'hs',
        { spelling: '-hs', tool: "word2vec.c's", target: 'loss', value: flagValue('hs', 'ns') },
      ],
      ['train', { spelling: '-train', tool: "word2vec.c's", target: 'input' }],
      ['corpusfile', { spelling: 'corpus_file', tool: "gensim's", target: 'input' }],
      ['sentences', { spelling: 'sentences', tool: "gensim's", target: 'input' }],
      [
        'binary',
        {
          spelling: '-binary',
          tool: "word2vec.c's",
          target: 'format',
          value: flagValue('bin', 'txt'),
        },
      ],
    ] as const
  ).map(([name, option]) => [name, option as ForeignOption]),
);

/** A name with case, dashes and underscores left out: 'min_count', '-minCount' and 'min-count' are one. */
export function normalizeName(name: string): string {
  return name.replace(/[-_]/g, '').toLowerCase();
}

/** The other tool's option of this name, if it has an equivalent here. */
export function foreignOption(name: string): ForeignOption | undefined {
  return FOREIGN.get(normalizeName(name));
}

/**
 * The name among `known` that `name` most likely meant: the same name
 * spelled otherwise (case, dashes, underscores), or one a typo or two away.
 * @example
 * nearestName('min_count', ['minCount', 'maxVocab']); // 'minCount'
 * nearestName('dimm', ['dim', 'window']);              // 'dim'
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const wanted = normalizeName(name);
  if (wanted === '') return undefined;
  const same = known.find((k) => normalizeName(k) === wanted);
  if (same !== undefined) return same;
  const normalized = known.map(normalizeName);
  const best = closest(wanted, normalized);
  // Two edits for names of 5 letters or more, one for shorter ones: 'ws' is not 'dim'.
  const allowed = wanted.length >= 5 ? 2 : 1;
  if (best === undefined || distance(wanted, best) > allowed) return undefined;
  return known[normalized.indexOf(best)];
}
