import { availableParallelism } from 'node:os';
import { UsageError } from './errors.js';
import { SUBWORD_OPTIONS } from './subwords/subword-options.js';

export type Architecture = 'sg' | 'cbow';
export type Loss = 'ns' | 'hs' | 'softmax';

/** Training options as a user gives them; every field has a default. */
export interface TrainOptions {
  /** Corpus files: plain text or gzip, one sentence per line, tokens split on whitespace. Or give `train` sentences instead. */
  input?: string | string[];
  /** Skip-gram (predict context from word) or CBOW (predict word from context). Default 'sg'. */
  arch?: Architecture;
  /** Negative sampling, hierarchical softmax, or the full softmax (exact; O(V) per example, for small vocabularies). Default 'ns'. */
  loss?: Loss;
  /** Vector dimensions. Default 100. */
  dim?: number;
  /** Largest distance between a word and its context; the window used is drawn from 1..window. Default 5. */
  window?: number;
  /** Noise words per positive pair (negative sampling). Default 5. */
  negative?: number;
  /** Noise distribution is count^nsExponent. Default 0.75. */
  nsExponent?: number;
  /** Subsampling threshold for frequent words; 0 disables. Default 1e-3. */
  sample?: number;
  /** Words seen fewer times are dropped. Default 5. */
  minCount?: number;
  /** Keep only the most frequent words; 0 = no cap. Default 0. */
  maxVocab?: number;
  /**
   * Raise min-count until at most this many words are kept, as gensim's
   * `max_final_vocab`: no word is cut between two of equal count. 0 = off. Default 0.
   */
  maxFinalVocab?: number;
  /** Starting learning rate. Default 0.025 for sg, 0.05 for cbow. */
  alpha?: number;
  /** Final learning rate, reached linearly at the end of the last epoch. Default 0.0001. */
  minAlpha?: number;
  /** Passes over the corpus. Default 5. */
  epochs?: number;
  /** Worker threads sharing the weights lock-free. Default: all cores. */
  threads?: number;
  /** Seed for initial weights and all sampling. Default 1. */
  seed?: number;
  /** Lines longer than this many tokens are cut into several sentences. Default 10000. */
  maxSentenceLength?: number;
  /**
   * Skip-gram: the context words of a window share one draw of noise words (and
   * are updated together as small matrix products, as in pWord2Vec). Faster;
   * with hierarchical softmax it only changes the order of updates. Default false.
   */
  sharedNegatives?: boolean;
  /**
   * Memory (MiB) the first pass may use to keep the corpus encoded (4 bytes a
   * token) so later epochs need not re-read it; the copy kept for training is
   * about 1.5 bytes a word. 0 re-reads the files every epoch. Default 512.
   */
  cacheMiB?: number;
  /**
   * Train a subword (fastText) model: each word's input vector is the mean of
   * its own row and the rows of its character n-grams, so any word gets a
   * vector. Also on when minn, maxn or bucket is given. Default false.
   */
  subwords?: boolean;
  /** Shortest character n-gram. Default 3 with subwords, else 0. */
  minn?: number;
  /** Longest character n-gram; 0 means none. Default 6 with subwords, else 0. */
  maxn?: number;
  /** Number of n-gram rows (n-grams are hashed into them). Default 2,000,000 with subwords, else 0. */
  bucket?: number;
  /**
   * Memory (MiB) counting the vocabulary may use: the table of distinct words
   * with their counts and bytes, and the words once decoded. When the words
   * outgrow it, the rarest are pruned while counting, as word2vec.c does: the
   * words seen at most once so far, at the next prune at most twice, and so
   * on. Their occurrences before the prune are not counted. Default 2048
   * (about 15 million distinct words); at least 32.
   */
  maxVocabMemoryMiB?: number;
}

/** Options with every default filled in and checked. */
export type ResolvedTrainOptions = Required<Omit<TrainOptions, 'input'>> & { input: string[] };

/** A training option's name in the library (the `TrainOptions` field). */
export type OptionKey = Exclude<keyof TrainOptions, 'input'>;

/** The longest interval between checkpoints: a timer's limit, 2^31 - 1 ms (about 24.8 days). */
const MAX_CHECKPOINT_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

/**
 * Checks the minutes between checkpoints, which `name` gives ('--checkpoint-every', 'checkpoint.everyMinutes').
 * @throws UsageError if they are not a number in (0, MAX_CHECKPOINT_MINUTES].
 */
export function checkCheckpointMinutes(every: number | undefined, name: string): void {
  if (
    every === undefined ||
    (Number.isFinite(every) && every > 0 && every <= MAX_CHECKPOINT_MINUTES)
  )
    return;
  throw new UsageError(
    `${name} must be a number of minutes > 0 and at most ${MAX_CHECKPOINT_MINUTES.toLocaleString('en-US')} (about 24.8 days), got ${every}`,
  );
}

/** Smallest vocabulary memory budget: the tokenizer's buffers and the room for one piece of text take about 16 MiB. */
const MIN_VOCAB_MEMORY_MIB = 32;

/** Learning-rate defaults: CBOW sums its context, so it starts higher. */
const ALPHA_SG = 0.025;
const ALPHA_CBOW = 0.05;
const MIN_ALPHA = 0.0001;

/** The options resolved before the one being resolved (an option's default or range may depend on them). */
type Earlier = Partial<ResolvedTrainOptions>;

/**
 * One training option: how the library checks and defaults it, how the
 * command line spells and explains it, and whether a resumed run may change it.
 */
export type OptionSpec = {
  key: OptionKey;
  /** The command-line flag, with its argument: '--min-count <n>'. */
  flag: string;
  /** For --help. */
  help: string;
  /** --help's text for a default that depends on other options or the machine. */
  defaultText?: string;
  /**
   * What a checkpoint's interrupted run may change when it goes on: 'free'
   * (threads and memory budgets), 'fixed' (everything that decides the result).
   * Training a finished model further keeps only the options that shape its weights ('weights').
   */
  resume: 'free' | 'fixed' | 'weights';
} & (
  | { kind: 'choice'; choices: readonly string[]; default: string }
  | { kind: 'flag'; default: boolean }
  | {
      kind: 'integer';
      default: number | ((earlier: Earlier) => number);
      min: number | ((earlier: Earlier) => number);
      max?: number;
    }
  | {
      kind: 'number';
      default: number | ((earlier: Earlier) => number);
      /** The accepted values: a test and its wording ('a number >= 0'). */
      accepts: (value: number, earlier: Earlier) => boolean;
      expected: string | ((earlier: Earlier) => string);
    }
);

/**
 * Every training option, in the order they are resolved and listed in --help.
 * Adding an option is adding an entry here (and to `TrainOptions` and the README).
 */
export const OPTION_TABLE: readonly OptionSpec[] = [
  {
    key: 'arch',
    flag: '--arch <arch>',
    kind: 'choice',
    choices: ['sg', 'cbow'],
    default: 'sg',
    resume: 'weights',
    help: 'sg = skip-gram (predict context from word), cbow = predict word from context',
  },
  {
    key: 'loss',
    flag: '--loss <loss>',
    kind: 'choice',
    choices: ['ns', 'hs', 'softmax'],
    default: 'ns',
    resume: 'weights',
    help: 'ns = negative sampling, hs = hierarchical softmax, softmax = full softmax (exact, slow; small vocabularies)',
  },
  {
    key: 'dim',
    flag: '--dim <n>',
    kind: 'integer',
    default: 100,
    min: 1,
    max: 10000,
    resume: 'weights',
    help: 'vector dimensions',
  },
  {
    key: 'window',
    flag: '--window <n>',
    kind: 'integer',
    default: 5,
    min: 1,
    max: 1000,
    resume: 'fixed',
    help: 'largest distance between a word and its context; each window is drawn from 1..n',
  },
  {
    key: 'negative',
    flag: '--negative <n>',
    kind: 'integer',
    default: 5,
    min: (o) => (o.loss === 'ns' ? 1 : 0),
    max: 1000,
    resume: 'fixed',
    help: 'noise words per positive example (negative sampling)',
  },
  {
    key: 'nsExponent',
    flag: '--ns-exponent <x>',
    kind: 'number',
    default: 0.75,
    accepts: () => true,
    expected: 'a finite number',
    resume: 'fixed',
    help: 'noise words are drawn in proportion to count^x',
  },
  {
    key: 'sample',
    flag: '--sample <x>',
    kind: 'number',
    default: 1e-3,
    accepts: (v) => v >= 0,
    expected: 'a number >= 0',
    resume: 'fixed',
    help: 'subsampling threshold for frequent words; 0 disables',
  },
  {
    key: 'minCount',
    flag: '--min-count <n>',
    kind: 'integer',
    default: 5,
    min: 1,
    resume: 'fixed',
    help: 'drop words seen fewer than n times',
  },
  {
    key: 'maxVocab',
    flag: '--max-vocab <n>',
    kind: 'integer',
    default: 0,
    min: 0,
    resume: 'fixed',
    help: 'keep only the n most frequent words; 0 = no cap',
  },
  {
    key: 'maxFinalVocab',
    flag: '--max-final-vocab <n>',
    kind: 'integer',
    default: 0,
    min: 0,
    resume: 'fixed',
    help: "raise min-count until at most n words are kept (gensim's max_final_vocab); 0 = off",
  },
  {
    key: 'alpha',
    flag: '--alpha <x>',
    kind: 'number',
    default: (o) => (o.arch === 'cbow' ? ALPHA_CBOW : ALPHA_SG),
    accepts: (v) => v > 0,
    expected: 'a number > 0',
    resume: 'fixed',
    help: 'starting learning rate',
    defaultText: `${ALPHA_SG} for sg, ${ALPHA_CBOW} for cbow`,
  },
  {
    key: 'minAlpha',
    flag: '--min-alpha <x>',
    kind: 'number',
    default: (o) => Math.min(MIN_ALPHA, o.alpha!),
    accepts: (v, o) => v >= 0 && v <= o.alpha!,
    expected: (o) => `a number in 0..alpha (${o.alpha})`,
    resume: 'fixed',
    help: 'final learning rate, reached linearly at the end of the last epoch',
  },
  {
    key: 'epochs',
    flag: '--epochs <n>',
    kind: 'integer',
    default: 5,
    min: 1,
    max: 100000,
    resume: 'fixed',
    help: 'passes over the corpus',
  },
  {
    key: 'threads',
    flag: '--threads <n>',
    kind: 'integer',
    default: () => defaultThreads(),
    min: 1,
    max: 1024,
    resume: 'free',
    help: 'worker threads sharing the weights',
    defaultText: `all cores (${defaultThreads()})`,
  },
  {
    key: 'seed',
    flag: '--seed <n>',
    kind: 'integer',
    default: 1,
    min: 0,
    max: 2 ** 53 - 1,
    resume: 'fixed',
    help: 'seed for initial weights and sampling',
  },
  {
    key: 'maxSentenceLength',
    flag: '--max-sentence-length <n>',
    kind: 'integer',
    default: 10000,
    min: 1,
    resume: 'fixed',
    help: 'lines with more tokens are cut into several sentences',
  },
  {
    key: 'sharedNegatives',
    flag: '--shared-negatives',
    kind: 'flag',
    default: false,
    resume: 'fixed',
    help: 'skip-gram: the context words of a window share one draw of noise words, updated as small matrix products (faster)',
  },
  {
    key: 'cacheMiB',
    flag: '--cache-mib <n>',
    kind: 'number',
    default: 512,
    accepts: (v) => v >= 0,
    expected: 'a number >= 0',
    resume: 'free',
    help: 'memory (MiB) for keeping the encoded corpus between epochs; 0 re-reads the files every epoch',
  },
  {
    key: 'maxVocabMemoryMiB',
    flag: '--max-vocab-memory <MiB>',
    kind: 'number',
    default: 2048,
    accepts: (v) => v >= MIN_VOCAB_MEMORY_MIB,
    expected: `a number >= ${MIN_VOCAB_MEMORY_MIB}`,
    resume: 'free',
    help: 'memory (MiB) for counting the vocabulary; past it, rare words are pruned while counting (and their counts so far lost)',
  },
  ...SUBWORD_OPTIONS,
];

/** The default of every option that has one fixed value, and both learning-rate defaults. */
export const DEFAULTS = {
  ...(Object.fromEntries(
    OPTION_TABLE.filter((o) => typeof o.default !== 'function').map((o) => [o.key, o.default]),
  ) as Omit<ResolvedTrainOptions, 'input' | 'threads' | 'alpha' | 'minAlpha'>),
  alphaSg: ALPHA_SG,
  alphaCbow: ALPHA_CBOW,
  minAlpha: MIN_ALPHA,
} as const;

export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * How messages name options: by their library key ('minCount'), or by their
 * command-line flag ('--min-count') for a command's users.
 */
export type OptionNaming = 'key' | 'flag';

/** The corpus files' flag; the option table holds the others. */
const INPUT_FLAG = '--input';

/** An option's name in messages. */
export function optionName(key: keyof TrainOptions, naming: OptionNaming = 'key'): string {
  if (naming === 'key') return key;
  if (key === 'input') return INPUT_FLAG;
  return OPTION_TABLE.find((o) => o.key === key)!.flag.split(' ')[0]!;
}

/** A usage error about one option: the message starts with its name, and `option` says which it is. */
export function optionError(
  key: keyof TrainOptions,
  rest: string,
  naming: OptionNaming = 'key',
): UsageError {
  // 'minCount must be ...', or 'input: ...'
  return new UsageError(`${optionName(key, naming)}${rest.startsWith(':') ? '' : ' '}${rest}`, key);
}

/** Fills in defaults and checks every value once, at the boundary. */
export function resolveOptions(
  options: TrainOptions,
  naming: OptionNaming = 'key',
): ResolvedTrainOptions {
  // No files: the corpus comes as sentences (train checks that one of the two is given).
  const given = options.input ?? [];
  const input = Array.isArray(given) ? given : [given];
  if (input.some((p) => typeof p !== 'string' || p === '')) {
    throw optionError('input', 'must name corpus files (non-empty strings)', naming);
  }
  const resolved: Earlier = {};
  // Any n-gram option asks for subwords.
  const subwords =
    options.subwords ??
    (options.minn !== undefined || options.maxn !== undefined || options.bucket !== undefined
      ? true
      : undefined);
  for (const spec of OPTION_TABLE) {
    (resolved as Record<string, unknown>)[spec.key] = resolveOne(
      spec,
      spec.key === 'subwords' ? subwords : options[spec.key],
      resolved,
      naming,
    );
  }
  return { ...(resolved as Required<Earlier>), input };
}

function resolveOne(
  spec: OptionSpec,
  given: unknown,
  earlier: Earlier,
  naming: OptionNaming,
): unknown {
  const fail = (rest: string): never => {
    throw optionError(spec.key, rest, naming);
  };
  switch (spec.kind) {
    case 'choice': {
      const value = given ?? spec.default;
      if (typeof value !== 'string' || !spec.choices.includes(value)) {
        fail(
          `must be ${spec.choices.map((c, i) => `${i === 0 ? '' : i === spec.choices.length - 1 ? ' or ' : ', '}'${c}'`).join('')}, got '${String(value)}'`,
        );
      }
      return value;
    }
    case 'flag':
      return given ?? spec.default;
    case 'integer': {
      const value = (given ??
        (typeof spec.default === 'function' ? spec.default(earlier) : spec.default)) as number;
      const min = typeof spec.min === 'function' ? spec.min(earlier) : spec.min;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(value) || value < min || value > max) {
        fail(
          `must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`}, got ${value}`,
        );
      }
      return value;
    }
    case 'number': {
      const value = (given ??
        (typeof spec.default === 'function' ? spec.default(earlier) : spec.default)) as number;
      if (!Number.isFinite(value) || !spec.accepts(value, earlier)) {
        fail(
          `must be ${typeof spec.expected === 'function' ? spec.expected(earlier) : spec.expected}, got ${value}`,
        );
      }
      return value;
    }
  }
}

/** The options a checkpoint's run may change when it goes on: threads and memory budgets. */
export const RESUME_MAY_CHANGE: ReadonlySet<OptionKey> = new Set(
  OPTION_TABLE.filter((o) => o.resume === 'free').map((o) => o.key),
);
/** The options training a finished model further keeps: those that shape its weights. */
export const SHAPES_WEIGHTS: ReadonlySet<OptionKey> = new Set(
  OPTION_TABLE.filter((o) => o.resume === 'weights').map((o) => o.key),
);

/** Largest vocabulary the full softmax trains on. */
export const SOFTMAX_MAX_VOCAB = 100_000;

/**
 * Checks the options that depend on the vocabulary, once it is counted and
 * before training starts.
 * @throws UsageError naming the option and both numbers.
 */
export function checkOptionsForVocabulary(
  options: ResolvedTrainOptions,
  vocabSize: number,
  naming: OptionNaming = 'key',
): void {
  const name = (key: OptionKey): string => optionName(key, naming);
  const words = (n: number): string => `${n.toLocaleString('en-US')} word${n === 1 ? '' : 's'}`;
  if (options.loss === 'ns' && options.negative > vocabSize) {
    throw optionError(
      'negative',
      `${options.negative} is larger than the vocabulary (${words(vocabSize)}): ` +
        `each example would draw noise words more often than there are words to draw; lower ${name('negative')} or ${name('minCount')}`,
      naming,
    );
  }
  if (options.loss === 'softmax' && vocabSize > SOFTMAX_MAX_VOCAB) {
    throw optionError(
      'loss',
      `softmax costs one dot product per vocabulary word and example; it is limited to ${words(SOFTMAX_MAX_VOCAB)}, ` +
        `and this vocabulary has ${vocabSize.toLocaleString('en-US')}: use ${name('loss')} ns or hs, or raise ${name('minCount')} / set ${name('maxVocab')}`,
      naming,
    );
  }
}
