import type { ResolvedTrainOptions } from '../options.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { saveFastTextBin } from '../io/fasttext-bin-write.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { saveWord2Vec } from '../io/word2vec-format.js';
import { outputKindOf, saveNative } from '../io/native-format.js';
import { formatFromPath, type FileFormat } from '../io/file-format.js';
import type { ResumeRequest, TrainSummary } from './types.js';

/** A trained model: the word vectors, the corpus counts behind them and how they were trained. */
export class Word2Vec {
  constructor(
    /** The input vectors, one per vocabulary word, most frequent first. */
    readonly vectors: KeyedVectors,
    /** Corpus count of each vocabulary word, in the same order. */
    readonly counts: Float64Array,
    /**
     * The output weights, row-major with `vectors.dim` columns: one row per word
     * for negative sampling (word2vec.c's syn1neg), one per inner node of the
     * Huffman tree for hierarchical softmax (syn1). Kept so training can resume.
     */
    readonly outputWeights: Float32Array,
    readonly summary: TrainSummary,
    readonly options: ResolvedTrainOptions,
  ) {}

  /**
   * The vector of a word (a copy).
   * @example model.vector('king')
   */
  vector(word: string): Float32Array {
    return this.vectors.vector(word);
  }

  /**
   * Trains this model further on new text (`input`), as gensim's
   * `build_vocab(update=True)` then `train()`: see `resume`. The model itself
   * is left as it is; the call returns the new one.
   * @example
   * const more = await model.trainFurther({ input: 'news.txt.gz', epochs: 2 });
   */
  async trainFurther(request: Omit<ResumeRequest, 'from'>): Promise<Word2Vec> {
    // Loaded on use: resume imports the trainer, which imports this file.
    const { resume } = await import('./resume.js');
    return resume({ ...request, from: this });
  }

  /**
   * Writes the vectors in word2vec format, binary or text, or the whole model
   * (counts, output weights and options too, so that training can resume) in
   * the native format. By default the format comes from the file name:
   * .w2v is native, .txt/.vec text, anything else binary.
   * @example await model.save('vectors.bin')
   * @example await model.save('model.w2v')
   */
  save(path: string, options?: { format?: FileFormat }): Promise<void> {
    let format = formatFromPath(path, options?.format);
    // A subword model's .bin is fastText's, which keeps its n-grams.
    if (format === 'bin' && !options?.format && this.vectors instanceof SubwordKeyedVectors)
      format = 'fasttext';
    if (format === 'native') {
      return saveNative(path, {
        vectors: this.vectors,
        counts: this.counts,
        outputWeights: this.outputWeights,
        outputKind: outputKindOf(this.options.loss),
        options: this.options,
      });
    }
    if (format === 'fasttext') {
      // fastText's output matrix has a row per word; hierarchical softmax's inner nodes are one fewer.
      const output = new Float32Array(this.vectors.size * this.vectors.dim);
      output.set(this.outputWeights.subarray(0, output.length));
      return saveFastTextBin(this.vectors, path, { output });
    }
    return saveWord2Vec(this.vectors, path, { format });
  }
}
