/**
 * The vectors of a trained subword model: the words' vectors (each the mean
 * of its row and its n-gram rows) with the rows that give any word one.
 */
import {
  LOSS_HS,
  LOSS_NS,
  LOSS_SOFTMAX,
  MODEL_CBOW,
  MODEL_SKIPGRAM,
} from '../io/fasttext-bin-layout.js';
import type { ResolvedTrainOptions } from '../options.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { SubwordVectors } from '../subwords/subword-vectors.js';
import type { RowChunks } from '../subwords/row-chunks.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import type { ModelMemory } from './model-memory.js';

/** The trained subword model in `memory`, after training `vocab` on `tokens` corpus tokens. */
export function trainedSubwordVectors(
  memory: ModelMemory,
  vocab: Vocabulary,
  options: ResolvedTrainOptions,
  tokens: number,
): SubwordKeyedVectors {
  return subwordModel(vocab, options, memory.inputVectors().slice(), memory.ngramRows(), tokens);
}

/**
 * The subword model of `vocab` with own rows `ownRows` and n-gram rows
 * `ngrams`, trained with `options` on `tokens` corpus tokens: each word's
 * vector the mean of its rows.
 */
export function subwordModel(
  vocab: Vocabulary,
  options: ResolvedTrainOptions,
  ownRows: Float32Array,
  ngrams: RowChunks,
  tokens: number,
): SubwordKeyedVectors {
  const { minn, maxn, bucket } = options;
  const subwords = new SubwordVectors(
    { minn, maxn, bucket },
    options.dim,
    ownRows,
    ngrams,
    vocab.counts,
    {
      epoch: options.epochs,
      window: options.window,
      minCount: options.minCount,
      negative: options.negative,
      wordNgrams: 1,
      loss: options.loss === 'hs' ? LOSS_HS : options.loss === 'ns' ? LOSS_NS : LOSS_SOFTMAX,
      model: options.arch === 'cbow' ? MODEL_CBOW : MODEL_SKIPGRAM,
      lrUpdateRate: 100,
      sample: options.sample,
      tokens,
    },
  );
  return new SubwordKeyedVectors(vocab.words, subwords.wordVectors(vocab.words), subwords);
}
