import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../src/errors.js';
import { saveWord2Vec } from '../src/io/word2vec-format.js';
import {
  KeyedVectors,
  type Neighbour,
  type SimilarityQuery,
} from '../src/vectors/keyed-vectors.js';
import { availableParallelism } from 'node:os';
import { createScorer } from '../src/vectors/wasm-scorer.js';
import { TopN } from '../src/vectors/top-n.js';
import { seededRandom } from '../src/sampling/random.js';
import { royalModel } from './fixtures.js';
import { gensimSkip, PYTHON } from './peers.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-queries-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/**
 * Words in clusters around random centres, as in real embeddings: a word's
 * nearest neighbours are much closer than the rest, so the kernel's pruning
 * of hopeless rows is exercised.
 */
function clusteredModel(size: number, dim: number, seed: number, clusters = 40): KeyedVectors {
  const random = seededRandom(seed);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, gaussian));
  const vectors = new Float32Array(size * dim);
  for (let row = 0; row < size; row++) {
    const centre = centres[Math.floor(random() * clusters)]!;
    const spread = 0.3 + random();
    for (let k = 0; k < dim; k++) vectors[row * dim + k] = centre[k]! + spread * gaussian();
  }
  return new KeyedVectors(
    Array.from({ length: size }, (_, i) => `w${i}`),
    vectors,
    dim,
  );
}

function randomQueries(kv: KeyedVectors, count: number, seed: number): SimilarityQuery[] {
  const random = seededRandom(seed);
  const word = (): string => kv.words[Math.floor(random() * kv.size)]!;
  const restrictions = [
    undefined,
    0,
    1,
    7,
    100,
    Math.floor(kv.size / 2),
    kv.size - 1,
    kv.size + 50,
  ];
  return Array.from({ length: count }, () => {
    const positive = Array.from({ length: Math.floor(random() * 3) }, word);
    const negative = Array.from(
      { length: positive.length === 0 ? 1 + Math.floor(random() * 2) : Math.floor(random() * 2) },
      word,
    );
    const topn = [0, 1, 3, 10, 10, 10, 25, 300][Math.floor(random() * 8)]!;
    return {
      positive,
      negative,
      topn,
      restrictVocab: restrictions[Math.floor(random() * restrictions.length)],
    };
  });
}

/** The top n of `scores` (excluding `exclude`), best first, ties to the lower row: what mostSimilar must return. */
function topOf(
  kv: KeyedVectors,
  scores: Float32Array,
  end: number,
  topn: number,
  exclude: Set<number>,
): Neighbour[] {
  const rows: number[] = [];
  for (let row = 0; row < end; row++)
    if (!exclude.has(row) && !Number.isNaN(scores[row])) rows.push(row);
  rows.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return rows
    .slice(0, Math.max(0, topn))
    .map((row) => ({ word: kv.words[row]!, similarity: scores[row]! }));
}

test("doesntMatch and rankByCentrality follow gensim's definition", () => {
  const kv = royalModel();
  assert.equal(kv.doesntMatch(['king', 'queen', 'man', 'apple']), 'apple');
  assert.equal(kv.doesntMatch(['apple', 'orange', 'king']), 'king');
  assert.equal(kv.doesntMatch(['woman']), 'woman');
  const ranked = kv.rankByCentrality(['king', 'queen', 'man', 'apple']);
  assert.deepEqual(
    ranked.map((n) => n.word),
    ['king', 'man', 'queen', 'apple'],
  );
  // Cosine with the normalised mean of the unit vectors.
  const unit = [
    [Math.SQRT1_2, Math.SQRT1_2, 0, 0],
    [Math.SQRT1_2, 0, Math.SQRT1_2, 0],
    [0, 1, 0, 0],
    [0, 0, 0, 1],
  ];
  const mean = [0, 1, 2, 3].map((k) => unit.reduce((sum, v) => sum + v[k]!, 0) / 4);
  const norm = Math.hypot(...mean);
  for (const [i, n] of ['king', 'queen', 'man', 'apple'].entries()) {
    const expected = unit[i]!.reduce((sum, v, k) => sum + v * mean[k]!, 0) / norm;
    assert.ok(Math.abs(ranked.find((r) => r.word === n)!.similarity - expected) < 1e-6);
  }
  // Equal similarities: Python sorts (similarity, word) pairs descending, so the smallest word comes last.
  const tied = new KeyedVectors(['b', 'a', 'c'], Float32Array.from([1, 0, 1, 0, 0, 1]), 2);
  assert.equal(tied.doesntMatch(['b', 'a', 'c']), 'c');
  assert.equal(tied.doesntMatch(['b', 'a']), 'a');
  assert.throws(() => kv.doesntMatch([]), UsageError);
  assert.throws(() => kv.doesntMatch(['king', 'prince']), /'prince' is not in the vocabulary/);
});

test('nearestToVector ranks by cosine', () => {
  const kv = royalModel();
  assert.deepEqual(
    kv.nearestToVector([0, 0, 1, 1], 2).map((r) => r.word),
    ['orange', 'woman'],
  );
  assert.deepEqual(
    kv.nearestToVector([0, 0, 1, 1], { topn: 2, exclude: new Set([5]) }).map((r) => r.word),
    ['woman', 'apple'],
  );
  assert.deepEqual(
    kv.nearestToVector([0, 0, 1, 1], { topn: 10, restrictVocab: 2 }).map((r) => r.word),
    ['queen', 'king'],
  );
  assert.equal(kv.nearestToVector([1, 1, 0, 0]).length, 6);
  assert.deepEqual(kv.nearestToVector([1, 1, 0, 0], 0), []);
  assert.throws(() => kv.nearestToVector([1, 2]), /2 dimensions, expected 4/);
  assert.throws(() => kv.nearestToVector([1, 1, 0, 0], 2.5), UsageError);

  const big = clusteredModel(3000, 24, 3);
  const v = big.vector('w17');
  const got = big.nearestToVector(v, 20);
  assert.equal(got[0]!.word, 'w17');
  assert.ok(Math.abs(got[0]!.similarity - 1) < 1e-6);
  const scores = new Float32Array(big.size);
  const norm = Math.hypot(...v);
  for (let row = 0; row < big.size; row++) {
    const u = big.vector(`w${row}`);
    scores[row] = u.reduce((sum, x, k) => sum + x * v[k]!, 0) / (Math.hypot(...u) * norm);
  }
  const expected = topOf(big, scores, big.size, 20, new Set());
  assert.deepEqual(
    got.map((n) => n.word),
    expected.map((n) => n.word),
  );
  got.forEach((n, i) => assert.ok(Math.abs(n.similarity - expected[i]!.similarity) < 1e-6));
});

for (const [size, dim] of [
  [3001, 37],
  [2500, 64],
  [1200, 150],
  [600, 450],
  [700, 3],
  [257, 1],
] as const) {
  test(`batched queries equal single queries exactly (${size} × ${dim}, random queries incl. negatives and restrictVocab)`, () => {
    const kv = clusteredModel(size, dim, size + dim);
    const queries = randomQueries(kv, 400, dim);
    const batched = kv.mostSimilarBatch(queries);
    assert.equal(batched.length, queries.length);
    queries.forEach((query, i) => {
      const single = kv.mostSimilar(query);
      // Same words, same order and bit-identical similarities.
      assert.deepEqual(batched[i], single, `query ${i}: ${JSON.stringify(query)}`);
      const end = query.restrictVocab ? Math.min(query.restrictVocab, kv.size) : kv.size;
      const exclude = new Set([...query.positive, ...(query.negative ?? [])]);
      assert.equal(
        single.length,
        Math.max(
          0,
          Math.min(query.topn ?? 10, end - [...exclude].filter((w) => kv.indexOf(w) < end).length),
        ),
      );
      assert.ok(single.every((n) => !exclude.has(n.word) && kv.indexOf(n.word) < end));
    });
    // Subsets and orders of the same queries give the same answers.
    assert.deepEqual(
      kv.mostSimilarBatch(queries.slice(100, 103).reverse()),
      batched.slice(100, 103).reverse(),
    );
    assert.deepEqual(kv.mostSimilarBatch([]), []);
  });
}

test('the first queries (exact scan) and later ones (after the filter is built) agree exactly', () => {
  const kv = clusteredModel(5000, 48, 31);
  const queries = randomQueries(kv, 40, 5);
  const early = queries.slice(0, 10).map((query) => kv.mostSimilar(query));
  kv.mostSimilarBatch(queries.slice(10));
  assert.deepEqual(
    queries.slice(0, 10).map((query) => kv.mostSimilar(query)),
    early,
  );
});

/** Asserts that the batched answers to `queries` are exactly the top n of the scores computed one by one in TypeScript. */
function assertExactTopN(kv: KeyedVectors, queries: readonly SimilarityQuery[]): void {
  const scorer = createScorer(kv.vectors, kv.size, kv.dim, 'js');
  const results = kv.mostSimilarBatch(queries);
  queries.forEach((query, i) => {
    const positive = query.positive.map((w) => kv.indexOf(w));
    const negative = (query.negative ?? []).map((w) => kv.indexOf(w));
    const mean = kv.meanOfUnitVectors(positive, negative);
    // Normalised as the queries are (float64, times the inverse norm), so that any difference is the scorer's.
    const squares = mean.reduce((sum, x) => sum + x * x, 0);
    const inverse = squares > 0 ? 1 / Math.sqrt(squares) : 0;
    const vector = Float32Array.from(mean, (x) => x * inverse);
    const scores = new Float32Array(kv.size);
    scorer.scan(vector, [kv.size], (rowStart, rowEnd, _first, _count, tile) =>
      scores.set(tile.subarray(0, rowEnd - rowStart), rowStart),
    );
    const end = query.restrictVocab ? Math.min(query.restrictVocab, kv.size) : kv.size;
    assert.deepEqual(
      results[i],
      topOf(kv, scores, end, query.topn ?? 10, new Set([...positive, ...negative])),
      `query ${i}`,
    );
  });
}

for (const [size, dim] of [
  [4000, 100],
  [1500, 150],
  [800, 450],
  [3000, 12],
  [3000, 17],
] as const) {
  test(`results are exactly the top n of every score, whatever the filter leaves out (${size} × ${dim})`, () => {
    const kv = clusteredModel(size, dim, 5);
    assertExactTopN(
      kv,
      randomQueries(kv, 150, 8).filter((q) => (q.topn ?? 10) > 0),
    );
  });
}

test('rows and queries whose int16 values past the prefix are longer than int16 can hold get exact answers too', () => {
  // Unrotated (over 400 dimensions), nothing in the first 16 and nearly equal values after them: the
  // quantised rests' norms come out just above 32767 for about half of them, and scores are close together.
  const size = 700;
  const dim = 450;
  const random = seededRandom(9);
  const vectors = new Float32Array(size * dim);
  for (let row = 0; row < size; row++)
    for (let k = 16; k < dim; k++) vectors[row * dim + k] = 1 + 0.002 * (random() - 0.5);
  const kv = new KeyedVectors(
    Array.from({ length: size }, (_, i) => `w${i}`),
    vectors,
    dim,
  );
  assertExactTopN(
    kv,
    Array.from({ length: 60 }, (_, i) => ({
      positive: [kv.words[(i * 11) % size]!],
      topn: 1 + (i % 30),
    })),
  );
});

test('ties at the n-th score go to the lower row, and rows with NaN values are never returned (batched, on worker threads too)', () => {
  // Every vector appears ten times (rows r, r + 600, ...), so most top-n lists end inside a run of equal scores.
  const base = clusteredModel(600, 40, 12);
  const size = 6000;
  const dim = base.dim;
  const vectors = new Float32Array(size * dim);
  for (let row = 0; row < size; row++) vectors.set(base.vector(`w${row % 600}`), row * dim);
  const nanRows = [3, 604, 2500, 5999];
  for (const row of nanRows) vectors[row * dim + 7] = NaN;
  const kv = new KeyedVectors(
    Array.from({ length: size }, (_, i) => `w${i}`),
    vectors,
    dim,
  );
  const random = seededRandom(4);
  const queries: SimilarityQuery[] = [];
  while (queries.length < 400) {
    const row = Math.floor(random() * size);
    if (nanRows.includes(row)) continue;
    queries.push({
      positive: [`w${row}`],
      topn: 1 + Math.floor(random() * 25),
      restrictVocab: queries.length % 5 === 0 ? 3000 : undefined,
    });
  }
  assertExactTopN(kv, queries);
  const batched = kv.mostSimilarBatch(queries);
  queries.forEach((query, i) => {
    assert.deepEqual(batched[i], kv.mostSimilar(query), `query ${i}`);
    assert.ok(batched[i]!.every((n) => !Number.isNaN(n.similarity)));
  });
});

test('a batch large enough for worker threads gives what one thread and single queries give', () => {
  const kv = clusteredModel(24000, 48, 77);
  const queries = randomQueries(kv, 160, 13);
  const batched = kv.mostSimilarBatch(queries);
  queries.forEach((query, i) => assert.deepEqual(batched[i], kv.mostSimilar(query), `query ${i}`));

  // The scorer itself, against the TypeScript one, with the number of threads it used.
  const random = seededRandom(5);
  const count = 150;
  const vectors = new Float32Array(count * kv.dim);
  for (let q = 0; q < count; q++) {
    const row = kv.unitVectors().subarray(q * 97 * kv.dim, (q * 97 + 1) * kv.dim);
    let norm = 0;
    for (let k = 0; k < kv.dim; k++)
      norm += (vectors[q * kv.dim + k] = row[k]! + 0.3 * (random() - 0.5)) ** 2;
    for (let k = 0; k < kv.dim; k++)
      vectors[q * kv.dim + k] = Math.fround(vectors[q * kv.dim + k]! / Math.sqrt(norm));
  }
  const ends = Int32Array.from({ length: count }, (_, q) => (q < 100 ? kv.size : 5000));
  const excludes = Array.from({ length: count }, (_, q) => new Set(q % 3 === 0 ? [q * 97] : []));
  const top = (kind: 'wasm' | 'js'): { threads: number; rows: number[][] } => {
    const scorer = createScorer(kv.unitVectors(), kv.size, kv.dim, kind);
    const heaps = Array.from({ length: count }, (_, q) => new TopN(1 + (q % 20)));
    scorer.selectTop(vectors, ends, heaps, excludes);
    return {
      threads: scorer.threads,
      rows: heaps.map((heap) => heap.sorted().flatMap(({ score, row }) => [score, row])),
    };
  };
  const wasm = top('wasm');
  assert.deepEqual(wasm.rows, top('js').rows);
  assert.equal(wasm.threads, Math.min(availableParallelism(), 8));

  // A batch whose heaps do not fit the kernel's budget at once goes in groups (of about 40 queries here, each heap
  // taking 8 bytes a row kept and its header), with the same answers.
  const grouped = createScorer(kv.unitVectors(), kv.size, kv.dim, 'wasm', { maxHeapBytes: 4096 });
  const heaps = Array.from({ length: count }, (_, q) => new TopN(1 + (q % 20)));
  grouped.selectTop(vectors, ends, heaps, excludes);
  assert.deepEqual(
    heaps.map((heap) => heap.sorted().flatMap(({ score, row }) => [score, row])),
    wasm.rows,
  );
});

test('the SIMD kernel and the TypeScript fallback compute bit-identical scores', () => {
  for (const dim of [1, 3, 4, 5, 8, 37, 100]) {
    const kv = clusteredModel(1030, dim, dim);
    const random = seededRandom(dim);
    const count = 131; // more than one chunk of queries, and odd
    const queries = Float32Array.from({ length: count * dim }, () => random() * 2 - 1);
    const ends = Array.from({ length: count }, (_, q) =>
      q < 50 ? kv.size : q < 90 ? 600 : 3,
    ).sort((a, b) => b - a);
    const collect = (kind: 'wasm' | 'js'): Float32Array => {
      const scorer = createScorer(kv.unitVectors(), kv.size, kv.dim, kind);
      assert.equal(scorer.kind, kind);
      const all = new Float32Array(count * kv.size).fill(NaN);
      scorer.scan(queries, ends, (rowStart, rowEnd, first, n, scores, stride) => {
        for (let j = 0; j < n; j++) {
          const end = Math.min(rowEnd, ends[first + j]!);
          for (let row = rowStart; row < end; row++)
            all[(first + j) * kv.size + row] = scores[j * stride + row - rowStart]!;
        }
      });
      return all;
    };
    const wasm = collect('wasm');
    const js = collect('js');
    const a = new Uint32Array(wasm.buffer);
    const b = new Uint32Array(js.buffer);
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i])
        assert.fail(`dim ${dim}: score ${i} is ${wasm[i]} in WebAssembly, ${js[i]} in TypeScript`);
    }
  }
});

test('nearestToVectorBatch equals single nearestToVector calls', () => {
  const kv = clusteredModel(2000, 30, 9);
  const random = seededRandom(4);
  const queries = Array.from({ length: 60 }, (_, i) => ({
    vector: Array.from({ length: 30 }, () => random() - 0.5),
    topn: 1 + (i % 12),
    restrictVocab: i % 3 === 0 ? 500 : undefined,
    exclude: i % 4 === 0 ? new Set([0, 1, 2]) : undefined,
  }));
  const batched = kv.nearestToVectorBatch(queries);
  queries.forEach((query, i) =>
    assert.deepEqual(batched[i], kv.nearestToVector(query.vector, query)),
  );
});

test('mostSimilarCosmul honours restrictVocab and excludes the query words', () => {
  const kv = clusteredModel(1500, 20, 12);
  const all = kv.mostSimilarCosmul({ positive: ['w3', 'w8'], negative: ['w13'], topn: 1500 });
  assert.equal(all.length, 1497);
  const restricted = kv.mostSimilarCosmul({
    positive: ['w3', 'w8'],
    negative: ['w13'],
    topn: 10,
    restrictVocab: 300,
  });
  assert.deepEqual(restricted, all.filter((n) => kv.indexOf(n.word) < 300).slice(0, 10));
});

const gensimMissing = gensimSkip();

test(
  "doesntMatch, mostSimilar and its batched form equal gensim's doesnt_match and most_similar",
  { skip: gensimMissing },
  async () => {
    const kv = clusteredModel(6000, 50, 21);
    const path = join(directory, 'clustered.bin');
    await saveWord2Vec(kv, path);
    const random = seededRandom(77);
    const pick = (): string => kv.words[Math.floor(random() * kv.size)]!;
    const groups = Array.from({ length: 40 }, (_, i) => Array.from({ length: 3 + (i % 4) }, pick));
    const sample = Array.from({ length: 60 }, pick);
    const script = `
import json, sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=True)
groups, sample = json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps({
    'doesntMatch': [kv.doesnt_match(g) for g in groups],
    'mostSimilar': [[(w, float(s)) for w, s in kv.most_similar(word, topn=10)] for word in sample],
}))
`;
    const run = spawnSync(
      PYTHON,
      ['-c', script, path, JSON.stringify(groups), JSON.stringify(sample)],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    assert.equal(run.status, 0, run.stderr);
    const gensim = JSON.parse(run.stdout) as {
      doesntMatch: string[];
      mostSimilar: Array<Array<[string, number]>>;
    };
    assert.deepEqual(
      groups.map((g) => kv.doesntMatch(g)),
      gensim.doesntMatch,
    );
    const batched = kv.mostSimilarBatch(sample.map((word) => ({ positive: [word] })));
    sample.forEach((word, i) => {
      const theirs = gensim.mostSimilar[i]!;
      for (const ours of [kv.mostSimilar({ positive: [word] }), batched[i]!]) {
        assert.deepEqual(
          ours.map((n) => n.word),
          theirs.map(([w]) => w),
          `most_similar('${word}')`,
        );
        ours.forEach((n, j) =>
          assert.ok(
            Math.abs(n.similarity - theirs[j]![1]) < 1e-6,
            `${word}: ${n.word} ${n.similarity} vs ${theirs[j]![1]}`,
          ),
        );
      }
    });
  },
);
