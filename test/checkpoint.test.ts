import { test } from 'node:test';
import { trainAndStop } from './stop-training.js';
import { tempDir } from './temp-dir.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../src/train/trainer.js';
import { resume } from '../src/train/resume.js';
import { TrainingInterrupted } from '../src/train/checkpoint.js';
import { InputError, UsageError } from '../src/errors.js';
import { loadNative, saveNative } from '../src/io/native-format.js';
import type { Word2Vec } from '../src/train/model.js';
import { Random } from '../src/sampling/random.js';
import { plantedRecovery, writePlantedCorpus } from './planted-corpus.js';
import { sampleState } from './fixtures.js';

const dir = tempDir('w2v-checkpoint-');
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
const WORDS_PER_EPOCH = 30000;

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

test('a checkpoint file keeps the progress exactly; a model without it, and a partial load, have none', async () => {
  const model = await train({ ...base, epochs: 1 });
  const native = {
    vectors: model.vectors,
    counts: model.counts,
    outputWeights: model.outputWeights,
    outputKind: 'ns' as const,
    options: model.options,
  };
  const path = join(dir, 'roundtrip.w2v');
  await saveNative(path, { ...native, training: sampleState() });
  const loaded = await loadNative(path);
  assert.deepEqual(loaded.training, sampleState());
  assert.deepEqual(loaded.vectors.vectors, model.vectors.vectors);
  assert.equal(
    (await loadNative(path, { limit: 10 })).training,
    undefined,
    'progress belongs to the whole vocabulary',
  );

  const finished = join(dir, 'finished.w2v');
  await saveNative(finished, native);
  assert.equal((await loadNative(finished)).training, undefined);
  assert.ok(
    !readFileSync(finished).includes('"training"'),
    'a finished model is written as before',
  );
});

test('a checkpoint with damaged progress is refused naming the field; progress without the whole model is not written', async () => {
  const model = await train({ ...base, epochs: 1 });
  const native = {
    vectors: model.vectors,
    counts: model.counts,
    outputWeights: model.outputWeights,
    outputKind: 'ns' as const,
    options: model.options,
  };
  const path = join(dir, 'bad-state.w2v');
  await saveNative(path, { ...native, training: sampleState({ randomStates: ['xyz'] }) });
  await assert.rejects(
    loadNative(path),
    (e: unknown) =>
      e instanceof InputError &&
      /"training": "randomStates"/.test(e.message) &&
      e.message.includes(path),
  );
  await saveNative(path, { ...native, training: sampleState({ wordsDone: 6000 }) });
  await assert.rejects(
    loadNative(path),
    (e: unknown) =>
      e instanceof InputError && /"wordsDone" \(6000\) exceeds "totalWords"/.test(e.message),
  );
  await assert.rejects(
    saveNative(path, { vectors: model.vectors, training: sampleState() }),
    UsageError,
  );
});

for (const variant of [{}, { loss: 'hs' as const }, { arch: 'cbow' as const, cacheMiB: 0 }]) {
  test(`one thread stopped and resumed gives the bytes of an uninterrupted run (${JSON.stringify(variant)})`, async () => {
    const request = { ...base, ...variant };
    const whole = await train(request);
    const path = join(dir, 'stopped.ckpt');
    const stopped = await trainAndStop(request, path, 2.2 * WORDS_PER_EPOCH);
    assert.equal(stopped.checkpoint, path);
    assert.ok(
      stopped.wordsDone > 0 && stopped.wordsDone < stopped.totalWords,
      `stopped at ${stopped.wordsDone}`,
    );
    assert.match(stopped.message, /training was stopped at \d+\.\d% \(epoch 3 of 5\)/);
    const saved = await loadNative(path);
    assert.equal(saved.training?.wordsDone, stopped.wordsDone);

    const resumed = await resume({ from: path });
    assert.equal(resumed.summary.start, 'resume');
    assert.deepEqual(resumed.vectors.words, whole.vectors.words);
    assert.ok(sameBytes(resumed.vectors.vectors, whole.vectors.vectors), 'same input vectors');
    assert.ok(sameBytes(resumed.outputWeights, whole.outputWeights), 'same output weights');
    assert.equal(resumed.summary.trainedWords, whole.summary.trainedWords);
    assert.equal(resumed.summary.examples, whole.summary.examples);
    assert.equal(resumed.summary.finalLoss, whole.summary.finalLoss);
  });
}

test('checkpoints saved every few milliseconds do not change the run, and the last one resumes to the same bytes', async () => {
  const request = { ...base, epochs: 40 };
  const whole = await train(request);
  const path = join(dir, 'periodic.ckpt');
  const checkpointed = await train({ ...request, checkpoint: { path, everyMinutes: 0.0005 } });
  assert.ok(
    sameBytes(checkpointed.vectors.vectors, whole.vectors.vectors),
    'pausing for checkpoints changes nothing',
  );
  const saved = await loadNative(path);
  assert.ok(saved.training, 'a periodic checkpoint was written');
  assert.ok(saved.training.wordsDone < 40 * WORDS_PER_EPOCH);
  const resumed = await resume({ from: path });
  assert.ok(sameBytes(resumed.vectors.vectors, whole.vectors.vectors));
});

test('two threads stopped and resumed (on one) learn the planted structure as well as an uninterrupted run', async () => {
  const request = { ...base, threads: 2 };
  const whole = await train(request);
  const path = join(dir, 'two-threads.ckpt');
  await trainAndStop(request, path, 1.5 * WORDS_PER_EPOCH);
  assert.equal((await loadNative(path)).training?.randomStates.length, 2);
  const resumed = await resume({ from: path, threads: 1 });
  assert.deepEqual(resumed.vectors.words, whole.vectors.words);
  assert.equal(resumed.summary.trainedWords, 5 * WORDS_PER_EPOCH);
  assert.ok(plantedRecovery(corpus, whole.vectors) >= 0.95);
  assert.ok(
    plantedRecovery(corpus, resumed.vectors) >= 0.95,
    `recovery ${plantedRecovery(corpus, resumed.vectors)}`,
  );
});

test('a stop before training begins saves nothing and says so', async () => {
  const stop = new AbortController();
  stop.abort('test');
  const path = join(dir, 'never.ckpt');
  await assert.rejects(
    train({ ...base, checkpoint: { path }, signal: stop.signal }),
    (e: unknown) =>
      e instanceof TrainingInterrupted &&
      e.checkpoint === undefined &&
      /nothing was trained/.test(e.message),
  );
  assert.ok(!existsSync(path));
});

test('an interrupted run is refused on another corpus, with other options, and a vectors-only file is refused', async () => {
  const path = join(dir, 'refuse.ckpt');
  await trainAndStop(base, path, 1.5 * WORDS_PER_EPOCH);
  const other = writePlantedCorpus(join(dir, 'other.txt'), { seed: 2, sentences: 2000 });
  await assert.rejects(
    resume({ from: path, input: other.path }),
    (e: unknown) =>
      e instanceof UsageError &&
      /interrupted run/.test(e.message) &&
      e.message.includes('other.txt') &&
      /w2v convert/.test(e.message),
  );
  // Same size, other words: caught once the corpus is read.
  const sameSize = join(dir, 'same-size.txt');
  writeFileSync(sameSize, readFileSync(corpus.path, 'utf8').replace(/topic1word3/g, 'topic1word9'));
  assert.equal(statSync(sameSize).size, statSync(corpus.path).size);
  await assert.rejects(
    resume({ from: path, input: sameSize }),
    (e: unknown) => e instanceof UsageError && /files have changed/.test(e.message),
  );
  await assert.rejects(
    resume({ from: path, dim: 50 }),
    (e: unknown) =>
      e instanceof UsageError && /^dim 50 differs from the checkpoint's 24/.test(e.message),
  );
  await assert.rejects(
    resume({ from: path, window: 5 }),
    (e: unknown) => e instanceof UsageError && /^window 5/.test(e.message),
  );
  const model = await resume({ from: path, threads: 2, cacheMiB: 0 });
  assert.equal(model.summary.start, 'resume', 'threads and the cache may change');

  const vectorsOnly = join(dir, 'vectors.bin');
  await model.save(vectorsOnly);
  await assert.rejects(
    resume({ from: vectorsOnly, input: corpus.path }),
    (e: unknown) => e instanceof UsageError && /not a checkpoint or a native/.test(e.message),
  );
  const bare = join(dir, 'bare.w2v');
  await saveNative(bare, { vectors: model.vectors });
  await assert.rejects(
    resume({ from: bare, input: corpus.path }),
    (e: unknown) => e instanceof UsageError && /vectors only/.test(e.message),
  );
});

for (const loss of ['ns', 'hs'] as const) {
  test(`a trained model trained on new text (${loss}) keeps its words, adds the new ones and learns them`, async () => {
    const model = await train({ ...base, loss });
    const path = join(dir, `model-${loss}.w2v`);
    await model.save(path);
    // New text: two new topics, and a few known words.
    const news = join(dir, `news-${loss}.txt`);
    const lines: string[] = [];
    const random = new Random(3);
    for (let s = 0; s < 1500; s++) {
      const topic =
        s % 2 === 0 ? ['nova', 'comet', 'orbit', 'lunar'] : ['piano', 'violin', 'cello', 'flute'];
      lines.push(
        Array.from({ length: 8 }, () => topic[Math.floor(random.next() * 4)]).join(' ') +
          ' the topic0word0',
      );
    }
    lines.push('rareword');
    writeFileSync(news, lines.join('\n') + '\n');

    const more = await resume({ from: path, input: news, minCount: 2, epochs: 5 });
    assert.equal(more.summary.start, 'continue');
    assert.equal(more.summary.addedWords, 8);
    assert.equal(more.vectors.size, 84 + 8);
    assert.equal(more.vectors.indexOf('rareword'), -1, 'new words below min-count stay out');
    for (const word of model.vectors.words)
      assert.ok(more.vectors.indexOf(word) >= 0, `${word} kept`);
    const countOf = (m: Word2Vec, word: string): number => m.counts[m.vectors.indexOf(word)]!;
    assert.equal(
      countOf(more, 'topic0word0'),
      countOf(model, 'topic0word0') + 1500,
      'known words add their new counts',
    );
    assert.equal(countOf(more, 'topic5word1'), countOf(model, 'topic5word1'));
    for (let i = 1; i < more.counts.length; i++)
      assert.ok(more.counts[i - 1]! >= more.counts[i]!, 'still most frequent first');
    // Words of the old corpus that the new text does not touch keep their vectors.
    const before = model.vector('topic5word1');
    assert.ok(
      sameBytes(more.vector('topic5word1'), before),
      'untouched words keep their input vectors',
    );
    // The new words are learned: each is closer to its own new topic than to the other one.
    const space = ['nova', 'comet', 'orbit', 'lunar'];
    const music = ['piano', 'violin', 'cello', 'flute'];
    const mean = (word: string, others: string[]): number =>
      others
        .filter((o) => o !== word)
        .reduce((sum, o) => sum + more.vectors.similarity(word, o), 0) /
      (others.length - (others.includes(word) ? 1 : 0));
    for (const [own, other] of [
      [space, music],
      [music, space],
    ]) {
      for (const word of own) {
        assert.ok(
          mean(word, own) > mean(word, other) + 0.1,
          `${word}: ${mean(word, own)} to its topic, ${mean(word, other)} to the other`,
        );
      }
    }
    assert.equal(
      more.outputWeights.length,
      (loss === 'hs' ? more.vectors.size - 1 : more.vectors.size) * 24,
    );
  });
}

test('training a model further refuses another dimension, architecture or loss', async () => {
  const model = await train({ ...base, epochs: 1 });
  const path = join(dir, 'fixed.w2v');
  await model.save(path);
  await assert.rejects(
    resume({ from: path, dim: 10 }),
    (e: unknown) =>
      e instanceof UsageError && /^dim 10 differs from the model's 24/.test(e.message),
  );
  await assert.rejects(
    resume({ from: path, loss: 'hs' }),
    (e: unknown) => e instanceof UsageError && /^loss hs/.test(e.message),
  );
  const same = await resume({ from: path, epochs: 1, window: 2 });
  assert.equal(same.options.window, 2, 'other options may change');
  assert.equal(same.summary.addedWords, 0);
  assert.equal(
    same.counts[0],
    2 * model.counts[0]!,
    'the same text again adds its counts again, as gensim does',
  );
});
