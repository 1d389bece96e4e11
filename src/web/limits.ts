/** What one request to the explorer may ask for, and what it gets when it does not say. */

/** Upper bounds on what one request may ask for. */
export const LIMITS = {
  /** Neighbours or analogy answers per request. */
  topn: 1000,
  /** Words on the map with PCA. */
  mapWords: 20_000,
  /** Words on the map with UMAP, which is far slower. */
  umapWords: 5_000,
  /** Words placed on a map per request. */
  placeWords: 250,
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
