// gensim's KeyedVectors comparisons (rank, closer_than, n_similarity,
// distances, most_similar_to_given) against real gensim on one trained model.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train } from '../src/train/trainer.js';
import { UsageError } from '../src/errors.js';
import type { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { writePlantedCorpus } from './planted-corpus.js';
import { gensimSkip, PYTHON } from './peers.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-gensim-queries-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const PAIRS: [string, string][] = [
  ['topic0word0', 'topic0word1'],
  ['topic0word0', 'topic3word2'],
  ['the', 'topic5word7'],
  ['topic9word3', 'of'],
  ['topic2word5', 'topic2word5'],
];
const SETS: [string[], string[]][] = [
  [['topic0word0', 'topic0word1'], ['topic0word2']],
  [
    ['topic1word0', 'the', 'topic4word4'],
    ['topic7word1', 'a'],
  ],
];
const GIVEN: [string, string[]][] = [
  ['topic0word0', ['topic3word0', 'topic0word5', 'the']],
  ['topic6word6', ['topic6word6', 'topic6word1']],
];

let kv: KeyedVectors;
let model: string;

before(async () => {
  const corpus = writePlantedCorpus(join(directory, 'corpus.txt'), { sentences: 2000 });
  const trained = await train({
    input: corpus.path,
    dim: 24,
    epochs: 2,
    minCount: 1,
    threads: 1,
    onWarning: () => {},
  });
  kv = trained.vectors;
  model = join(directory, 'model.bin');
  await trained.save(model);
});

describe("gensim's comparisons of words", () => {
  test(
    'rank, closerThan, nSimilarity, distances and mostSimilarToGiven agree with gensim',
    { skip: gensimSkip() },
    () => {
      const script = `
import json, sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=True)
q = json.loads(sys.argv[2])
print(json.dumps({
  'rank': [kv.rank(a, b) for a, b in q['pairs']],
  'closer': [kv.closer_than(a, b) for a, b in q['pairs']],
  'n': [float(kv.n_similarity(a, b)) for a, b in q['sets']],
  'some': [[float(d) for d in kv.distances(a, [b, 'the'])] for a, b in q['pairs']],
  'all': [float(d) for d in kv.distances(q['pairs'][0][0])],
  'given': [kv.most_similar_to_given(w, c) for w, c in q['given']],
}))`;
      const run = spawnSync(
        PYTHON,
        ['-c', script, model, JSON.stringify({ pairs: PAIRS, sets: SETS, given: GIVEN })],
        { encoding: 'utf8' },
      );
      assert.equal(run.status, 0, run.stderr);
      const gensim = JSON.parse(run.stdout) as {
        rank: number[];
        closer: string[][];
        n: number[];
        some: number[][];
        all: number[];
        given: string[];
      };
      assert.deepEqual(
        PAIRS.map(([a, b]) => kv.rank(a, b)),
        gensim.rank,
      );
      assert.deepEqual(
        PAIRS.map(([a, b]) => kv.closerThan(a, b)),
        gensim.closer,
      );
      assert.deepEqual(
        PAIRS.map(([a, b]) => kv.wordsCloserThan(a, b)),
        gensim.closer,
      );
      SETS.forEach(([a, b], i) => assertClose(kv.nSimilarity(a, b), gensim.n[i]!));
      PAIRS.forEach(([a, b], i) =>
        [...kv.distances(a, [b, 'the'])].forEach((d, j) => assertClose(d, gensim.some[i]![j]!)),
      );
      const all = kv.distances(PAIRS[0]![0]);
      assert.equal(all.length, kv.size);
      all.forEach((d, row) => assertClose(d, gensim.all[row]!));
      assert.deepEqual(
        GIVEN.map(([w, c]) => kv.mostSimilarToGiven(w, c)),
        gensim.given,
      );
    },
  );

  test('a vector works as the origin of distances, and bad arguments name what is wrong', () => {
    const word = 'topic1word1';
    const fromVector = kv.distances(kv.vector(word), ['topic1word2', 'of']);
    const fromWord = kv.distances(word, ['topic1word2', 'of']);
    fromVector.forEach((d, i) => assertClose(d, fromWord[i]!));
    assert.throws(() => kv.rank(word, 'nosuchword'), /'nosuchword' is not in the vocabulary/);
    assert.throws(() => kv.nSimilarity([], [word]), UsageError);
    assert.throws(() => kv.mostSimilarToGiven(word, []), UsageError);
    assert.throws(() => kv.distances(new Float32Array(3)), /3 values; the model's have 24/);
  });
});

function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-5, `${actual} is not ${expected}`);
}
