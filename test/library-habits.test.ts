// The library as a gensim user meets it: unknown option keys, the epoch
// callback, and a native model loaded whole and trained further.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadModel,
  loadVectors,
  loadWord2Vec,
  resume,
  train,
  UsageError,
  type EpochEnd,
  type TrainProgress,
  type Word2Vec,
} from '../src/index.js';
import { writePlantedCorpus } from './planted-corpus.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-library-habits-'));
after(() => rmSync(directory, { recursive: true, force: true }));

let corpus: string;
let model: Word2Vec;
const epochs: EpochEnd[] = [];
let lastProgress: TrainProgress | undefined;

before(async () => {
  corpus = writePlantedCorpus(join(directory, 'corpus.txt'), { sentences: 1500 }).path;
  model = await train({
    input: corpus,
    dim: 16,
    epochs: 3,
    threads: 1,
    minCount: 1,
    onEpoch: (end) => epochs.push(end),
    onProgress: (p) => (lastProgress = p),
  });
});

describe('train options from plain JavaScript', () => {
  const reject = (options: Record<string, unknown>, message: RegExp): Promise<void> => {
    // Plain JavaScript: no compiler checks the keys.
    const request = { input: 'corpus.txt', ...options } as unknown as Parameters<typeof train>[0];
    return assert.rejects(train(request), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      return true;
    });
  };

  test('an unknown key is an error that names it and the option meant', async () => {
    await reject(
      { vectorSize: 50 },
      /^train: unknown option 'vectorSize' \(gensim's vector_size is dim here\)$/,
    );
    await reject({ min_count: 2 }, /unknown option 'min_count' \(did you mean 'minCount'\?\)/);
    await reject({ epoch: 2 }, /fastText's -epoch is epochs here/);
    await reject({ dimm: 2 }, /did you mean 'dim'\?/);
    await reject({ frobnicate: true }, /^train: unknown option 'frobnicate'$/);
    await assert.rejects(
      resume({ from: 'model.w2v', iter: 3 } as unknown as Parameters<typeof resume>[0]),
      /resume: unknown option 'iter' \(word2vec\.c's -iter is epochs here\)/,
    );
  });
});

describe('the epoch callback', () => {
  test('onEpoch is told each epoch with its mean loss, the last being the final loss', () => {
    assert.deepEqual(
      epochs.map((e) => e.epoch),
      [1, 2, 3],
    );
    assert.ok(epochs.every((e) => Number.isFinite(e.loss) && e.loss > 0 && e.examples > 0));
    assert.ok(epochs[2]!.loss < epochs[0]!.loss, 'the loss falls');
    assert.equal(epochs[2]!.loss, model.summary.finalLoss);
    assert.equal(lastProgress?.epochLoss, model.summary.finalLoss);
  });
});

describe('loading a model', () => {
  test('loadWord2Vec is loadVectors; a native model loads whole, answers queries and trains further', async () => {
    assert.equal(loadWord2Vec, loadVectors);
    const path = join(directory, 'model.w2v');
    await model.save(path);
    const loaded = await loadModel(path);
    assert.deepEqual(loaded.vectors.words, model.vectors.words);
    assert.deepEqual(loaded.counts, model.counts);
    assert.deepEqual(
      loaded.vectors.mostSimilar({ positive: ['topic0word0'], topn: 3 }),
      model.vectors.mostSimilar({ positive: ['topic0word0'], topn: 3 }),
    );
    const further = await loaded.trainFurther({
      input: corpus,
      epochs: 1,
      threads: 1,
      onWarning: () => {},
    });
    assert.equal(further.summary.start, 'continue');
    assert.deepEqual(
      [...further.counts],
      [...model.counts].map((c) => 2 * c),
    );
    // The same, from the file.
    const fromFile = await resume({ from: path, input: corpus, epochs: 1, threads: 1 });
    assert.deepEqual(fromFile.vectors.vectors, further.vectors.vectors);
    // word2vec files hold no counts or output weights: loadVectors is for those.
    await model.save(join(directory, 'model.bin'));
    await assert.rejects(
      loadModel(join(directory, 'model.bin')),
      /not a checkpoint or a native \.w2v model/,
    );
  });
});
