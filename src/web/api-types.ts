/**
 * The JSON API of `w2v serve`, typed once: the parameters each endpoint
 * takes and the reply it sends. The server's handlers return these types and
 * the page imports them (type-only, so nothing of this module reaches the
 * browser).
 *
 * Parameters come from the query string (GET) or a JSON object (POST); the
 * optional ones have the defaults that /api/info reports.
 */
import type { ProgressRecord } from '../io/progress-log.js';
import type { ProjectionMethod, ProjectionProgress } from './projection.js';

export type { ProgressRecord, ProjectionMethod, ProjectionProgress };

/** Every refusal: a 4xx (or 500) with a message to show as is. */
export interface ErrorReply {
  error: string;
  status: number;
}

/** A word with its vocabulary row (0 is the most frequent). */
export interface RankedWord {
  word: string;
  rank: number;
}

/** A neighbour or analogy answer: cosine similarity (or 3CosMul score). */
export interface ScoredWord extends RankedWord {
  similarity: number;
}

/** GET /api/info takes no parameters. */
export type InfoRequest = Record<string, never>;

export interface InfoReply {
  /** The model file's name (no directory). */
  file: string;
  fileBytes: number | null;
  vocabSize: number;
  dim: number;
  /** The training log's name, or null when the server has none. */
  log: string | null;
  methods: readonly ProjectionMethod[];
  defaults: { topn: number; mapWords: number };
  limits: {
    topn: number;
    mapWords: number;
    umapWords: number;
    completions: number;
    placeWords: number;
  };
}

export interface SimilarRequest {
  word: string;
  topn?: number;
  /** Search only the `restrict` most frequent words; 0 for all. */
  restrict?: number;
}

export interface SimilarReply {
  word: string;
  /** The word's row, or -1 for one outside the vocabulary (a subword model's, from its n-grams). */
  rank: number;
  topn: number;
  neighbours: ScoredWord[];
}

/** 3CosAdd (`add`) or 3CosMul (`mul`). */
export type AnalogyMethod = 'add' | 'mul';

/** a is to b as c is to ? */
export interface AnalogyRequest {
  a: string;
  b: string;
  c: string;
  topn?: number;
  method?: AnalogyMethod;
}

export interface AnalogyReply {
  a: string;
  b: string;
  c: string;
  method: AnalogyMethod;
  topn: number;
  answers: ScoredWord[];
}

export interface VectorRequest {
  word: string;
}

export interface VectorReply {
  word: string;
  rank: number;
  dim: number;
  norm: number;
  vector: number[];
}

export interface CompleteRequest {
  prefix: string;
  limit?: number;
}

/** Words starting with the prefix, most frequent first. */
export interface CompleteReply {
  prefix: string;
  words: RankedWord[];
  /** Whether the prefix is itself a word of the vocabulary (then the page has nothing to complete). */
  exact: boolean;
}

export interface MapRequest {
  /** How many of the most frequent words to project. */
  n?: number;
  method?: ProjectionMethod;
}

export interface MapReply {
  method: ProjectionMethod;
  /** The `n` asked for. */
  requested: number;
  /** Points on the map: the most frequent words but those left out. */
  count: number;
  /** Words among the most frequent left out for their NaN or infinite values. */
  leftOut: number;
  words: string[];
  /** x0, y0, x1, y1, … rounded to 5 significant digits. */
  coords: number[];
  /** PCA only: fraction of the total variance along each axis. */
  explainedVariance: [number, number] | null;
  seconds: number;
}

/**
 * GET /api/map-stream takes the parameters of /api/map and answers with
 * newline-delimited JSON (application/x-ndjson): progress lines while the
 * map is computed, then the map, or an error if it fails midway.
 */
export type MapStreamLine =
  { progress: ProjectionProgress } | { map: MapReply } | { error: string; status: number };

/** Words placed on the map of the `n` most frequent words, with the same projection. */
export interface PlaceRequest {
  n?: number;
  method?: ProjectionMethod;
  /** The words, separated by spaces (at most LIMITS.placeWords). */
  words: string;
}

export interface PlaceReply {
  method: ProjectionMethod;
  /** The `n` of the map. */
  requested: number;
  /** The words placed, each once, in the order given. */
  words: string[];
  /** x0, y0, x1, y1, … of `words`, rounded as the map's; a word of the map keeps its own point. */
  coords: number[];
  /** Words left out for their NaN or infinite values. */
  leftOut: string[];
}

/** GET /api/log takes no parameters. */
export type LogRequest = Record<string, never>;

export interface LogReply {
  file: string;
  /** The 'train' records, thinned evenly to at most 1000, the last always kept. */
  records: ProgressRecord[];
  /** 'train' records in the log before thinning. */
  total: number;
  /** Whether the run has trained all its words. */
  done: boolean;
  /**
   * The loss the log ends with, named as the progress bar and `w2v train`'s
   * summary name it ('epoch loss 2.5569'); null before the first loss.
   */
  lastLoss: string | null;
}

/** GET /api/loss.svg: the loss chart as an SVG image (not JSON). */
export interface LossChartRequest {
  width?: number;
  height?: number;
  x?: 'words' | 'time';
}

/** The JSON endpoints: the parameters each takes and the reply it sends. */
export interface JsonApi {
  '/api/info': { request: InfoRequest; reply: InfoReply };
  '/api/similar': { request: SimilarRequest; reply: SimilarReply };
  '/api/analogy': { request: AnalogyRequest; reply: AnalogyReply };
  '/api/vector': { request: VectorRequest; reply: VectorReply };
  '/api/complete': { request: CompleteRequest; reply: CompleteReply };
  '/api/map': { request: MapRequest; reply: MapReply };
  '/api/place': { request: PlaceRequest; reply: PlaceReply };
  '/api/log': { request: LogRequest; reply: LogReply };
}

export type JsonPath = keyof JsonApi;

/** Any reply of a JSON endpoint. */
export type JsonReply = JsonApi[JsonPath]['reply'];
