/**
 * A native model (`.w2v`, saved by `train`) loaded whole, as the `Word2Vec`
 * that `train` returns: its vectors answer queries, and it can be trained
 * further on new text (`model.trainFurther`) or saved again.
 */
import { loadTrainable } from './checkpoint.js';
import { Word2Vec } from './model.js';
import type { TrainSummary } from './types.js';

/**
 * Loads a native model, or a checkpoint's weights, as a trained model.
 * Its `summary` is of no run in this process: the vocabulary and corpus
 * sizes, and zeros (the loss NaN) for the rest.
 * @throws UsageError if the file holds vectors only (a word2vec .bin or
 * .txt file; load those with `loadVectors`), InputError if it is damaged.
 * @example
 * const model = await loadModel('model.w2v');
 * model.vectors.mostSimilar({ positive: ['king'] });
 * const further = await model.trainFurther({ input: 'news.txt.gz', epochs: 2 });
 */
export async function loadModel(path: string): Promise<Word2Vec> {
  const { vectors, counts, outputWeights, options } = await loadTrainable(path);
  let corpusTokens = 0;
  for (const count of counts) corpusTokens += count;
  const summary: TrainSummary = {
    vocabSize: vectors.size,
    corpusTokens,
    invalidTokens: 0,
    trainedWords: 0,
    examples: 0,
    cachedCorpus: false,
    vocabPruning: { prunes: 0, threshold: 0, wordsDropped: 0, occurrencesDropped: 0 },
    finalLoss: NaN,
    vocabSeconds: 0,
    trainSeconds: 0,
    wordsPerSecond: 0,
    threadBusy: [],
    start: 'new',
    addedWords: 0,
  };
  return new Word2Vec(vectors, counts, outputWeights, summary, options);
}
