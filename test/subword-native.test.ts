// Subword models in the native format: saved and loaded with their n-gram
// rows, resumed from a checkpoint exactly, and trained further on new text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { InputError, UsageError } from '../src/errors.js';
import { loadVectors } from '../src/io/load.js';
import { loadNative, saveNative } from '../src/io/native-format.js';
import { ngramRows } from '../src/subwords/ngrams.js';
import type { RowChunks } from '../src/subwords/row-chunks.js';
import { SubwordKeyedVectors } from '../src/subwords/subword-keyed-vectors.js';
import { loadModel } from '../src/train/load-model.js';
import type { Word2Vec } from '../src/train/model.js';
import { resume } from '../src/train/resume.js';
import { train } from '../src/train/trainer.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { Random } from '../src/sampling/random.js';
import { writePlantedCorpus } from './planted-corpus.js';
import { trainAndStop } from './stop-training.js';
import { tempDir } from './temp-dir.js';

const dir = tempDir('w2v-subword-native-');
const file = (name: string): string => join(dir, name);
const corpus = writePlantedCorpus(file('planted.txt'), { sentences: 1500 });
const base = {
  input: corpus.path,
  dim: 20,
  window: 3,
  minCount: 1,
  sample: 0,
  epochs: 4,
  threads: 1,
  seed: 11,
  minn: 3,
  maxn: 5,
  bucket: 20_000,
};
const WORDS_PER_EPOCH = 15_000;
/** Words of no vocabulary here, some sharing n-grams with it. */
const UNSEEN = ['topic3wrod5', 'topicword', 'unseenword', 'naïveté', 'xyz'];

function bytesOf(array: Float32Array | Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

function sameBytes(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  return bytesOf(a).equals(bytesOf(b));
}

function sameRows(a: RowChunks, b: RowChunks): boolean {
  if (a.rows !== b.rows || a.dim !== b.dim) return false;
  for (let h = 0; h < a.rows; h++) if (!sameBytes(a.row(h), b.row(h))) return false;
  return true;
}

function subwordsOf(kv: KeyedVectors): SubwordKeyedVectors {
  assert.ok(kv instanceof SubwordKeyedVectors, 'a subword model');
  return kv;
}

/** Every word's vector, of the vocabulary and unseen, is the same bit for bit in both. */
function assertSameVectors(actual: KeyedVectors, expected: KeyedVectors): void {
  assert.deepEqual(actual.words, expected.words);
  assert.ok(sameBytes(actual.vectors, expected.vectors), "the words' vectors");
  for (const word of UNSEEN) {
    assert.ok(sameBytes(actual.vector(word), expected.vector(word)), `the vector of ${word}`);
  }
}

/** The parts of a header the tests change. */
interface EditableHeader {
  subwords?: { minn: number; maxn: number; bucket: number; fastText: Record<string, unknown> };
  options: Record<string, unknown> | null;
  outputKind: string | null;
  blocks: Record<string, unknown>;
}

/** The file at `path` with its JSON header changed by `edit` (and its checksum made right again). */
function withHeader(path: string, target: string, edit: (header: EditableHeader) => void): void {
  const bytes = readFileSync(path);
  const length = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.toString('utf8', 24, 24 + length)) as EditableHeader;
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  assert.ok(json.length <= length, 'the edited header fits');
  const padded = Buffer.concat([json, Buffer.alloc(length - json.length, 0x20)]);
  const out = Buffer.from(bytes);
  padded.copy(out, 24);
  out.writeUInt32LE(zlib.crc32(padded), 16);
  writeFileSync(target, out);
}

for (const variant of [{}, { arch: 'cbow' as const, loss: 'hs' as const }]) {
  test(`a subword model saved as .w2v loads with the same vectors, of every word, bit for bit (${JSON.stringify(variant)})`, async () => {
    const model = await train({ ...base, ...variant, epochs: 2 });
    const path = file('model.w2v');
    await model.save(path);

    const loaded = await loadNative(path);
    const kv = subwordsOf(loaded.vectors);
    assertSameVectors(kv, model.vectors);
    const trained = subwordsOf(model.vectors);
    assert.ok(sameRows(kv.subwords.ngrams, trained.subwords.ngrams), 'the n-gram rows');
    assert.ok(sameBytes(kv.ownRows(), trained.ownRows()), "the words' own rows");
    assert.deepEqual(kv.subwords.params, { minn: 3, maxn: 5, bucket: 20_000 });
    assert.deepEqual(kv.subwords.header, trained.subwords.header, "fastText's settings");
    assert.ok(sameBytes(loaded.counts!, model.counts));
    assert.ok(sameBytes(loaded.outputWeights!, model.outputWeights));
    assert.deepEqual(loaded.options, model.options);

    // Every loader gives the subword model, and saving it again writes the same bytes.
    assertSameVectors(await loadVectors(path), model.vectors);
    const again = await loadModel(path);
    assertSameVectors(again.vectors, model.vectors);
    await again.save(file('again.w2v'));
    assert.ok(readFileSync(file('again.w2v')).equals(readFileSync(path)), 'the same file');

    // A limit loads the first words, and the n-gram rows whole: unseen words keep their vectors.
    const first = subwordsOf((await loadNative(path, { limit: 10 })).vectors);
    assert.equal(first.size, 10);
    assert.ok(sameBytes(first.vectors, model.vectors.vectors.subarray(0, 10 * base.dim)));
    for (const word of UNSEEN) assert.ok(sameBytes(first.vector(word), model.vectors.vector(word)));
  });
}

test('a subword model without training options (saved as vectors) keeps its n-gram rows too', async () => {
  const model = await train({ ...base, epochs: 1 });
  const path = file('vectors-only.w2v');
  await saveNative(path, { vectors: model.vectors });
  const loaded = await loadNative(path);
  assertSameVectors(loaded.vectors, model.vectors);
  assert.equal(loaded.options, undefined);
});

for (const variant of [{}, { arch: 'cbow' as const, loss: 'hs' as const, cacheMiB: 0 }]) {
  test(`a subword run on one thread stopped and resumed gives the bytes of an uninterrupted run (${JSON.stringify(variant)})`, async () => {
    const request = { ...base, ...variant };
    const whole = await train(request);
    const path = file('stopped.ckpt');
    await trainAndStop(request, path, 2.3 * WORDS_PER_EPOCH);
    const saved = await loadNative(path);
    assert.ok(saved.training && saved.training.wordsDone < saved.training.totalWords);
    assert.ok(saved.vectors instanceof SubwordKeyedVectors, 'the checkpoint keeps the n-gram rows');

    const resumed = await resume({ from: path });
    assert.equal(resumed.summary.start, 'resume');
    assertSameVectors(resumed.vectors, whole.vectors);
    assert.ok(
      sameRows(
        subwordsOf(resumed.vectors).subwords.ngrams,
        subwordsOf(whole.vectors).subwords.ngrams,
      ),
      'the same n-gram rows',
    );
    assert.ok(sameBytes(resumed.outputWeights, whole.outputWeights), 'the same output weights');
    assert.equal(resumed.summary.trainedWords, whole.summary.trainedWords);
    assert.equal(resumed.summary.examples, whole.summary.examples);
    assert.equal(resumed.summary.finalLoss, whole.summary.finalLoss);
  });
}

/** New text: two new topics of new words, and a known word in every sentence. */
function writeNews(path: string): void {
  const random = new Random(5);
  const topics = [
    ['novastar', 'cometary', 'orbiting', 'lunarian'],
    ['pianola', 'violinist', 'cellist', 'flutist'],
  ];
  const lines: string[] = [];
  for (let s = 0; s < 1200; s++) {
    const topic = topics[s % 2]!;
    const words = Array.from({ length: 8 }, () => topic[Math.floor(random.next() * 4)]!);
    lines.push(`${words.join(' ')} the`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

test('a subword model trained further keeps its rows, adds new words with their n-grams, and still answers unseen words', async () => {
  const model = await train(base);
  const path = file('further.w2v');
  await model.save(path);
  const news = file('news.txt');
  writeNews(news);

  const more = await resume({ from: path, input: news, epochs: 3 });
  assert.equal(more.summary.start, 'continue');
  assert.equal(more.summary.addedWords, 8);
  const kv = subwordsOf(more.vectors);
  assert.deepEqual(kv.subwords.params, { minn: 3, maxn: 5, bucket: 20_000 });
  for (const word of model.vectors.words) assert.ok(kv.has(word), `${word} kept`);

  // Rows no word of the new text reaches are those the model had, so are the vectors of words made only of them.
  const params = kv.subwords.params;
  const reached = new Set<number>();
  const newText = new Set(readFileSync(news, 'utf8').split(/\s+/).filter(Boolean));
  for (const word of newText) for (const row of ngramRows(word, params)) reached.add(row);
  const before = subwordsOf(model.vectors);
  let kept = 0;
  for (let h = 0; h < params.bucket; h++) {
    if (reached.has(h)) continue;
    assert.ok(
      sameBytes(kv.subwords.ngrams.row(h), before.subwords.ngrams.row(h)),
      `n-gram row ${h}`,
    );
    if (before.subwords.ngrams.row(h).some((value) => value !== 0)) kept++;
  }
  assert.ok(kept > 100, `${kept} trained n-gram rows kept`);
  let untouched = 0;
  for (const word of model.vectors.words) {
    if (newText.has(word) || ngramRows(word, params).some((row) => reached.has(row))) continue;
    assert.ok(sameBytes(more.vector(word), model.vector(word)), `${word} keeps its vector`);
    untouched++;
  }
  assert.ok(untouched > 10, `${untouched} words untouched by the new text`);

  // The new words are learned, each closer to its own topic; unseen words still have vectors.
  const space = ['novastar', 'cometary', 'orbiting', 'lunarian'];
  const music = ['pianola', 'violinist', 'cellist', 'flutist'];
  const meanTo = (word: string, others: readonly string[]): number =>
    others.filter((o) => o !== word).reduce((sum, o) => sum + kv.similarity(word, o), 0) /
    others.filter((o) => o !== word).length;
  for (const [own, other] of [
    [space, music],
    [music, space],
  ] as const) {
    for (const word of own) {
      assert.ok(kv.has(word), `${word} joined the vocabulary`);
      assert.ok(
        meanTo(word, own) > meanTo(word, other),
        `${word}: ${meanTo(word, own)} vs ${meanTo(word, other)}`,
      );
    }
  }
  // Unseen words whose n-grams some word trained.
  for (const word of ['violinists', 'topic3wrod5', 'topicword']) {
    assert.ok(!kv.has(word) && kv.hasVectorFor(word));
    const vector = kv.vector(word);
    assert.ok(vector.every(Number.isFinite) && vector.some((value) => value !== 0), word);
  }
  assert.ok(kv.similarity('violinists', 'violinist') > kv.similarity('violinists', 'novastar'));

  // Saved and loaded again, the model trained further answers as it did.
  await more.save(file('further2.w2v'));
  assertSameVectors((await loadModel(file('further2.w2v'))).vectors, more.vectors);
});

test('training a subword model further refuses other n-gram options, and a model saved without n-gram rows', async () => {
  const model: Word2Vec = await train({ ...base, epochs: 1 });
  const path = file('fixed.w2v');
  await model.save(path);
  for (const [option, value, pattern] of [
    ['minn', 2, /^minn 2 differs from the model's 3/],
    ['maxn', 6, /^maxn 6 differs from the model's 5/],
    ['bucket', 1000, /^bucket 1000 differs from the model's 20000/],
    ['dim', 8, /^dim 8 differs from the model's 20/],
    ['arch', 'cbow', /^arch cbow differs from the model's sg/],
    ['loss', 'hs', /^loss hs differs from the model's ns/],
  ] as const) {
    await assert.rejects(
      resume({ from: path, input: corpus.path, [option]: value }),
      (e: unknown) => e instanceof UsageError && pattern.test(e.message),
      option,
    );
  }
  // The same in memory: trainFurther goes on from the model itself.
  const further = await model.trainFurther({ input: corpus.path, epochs: 1 });
  assert.ok(further.vectors instanceof SubwordKeyedVectors);

  // A file of an earlier version: its vectors block held the words' vectors, without n-gram rows.
  const old = file('old-subword.w2v');
  await saveNative(old, {
    vectors: new KeyedVectors([...model.vectors.words], model.vectors.vectors, base.dim),
    counts: model.counts,
    outputWeights: model.outputWeights,
    outputKind: 'ns',
    options: model.options,
  });
  assert.ok(!((await loadNative(old)).vectors instanceof SubwordKeyedVectors), 'it still loads');
  await assert.rejects(
    resume({ from: old, input: corpus.path }),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message.includes(old) &&
      /saved without its n-gram rows/.test(e.message),
  );
});

test('a truncated or damaged subword file, or one whose header lies about its n-grams, gives a clear error', async () => {
  const model = await train({ ...base, epochs: 1 });
  const path = file('intact.w2v');
  await model.save(path);
  const intact = readFileSync(path);
  const length = intact.readUInt32LE(12);
  const header = JSON.parse(intact.toString('utf8', 24, 24 + length)) as {
    blocks: Record<string, { offset: number; bytes: number }>;
  };
  const ngrams = header.blocks['ngrams']!;
  assert.equal(ngrams.bytes, 20_000 * base.dim * 4);

  const fails = async (target: string, pattern: RegExp): Promise<void> => {
    await assert.rejects(loadNative(target), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.ok(e.message.includes(target), e.message);
      assert.match(e.message, pattern);
      return true;
    });
  };
  const target = file('broken.w2v');
  for (const cut of [ngrams.offset + 4, ngrams.offset + (ngrams.bytes >> 1), intact.length - 1]) {
    writeFileSync(target, intact.subarray(0, cut));
    await fails(target, /is truncated or damaged/);
  }
  for (const at of [
    ngrams.offset,
    ngrams.offset + (ngrams.bytes >> 1) + 3,
    ngrams.offset + ngrams.bytes - 1,
  ]) {
    const damaged = Buffer.from(intact);
    damaged[at]! ^= 0x10;
    writeFileSync(target, damaged);
    await fails(
      target,
      new RegExp(`byte offset ${ngrams.offset}: the block "ngrams" .* is damaged`),
    );
  }
  const lies: Array<[(h: EditableHeader) => void, RegExp]> = [
    [
      (h) => (h.subwords!.bucket = 2 ** 30),
      /"subwords" has bucket 1073741824 but "options" has 20000/,
    ],
    [
      (h) => {
        h.subwords!.bucket = 2 ** 30;
        h.options = null;
        h.outputKind = null;
        delete h.blocks['outputWeights'];
      },
      /block "ngrams" has 1600000 bytes; 1073741824 n-gram rows of 20 dimensions need 85899345920/,
    ],
    [(h) => (h.subwords!.minn = 9), /"subwords": minn must be between 1 and maxn \(5\), got 9/],
    [(h) => delete h.subwords, /the block "ngrams" needs "subwords"/],
    [(h) => delete h.blocks['ngrams'], /"subwords" is given but the block "ngrams" is missing/],
    [(h) => (h.subwords!.fastText['epoch'] = 'five'), /"fastText"."epoch" must be a number/],
    [
      (h) => Object.assign(h.options!, { subwords: false, minn: 0, maxn: 0, bucket: 0 }),
      /"subwords" is given but "options" train no subword model/,
    ],
  ];
  for (const [edit, pattern] of lies) {
    withHeader(path, target, edit);
    await fails(target, pattern);
  }
});
