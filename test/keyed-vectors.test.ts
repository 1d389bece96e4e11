import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../src/errors.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { seededRandom } from '../src/sampling/random.js';
import { royalModel } from './fixtures.js';

function randomModel(size: number, dim: number, seed: number): KeyedVectors {
  const random = seededRandom(seed);
  const words = Array.from({ length: size }, (_, i) => `w${i}`);
  const vectors = Float32Array.from({ length: size * dim }, () => random() * 2 - 1);
  return new KeyedVectors(words, vectors, dim);
}

/** Brute force: every candidate row's score, sorted best first. */
function bruteForce(
  kv: KeyedVectors,
  score: (row: number) => number,
  exclude: Set<number>,
  end = kv.size,
) {
  const all: Array<{ word: string; similarity: number }> = [];
  for (let row = 0; row < end; row++)
    if (!exclude.has(row)) all.push({ word: kv.words[row]!, similarity: score(row) });
  return all.sort((a, b) => b.similarity - a.similarity);
}

function cosineToQuery(kv: KeyedVectors, query: Float64Array): (row: number) => number {
  let norm = 0;
  for (const v of query) norm += v * v;
  norm = Math.sqrt(norm);
  return (row) => {
    const v = kv.vectors.subarray(row * kv.dim, (row + 1) * kv.dim);
    let dot = 0;
    let squares = 0;
    for (let k = 0; k < kv.dim; k++) {
      dot += v[k]! * query[k]!;
      squares += v[k]! * v[k]!;
    }
    return squares === 0 ? 0 : dot / (Math.sqrt(squares) * norm);
  };
}

test('constructor checks sizes and duplicate words', () => {
  assert.throws(
    () => new KeyedVectors(['a', 'b'], new Float32Array(5), 3),
    (e: unknown) =>
      e instanceof UsageError && /2 × 3 = 6/.test(e.message) && /got 5/.test(e.message),
  );
  assert.throws(() => new KeyedVectors(['a'], new Float32Array(0), 0), UsageError);
  assert.throws(() => new KeyedVectors(['a', 'a'], new Float32Array(2), 1), /'a' appears twice/);
  const empty = new KeyedVectors([], new Float32Array(0), 5);
  assert.equal(empty.size, 0);
});

test('lookups: size, indexOf, has, vector copies', () => {
  const kv = royalModel([['nothing', [0, 0, 0, 0]]]);
  assert.equal(kv.size, 7);
  assert.equal(kv.dim, 4);
  assert.equal(kv.indexOf('queen'), 1);
  assert.equal(kv.indexOf('prince'), -1);
  assert.equal(kv.has('apple'), true);
  assert.equal(kv.has('Apple'), false);
  const queen = kv.vector('queen');
  assert.deepEqual([...queen], [1, 0, 1, 0]);
  queen[0] = 42;
  assert.equal(kv.vectors[4], 1, 'vector() must return a copy');
  assert.throws(
    () => kv.vector('prince'),
    (e: unknown) =>
      e instanceof UsageError && e.message === "word 'prince' is not in the vocabulary",
  );
});

test('unitVectors are unit length, zero rows stay zero, and are cached', () => {
  const kv = royalModel([['nothing', [0, 0, 0, 0]]]);
  const unit = kv.unitVectors();
  assert.equal(unit, kv.unitVectors());
  assert.equal(unit.length, kv.vectors.length);
  for (let row = 0; row < kv.size - 1; row++) {
    let squares = 0;
    for (let k = 0; k < 4; k++) squares += unit[row * 4 + k]! ** 2;
    assert.ok(Math.abs(squares - 1) < 1e-6, `row ${row} has squared norm ${squares}`);
  }
  assert.deepEqual([...unit.subarray(24, 28)], [0, 0, 0, 0]);
  assert.ok(Math.abs(unit[0]! - Math.SQRT1_2) < 1e-7);
});

test('similarity is the cosine', () => {
  const kv = royalModel([['nothing', [0, 0, 0, 0]]]);
  assert.ok(Math.abs(kv.similarity('king', 'queen') - 0.5) < 1e-6);
  assert.ok(Math.abs(kv.similarity('king', 'man') - Math.SQRT1_2) < 1e-6);
  assert.equal(kv.similarity('king', 'apple'), 0);
  assert.equal(kv.similarity('nothing', 'king'), 0);
  assert.throws(() => kv.similarity('king', 'prince'), /'prince' is not in the vocabulary/);
});

test('mostSimilar solves king - man + woman = queen with the 3CosAdd score', () => {
  const kv = royalModel([['nothing', [0, 0, 0, 0]]]);
  const result = kv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'] });
  assert.equal(result[0]!.word, 'queen');
  // mean = (unit(king) + unit(woman) - unit(man)) / 3 = [s, s - 1, 1, 0] / 3 with s = 1/√2
  const s = Math.SQRT1_2;
  const expectedQueen = (s * s + s) / Math.sqrt(s * s + (s - 1) ** 2 + 1);
  assert.ok(
    Math.abs(result[0]!.similarity - expectedQueen) < 1e-6,
    `${result[0]!.similarity} vs ${expectedQueen}`,
  );
  assert.deepEqual(
    result.map((r) => r.word),
    ['queen', 'orange', 'apple', 'nothing'],
    'query words are excluded',
  );
  const orangeUnit2 = 0.2 / Math.sqrt(1.04);
  assert.ok(
    Math.abs(result[1]!.similarity - orangeUnit2 / Math.sqrt(s * s + (s - 1) ** 2 + 1)) < 1e-6,
  );
  assert.equal(result[3]!.similarity, 0);
});

test('mostSimilar honours topn and restrictVocab', () => {
  const kv = royalModel([['nothing', [0, 0, 0, 0]]]);
  assert.deepEqual(
    kv.mostSimilar({ positive: ['king'], topn: 2 }).map((r) => r.word),
    ['man', 'queen'],
  );
  assert.deepEqual(kv.mostSimilar({ positive: ['king'], topn: 0 }), []);
  // Only king, queen, man are candidates.
  assert.deepEqual(
    kv.mostSimilar({ positive: ['woman'], restrictVocab: 3 }).map((r) => r.word),
    ['queen', 'king', 'man'],
  );
  assert.throws(
    () => kv.mostSimilar({ positive: ['king', 'prince'] }),
    /'prince' is not in the vocabulary/,
  );
  assert.throws(() => kv.mostSimilar({ positive: [] }), UsageError);
  assert.throws(() => kv.mostSimilar({ positive: ['king'], restrictVocab: -1 }), UsageError);
});

test('mostSimilar top-n selection equals a full sort (random matrix)', () => {
  const kv = randomModel(2000, 24, 7);
  for (const [positive, negative, topn, restrictVocab] of [
    [['w5'], [], 10, undefined],
    [['w10', 'w20'], ['w30'], 25, undefined],
    [['w1999'], ['w3', 'w4'], 7, 500],
    [['w0'], [], 3000, undefined],
  ] as Array<[string[], string[], number, number | undefined]>) {
    const got = kv.mostSimilar({ positive, negative, topn, restrictVocab });
    const rows = [...positive, ...negative].map((w) => kv.indexOf(w));
    const query = kv.meanOfUnitVectors(rows.slice(0, positive.length), rows.slice(positive.length));
    const expected = bruteForce(
      kv,
      cosineToQuery(kv, query),
      new Set(rows),
      restrictVocab ?? kv.size,
    ).slice(0, topn);
    assert.deepEqual(
      got.map((r) => r.word),
      expected.map((r) => r.word),
    );
    for (let i = 0; i < got.length; i++)
      assert.ok(Math.abs(got[i]!.similarity - expected[i]!.similarity) < 1e-6);
  }
});

test('mostSimilarCosmul matches the 3CosMul formula and solves the royal analogy', () => {
  const royal = royalModel([['nothing', [0, 0, 0, 0]]]);
  assert.equal(
    royal.mostSimilarCosmul({ positive: ['king', 'woman'], negative: ['man'], topn: 1 })[0]!.word,
    'queen',
  );
  assert.throws(() => royal.mostSimilarCosmul({ positive: [], negative: ['man'] }), UsageError);

  const kv = randomModel(1500, 16, 11);
  const positive = ['w3', 'w8'];
  const negative = ['w13'];
  const got = kv.mostSimilarCosmul({ positive, negative, topn: 15 });
  const cos = (a: string) => cosineToQuery(kv, Float64Array.from(kv.vector(a)));
  const [p1, p2, n1] = [cos('w3'), cos('w8'), cos('w13')];
  const score = (row: number) =>
    (((1 + p1(row)) / 2) * ((1 + p2(row)) / 2)) / ((1 + n1(row)) / 2 + 0.000001);
  const rows = new Set([...positive, ...negative].map((w) => kv.indexOf(w)));
  const expected = bruteForce(kv, score, rows).slice(0, 15);
  assert.deepEqual(
    got.map((r) => r.word),
    expected.map((r) => r.word),
  );
  for (let i = 0; i < got.length; i++)
    assert.ok(Math.abs(got[i]!.similarity - expected[i]!.similarity) < 1e-6);

  // With one positive word the ranking equals mostSimilar's (gensim documents this).
  assert.deepEqual(
    kv.mostSimilarCosmul({ positive: ['w42'], topn: 10 }).map((r) => r.word),
    kv.mostSimilar({ positive: ['w42'], topn: 10 }).map((r) => r.word),
  );
});

test('similarByVector ranks by cosine and can exclude rows', () => {
  const kv = royalModel([['nothing', [0, 0, 0, 0]]]);
  assert.deepEqual(
    kv.similarByVector([0, 0, 1, 1], { topn: 2 }).map((r) => r.word),
    ['orange', 'woman'],
  );
  assert.deepEqual(
    kv
      .similarByVector([0, 0, 1, 1], { topn: 2, exclude: new Set([kv.indexOf('orange')]) })
      .map((r) => r.word),
    ['woman', 'apple'],
  );
  assert.throws(() => kv.similarByVector([1, 2, 3]), /3 dimensions, expected 4/);
});
