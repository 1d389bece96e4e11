/**
 * Request parameters of the explorer's API, from the query string (GET) or
 * a JSON object (POST), with typed, bounded accessors.
 */
import { HttpError } from './http.js';
import { LIMITS } from './limits.js';

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

  /**
   * Refuses names outside `known`; `Request`, an endpoint's request type
   * from api-types, checks that `known` names its fields.
   */
  only<Request = Record<string, unknown>>(known: ReadonlyArray<keyof Request & string>): this {
    for (const key of this.values.keys()) {
      if (!(known as readonly string[]).includes(key)) {
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

  /** Words separated by white space (none may contain any): at least one, at most `max`, each no longer than a word may be. */
  wordList(name: string, max: number): string[] {
    const value = this.values.get(name);
    if (value === undefined || value === null)
      throw new HttpError(400, `missing parameter '${name}'`);
    if (typeof value !== 'string')
      throw new HttpError(400, `parameter '${name}' must be a string of words separated by spaces`);
    const words = value.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) throw new HttpError(400, `parameter '${name}' holds no word`);
    if (words.length > max)
      throw new HttpError(
        400,
        `parameter '${name}' holds ${words.length} words; at most ${max} are allowed`,
      );
    const long = words.find((w) => w.length > LIMITS.wordLength);
    if (long !== undefined)
      throw new HttpError(
        400,
        `a word of parameter '${name}' is longer than ${LIMITS.wordLength} characters`,
      );
    return words;
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
