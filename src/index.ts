// The public API of word2vec-ts, listed explicitly; everything else is internal.
export { train } from './train/trainer.js';
export { resume } from './train/resume.js';
export { Word2Vec } from './train/model.js';
export { loadModel } from './train/load-model.js';
export type {
  TrainProgress,
  TrainSummary,
  TrainCallbacks,
  TrainRequest,
  VocabPruning,
  TrainControl,
  ResumeRequest,
  TrainStart,
  VocabularyInfo,
  SentenceInput,
  EpochEnd,
  TrainedWeights,
} from './train/types.js';
export type { Sentences, Sentence, SentenceIterable } from './corpus/sentence-source.js';
export { TrainingDiverged, TrainingInterrupted } from './train/checkpoint.js';
export { CorpusChangedError } from './corpus/reader.js';
export type { CheckpointOptions } from './train/checkpoint.js';
export { DEFAULTS, resolveOptions } from './options.js';
export type { TrainOptions, ResolvedTrainOptions, Architecture, Loss } from './options.js';
export { KeyedVectors } from './vectors/keyed-vectors.js';
export type { GensimComparisons } from './vectors/gensim-queries.js';
export type { WordLookup } from './vectors/word-table.js';
export type {
  Neighbour,
  KeyedVectorsOptions,
  SimilarityQuery,
  VectorQueryOptions,
  VectorQuery,
} from './vectors/keyed-vectors.js';
export { saveWord2Vec } from './io/word2vec-format.js';
export type { LoadWord2VecOptions, SaveWord2VecOptions } from './io/word2vec-format.js';
export { loadNative, saveNative } from './io/native-format.js';
export type {
  NativeModel,
  OutputKind,
  LoadNativeOptions,
  TrainingState,
  CorpusIdentity,
} from './io/native-format.js';
export { formatFromPath } from './io/file-format.js';
export type { FileFormat, LoadFormat } from './io/file-format.js';
export type { LoadProgressListener } from './io/input-file.js';
export { loadVectors, loadWord2Vec, detectFormat } from './io/load.js';
export type { LoadVectorsOptions } from './io/load.js';
export { saveVectors } from './io/save.js';
export type { SaveVectorsOptions } from './io/save.js';
export { evaluateAnalogies } from './eval/analogies.js';
export type {
  AnalogyOptions,
  AnalogyResult,
  AnalogySectionResult,
  AnalogyQuestion,
} from './eval/analogies.js';
export { evaluateWordPairs } from './eval/word-pairs.js';
export type { WordPairOptions, WordPairResult, WordPair } from './eval/word-pairs.js';
export { datapath, STANDARD_SETS } from './eval/standard-sets.js';
export type { StandardSet } from './eval/standard-sets.js';
export { W2vError, UsageError, InputError } from './errors.js';
export { SubwordKeyedVectors } from './subwords/subword-keyed-vectors.js';
export { SubwordVectors } from './subwords/subword-vectors.js';
export type { FastTextHeader, OovVectors } from './subwords/subword-vectors.js';
export { RowChunks } from './subwords/row-chunks.js';
export { fastTextHash, ngramRows, ngramStrings, DEFAULT_SUBWORDS } from './subwords/ngrams.js';
export type { SubwordParams } from './subwords/ngrams.js';
export { loadFastTextBin } from './io/fasttext-bin-read.js';
export type { LoadFastTextOptions } from './io/fasttext-bin-read.js';
export { saveFastTextBin } from './io/fasttext-bin-write.js';
export type { SaveFastTextOptions } from './io/fasttext-bin-write.js';
export { learnPhrases } from './phrases/learn.js';
export { loadPhrases } from './phrases/phrase-file.js';
export { PhraseModel } from './phrases/phrase-model.js';
export { ENGLISH_CONNECTOR_WORDS } from './phrases/connectors.js';
export type { Phrase, PhraseSettings } from './phrases/phrase-model.js';
export type { PhraseScoring } from './phrases/scoring.js';
export type { LearnPhrasesOptions, PhraseProgress } from './phrases/options.js';
