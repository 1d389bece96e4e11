import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../src/errors.js';
import { detectFormat, loadVectors } from '../src/io/load.js';
import { saveVectors } from '../src/io/save.js';
import { fastTextHash, ngramRows, ngramStrings } from '../src/subwords/ngrams.js';
import { SubwordKeyedVectors } from '../src/subwords/subword-keyed-vectors.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { evaluateAnalogies } from '../src/eval/analogies.js';
import { evaluateWordPairs } from '../src/eval/word-pairs.js';
import { fastTextSkip } from './peers.js';
import { w2v } from './cli-runner.js';
import { startServe } from './web-fixture.js';
import {
  fastTextNeighbours,
  closeToPrinted,
  fastTextNgrams,
  fastTextVectors,
  runFastText,
  writeMorphologyCorpus,
} from './fasttext-peer.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-fasttext-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const file = (name: string): string => join(directory, name);
const skip = fastTextSkip();

/** In the vocabulary, out of it, non-ASCII, and with no n-grams of 3 or more characters but its own. */
const QUERY_WORDS = [
  'walking',
  'café',
  'straßeness',
  'miswalkedly',
  'мирый',
  'словаа',
  '日本語',
  'naïveté',
  'zq',
  '</s>',
];

const model = file('ft');
before(() => {
  if (skip) return;
  writeMorphologyCorpus(file('corpus.txt'));
  runFastText([
    'skipgram',
    '-input',
    file('corpus.txt'),
    '-output',
    model,
    '-minn',
    '3',
    '-maxn',
    '6',
    '-dim',
    '16',
    '-epoch',
    '5',
    '-minCount',
    '1',
    '-bucket',
    '20011',
    '-thread',
    '1',
    '-verbose',
    '0',
  ]);
});

/** Equal to what fastText printed (see closeToPrinted). */
function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: dimensions`);
  for (let k = 0; k < expected.length; k++) {
    assert.ok(
      closeToPrinted(actual[k]!, expected[k]!),
      `${what}[${k}]: ${actual[k]} vs fastText's ${expected[k]}`,
    );
  }
}

/** Neighbour lists are equal, but for neighbours whose similarities are within `tolerance` of each other trading places. */
function assertSameNeighbours(
  ours: ReadonlyArray<{ word: string; similarity: number }>,
  theirs: ReadonlyArray<{ word: string; similarity: number }>,
  what: string,
): void {
  assert.equal(ours.length, theirs.length, what);
  for (let i = 0; i < ours.length; i++) {
    assert.ok(
      Math.abs(ours[i]!.similarity - theirs[i]!.similarity) <= 1e-5,
      `${what} #${i + 1}: ${ours[i]!.similarity} vs ${theirs[i]!.similarity}`,
    );
    if (ours[i]!.word === theirs[i]!.word) continue;
    const tied = theirs.find((n) => n.word === ours[i]!.word);
    assert.ok(
      tied && Math.abs(tied.similarity - ours[i]!.similarity) <= 1e-5,
      `${what} #${i + 1}: ${ours[i]!.word} vs fastText's ${theirs[i]!.word}`,
    );
  }
}

test("the hash is fastText's FNV-1a with sign-extended bytes", () => {
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
  // FNV-1a's offset basis, and one ASCII byte by hand: (2166136261 ^ 0x61) * 16777619 mod 2^32.
  assert.equal(fastTextHash(bytes('')), 2166136261);
  assert.equal(
    fastTextHash(bytes('a')),
    Number((BigInt((2166136261 ^ 0x61) >>> 0) * 16777619n) % 2n ** 32n),
  );
  // A byte of 0x80 or more is xored in as 0xffffffXX, not 0xXX.
  const signed = Number((BigInt((2166136261 ^ 0xffffffc3) >>> 0) * 16777619n) % 2n ** 32n);
  assert.equal(fastTextHash(Uint8Array.of(0xc3)), signed);
});

test('n-grams are counted in characters and skip a lone < or >', () => {
  const params = { minn: 1, maxn: 2, bucket: 1000 };
  assert.deepEqual(ngramStrings('ab', params), ['<a', 'a', 'ab', 'b', 'b>']);
  assert.deepEqual(ngramStrings('é', { minn: 1, maxn: 3, bucket: 10 }), ['<é', '<é>', 'é', 'é>']);
  assert.deepEqual(ngramStrings('</s>', params), []);
  assert.equal(ngramRows('where', { minn: 3, maxn: 6, bucket: 2_000_000 }).length, 14);
});

test('n-gram rows are those fastText finds, for ASCII and non-ASCII words', { skip }, async () => {
  const kv = await loadVectors(`${model}.bin`);
  assert.ok(kv instanceof SubwordKeyedVectors);
  for (const word of ['walking', 'café', 'мирый', '日本ness', 'straße']) {
    // fastText lists a vocabulary word's own row first.
    const listed: Array<{ ngram: string; row: number[] }> = fastTextNgrams(`${model}.bin`, word);
    const theirs: Array<{ ngram: string; row: number[] }> = kv.has(word) ? listed.slice(1) : listed;
    const strings = ngramStrings(word, kv.subwords.params);
    const rows = ngramRows(word, kv.subwords.params);
    assert.deepEqual(
      strings,
      theirs.map((n) => n.ngram),
      `n-grams of ${word}`,
    );
    theirs.forEach((n, i) =>
      assertClose(kv.subwords.ngrams.row(rows[i]!), n.row, `${word}'s n-gram ${n.ngram}`),
    );
  }
});

test(
  "a fastText .bin model loads, told by content, with fastText's vectors for any word",
  { skip },
  async () => {
    const path = file('renamed-model');
    writeFileSync(path, readFileSync(`${model}.bin`));
    assert.equal(await detectFormat(`${model}.bin`), 'fasttext');
    assert.equal(await detectFormat(path), 'fasttext');
    const kv = await loadVectors(path);
    const theirs = fastTextVectors(path, QUERY_WORDS);
    QUERY_WORDS.forEach((word, i) => assertClose(kv.vector(word), theirs[i]!, word));
    assert.ok(!kv.has('miswalkedly') && kv.has('walking'));
  },
);

test('top 10 neighbours equal fastText nn, for seen and unseen words', { skip }, async () => {
  const kv = await loadVectors(`${model}.bin`);
  for (const word of QUERY_WORDS.slice(0, 8)) {
    assertSameNeighbours(
      kv.mostSimilar({ positive: [word], topn: 10 }),
      fastTextNeighbours(`${model}.bin`, word, 10),
      word,
    );
  }
});

test(
  'unseen words work in similarity and doesntMatch; a word without n-grams is an error naming it',
  { skip },
  async () => {
    const kv = await loadVectors(`${model}.bin`);
    assert.ok(kv.similarity('miswalkedly', 'walking') > kv.similarity('miswalkedly', 'мирый'));
    assert.equal(kv.doesntMatch(['walkinged', 'walkers', 'talkings', 'словаа']), 'словаа');
    // '<>' is shorter than minn.
    assert.throws(
      () => kv.vector(''),
      /word '' is not in the vocabulary and has no character n-grams/,
    );
  },
);

test(
  'a saved .bin loads in fastText with the same vectors, and so does a plain model',
  { skip },
  async () => {
    const kv = await loadVectors(`${model}.bin`);
    await saveVectors(kv, file('again.bin'));
    const theirs = fastTextVectors(file('again.bin'), QUERY_WORDS);
    QUERY_WORDS.forEach((word, i) => assertClose(kv.vector(word), theirs[i]!, word));
    const plain = new KeyedVectors(['a', 'b'], Float32Array.of(1, 2, 3, 4), 2);
    await saveVectors(plain, file('plain.ft'), { format: 'fasttext' });
    assert.deepEqual(fastTextVectors(file('plain.ft'), ['b', 'a']), [
      [3, 4],
      [1, 2],
    ]);
    const back = await loadVectors(file('plain.ft'));
    assert.deepEqual(Array.from(back.vector('b')), [3, 4]);
  },
);

test('supervised, quantized and truncated models get a clear error', { skip }, async () => {
  const labelled = file('labelled.txt');
  const lines = Array.from(
    { length: 600 },
    (_, i) => `__label__${i % 2} word${i % 300} café${i % 7} мир`,
  );
  writeFileSync(labelled, lines.join('\n') + '\n');
  runFastText([
    'supervised',
    '-input',
    labelled,
    '-output',
    file('sup'),
    '-dim',
    '4',
    '-epoch',
    '1',
    '-verbose',
    '0',
  ]);
  await assert.rejects(
    loadVectors(file('sup.bin')),
    (e: Error) => e instanceof InputError && /supervised fastText model/.test(e.message),
  );
  runFastText(['quantize', '-input', labelled, '-output', file('sup'), '-verbose', '0']);
  await assert.rejects(loadVectors(file('sup.ftz')), /supervised fastText model/);
  // An unsupervised model with its quantized flag set (which fasttext quantize gives only classifiers).
  const bytes = readFileSync(`${model}.bin`);
  const kv = await loadVectors(`${model}.bin`);
  const flagAt =
    bytes.length - 1 - 8 * 2 - kv.size * kv.dim * 4 - 1 - 16 - (kv.size + 20011) * kv.dim * 4;
  const quantized = Buffer.from(bytes);
  assert.equal(quantized[flagAt], 0);
  quantized[flagAt] = 1;
  writeFileSync(file('quantized.bin'), quantized);
  await assert.rejects(loadVectors(file('quantized.bin')), /quantized fastText model \(\.ftz/);
  writeFileSync(file('cut.bin'), bytes.subarray(0, bytes.length - 1000));
  await assert.rejects(
    loadVectors(file('cut.bin')),
    (e: Error) => e instanceof InputError && /truncated/.test(e.message),
  );
});

test('evaluation scores every pair and question of a subword model', { skip }, async () => {
  const kv = await loadVectors(`${model}.bin`);
  writeFileSync(
    file('pairs.tsv'),
    'walking\twalkings\t9\nmiswalked\twalkers\t8\nмирый\tcafés\t1\nслово\tnaïve\t2\n',
  );
  const pairs = await evaluateWordPairs(kv, file('pairs.tsv'));
  assert.equal(pairs.oovRatio, 0);
  assert.equal(pairs.pairs, 4);
  writeFileSync(
    file('questions.txt'),
    ': forms\nwalk walking talk talking\nwalkz walkingz talk talking\ncafé cafés мир миры\n',
  );
  const analogies = await evaluateAnalogies(kv, file('questions.txt'));
  assert.equal(analogies.skipped, 0);
  assert.equal(analogies.total.correct + analogies.total.incorrect, 3);
});

test(
  'w2v similar and the explorer answer for an unseen word of a fastText model',
  { skip },
  async () => {
    const similar = await w2v(['similar', `${model}.bin`, 'miswalkedly', '--topn', '3', '--json']);
    assert.equal(similar.status, 0, similar.stderr);
    const kv = await loadVectors(`${model}.bin`);
    const expected = kv.mostSimilar({ positive: ['miswalkedly'], topn: 3 }).map((n) => n.word);
    const printed = JSON.parse(similar.stdout) as { neighbours: Array<{ word: string }> };
    assert.deepEqual(
      printed.neighbours.map((n) => n.word),
      expected,
    );
    const server = await startServe([`${model}.bin`]);
    try {
      const response = await fetch(new URL('/api/similar?word=miswalkedly&topn=3', server.url));
      const body = (await response.json()) as { rank: number; neighbours: Array<{ word: string }> };
      assert.equal(response.status, 200);
      assert.equal(body.rank, -1);
      assert.deepEqual(
        body.neighbours.map((n) => n.word),
        expected,
      );
    } finally {
      await server.stop();
    }
  },
);
