// Queries over rows split into shards (each its own kernel instance) give
// exactly what one kernel over all the rows gives: the same words, in the
// same order, with the same float bits, for any shard size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { KeyedVectors, type SimilarityQuery } from '../src/vectors/keyed-vectors.js';
import { createScorer } from '../src/vectors/wasm-scorer.js';
import { TopN } from '../src/vectors/top-n.js';
import { seededRandom } from '../src/sampling/random.js';

const SHARD_SIZES = [100, 257, 1000];

/**
 * Vectors near a few random directions (so that the filter prunes), with
 * every 50th row repeated just below it (ties across rows, some across
 * shard boundaries), a zero row and rows holding NaN (never returned).
 */
function modelVectors(size: number, dim: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 30 }, () => Array.from({ length: dim }, gaussian));
  const vectors = new Float32Array(size * dim);
  for (let row = 0; row < size; row++) {
    if (row % 50 === 1) {
      vectors.copyWithin(row * dim, (row - 1) * dim, row * dim);
      continue;
    }
    const centre = centres[Math.floor(random() * centres.length)]!;
    const spread = 0.3 + random();
    for (let k = 0; k < dim; k++) vectors[row * dim + k] = centre[k]! + spread * gaussian();
  }
  vectors.fill(0, 7 * dim, 8 * dim);
  for (const row of [256, 257, 999, size - 1]) vectors[row * dim + 3] = NaN;
  return vectors;
}

/** The unit vectors of a model of `size` words `w0`, `w1`, … (see modelVectors). */
function unitModel(size: number, dim: number, seed: number): Float32Array {
  const words = Array.from({ length: size }, (_, i) => `w${i}`);
  return new KeyedVectors(words, modelVectors(size, dim, seed), dim).unitVectors();
}

function models(
  size: number,
  dim: number,
  seed: number,
): { whole: KeyedVectors; sharded: KeyedVectors[] } {
  const vectors = modelVectors(size, dim, seed);
  const words = Array.from({ length: size }, (_, i) => `w${i}`);
  return {
    whole: new KeyedVectors(words, vectors, dim),
    sharded: SHARD_SIZES.map((shardRows) => new KeyedVectors(words, vectors, dim, { shardRows })),
  };
}

/** Random word queries whose candidates end at and around the shards' bounds. */
function wordQueries(kv: KeyedVectors, count: number, seed: number): SimilarityQuery[] {
  const random = seededRandom(seed);
  const usable = kv.words.filter((_, row) => kv.isFiniteRow(row));
  const word = (): string => usable[Math.floor(random() * usable.length)]!;
  const ends = [undefined, 1, 99, 100, 101, 257, 258, 600, 1000, 1001, kv.size - 1];
  return Array.from({ length: count }, (_, i) => ({
    positive: Array.from({ length: 1 + (i % 3) }, word),
    negative: i % 4 === 0 ? [word()] : [],
    topn: [1, 3, 10, 10, 40, 400][i % 6]!,
    restrictVocab: ends[Math.floor(random() * ends.length)],
  }));
}

test('shards of any size give the unsharded answers, alone and in batches, before and after the filter', () => {
  const { whole, sharded } = models(3000, 40, 1);
  const queries = wordQueries(whole, 300, 2);
  // The first queries scan every row exactly; the batch builds the filter; later queries use it.
  const early = queries.slice(0, 10).map((query) => whole.mostSimilar(query));
  const batch = whole.mostSimilarBatch(queries);
  const late = queries.slice(0, 10).map((query) => whole.mostSimilar(query));
  assert.deepEqual(late, early);
  for (const kv of sharded) {
    assert.deepEqual(
      queries.slice(0, 10).map((query) => kv.mostSimilar(query)),
      early,
    );
    assert.deepEqual(kv.mostSimilarBatch(queries), batch);
    queries.slice(0, 40).forEach((query, i) => assert.deepEqual(kv.mostSimilar(query), batch[i]));
  }
});

test('shards give the unsharded answers to vectors with exclusions across shards, and to 3CosMul', () => {
  const { whole, sharded } = models(2000, 24, 3);
  const random = seededRandom(4);
  const vectorQueries = Array.from({ length: 120 }, (_, i) => ({
    vector: Array.from({ length: 24 }, () => random() - 0.5),
    topn: 1 + (i % 30),
    restrictVocab: i % 3 === 0 ? 1100 : undefined,
    exclude: new Set(Array.from({ length: i % 7 }, () => Math.floor(random() * 2000))),
  }));
  const expected = whole.nearestToVectorBatch(vectorQueries);
  const cosmul = [
    { positive: ['w5', 'w1203'], negative: ['w640'], topn: 25 },
    { positive: ['w1998'], topn: 2000 },
    { positive: ['w300', 'w310'], negative: ['w20'], topn: 10, restrictVocab: 700 },
  ];
  const expectedCosmul = cosmul.map((query) => whole.mostSimilarCosmul(query));
  assert.equal(expectedCosmul[1]!.length, 1995); // every row but the query's and the rows holding NaN
  for (const kv of sharded) {
    assert.deepEqual(kv.nearestToVectorBatch(vectorQueries), expected);
    vectorQueries
      .slice(0, 20)
      .forEach((query, i) =>
        assert.deepEqual(kv.nearestToVector(query.vector, query), expected[i]),
      );
    assert.deepEqual(
      cosmul.map((query) => kv.mostSimilarCosmul(query)),
      expectedCosmul,
    );
  }
});

test('a sharded batch large enough for worker threads gives what one unsharded thread gives', () => {
  const size = 3000;
  const dim = 32;
  const unit = unitModel(size, dim, 5);
  const count = 2100; // over the pool's work threshold for a shard of 1000 rows
  const random = seededRandom(6);
  const queries = new Float32Array(count * dim);
  for (let q = 0; q < count; q++) {
    const row = (q * 7) % size;
    let squares = 0;
    for (let k = 0; k < dim; k++) {
      const value = (unit[row * dim + k] || 0) + 0.4 * (random() - 0.5);
      queries[q * dim + k] = value;
      squares += value * value;
    }
    for (let k = 0; k < dim; k++)
      queries[q * dim + k] = Math.fround(queries[q * dim + k]! / Math.sqrt(squares));
  }
  const ends = Int32Array.from({ length: count }, (_, q) => (q < 1500 ? size : 1234));
  const excludes = Array.from({ length: count }, (_, q) => new Set([(q * 7) % size, 999, 1000]));
  const answers = (scorer: ReturnType<typeof createScorer>): number[][] => {
    const heaps = Array.from({ length: count }, (_, q) => new TopN(1 + (q % 15)));
    scorer.selectTop(queries, ends, heaps, excludes);
    return heaps.map((heap) => heap.sorted().flatMap(({ score, row }) => [score, row]));
  };
  const js = answers(createScorer(unit, size, dim, 'js'));
  const sharded = createScorer(unit, size, dim, 'wasm', { shardRows: 1000 });
  assert.equal(sharded.kind, 'wasm');
  assert.deepEqual(answers(sharded), js);
  assert.equal(sharded.threads, Math.min(availableParallelism(), 8));
  assert.deepEqual(answers(createScorer(unit, size, dim, 'wasm')), js);
});

test('a shard size that is not a positive integer is refused', () => {
  const vectors = new Float32Array(8);
  for (const shardRows of [0, -3, 2.5, NaN])
    assert.throws(
      () => new KeyedVectors(['a', 'b'], vectors, 4, { shardRows }),
      /shardRows must be a positive integer/,
    );
});

test('queries keep no unit copy outside the kernel, and answer as with one', () => {
  const size = 1500;
  const dim = 20;
  const vectors = modelVectors(size, dim, 8);
  const words = Array.from({ length: size }, (_, i) => `w${i}`);
  const queries = wordQueries(new KeyedVectors(words, vectors, dim), 40, 9);
  const ask = (kv: KeyedVectors): unknown => [
    kv.mostSimilarBatch(queries),
    queries.slice(0, 5).map((query) => kv.mostSimilarCosmul(query)),
    kv.similarityByIndex(3, 1200),
    kv.rankByCentrality(['w10', 'w11', 'w700']),
    kv.meanOfUnitVectors([1, 2], [3]),
  ];
  const lean = new KeyedVectors(words, vectors, dim);
  assert.equal(lean.queriesFiltered, false);
  const answers = ask(lean);
  assert.equal(lean.queriesFiltered, true); // built with the batch of 40
  assert.equal((lean as unknown as { unit?: Float32Array }).unit, undefined);
  const cached = new KeyedVectors(words, vectors, dim);
  cached.unitVectors();
  assert.deepEqual(ask(cached), answers);
});

test('a filter built on a worker thread: queries scan every row exactly until it is ready, then use it, with the same answers', async () => {
  const size = 2500;
  const dim = 48;
  const unit = unitModel(size, dim, 10);
  const count = 12;
  const queries = unit.slice(40 * dim, (40 + count) * dim);
  const ends = new Int32Array(count).fill(size);
  const excludes = Array.from({ length: count }, (_, q) => new Set([40 + q]));
  const answers = (scorer: ReturnType<typeof createScorer>): number[][] => {
    const heaps = Array.from({ length: count }, () => new TopN(10));
    scorer.selectTop(queries, ends, heaps, excludes);
    return heaps.map((heap) => heap.sorted().flatMap(({ score, row }) => [score, row]));
  };
  const expected = answers(createScorer(unit, size, dim, 'js'));
  for (const shardRows of [undefined, 1000]) {
    const scorer = createScorer(unit, size, dim, 'wasm', { backgroundFilterValues: 0, shardRows });
    assert.deepEqual(answers(scorer), expected); // most likely while the filter is built
    const deadline = Date.now() + 20_000;
    while (!scorer.filtering && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(answers(scorer), expected);
    }
    assert.equal(scorer.filtering, true, 'the filter was never ready');
    assert.deepEqual(answers(scorer), expected);
  }
});
