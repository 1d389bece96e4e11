// A similarity thread: takes pieces of a large query batch over the
// scorer's shared kernel memory (rows, filter and loaded queries are the
// main thread's), keeps each query's top n, and answers through its port.
import { workerData, parentPort } from 'node:worker_threads';
import { filterPieces, type FilterBatch, type FilterResult, type SimilarityExports, type WorkerSetup } from './scorer.js';
import { TopN } from './top-n.js';

const setup = workerData as WorkerSetup;
const exports = new WebAssembly.Instance(setup.module, { env: { memory: setup.memory } }).exports as unknown as SimilarityExports;
const { signals, signal, results } = setup;
const next = signals.subarray(0, 1);
const NOTHING: ReadonlySet<number> = new Set();

function raise(value: number): void {
  Atomics.store(signals, signal, value);
  Atomics.notify(signals, signal);
}

function answer(batch: FilterBatch): FilterResult {
  // Arrays over the whole batch, filled for the queries this thread takes: a visit looks its query up often.
  const heaps: Array<TopN | undefined> = new Array(batch.ends.length);
  const heapOf = (q: number): TopN => (heaps[q] ??= new TopN(batch.sizes[q]!));
  const excludes: Array<ReadonlySet<number> | undefined> = new Array(batch.ends.length);
  const excludeOf = (q: number): ReadonlySet<number> => {
    const rows = batch.excludes[q]!;
    return rows.length === 0 ? NOTHING : (excludes[q] ??= new Set(rows));
  };
  const taken = filterPieces(exports, setup.scratch, batch, next, heapOf, excludeOf);
  const kept = taken.map((q) => heaps[q]?.sorted() ?? []);
  const total = kept.reduce((sum, top) => sum + top.length, 0);
  const result: FilterResult = {
    queries: Int32Array.from(taken), lengths: new Int32Array(taken.length), scores: new Float64Array(total), rows: new Int32Array(total),
  };
  let at = 0;
  kept.forEach((top, i) => {
    result.lengths[i] = top.length;
    for (const { score, row } of top) {
      result.scores[at] = score;
      result.rows[at++] = row;
    }
  });
  return result;
}

parentPort!.on('message', (batch: FilterBatch) => {
  let result: FilterResult;
  try {
    result = answer(batch);
  } catch (error) {
    const none = new Int32Array(0);
    result = { queries: none, lengths: none, scores: new Float64Array(0), rows: none, error: String(error) };
  }
  results.postMessage(result);
  raise(1);
});
process.on('exit', () => raise(-1));
raise(1); // ready
