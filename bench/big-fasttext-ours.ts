// word2vec-ts's side of the big-fastText benchmark, run in its own process
// so that its peak memory is its own: loads a fastText .bin model with
// loadVectors, times the first mostSimilar after the load and single
// queries for words outside the vocabulary, and gives the vectors of a few
// words. Prints one JSON line (see FastTextOursResult).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadVectors } from '../src/index.js';

export interface FastTextOursResult {
  load_seconds: number;
  /** From the end of the load to the first answer. */
  first_query_seconds: number;
  /** From the end of the load until queries use the int16 filter (built in the background); the single queries are timed after. */
  filter_ready_seconds?: number;
  /** Mean over the single queries. */
  single_seconds: number;
  /** The single queries' answers. */
  top: Array<Array<{ word: string; similarity: number }>>;
  /** The vectors of the words checked against fastText. */
  vectors: Record<string, number[]>;
  /** Where the load's time went (seconds), given the file's section ends: see --sections. */
  phases?: LoadPhases;
}

export interface LoadPhases {
  /** Header and dictionary. */
  dictionary: number;
  /** Reading the words' own rows (into the kernel's memories). */
  own_rows: number;
  /** Reading the n-gram rows. */
  ngram_rows: number;
  /** The words' vectors (own row and n-gram rows), their norms, the index. */
  word_vectors: number;
}

/** The longest wait for the filter; past it, queries are timed as they are. */
const FILTER_WAIT_MS = 600_000;

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    words: { type: 'string' },
    check: { type: 'string' },
    topn: { type: 'string', default: '10' },
    single: { type: 'string', default: '100' },
    // The byte offsets where the dictionary, the own rows and the n-gram rows end.
    sections: { type: 'string' },
  },
});
if (!values.model || !values.words || !values.check)
  throw new Error(
    'usage: big-fasttext-ours.js --model FILE --words FILE --check FILE [--topn 10 --single 100]',
  );

const sections = values.sections?.split(',').map(Number);
/** When the load's progress first reached each section's end. */
const reached: number[] = [];
const started = performance.now();
const kv = await loadVectors(values.model, {
  onProgress: (bytes) => {
    if (!sections) return;
    while (reached.length < sections.length && bytes >= sections[reached.length]!)
      reached.push(performance.now());
  },
});
const loaded = performance.now();
const load_seconds = (loaded - started) / 1000;
const phases: LoadPhases | undefined =
  reached.length === 3
    ? {
        dictionary: (reached[0]! - started) / 1000,
        own_rows: (reached[1]! - reached[0]!) / 1000,
        ngram_rows: (reached[2]! - reached[1]!) / 1000,
        word_vectors: (loaded - reached[2]!) / 1000,
      }
    : undefined;
if (phases) console.error(`word2vec-ts: load phases ${JSON.stringify(phases)}`);
console.error(`word2vec-ts: loaded ${kv.size} × ${kv.dim} in ${load_seconds.toFixed(1)} s`);

const topn = Number(values.topn);
const queries = readFileSync(values.words, 'utf8')
  .split('\n')
  .map((word) => ({ positive: [word], topn }));
kv.mostSimilar(queries[0]!);
const first_query_seconds = (performance.now() - loaded) / 1000;
console.error(
  `word2vec-ts: first query answered ${first_query_seconds.toFixed(2)} s after the load`,
);

// Until the filter is ready every query scores all rows exactly; time the steady state.
const waitUntil = performance.now() + FILTER_WAIT_MS;
for (let i = 1; !kv.queriesFiltered && performance.now() < waitUntil; i++) {
  kv.mostSimilar(queries[i % queries.length]!);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const waited = (performance.now() - loaded) / 1000;
const filter_ready_seconds = kv.queriesFiltered ? waited : undefined;
console.error(
  kv.queriesFiltered
    ? `word2vec-ts: queries use the filter ${waited.toFixed(1)} s after the load`
    : `word2vec-ts: the filter is not ready ${waited.toFixed(1)} s after the load; timing exact queries`,
);

const single = queries.slice(0, Number(values.single));
const start = performance.now();
const top = single.map((query) => kv.mostSimilar(query));
const single_seconds = (performance.now() - start) / 1000 / single.length;
console.error(
  `word2vec-ts: ${single.length} single queries, ${(single_seconds * 1000).toFixed(1)} ms each`,
);

const vectors: Record<string, number[]> = {};
for (const word of readFileSync(values.check, 'utf8').split('\n'))
  vectors[word] = Array.from(kv.vector(word));

const result: FastTextOursResult = {
  load_seconds,
  first_query_seconds,
  filter_ready_seconds,
  single_seconds,
  top,
  vectors,
  phases,
};
console.log(JSON.stringify(result));
