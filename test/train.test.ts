import { test } from 'node:test';
import { tempDir } from './temp-dir.js';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../src/train/trainer.js';
import { SOFTMAX_MAX_VOCAB } from '../src/options.js';
import { UsageError } from '../src/errors.js';
import type { Architecture, Loss } from '../src/options.js';
import type { TrainProgress } from '../src/train/types.js';
import { plantedRecovery, writePlantedCorpus } from './planted-corpus.js';

const dir = tempDir('w2v-train-');
const corpus = writePlantedCorpus(join(dir, 'planted.txt'));
const base = {
  input: corpus.path,
  dim: 24,
  window: 3,
  minCount: 1,
  sample: 0,
  epochs: 5,
  threads: 1,
  seed: 7,
};

for (const arch of ['sg', 'cbow'] as Architecture[]) {
  for (const loss of ['ns', 'hs'] as Loss[]) {
    test(`${arch} with ${loss === 'ns' ? 'negative sampling' : 'hierarchical softmax'} finds the planted neighbours`, async () => {
      const progress: TrainProgress[] = [];
      const model = await train({
        ...base,
        arch,
        loss,
        onProgress: (p) => progress.push(p),
        progressIntervalMs: 10,
      });
      assert.equal(model.summary.vocabSize, 84);
      assert.equal(model.summary.trainedWords, 5 * 30000);
      const recovery = plantedRecovery(corpus, model.vectors);
      assert.ok(
        recovery >= 0.95,
        `only ${(100 * recovery).toFixed(0)}% of words have their topic as nearest neighbours`,
      );
      const last = progress[progress.length - 1];
      assert.equal(last.phase, 'train');
      assert.equal(last.fraction, 1);
      assert.ok(Number.isFinite(model.summary.finalLoss) && model.summary.finalLoss > 0);
      assert.ok(last.alpha < 0.001, 'the learning rate decays to min-alpha');
    });
  }
}

for (const loss of ['ns', 'hs'] as Loss[]) {
  test(`skip-gram with shared negatives (${loss}) finds the planted neighbours`, async () => {
    const model = await train({ ...base, loss, sharedNegatives: true });
    assert.ok(plantedRecovery(corpus, model.vectors) >= 0.95);
    const plain = await train({ ...base, loss });
    assert.notDeepEqual(
      model.vectors.vectors,
      plain.vectors.vectors,
      'the option changes the training',
    );
  });
}

for (const arch of ['sg', 'cbow'] as Architecture[]) {
  test(`${arch} with the full softmax finds the planted neighbours`, async () => {
    const model = await train({ ...base, arch, loss: 'softmax' });
    assert.ok(plantedRecovery(corpus, model.vectors) >= 0.95);
  });
}

test('the full softmax refuses a vocabulary too large for it', async () => {
  const path = join(dir, 'wide.txt');
  writeFileSync(path, Array.from({ length: SOFTMAX_MAX_VOCAB + 1 }, (_, i) => `w${i}`).join(' '));
  await assert.rejects(
    train({ ...base, input: path, loss: 'softmax' }),
    (e: unknown) =>
      e instanceof UsageError && e.option === 'loss' && /use loss ns or hs/.test(e.message),
  );
});

test('a model trained before any learning has no planted structure (the check can fail)', async () => {
  const model = await train({ ...base, alpha: 1e-9, minAlpha: 0 });
  assert.ok(plantedRecovery(corpus, model.vectors) < 0.5);
});

test('one thread with a seed gives identical bytes on every run; another seed does not', async () => {
  const files = [];
  for (const [run, seed] of [
    [1, 7],
    [2, 7],
    [3, 8],
  ]) {
    const model = await train({ ...base, seed });
    const path = join(dir, `seeded-${run}.bin`);
    await model.save(path);
    files.push(readFileSync(path));
  }
  assert.ok(files[0].equals(files[1]), 'same seed, same bytes');
  assert.ok(!files[0].equals(files[2]), 'another seed, other bytes');
});

test('two threads train the same corpus to the same planted structure', async () => {
  const model = await train({ ...base, threads: 2 });
  assert.equal(model.summary.trainedWords, 5 * 30000);
  assert.ok(plantedRecovery(corpus, model.vectors) >= 0.95);
});

test('a corpus too large for the cache is read again every epoch, with the same result', async () => {
  const cached = await train({ ...base, epochs: 2 });
  const streamed = await train({ ...base, epochs: 2, cacheMiB: 0 });
  assert.equal(cached.summary.cachedCorpus, true);
  assert.equal(streamed.summary.cachedCorpus, false);
  assert.deepEqual(streamed.vectors.vectors, cached.vectors.vectors);
});

test('examples are counted as the reference defines them: one per (context, word) pair, one per CBOW window', async () => {
  // Window 1 reaches exactly one word each side; no subsampling, so every word of a line is trained.
  const dir = tempDir('w2v-examples-');
  const path = join(dir, 'lines.txt');
  const lines = ['a b c d e', 'b c', 'e d c b a f', 'a'];
  writeFileSync(path, lines.join('\n') + '\n');
  const lengths = lines.map((line) => line.split(' ').length);
  const options = {
    input: path,
    dim: 8,
    window: 1,
    minCount: 1,
    sample: 0,
    epochs: 3,
    threads: 1,
    seed: 1,
  };
  const pairs = lengths.reduce((sum, n) => sum + (n > 1 ? 2 * (n - 1) : 0), 0);
  const windows = lengths.reduce((sum, n) => sum + (n > 1 ? n : 0), 0);
  for (const sharedNegatives of [false, true]) {
    const sg = await train({ ...options, sharedNegatives });
    assert.equal(sg.summary.examples, 3 * pairs, `skip-gram, shared negatives ${sharedNegatives}`);
  }
  const cbow = await train({ ...options, arch: 'cbow' });
  assert.equal(cbow.summary.examples, 3 * windows);
});
