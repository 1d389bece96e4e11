import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Architecture, Loss } from '../src/options.js';
import { loadVectors } from '../src/io/load.js';
import { SubwordKeyedVectors } from '../src/subwords/subword-keyed-vectors.js';
import { train } from '../src/train/trainer.js';
import { writePlantedCorpus } from './planted-corpus.js';
import { fastTextSkip } from './peers.js';
import { closeToPrinted, fastTextVectors } from './fasttext-peer.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-subword-train-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const file = (name: string): string => join(directory, name);

// Topic words spelt apart (no shared stems across topics), one of them seen only misspelt.
const corpus = writePlantedCorpus(file('planted.txt'), { sentences: 3000 });
const TYPO = 'topic3word5';
const MISSPELT = 'topic3wrod5';
writeFileSync(file('typo.txt'), readFileSync(corpus.path, 'utf8').replaceAll(TYPO, MISSPELT));
const base = {
  input: file('typo.txt'),
  dim: 32,
  window: 3,
  minCount: 1,
  sample: 0,
  epochs: 5,
  threads: 1,
  seed: 3,
  minn: 3,
  maxn: 5,
  bucket: 50_000,
};

for (const arch of ['sg', 'cbow'] as Architecture[]) {
  for (const loss of ['ns', 'hs'] as Loss[]) {
    test(`subword ${arch} with ${loss} gives a word seen only misspelt its topic's neighbours`, async () => {
      const model = await train({ ...base, arch, loss });
      const kv = model.vectors;
      assert.ok(kv instanceof SubwordKeyedVectors);
      assert.ok(!kv.has(TYPO) && kv.has(MISSPELT));
      const neighbours = kv.mostSimilar({ positive: [TYPO], topn: 5 });
      const topics = neighbours.map(
        (n) => corpus.topicOf.get(n.word) ?? (n.word === MISSPELT ? 3 : -1),
      );
      assert.deepEqual(topics, [3, 3, 3, 3, 3], JSON.stringify(neighbours));
    });
  }
}

test('subword training on one thread with a seed is reproducible; on two threads it learns too', async () => {
  for (const arch of ['sg', 'cbow'] as Architecture[]) {
    const first = await train({ ...base, arch, epochs: 1 });
    const second = await train({ ...base, arch, epochs: 1 });
    assert.deepEqual(first.vectors.vectors, second.vectors.vectors, arch);
  }
  const ofTwo = await train({ ...base, threads: 2 });
  const neighbours = ofTwo.vectors.mostSimilar({ positive: [TYPO], topn: 3 });
  assert.ok(
    neighbours.every((n) => n.word === MISSPELT || corpus.topicOf.get(n.word) === 3),
    JSON.stringify(neighbours),
  );
});

test(
  'a trained subword model saved as .bin gives fastText our vectors',
  { skip: fastTextSkip() },
  async () => {
    const model = await train({ ...base, epochs: 1, loss: 'hs' });
    await model.save(file('trained.bin'));
    const words = ['topic1word2', TYPO, 'the', 'unseenword', 'naïveté'];
    const theirs = fastTextVectors(file('trained.bin'), words);
    words.forEach((word, i) => {
      const ours = model.vectors.vector(word);
      theirs[i]!.forEach((value, k) =>
        assert.ok(closeToPrinted(ours[k]!, value), `${word}[${k}]: ${ours[k]} vs ${value}`),
      );
    });
    const loaded = await loadVectors(file('trained.bin'));
    assert.deepEqual(loaded.vector(TYPO), model.vectors.vector(TYPO));
  },
);
