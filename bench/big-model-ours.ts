// word2vec-ts's side of the big-model benchmark, run in its own process so
// that its peak memory is its own: loads a model with loadVectors and, given
// query words, times the first mostSimilar after the load, single queries
// and one mostSimilarBatch call. Prints one JSON line (see OursResult).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadVectors } from '../src/index.js';

export interface OursResult {
  load_seconds: number;
  /** From the end of the load to the first answer. */
  first_query_seconds?: number;
  /** From the end of the load until queries use the int16 filter (built in the background); the single and batch queries are timed after. */
  filter_ready_seconds?: number;
  /** Mean over the single queries. */
  single_seconds?: number;
  /** The batch's time divided by its number of queries. */
  batch_seconds?: number;
  /** How many of the single queries the batch answered identically (words and similarities). */
  batch_identical?: number;
  /** The single queries' answers. */
  top?: Array<Array<{ word: string; similarity: number }>>;
}

/** The longest wait for the filter; past it, queries are timed as they are. */
const FILTER_WAIT_MS = 600_000;

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    words: { type: 'string' },
    topn: { type: 'string', default: '10' },
    single: { type: 'string', default: '100' },
  },
});
if (!values.model)
  throw new Error('usage: big-model-ours.js --model FILE [--words FILE --topn 10 --single 100]');

const started = performance.now();
const kv = await loadVectors(values.model);
const loaded = performance.now();
const result: OursResult = { load_seconds: (loaded - started) / 1000 };
console.error(`word2vec-ts: loaded ${kv.size} × ${kv.dim} in ${result.load_seconds.toFixed(1)} s`);

if (values.words) {
  const topn = Number(values.topn);
  const queries = readFileSync(values.words, 'utf8')
    .split('\n')
    .map((word) => ({ positive: [word], topn }));
  kv.mostSimilar(queries[0]!);
  result.first_query_seconds = (performance.now() - loaded) / 1000;
  console.error(
    `word2vec-ts: first query answered ${result.first_query_seconds.toFixed(1)} s after the load`,
  );

  // Until the filter is ready every query scores all rows exactly; time the steady state.
  // Queries go on meanwhile, as a service's would: a small model builds its filter with them.
  const waitUntil = performance.now() + FILTER_WAIT_MS;
  for (let i = 1; !kv.queriesFiltered && performance.now() < waitUntil; i++) {
    kv.mostSimilar(queries[i % queries.length]!);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const waited = (performance.now() - loaded) / 1000;
  if (kv.queriesFiltered) result.filter_ready_seconds = waited;
  console.error(
    kv.queriesFiltered
      ? `word2vec-ts: queries use the filter ${waited.toFixed(1)} s after the load`
      : `word2vec-ts: the filter is not ready ${waited.toFixed(1)} s after the load; timing exact queries`,
  );

  const single = queries.slice(0, Number(values.single));
  let start = performance.now();
  result.top = single.map((query) => kv.mostSimilar(query));
  result.single_seconds = (performance.now() - start) / 1000 / single.length;
  console.error(
    `word2vec-ts: ${single.length} single queries, ${(result.single_seconds * 1000).toFixed(1)} ms each`,
  );

  start = performance.now();
  const batch = kv.mostSimilarBatch(queries);
  result.batch_seconds = (performance.now() - start) / 1000 / queries.length;
  console.error(
    `word2vec-ts: a batch of ${queries.length}, ${(result.batch_seconds * 1000).toFixed(1)} ms per query`,
  );
  result.batch_identical = result.top.filter(
    (answer, i) => JSON.stringify(answer) === JSON.stringify(batch[i]),
  ).length;
}
console.log(JSON.stringify(result));
