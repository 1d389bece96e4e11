/**
 * The handlers of the explorer's JSON API (and its loss chart) over one set
 * of word vectors and its training log: each checks its parameters and
 * returns the reply typed in api-types.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseProgressLog, type ProgressRecord } from '../io/progress-log.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import type { KeyedVectors, Neighbour } from '../vectors/keyed-vectors.js';
import type {
  AnalogyReply,
  AnalogyRequest,
  CompleteReply,
  CompleteRequest,
  InfoReply,
  InfoRequest,
  LogReply,
  LogRequest,
  LossChartRequest,
  MapReply,
  MapRequest,
  MapStreamLine,
  PlaceReply,
  PlaceRequest,
  RankedWord,
  ScoredWord,
  SimilarReply,
  SimilarRequest,
  VectorReply,
  VectorRequest,
} from './api-types.js';
import { HttpError } from './http.js';
import { DEFAULTS, LIMITS } from './limits.js';
import { lossChartSvg } from './loss-chart.js';
import { lastLossText } from '../loss-figures.js';
import type { MapJobs, MapResult } from './map-jobs.js';
import type { Params } from './params.js';
import { PROJECTION_METHODS, type ProjectionMethod } from './projection.js';

/** Most loss points sent to the page; longer logs are thinned evenly. */
const MAX_LOG_POINTS = 1000;

/** What the API serves: fixed when the server starts. */
export interface ServedModel {
  vectors: KeyedVectors;
  /** The model file, as shown on the page (only its name is shown). */
  modelPath: string;
  /** Size of the model file, shown on the page. */
  modelBytes?: number;
  /** A `w2v train --log` file; read again on each request, so a running training can be watched. */
  logPath?: string;
}

/** The API's handlers, one method an endpoint. */
export class ExplorerApi {
  private readonly kv: KeyedVectors;

  constructor(
    private readonly options: ServedModel,
    private readonly maps: MapJobs,
  ) {
    this.kv = options.vectors;
  }

  private requireWord(params: Params, name: string): number {
    const word = params.string(name);
    const row = this.kv.indexOf(word);
    if (row >= 0) return row;
    const lower = word.toLowerCase();
    const hint = lower !== word && this.kv.has(lower) ? ` (did you mean '${lower}'?)` : '';
    throw new HttpError(404, `word '${word}' is not in the vocabulary${hint}`);
  }

  /** The row of a word to compare: in the vocabulary, with a finite vector. */
  private requireComparableWord(params: Params, name: string): number {
    const row = this.requireWord(params, name);
    if (!this.kv.isFiniteRow(row)) {
      throw new HttpError(
        422,
        `word '${this.kv.words[row]}' has NaN or infinite values in the model, so it cannot be compared`,
      );
    }
    return row;
  }

  private neighbours(list: readonly Neighbour[]): ScoredWord[] {
    return list.map((n) => ({
      word: n.word,
      similarity: n.similarity,
      rank: this.kv.indexOf(n.word),
    }));
  }

  info(params: Params): InfoReply {
    params.only<InfoRequest>([]);
    const log = this.options.logPath;
    return {
      file: basename(this.options.modelPath),
      fileBytes: this.options.modelBytes ?? null,
      vocabSize: this.kv.size,
      dim: this.kv.dim,
      log: log === undefined ? null : basename(log),
      methods: PROJECTION_METHODS,
      defaults: { topn: DEFAULTS.topn, mapWords: Math.min(DEFAULTS.mapWords, this.kv.size) },
      limits: {
        topn: LIMITS.topn,
        mapWords: LIMITS.mapWords,
        umapWords: LIMITS.umapWords,
        completions: LIMITS.completions,
        placeWords: LIMITS.placeWords,
      },
    };
  }

  /** A query word: in the vocabulary (its row), or one a subword model gives a vector from its n-grams (-1). */
  private queryWord(params: Params, name: string): { word: string; row: number } {
    const word = params.string(name);
    const { kv } = this;
    if (!kv.has(word) && kv instanceof SubwordKeyedVectors && kv.hasVectorFor(word)) {
      return { word, row: -1 };
    }
    const row = this.requireComparableWord(params, name);
    return { word: kv.words[row]!, row };
  }

  similar(params: Params): SimilarReply {
    params.only<SimilarRequest>(['word', 'topn', 'restrict']);
    const { word, row } = this.queryWord(params, 'word');
    const topn = params.integer('topn', DEFAULTS.topn, 1, LIMITS.topn);
    const restrict = params.integer('restrict', 0, 0, Number.MAX_SAFE_INTEGER);
    const found = this.kv.mostSimilar({
      positive: [word],
      topn,
      restrictVocab: restrict || undefined,
    });
    return { word, rank: row, topn, neighbours: this.neighbours(found) };
  }

  analogy(params: Params): AnalogyReply {
    params.only<AnalogyRequest>(['a', 'b', 'c', 'topn', 'method']);
    const [a, b, c] = (['a', 'b', 'c'] as const).map(
      (name) => this.queryWord(params, name).word,
    ) as [string, string, string];
    const topn = params.integer('topn', DEFAULTS.topn, 1, LIMITS.topn);
    const method = params.choice('method', ['add', 'mul'] as const, 'add');
    // a is to b as c is to ?: b - a + c.
    const query = { positive: [b, c], negative: [a], topn };
    const found = method === 'add' ? this.kv.mostSimilar(query) : this.kv.mostSimilarCosmul(query);
    return { a, b, c, method, topn, answers: this.neighbours(found) };
  }

  vector(params: Params): VectorReply {
    params.only<VectorRequest>(['word']);
    const row = this.requireWord(params, 'word');
    const vector = Array.from(this.kv.row(row));
    const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
    return { word: this.kv.words[row], rank: row, dim: this.kv.dim, norm, vector };
  }

  /** Words starting with `prefix`, most frequent first. */
  complete(params: Params): CompleteReply {
    params.only<CompleteRequest>(['prefix', 'limit']);
    const prefix = params.string('prefix');
    const limit = params.integer('limit', DEFAULTS.completions, 1, LIMITS.completions);
    const words = this.kv.words;
    const found: RankedWord[] = [];
    // Frequency order: the scan stops early for common prefixes, and a full scan of 100k words takes about a millisecond.
    for (let row = 0; row < words.length && found.length < limit; row++) {
      if (words[row]!.startsWith(prefix)) found.push({ word: words[row]!, rank: row });
    }
    return { prefix, words: found, exact: this.kv.has(prefix) };
  }

  /** The method and the `n` of a map request, checked. */
  private mapParams(params: Params): {
    method: ProjectionMethod;
    requested: number;
    count: number;
  } {
    const method = params.choice('method', PROJECTION_METHODS, 'pca');
    const cap = method === 'umap' ? LIMITS.umapWords : LIMITS.mapWords;
    const requested = params.integer('n', Math.min(DEFAULTS.mapWords, cap), 1, cap);
    return { method, requested, count: Math.min(requested, this.kv.size) };
  }

  async map(params: Params, gone: AbortSignal): Promise<MapReply> {
    params.only<MapRequest>(['n', 'method']);
    const { method, requested, count } = this.mapParams(params);
    const projection = await this.maps.projection(method, count, gone);
    return mapReply(method, requested, projection);
  }

  /**
   * /api/map with its progress: the parameters are checked before the reply
   * starts (a refusal is an ordinary error reply), then `write` gets each
   * line of the stream.
   */
  mapStream(
    params: Params,
    gone: AbortSignal,
  ): (write: (line: MapStreamLine) => void) => Promise<void> {
    params.only<MapRequest>(['n', 'method']);
    const { method, requested, count } = this.mapParams(params);
    return async (write) => {
      try {
        const projection = await this.maps.projection(method, count, gone, (progress) =>
          write({ progress }),
        );
        write({ map: mapReply(method, requested, projection) });
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        write({ error: err.message, status: err.status });
      }
    };
  }

  async place(params: Params, gone: AbortSignal): Promise<PlaceReply> {
    params.only<PlaceRequest>(['n', 'method', 'words']);
    const { method, requested, count } = this.mapParams(params);
    const rows = params.wordList('words', LIMITS.placeWords).map((word) => {
      const row = this.kv.indexOf(word);
      if (row < 0) throw new HttpError(404, `word '${word}' is not in the vocabulary`);
      return row;
    });
    const placement = await this.maps.place(method, count, rows, gone);
    return {
      method,
      requested,
      words: placement.words,
      coords: rounded(placement.coords),
      leftOut: placement.leftOut,
    };
  }

  private async readLog(): Promise<ProgressRecord[]> {
    const path = this.options.logPath;
    if (path === undefined) {
      throw new HttpError(
        404,
        'no training log was given; start the server with --log <file.jsonl> (written by w2v train --log)',
      );
    }
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new HttpError(404, `the training log '${basename(path)}' cannot be read`);
    }
    try {
      return parseProgressLog(text, basename(path));
    } catch (err) {
      throw new HttpError(422, err instanceof Error ? err.message : String(err));
    }
  }

  async log(params: Params): Promise<LogReply> {
    params.only<LogRequest>([]);
    const records = (await this.readLog()).filter((r) => r.phase === 'train');
    const last = records.at(-1);
    return {
      file: basename(this.options.logPath ?? ''),
      records: thin(records, MAX_LOG_POINTS),
      total: records.length,
      done: last !== undefined && last.totalWords > 0 && last.words >= last.totalWords,
      lastLoss: lastLossText(records) ?? null,
    };
  }

  async lossSvg(params: Params): Promise<string> {
    params.only<LossChartRequest>(['width', 'height', 'x']);
    const width = params.integer('width', 760, 200, 4000);
    const height = params.integer('height', 320, 150, 4000);
    const x = params.choice('x', ['words', 'time'] as const, 'words');
    const records = await this.readLog();
    return lossChartSvg(thin(records, MAX_LOG_POINTS * 2), { width, height, x });
  }
}

/** Coordinates rounded for the JSON. */
/** The reply of /api/map (and the last line of its stream) for a computed map. */
function mapReply(method: MapReply['method'], requested: number, projection: MapResult): MapReply {
  return {
    method,
    requested,
    count: projection.count,
    leftOut: projection.leftOut,
    words: projection.words,
    coords: rounded(projection.coords),
    explainedVariance: projection.explainedVariance ?? null,
    seconds: projection.seconds,
  };
}

function rounded(coords: Float32Array): number[] {
  const out = new Array<number>(coords.length);
  for (let i = 0; i < coords.length; i++) out[i] = round5(coords[i]!);
  return out;
}

/** Rounds to 5 significant digits: plenty for a picture, and a third of the JSON. */
function round5(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(5)) : 0;
}

/** At most `max` items, evenly spread, always keeping the last. */
function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(items[Math.floor(i * step)]!);
  out.push(items.at(-1)!);
  return out;
}
