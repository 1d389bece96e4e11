// The big-model benchmark's own parts: the synthetic model it writes (a
// valid word2vec file in both formats, the same for the same seed, low-rank
// as specified) and how it compares answers with gensim's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVectors } from '../src/io/load.js';
import { compareAnswers } from '../bench/same-answers.js';
import { sampleRows } from '../bench/sample-rows.js';
import { syntheticWord, writeSyntheticModel } from '../bench/synthetic-model.js';

const dir = mkdtempSync(join(tmpdir(), 'w2v-big-model-bench-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// 8,192 rows make one block; 10,003 rows end in a part block whose last four-row group is not full.
const spec = { words: 10_003, dim: 30, rank: 5, noise: 0.01, seed: 3 };

test('the synthetic model loads in both formats with the words and values it was written with', async () => {
  const files = { binary: join(dir, 'a.bin'), text: join(dir, 'a.txt') };
  const progress: number[] = [];
  await writeSyntheticModel(spec, files, (rows) => progress.push(rows));
  assert.deepEqual(progress, [8192, 10_003]);
  const binary = await loadVectors(files.binary);
  const text = await loadVectors(files.text);
  assert.equal(binary.size, spec.words);
  assert.equal(binary.dim, spec.dim);
  assert.deepEqual(
    binary.words,
    Array.from({ length: spec.words }, (_, i) => syntheticWord(i)),
  );
  assert.deepEqual(text.words, binary.words);
  // Six decimals are within 5e-7; reading the text back rounds once more, to float32.
  const off = binary.vectors.findIndex(
    (x, i) => Math.abs(x - text.vectors[i]!) > 5e-7 + Math.abs(x) * 2 ** -24,
  );
  assert.equal(
    off,
    -1,
    `value ${off}: ${binary.vectors[off]} in binary, ${text.vectors[off]} in text`,
  );
  assert.ok(binary.vectors.every(Number.isFinite));
  // The factor part has a variance of about 1 per value, the noise 1e-4.
  const variance = binary.vectors.reduce((sum, x) => sum + x * x, 0) / binary.vectors.length;
  assert.ok(variance > 0.8 && variance < 1.2, `variance ${variance}`);
});

test('the same seed writes the same bytes, another seed other values', async () => {
  const first = join(dir, 'b1.bin');
  const again = join(dir, 'b2.bin');
  const other = join(dir, 'b3.bin');
  await writeSyntheticModel(spec, { binary: first });
  await writeSyntheticModel(spec, { binary: again });
  await writeSyntheticModel({ ...spec, seed: 4 }, { binary: other });
  assert.ok(readFileSync(first).equals(readFileSync(again)));
  assert.ok(!readFileSync(first).equals(readFileSync(other)));
});

test('the rows span a space of the given rank, up to the noise', async () => {
  const path = join(dir, 'c.bin');
  // 203 rows: the last group of four rows is not full.
  await writeSyntheticModel({ ...spec, words: 203, noise: 0 }, { binary: path });
  const kv = await loadVectors(path);
  const lengths = kv.words.map((_, row) =>
    Math.hypot(...kv.vectors.subarray(row * kv.dim, (row + 1) * kv.dim)),
  );
  assert.ok(
    Math.min(...lengths) > 1,
    `every row has a factor part (shortest ${Math.min(...lengths)})`,
  );
  // Gram–Schmidt over the rows: without noise, exactly `rank` of them are independent.
  const basis: Float64Array[] = [];
  for (let row = 0; row < kv.size; row++) {
    const v = Float64Array.from(kv.vectors.subarray(row * kv.dim, (row + 1) * kv.dim));
    const length = Math.hypot(...v);
    for (const b of basis) {
      const dot = v.reduce((sum, x, j) => sum + x * b[j]!, 0);
      v.forEach((x, j) => (v[j] = x - dot * b[j]!));
    }
    const rest = Math.hypot(...v);
    if (rest > 1e-4 * length) basis.push(v.map((x) => x / rest));
  }
  assert.equal(basis.length, spec.rank);
});

test('answers count as equal to the peer’s only up to the order of near-equal similarities', () => {
  const ours = [
    [
      { word: 'a', similarity: 0.9 },
      { word: 'b', similarity: 0.8 },
    ],
    [
      { word: 'a', similarity: 0.9 },
      { word: 'b', similarity: 0.8 },
    ],
    [
      { word: 'a', similarity: 0.9 },
      { word: 'b', similarity: 0.8 },
    ],
  ];
  const agreement = compareAnswers(ours, [
    [
      ['a', 0.9],
      ['b', 0.8000001],
    ],
    [
      ['a', 0.9],
      ['c', 0.8000002], // ties with our last word
    ],
    [
      ['b', 0.9], // another word, not a tie
      ['a', 0.8],
    ],
  ]);
  assert.equal(agreement.sameWords, 1);
  assert.equal(agreement.sameUpToTies, 2);
  assert.ok(Math.abs(agreement.maxDifference - 2e-7) < 1e-9);
});

test('query rows are distinct, within range and the same for the same seed', () => {
  const rows = sampleRows(1000, 300, 1);
  assert.equal(new Set(rows).size, 300);
  assert.ok(rows.every((row) => Number.isInteger(row) && row >= 0 && row < 1000));
  assert.deepEqual(sampleRows(1000, 300, 1), rows);
  assert.notDeepEqual(sampleRows(1000, 300, 2), rows);
  assert.equal(sampleRows(10, 300, 1).length, 10);
});
