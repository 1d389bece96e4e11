// Going on from a saved file: finishing an interrupted run from its
// checkpoint, or training a finished model further on new text.
import {
  OPTION_TABLE,
  optionError,
  optionName,
  RESUME_MAY_CHANGE,
  resolveOptions,
  SHAPES_WEIGHTS,
  type OptionKey,
  type ResolvedTrainOptions,
  type TrainOptions,
} from '../options.js';
import { InputError } from '../errors.js';
import type { CorpusScan } from '../corpus/encoded.js';
import { checkCorpusFiles } from '../corpus/reader.js';
import { effectiveMinCount, isTextWord, Vocabulary } from '../vocab/vocabulary.js';
import { corpusSource, type CorpusSource } from '../corpus/corpus-source.js';
import {
  checkControl,
  checkSubwordRows,
  corpusMismatch,
  loadTrainable,
  sameCorpus,
  type TrainableModel,
} from './checkpoint.js';
import type { Word2Vec } from './model.js';
import { runTraining, type RunVocabulary } from './trainer.js';
import { CHUNK_TARGET } from './training-corpus.js';
import type { ResumeRequest } from './types.js';
import { checkRequestKeys } from './request-keys.js';
import { outputKindOf } from '../io/native-format.js';

/**
 * Goes on training from a file `train` saved. The file decides what happens:
 * - a checkpoint of an interrupted run (it holds progress): the run goes on
 *   where it stopped, on the same corpus (checked: the files' sizes, then
 *   the vocabulary), with the same options (only `threads` and `cacheMiB`
 *   may change). On one thread with the same seed, the result is the same,
 *   byte for byte, as if the run had never stopped.
 * - a trained native model (no progress): it is trained further on `input`
 *   (new text), as gensim's `build_vocab(update=True)` then `train()`: the
 *   counts of known words grow by their new counts, new words seen at least
 *   `minCount` times join the vocabulary with random vectors and zero
 *   output weights, and the learning rate falls from `alpha` to `minAlpha`
 *   again over `epochs`. Options other than `dim`, `arch` and `loss` (and a
 *   subword model's `subwords`, `minn`, `maxn`, `bucket`) may change. A
 *   subword model keeps its n-gram rows, on which new words' n-grams land.
 * @throws UsageError if the corpus or an option does not fit the file.
 * @example
 * const model = await resume({ from: 'vectors.bin.checkpoint', threads: 2 });
 * const more = await resume({ from: 'model.w2v', input: 'news.txt', epochs: 2 });
 */
export async function resume(request: ResumeRequest): Promise<Word2Vec> {
  checkRequestKeys(request, 'resume');
  checkControl(request);
  const saved =
    typeof request.from === 'string'
      ? await loadTrainable(request.from)
      : { ...request.from, outputKind: outputKindOf(request.from.options.loss) };
  // How messages name the model.
  const from = typeof request.from === 'string' ? request.from : 'the model';
  // A subword model goes on with its n-gram rows; a file saved without them cannot.
  checkSubwordRows(saved.vectors, saved.options, from);
  const startedAt = performance.now();
  const { training } = saved;
  if (training) {
    const options = resumeOptions(saved, request);
    if (options.input.length === 0 && request.sentences === undefined) {
      throw optionError(
        'input',
        `: ${request.from} is the checkpoint of a run that trained on sentences (given in memory or on standard input); ` +
          `give the same sentences again (${request.optionNaming === 'flag' ? '--input - or --input <file>' : 'sentences or input'})`,
        request.optionNaming,
      );
    }
    if (options.input.length > 0) await checkCorpusFiles(options.input);
    const source = await corpusSource(options.input, request.sentences, request.optionNaming);
    const mismatch = await corpusMismatch(training.corpus, options.input);
    if (mismatch) {
      throw optionError(
        'input',
        `: ${from} is the checkpoint of an interrupted run, which goes on only on its own corpus: ${mismatch}. ` +
          `To train its weights on other text instead, first make it a model: w2v convert ${from} model.w2v`,
        request.optionNaming,
      );
    }
    if (training.chunkTarget !== CHUNK_TARGET) {
      throw new InputError(
        `${from}: the run cut its corpus into chunks of ${training.chunkTarget} entries; this version cuts ${CHUNK_TARGET}`,
      );
    }
    return runTraining({
      options,
      request,
      source,
      startedAt,
      start: 'resume',
      minCount: options.minCount,
      vocabulary: (scan) => {
        const { vocab, remap } = Vocabulary.fromCounts(scan, options, source.name);
        if (!sameCorpus(training.corpus, scan.tokens, scan.hash) || !sameVocabulary(vocab, saved)) {
          const count = (n: number): string => n.toLocaleString('en-US');
          throw optionError(
            'input',
            source.files.length > 0 && training.corpus.files.length > 0
              ? `: the corpus files have the sizes ${from} remembers, but not its ${count(training.corpus.tokens)} tokens ` +
                  `and ${count(saved.vectors.size)}-word vocabulary; the files have changed since the run began`
              : `: ${source.name} is not the text ${from} was trained on: it remembers ${count(training.corpus.tokens)} tokens ` +
                  `and a ${count(saved.vectors.size)}-word vocabulary, and this has ${count(scan.tokens)} tokens` +
                  `${scan.tokens === training.corpus.tokens ? ' but other words' : ''}; an interrupted run goes on only on its own corpus`,
            request.optionNaming,
          );
        }
        return { vocab, remap, addedWords: 0 };
      },
      saved,
      state: training,
    });
  }
  const options = continueOptions(saved, request);
  const source: CorpusSource = await corpusSource(
    options.input,
    request.sentences,
    request.optionNaming,
  );
  return runTraining({
    options,
    request,
    source,
    startedAt,
    start: 'continue',
    // Every word: known words add their counts even below min-count, as in gensim.
    minCount: 1,
    vocabulary: (scan) => updateVocabulary(saved, scan, options, source.name),
    saved,
  });
}

/** The files a resumed run reads: those given, none when sentences are given, else the file's own. */
function inputOf(saved: TrainableModel, request: ResumeRequest): string | string[] {
  return request.input ?? (request.sentences !== undefined ? [] : saved.options.input);
}

/** Options of an interrupted run: the checkpoint's, with only the threads and memory budgets open to change. */
function resumeOptions(saved: TrainableModel, request: ResumeRequest): ResolvedTrainOptions {
  const naming = request.optionNaming;
  for (const [key, value] of givenOptions(request)) {
    const before = saved.options[key];
    if (!RESUME_MAY_CHANGE.has(key) && value !== before) {
      throw optionError(
        key,
        `${String(value)} differs from the checkpoint's ${String(before)}: an interrupted run goes on with the options it began with ` +
          `(only ${[...RESUME_MAY_CHANGE].map((k) => optionName(k, naming)).join(', ')} may change)`,
        naming,
      );
    }
  }
  // Memory budgets may change: a budget that changes the counts is caught by the vocabulary check.
  const free = Object.fromEntries(
    givenOptions(request).filter(([key]) => RESUME_MAY_CHANGE.has(key)),
  );
  return resolveOptions({ ...saved.options, ...free, input: inputOf(saved, request) }, naming);
}

/** Options for training a model further: the model's, with any given ones, except those that shape the weights. */
function continueOptions(saved: TrainableModel, request: ResumeRequest): ResolvedTrainOptions {
  const naming = request.optionNaming;
  const given = givenOptions(request);
  for (const [key, value] of given) {
    if (SHAPES_WEIGHTS.has(key) && value !== saved.options[key]) {
      throw optionError(
        key,
        `${String(value)} differs from the model's ${String(saved.options[key])}: training a model further keeps its ` +
          `${[...SHAPES_WEIGHTS].map((k) => optionName(k, naming)).join(', ')}`,
        naming,
      );
    }
  }
  const options: TrainOptions = {
    ...saved.options,
    ...Object.fromEntries(given),
    input: inputOf(saved, request),
  };
  // A given alpha moves the default final rate with it, as in a new run.
  if (request.alpha !== undefined && request.minAlpha === undefined) delete options.minAlpha;
  return resolveOptions(options, naming);
}

/** The training options a resume request sets (callbacks and control left out). */
function givenOptions(request: ResumeRequest): Array<[OptionKey, ResolvedTrainOptions[OptionKey]]> {
  return OPTION_TABLE.map(({ key }) => key)
    .filter((key) => request[key] !== undefined)
    .map((key) => [key, request[key] as ResolvedTrainOptions[OptionKey]]);
}

function sameVocabulary(vocab: Vocabulary, saved: TrainableModel): boolean {
  if (vocab.size !== saved.vectors.size) return false;
  for (let i = 0; i < vocab.size; i++) {
    if (vocab.words[i] !== saved.vectors.words[i] || vocab.counts[i] !== saved.counts[i])
      return false;
  }
  return true;
}

/**
 * gensim's `build_vocab(update=True)`: known words add their new counts,
 * new words seen at least minCount times (raised by maxFinalVocab over the
 * new text's counts, as gensim does) join (the most frequent first, up to
 * maxVocab words in all). Unlike gensim, the vocabulary is then sorted by
 * count again, so that it stays most frequent first (as `restrictVocab` and
 * `--limit` assume); each word keeps its rows. Hierarchical softmax gets a
 * Huffman tree built from the new counts: inner nodes keep the output rows
 * of the nodes at the same rank from the root, where the tree changes least.
 */
function updateVocabulary(
  saved: TrainableModel,
  scan: CorpusScan,
  options: ResolvedTrainOptions,
  corpusName: string,
): RunVocabulary {
  const oldSize = saved.vectors.size;
  const counts = Float64Array.from(saved.counts);
  const fresh: number[] = [];
  const minCount = effectiveMinCount(scan.counts, options);
  let found = 0;
  for (let i = 0; i < scan.words.length; i++) {
    const known = saved.vectors.indexOf(scan.words[i]);
    found += scan.counts[i];
    if (known >= 0) counts[known] += scan.counts[i];
    else if (scan.counts[i] >= minCount && isTextWord(scan.words[i]!)) fresh.push(i);
  }
  if (found === 0) throw new InputError(`${corpusName} holds no words`);
  fresh.sort((a, b) => scan.counts[b] - scan.counts[a] || a - b);
  if (options.maxVocab > 0)
    fresh.length = Math.min(fresh.length, Math.max(0, options.maxVocab - oldSize));
  // Old words first, then new ones, then a stable sort by count: ties keep that order.
  const entries: Array<{ word: string; count: number; old: number; raw: number }> = [];
  for (let j = 0; j < oldSize; j++)
    entries.push({ word: saved.vectors.words[j]!, count: counts[j]!, old: j, raw: -1 });
  for (const i of fresh)
    entries.push({ word: scan.words[i]!, count: scan.counts[i]!, old: -1, raw: i });
  entries.sort((a, b) => b.count - a.count);
  const vocab = new Vocabulary(
    entries.map((e) => e.word),
    Float64Array.from(entries, (e) => e.count),
  );
  const remap = Int32Array.from(scan.words, (word) => vocab.indexOf(word));
  const inputFrom = Int32Array.from(entries, (e) => e.old);
  let outputFrom = inputFrom;
  if (saved.outputKind === 'hs') {
    const rows = Math.max(vocab.size - 1, 1);
    const oldRows = Math.max(oldSize - 1, 1);
    outputFrom = Int32Array.from({ length: rows }, (_, r) =>
      r - (rows - oldRows) >= 0 ? r - (rows - oldRows) : -1,
    );
  }
  return { vocab, remap, inputFrom, outputFrom, addedWords: fresh.length };
}
