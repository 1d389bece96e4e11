// A large model is loaded straight into the query kernel's memories (no
// other copy of its matrix): its rows, its answers and the file it saves
// back are exactly those of the same model built from an array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVectors } from '../src/io/load.js';
import { saveWord2Vec } from '../src/io/word2vec-format.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { seededRandom } from '../src/sampling/random.js';

// 2^24 values: the smallest model loaded in place.
const SIZE = 65536;
const DIM = 256;

function word(row: number): string {
  return `w${String(row).padStart(5, '0')}`;
}

function arrayModel(): KeyedVectors {
  const random = seededRandom(3);
  const centres = Array.from({ length: 40 }, () =>
    Float32Array.from({ length: DIM }, () => random() - 0.5),
  );
  const vectors = new Float32Array(SIZE * DIM);
  for (let row = 0; row < SIZE; row++) {
    const centre = centres[row % centres.length]!;
    for (let k = 0; k < DIM; k++) vectors[row * DIM + k] = centre[k]! + 0.2 * (random() - 0.5);
  }
  vectors.fill(0, 5 * DIM, 6 * DIM); // a zero row
  vectors[9 * DIM + 4] = NaN; // a row that is never returned
  const words = Array.from({ length: SIZE }, (_, i) => word(i));
  return new KeyedVectors(words, vectors, DIM);
}

test('a model loaded in place has the rows, answers and saved bytes of the same model from an array', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'w2v-loaded-shards-'));
  try {
    const original = arrayModel();
    const path = join(directory, 'model.bin');
    await saveWord2Vec(original, path);
    const loaded = await loadVectors(path, { onWarning: () => {} });
    assert.equal(loaded.size, SIZE);
    for (const row of [0, 5, 9, 4097, SIZE - 1])
      assert.deepEqual(loaded.row(row), original.row(row), `row ${row}`);
    assert.equal(loaded.isFiniteRow(9), false);
    assert.deepEqual(loaded.nonFiniteRows(), [9]);

    const queries = Array.from({ length: 40 }, (_, i) => ({
      positive: [word((i * 997) % SIZE)],
      negative: i % 3 === 0 ? [word((i * 31) % SIZE)] : [],
      topn: 1 + (i % 12),
    }));
    const expected = queries.map((query) => original.mostSimilar(query));
    assert.deepEqual(
      queries.map((query) => loaded.mostSimilar(query)),
      expected,
    );
    assert.deepEqual(loaded.mostSimilarBatch(queries), expected);

    const copy = join(directory, 'copy.bin');
    await saveWord2Vec(loaded, copy);
    assert.ok(readFileSync(copy).equals(readFileSync(path)), 'saved bytes differ');
    assert.deepEqual(loaded.vectors, original.vectors);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a file with a repeated word loads in place without the repeated record', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'w2v-loaded-shards-'));
  try {
    const original = arrayModel();
    const path = join(directory, 'model.bin');
    await saveWord2Vec(original, path);
    const bytes = readFileSync(path);
    const at = bytes.indexOf(`${word(100)} `);
    bytes.write(word(99), at, 'latin1'); // the word of row 100 becomes that of row 99
    writeFileSync(path, bytes);
    const warnings: string[] = [];
    const loaded = await loadVectors(path, { onWarning: (line) => warnings.push(line) });
    assert.equal(loaded.size, SIZE - 1);
    assert.ok(
      warnings.some((line) => line.includes(word(99))),
      warnings.join('\n'),
    );
    assert.deepEqual(loaded.row(99), original.row(99));
    assert.deepEqual(loaded.row(100), original.row(101));
    assert.equal(loaded.indexOf(word(101)), 100);
    const query = { positive: [word(4000)], topn: 5 };
    const answer = loaded.mostSimilar(query);
    assert.deepEqual(
      answer.map((n) => n.word),
      original
        .mostSimilar({ ...query, topn: 6 })
        .filter((n) => n.word !== word(100))
        .slice(0, 5)
        .map((n) => n.word),
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
