// The public API of word2vec-ts, listed explicitly; everything else is internal.
export { train } from './train/trainer.js';
export { resume } from './train/resume.js';
export { Word2Vec } from './train/model.js';
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
} from './train/types.js';
export { TrainingDiverged, TrainingInterrupted } from './train/checkpoint.js';
export { CorpusChangedError } from './corpus/reader.js';
export type { CheckpointOptions } from './train/checkpoint.js';
export { DEFAULTS, resolveOptions } from './options.js';
export type { TrainOptions, ResolvedTrainOptions, Architecture, Loss } from './options.js';
export { KeyedVectors } from './vectors/keyed-vectors.js';
export type {
  Neighbour,
  KeyedVectorsOptions,
  SimilarityQuery,
  VectorQueryOptions,
  VectorQuery,
} from './vectors/keyed-vectors.js';
export { loadWord2Vec, saveWord2Vec } from './io/word2vec-format.js';
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
export { loadVectors, detectFormat } from './io/load.js';
export type { LoadVectorsOptions } from './io/load.js';
export { saveVectors } from './io/save.js';
export type { SaveVectorsOptions } from './io/save.js';
export { evaluateAnalogies } from './eval/analogies.js';
export type { AnalogyOptions, AnalogyResult, AnalogySectionResult } from './eval/analogies.js';
export { evaluateWordPairs } from './eval/word-pairs.js';
export type { WordPairOptions, WordPairResult } from './eval/word-pairs.js';
export { W2vError, UsageError, InputError } from './errors.js';
export { learnPhrases } from './phrases/learn.js';
export { loadPhrases } from './phrases/phrase-file.js';
export { PhraseModel } from './phrases/phrase-model.js';
export { ENGLISH_CONNECTOR_WORDS } from './phrases/connectors.js';
export type { Phrase, PhraseSettings } from './phrases/phrase-model.js';
export type { PhraseScoring } from './phrases/scoring.js';
export type { LearnPhrasesOptions, PhraseProgress } from './phrases/options.js';
