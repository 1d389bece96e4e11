/**
 * The keys `train()` and `resume()` accept. From plain JavaScript a
 * misspelled or foreign option (`vectorSize`, `min_count`) would otherwise be
 * ignored without a word; it is an error that names it and the option meant.
 */
import { UsageError } from '../errors.js';
import { foreignOption, nearestName } from '../option-names.js';
import { OPTION_TABLE } from '../options.js';
import type { ResumeRequest, TrainRequest } from './types.js';

/** The request's keys that are not training options; the compiler keeps the list whole. */
const OTHER_KEYS = {
  input: true,
  sentences: true,
  phrases: true,
  spillDirectory: true,
  onProgress: true,
  onWarning: true,
  onVocabulary: true,
  onEpoch: true,
  progressIntervalMs: true,
  optionNaming: true,
  checkpoint: true,
  signal: true,
  from: true,
} as const satisfies Record<
  Exclude<keyof (TrainRequest & ResumeRequest), (typeof OPTION_TABLE)[number]['key']>,
  true
>;

const TRAIN_KEYS: readonly string[] = [
  ...OPTION_TABLE.map((o) => o.key),
  ...Object.keys(OTHER_KEYS).filter((k) => k !== 'from'),
];
const RESUME_KEYS: readonly string[] = [...TRAIN_KEYS, 'from'];

/**
 * @throws UsageError naming the first key `train` (or `resume`) does not know, and the one meant.
 * @example
 * checkRequestKeys({ input: 'a.txt', vectorSize: 50 }, 'train');
 * // UsageError: train: unknown option 'vectorSize' (gensim's vector_size is dim here)
 */
export function checkRequestKeys(request: object, call: 'train' | 'resume'): void {
  const known = call === 'train' ? TRAIN_KEYS : RESUME_KEYS;
  for (const key of Object.keys(request)) {
    if (known.includes(key)) continue;
    const foreign = foreignOption(key);
    const near = nearestName(key, known);
    const hint = foreign
      ? ` (${foreign.tool} ${foreign.spelling} is ${foreign.target === 'output' ? 'model.save()' : foreign.target} here)`
      : near !== undefined
        ? ` (did you mean '${near}'?)`
        : '';
    throw new UsageError(`${call}: unknown option '${key}'${hint}`, key);
  }
}
