/**
 * The web explorer behind `w2v serve`: a JSON API over one set of word
 * vectors (and optionally its training log) plus the single page that uses
 * it, on Node's own http server.
 *
 * What it exposes is fixed when it starts: the vectors it was given, the
 * progress log it was given (if any) and its own page, which is read into
 * memory up front. No request parameter names a file. Bodies are capped,
 * counts are capped, and every refusal is a 4xx with a JSON message.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { parseProgressLog, type ProgressRecord } from '../io/progress-log.js';
import type { KeyedVectors, Neighbour } from '../vectors/keyed-vectors.js';
import { lossChartSvg } from './loss-chart.js';
import {
  PROJECTION_METHODS,
  projectInWorker,
  type Projection,
  type ProjectionMethod,
} from './projection.js';

/** Upper bounds on what one request may ask for. */
export const LIMITS = {
  /** Neighbours or analogy answers per request. */
  topn: 1000,
  /** Words on the map with PCA. */
  mapWords: 20_000,
  /** Words on the map with UMAP, which is far slower. */
  umapWords: 5_000,
  /** Completions per request. */
  completions: 50,
  /** Bytes of a POST body. */
  bodyBytes: 16 * 1024,
  /** Characters of a word or prefix. */
  wordLength: 1000,
} as const;

export const DEFAULTS = {
  topn: 10,
  mapWords: 2000,
  completions: 10,
  port: 8080,
  host: '127.0.0.1',
} as const;

/** Most loss points sent to the page; longer logs are thinned evenly. */
const MAX_LOG_POINTS = 1000;
/** Maps kept in memory, most recently used first. */
const MAP_CACHE_SIZE = 8;

export interface ExplorerOptions {
  vectors: KeyedVectors;
  /** The model file, as shown on the page (only its name is shown). */
  modelPath: string;
  /** Size of the model file, shown on the page. */
  modelBytes?: number;
  /** A `w2v train --log` file; read again on each request, so a running training can be watched. */
  logPath?: string;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
}

export interface RunningExplorer {
  /** http://host:port/ */
  url: string;
  host: string;
  port: number;
  server: Server;
  /** Stops listening, ends open connections and cancels projections. */
  close(): Promise<void>;
}

/** A refusal with its HTTP status; the message is shown to the user as is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

type Method = 'GET' | 'HEAD' | 'POST';

interface Route {
  methods: readonly Method[];
  /** `gone` aborts when the client goes away before the reply is sent. */
  handle(params: Params, gone: AbortSignal): Promise<Reply> | Reply;
}

type Reply = { json: unknown } | { body: string | Buffer; type: string };

interface StaticFile {
  body: Buffer;
  type: string;
}

const STATIC_FILES: ReadonlyArray<[string, string, string]> = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/index.html', 'index.html', 'text/html; charset=utf-8'],
  ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['/style.css', 'style.css', 'text/css; charset=utf-8'],
];

const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The page's files, read once: nothing else on disk is ever served. */
function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const [urlPath, name, type] of STATIC_FILES) {
    const url = new URL(`./public/${name}`, import.meta.url);
    let body: Buffer;
    try {
      body = readFileSync(url);
    } catch {
      throw new Error(`the explorer page is missing (${name}); run 'npm run build'`);
    }
    files.set(urlPath, { body, type });
  }
  return files;
}

/**
 * Request parameters, from the query string (GET) or a JSON object (POST),
 * with typed, bounded accessors. Unknown names are refused, so a typo
 * (`topN`) is reported instead of silently ignored.
 */
export class Params {
  private constructor(private readonly values: ReadonlyMap<string, unknown>) {}

  static fromQuery(search: URLSearchParams): Params {
    const values = new Map<string, unknown>();
    for (const [key, value] of search) {
      if (values.has(key)) throw new HttpError(400, `parameter '${key}' is given more than once`);
      values.set(key, value);
    }
    return new Params(values);
  }

  static fromJson(value: unknown): Params {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HttpError(400, 'the request body must be a JSON object, e.g. {"word": "king"}');
    }
    return new Params(new Map(Object.entries(value)));
  }

  /** Refuses names outside `known`. */
  only(known: readonly string[]): this {
    for (const key of this.values.keys()) {
      if (!known.includes(key)) {
        const expected =
          known.length > 0
            ? `expected ${known.map((k) => `'${k}'`).join(', ')}`
            : 'this endpoint takes none';
        throw new HttpError(400, `unknown parameter '${key}' (${expected})`);
      }
    }
    return this;
  }

  /** A non-empty string of at most LIMITS.wordLength characters. */
  string(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === null)
      throw new HttpError(400, `missing parameter '${name}'`);
    if (typeof value !== 'string') throw new HttpError(400, `parameter '${name}' must be a string`);
    if (value.length === 0) throw new HttpError(400, `parameter '${name}' is empty`);
    if (value.length > LIMITS.wordLength) {
      throw new HttpError(
        400,
        `parameter '${name}' is longer than ${LIMITS.wordLength} characters`,
      );
    }
    return value;
  }

  /** An integer in [min, max], or `fallback` when absent. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    let value: number;
    if (typeof raw === 'number') value = raw;
    else if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) value = Number(raw);
    else throw new HttpError(400, `parameter '${name}' must be an integer`);
    if (!Number.isSafeInteger(value))
      throw new HttpError(400, `parameter '${name}' must be an integer`);
    if (value < min || value > max)
      throw new HttpError(
        400,
        `parameter '${name}' must be between ${min} and ${max}, got ${value}`,
      );
    return value;
  }

  /** One of `choices`, or `fallback` when absent. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const found = choices.find((c) => c === raw);
    if (found === undefined) {
      throw new HttpError(
        400,
        `parameter '${name}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}`,
      );
    }
    return found;
  }
}

/** Rounds to 5 significant digits: plenty for a picture, and a third of the JSON. */
function round5(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(5)) : 0;
}

/** A map of the first `count` words with the non-finite rows left out. */
type MapResult = Projection & { seconds: number; words: string[]; leftOut: number };

/**
 * A map computed, under way or queued. It is cancelled when every request
 * that waited for it has gone before it was done.
 */
interface MapEntry {
  promise: Promise<MapResult>;
  /** Requests waiting for it now. */
  waiting: number;
  done: boolean;
  cancel: AbortController;
}

/**
 * The request handler, apart from any listening socket (tests can drive it
 * through a server of their own).
 */
export class Explorer {
  private readonly kv: KeyedVectors;
  private readonly options: ExplorerOptions;
  private readonly files = loadStaticFiles();
  private readonly routes: ReadonlyMap<string, Route>;
  private readonly maps = new Map<string, MapEntry>();
  /** Projections run one at a time, so two big maps do not starve the neighbour queries of CPU. */
  private projectionQueue: Promise<unknown> = Promise.resolve();
  /** Maps not done yet, cached or not, to cancel on close. */
  private readonly unfinished = new Set<MapEntry>();
  /** Host names accepted in the Host header, or undefined for any (bound to a public address). */
  private allowedHosts: ReadonlySet<string> | undefined;

  constructor(options: ExplorerOptions) {
    this.kv = options.vectors;
    this.options = options;
    this.routes = new Map<string, Route>([
      ['/api/info', { methods: ['GET', 'POST'], handle: (p) => ({ json: this.info(p) }) }],
      ['/api/similar', { methods: ['GET', 'POST'], handle: (p) => ({ json: this.similar(p) }) }],
      ['/api/analogy', { methods: ['GET', 'POST'], handle: (p) => ({ json: this.analogy(p) }) }],
      ['/api/vector', { methods: ['GET', 'POST'], handle: (p) => ({ json: this.vector(p) }) }],
      ['/api/complete', { methods: ['GET', 'POST'], handle: (p) => ({ json: this.complete(p) }) }],
      [
        '/api/map',
        {
          methods: ['GET', 'POST'],
          handle: async (p, gone) => ({ json: await this.map(p, gone) }),
        },
      ],
      [
        '/api/log',
        { methods: ['GET', 'POST'], handle: async (p) => ({ json: await this.log(p) }) },
      ],
      [
        '/api/loss.svg',
        {
          methods: ['GET', 'HEAD'],
          handle: async (p) => ({
            body: await this.lossSvg(p),
            type: 'image/svg+xml; charset=utf-8',
          }),
        },
      ],
    ]);
  }

  /**
   * Accept only these names in the Host header (DNS-rebinding protection for
   * a server bound to this machine only).
   */
  restrictHosts(hosts: readonly string[] | undefined): void {
    this.allowedHosts = hosts ? new Set(hosts.map((h) => h.toLowerCase())) : undefined;
  }

  /** Cancels running and queued projections. */
  close(): void {
    for (const entry of this.unfinished) entry.cancel.abort();
  }

  /** Node http request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.respond(req, res).catch((err: unknown) => {
      process.stderr.write(
        `w2v serve: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      if (!res.headersSent)
        sendJson(res, 500, { error: 'internal error', status: 500 }, req.method === 'HEAD');
      else res.destroy();
    });
  };

  private async respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    try {
      this.checkHost(req);
      const rawUrl = req.url ?? '/';
      // Nothing here maps URLs to files, but refuse traversal attempts outright, encoded or not.
      if (/(^|[/\\])\.\.([/\\]|$)/.test(safeDecode(rawUrl.split('?')[0]!))) {
        throw new HttpError(400, "paths must not contain '..'");
      }
      const url = new URL(rawUrl, 'http://explorer.invalid');
      const method = (req.method ?? 'GET').toUpperCase();

      const route = this.routes.get(url.pathname);
      if (route) {
        if (!(route.methods as readonly string[]).includes(method)) {
          throw new HttpError(
            405,
            `${method} is not allowed on ${url.pathname} (use ${route.methods.join(' or ')})`,
            {
              Allow: route.methods.join(', '),
            },
          );
        }
        const params =
          method === 'POST'
            ? Params.fromJson(await readJsonBody(req))
            : Params.fromQuery(url.searchParams);
        const reply = await route.handle(params, clientGone(res));
        if ('json' in reply) sendJson(res, 200, reply.json, head);
        else {
          const headers = {
            'Content-Type': reply.type,
            'Content-Security-Policy': "default-src 'none'",
            'Cache-Control': 'no-store',
          };
          send(res, 200, reply.body, headers, head);
        }
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        throw new HttpError(
          404,
          `no such endpoint: ${url.pathname} (see /api/info for the model; endpoints: ${[...this.routes.keys()].join(', ')})`,
        );
      }
      const file = this.files.get(url.pathname);
      if (!file) throw new HttpError(404, `not found: ${url.pathname}`);
      if (method !== 'GET' && method !== 'HEAD') {
        throw new HttpError(405, `${method} is not allowed on ${url.pathname} (use GET)`, {
          Allow: 'GET, HEAD',
        });
      }
      const headers: Record<string, string> = {
        'Content-Type': file.type,
        'Cache-Control': 'no-cache',
      };
      if (file.type.startsWith('text/html')) headers['Content-Security-Policy'] = PAGE_POLICY;
      send(res, 200, file.body, headers, head);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 413) res.setHeader('Connection', 'close');
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
      sendJson(res, err.status, { error: err.message, status: err.status }, head);
    }
  }

  private checkHost(req: IncomingMessage): void {
    if (!this.allowedHosts) return;
    const host = (req.headers.host ?? '').toLowerCase();
    const name = host.startsWith('[')
      ? host.slice(0, host.indexOf(']') + 1)
      : host.replace(/:\d+$/, '');
    if (!this.allowedHosts.has(name)) {
      throw new HttpError(
        403,
        `host '${host}' is not allowed; open the address that w2v serve printed`,
      );
    }
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

  private neighbours(
    list: readonly Neighbour[],
  ): Array<{ word: string; similarity: number; rank: number }> {
    return list.map((n) => ({
      word: n.word,
      similarity: n.similarity,
      rank: this.kv.indexOf(n.word),
    }));
  }

  private info(params: Params): unknown {
    params.only([]);
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
      },
    };
  }

  private similar(params: Params): unknown {
    params.only(['word', 'topn', 'restrict']);
    const row = this.requireComparableWord(params, 'word');
    const topn = params.integer('topn', DEFAULTS.topn, 1, LIMITS.topn);
    const restrict = params.integer('restrict', 0, 0, Number.MAX_SAFE_INTEGER);
    const word = this.kv.words[row]!;
    const found = this.kv.mostSimilar({
      positive: [word],
      topn,
      restrictVocab: restrict || undefined,
    });
    return { word, rank: row, topn, neighbours: this.neighbours(found) };
  }

  private analogy(params: Params): unknown {
    params.only(['a', 'b', 'c', 'topn', 'method']);
    const [a, b, c] = (['a', 'b', 'c'] as const).map(
      (name) => this.kv.words[this.requireComparableWord(params, name)]!,
    ) as [string, string, string];
    const topn = params.integer('topn', DEFAULTS.topn, 1, LIMITS.topn);
    const method = params.choice('method', ['add', 'mul'] as const, 'add');
    // a is to b as c is to ?: b - a + c.
    const query = { positive: [b, c], negative: [a], topn };
    const found = method === 'add' ? this.kv.mostSimilar(query) : this.kv.mostSimilarCosmul(query);
    return { a, b, c, method, topn, answers: this.neighbours(found) };
  }

  private vector(params: Params): unknown {
    params.only(['word']);
    const row = this.requireWord(params, 'word');
    const vector = Array.from(this.kv.vectors.subarray(row * this.kv.dim, (row + 1) * this.kv.dim));
    const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
    return { word: this.kv.words[row], rank: row, dim: this.kv.dim, norm, vector };
  }

  /** Words starting with `prefix`, most frequent first. */
  private complete(params: Params): unknown {
    params.only(['prefix', 'limit']);
    const prefix = params.string('prefix');
    const limit = params.integer('limit', DEFAULTS.completions, 1, LIMITS.completions);
    const words = this.kv.words;
    const found: Array<{ word: string; rank: number }> = [];
    // Frequency order: the scan stops early for common prefixes, and a full scan of 100k words takes about a millisecond.
    for (let row = 0; row < words.length && found.length < limit; row++) {
      if (words[row]!.startsWith(prefix)) found.push({ word: words[row]!, rank: row });
    }
    return { prefix, words: found };
  }

  private async map(params: Params, gone: AbortSignal): Promise<unknown> {
    params.only(['n', 'method']);
    const method = params.choice('method', PROJECTION_METHODS, 'pca');
    const cap = method === 'umap' ? LIMITS.umapWords : LIMITS.mapWords;
    const requested = params.integer('n', Math.min(DEFAULTS.mapWords, cap), 1, cap);
    const projection = await this.projection(method, Math.min(requested, this.kv.size), gone);
    const coords = new Array<number>(projection.coords.length);
    for (let i = 0; i < coords.length; i++) coords[i] = round5(projection.coords[i]!);
    return {
      method,
      requested,
      count: projection.count,
      leftOut: projection.leftOut,
      words: projection.words,
      coords,
      explainedVariance: projection.explainedVariance ?? null,
      seconds: projection.seconds,
    };
  }

  /**
   * The map of the first `count` words, from the cache or computed. A map
   * that every request waiting for it has left (`gone`) before it was done
   * is cancelled, so nobody's CPU goes to it.
   */
  private async projection(
    method: ProjectionMethod,
    count: number,
    gone: AbortSignal,
  ): Promise<MapResult> {
    const key = `${method}:${count}`;
    let entry = this.maps.get(key);
    if (entry) {
      // Move to the most recent end.
      this.maps.delete(key);
      this.maps.set(key, entry);
    } else {
      entry = this.startProjection(key, method, count);
    }
    if (entry.done) return entry.promise;
    const waited = entry;
    waited.waiting++;
    const leave = (): void => {
      waited.waiting--;
      if (waited.waiting === 0 && !waited.done) {
        waited.cancel.abort();
        this.forget(key, waited);
      }
    };
    gone.addEventListener('abort', leave, { once: true });
    try {
      return await waited.promise;
    } catch (error) {
      if (waited.cancel.signal.aborted)
        throw new HttpError(
          503,
          'the map was cancelled: nobody waits for it or the server is stopping',
        );
      throw error;
    } finally {
      if (!gone.aborted) {
        gone.removeEventListener('abort', leave);
        waited.waiting--;
      }
    }
  }

  /**
   * Queues the projection of the first `count` words, leaving out rows with
   * NaN or infinite values (they have no place on a map, and UMAP cannot
   * handle them), and caches it under `key`. Projections run one at a time
   * on a worker thread.
   */
  private startProjection(key: string, method: ProjectionMethod, count: number): MapEntry {
    const { dim } = this.kv;
    const unit = this.kv.unitVectors();
    const finiteRows: number[] = [];
    for (let row = 0; row < count; row++) if (this.kv.isFiniteRow(row)) finiteRows.push(row);
    const rows = new Float32Array(finiteRows.length * dim);
    finiteRows.forEach((row, i) => rows.set(unit.subarray(row * dim, (row + 1) * dim), i * dim));
    const words = finiteRows.map((row) => this.kv.words[row]!);
    const cancel = new AbortController();
    const run = async (): Promise<MapResult> => {
      const started = performance.now();
      const result = await projectInWorker(
        { rows, count: finiteRows.length, dim, method, seed: 1 },
        cancel.signal,
      );
      return {
        ...result,
        seconds: (performance.now() - started) / 1000,
        words,
        leftOut: count - finiteRows.length,
      };
    };
    const promise = this.projectionQueue.then(run, run);
    this.projectionQueue = promise.catch(() => undefined);
    const entry: MapEntry = { promise, waiting: 0, done: false, cancel };
    this.unfinished.add(entry);
    // Registered before any request awaits the promise, so `done` is set before they resume.
    promise.then(
      () => {
        entry.done = true;
        this.unfinished.delete(entry);
      },
      () => {
        entry.done = true;
        this.unfinished.delete(entry);
        this.forget(key, entry);
      },
    );
    this.maps.set(key, entry);
    while (this.maps.size > MAP_CACHE_SIZE) this.maps.delete(this.maps.keys().next().value!);
    return entry;
  }

  /** Drops `entry` from the cache, unless another map took its place. */
  private forget(key: string, entry: MapEntry): void {
    if (this.maps.get(key) === entry) this.maps.delete(key);
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

  private async log(params: Params): Promise<unknown> {
    params.only([]);
    const records = (await this.readLog()).filter((r) => r.phase === 'train');
    const last = records.at(-1);
    return {
      file: basename(this.options.logPath ?? ''),
      records: thin(records, MAX_LOG_POINTS),
      total: records.length,
      done: last !== undefined && last.totalWords > 0 && last.words >= last.totalWords,
    };
  }

  private async lossSvg(params: Params): Promise<string> {
    params.only(['width', 'height', 'x']);
    const width = params.integer('width', 760, 200, 4000);
    const height = params.integer('height', 320, 150, 4000);
    const x = params.choice('x', ['words', 'time'] as const, 'words');
    const records = await this.readLog();
    return lossChartSvg(thin(records, MAX_LOG_POINTS * 2), { width, height, x });
  }
}

/** A signal that aborts if the connection closes before the whole of `res` was sent. */
function clientGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return gone.signal;
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

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the URL');
  }
}

/** Reads a JSON body of at most LIMITS.bodyBytes. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new HttpError(415, "POST bodies must be JSON: send 'Content-Type: application/json'");
  }
  const declared = Number(req.headers['content-length']);
  const tooLarge = (): HttpError =>
    new HttpError(413, `the request body is larger than ${LIMITS.bodyBytes} bytes`);
  if (Number.isFinite(declared) && declared > LIMITS.bodyBytes) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > LIMITS.bodyBytes) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(
      400,
      `malformed JSON in the request body: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string>,
  head: boolean,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'Content-Length': String(bytes.length) });
  res.end(head ? undefined : bytes);
}

function sendJson(res: ServerResponse, status: number, value: unknown, head: boolean): void {
  send(
    res,
    status,
    JSON.stringify(value),
    { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    head,
  );
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/**
 * Starts the explorer and resolves once it listens.
 * @throws UsageError if the port is taken or the address cannot be used.
 * @example
 * const explorer = await startExplorer({ vectors: kv, modelPath: 'vectors.bin', port: 0 });
 * console.log(explorer.url);
 * await explorer.close();
 */
export async function startExplorer(options: ExplorerOptions): Promise<RunningExplorer> {
  const host = options.host ?? DEFAULTS.host;
  const port = options.port ?? DEFAULTS.port;
  const explorer = new Explorer(options);
  const server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000 }, explorer.handle);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE')
        reject(new UsageError(`--port: ${where} is already in use; choose another port`));
      else if (err.code === 'EACCES')
        reject(new UsageError(`--port: not allowed to listen on ${where}`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        reject(new UsageError(`--host: '${host}' is not an address of this machine`));
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  if (isLoopback(host)) explorer.restrictHosts([...LOOPBACK_NAMES, host.toLowerCase()]);
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    host: address.address,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        explorer.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
