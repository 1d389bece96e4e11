import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { InputError, UsageError, W2vError } from '../src/errors.js';
import { formatFromPath } from '../src/io/file-format.js';
import { detectFormat, loadVectors } from '../src/io/load.js';
import { saveVectors } from '../src/io/save.js';
import { loadNative, saveNative, type NativeModel } from '../src/io/native-format.js';
import { NATIVE_MAGIC } from '../src/io/native-header.js';
import { saveWord2Vec } from '../src/io/word2vec-format.js';
import { resolveOptions } from '../src/options.js';
import { train } from '../src/train/trainer.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { writePlantedCorpus } from './planted-corpus.js';
import { seededRandom } from '../src/sampling/random.js';
import { FASTTEXT, fastTextSkip, gensimSkip, PYTHON } from './peers.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-native-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string): string {
  return join(directory, name);
}

/** Words that no word2vec file could hold (spaces, a newline, the empty word) survive the native format. */
const ODD_WORDS = ['the', 'naïve', '日本語', '😀', 'two words', 'line\nbreak', '', 'tab\there'];

function sampleModel(
  size: number,
  dim: number,
  seed: number,
  kind: 'ns' | 'hs' | 'none' = 'ns',
): NativeModel {
  const random = seededRandom(seed);
  const words = Array.from({ length: size }, (_, i) =>
    i < ODD_WORDS.length ? ODD_WORDS[i]! : `word${i}`,
  );
  const vectors = Float32Array.from(
    { length: size * dim },
    () => (random() - 0.5) * 10 ** Math.floor(random() * 8 - 4),
  );
  vectors[0] = -0;
  vectors[1] = Infinity;
  vectors[2] = 1e-45;
  const model: NativeModel = {
    vectors: new KeyedVectors(words, vectors, dim),
    counts: Float64Array.from(
      { length: size },
      (_, i) => Math.floor(1e6 / (i + 1)) + 0.5 * (i % 2),
    ),
    options: resolveOptions({
      input: ['corpus-a.txt.gz', 'corpus-b.txt'],
      dim,
      loss: kind === 'hs' ? 'hs' : 'ns',
      threads: 3,
      seed: 42,
    }),
  };
  if (kind !== 'none') {
    const rows = kind === 'ns' ? size : Math.max(size - 1, 1);
    model.outputWeights = Float32Array.from({ length: rows * dim }, () => random() - 0.5);
    model.outputKind = kind;
  }
  return model;
}

function bits(values: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function assertSameModel(actual: NativeModel, expected: NativeModel): void {
  assert.deepEqual(actual.vectors.words, expected.vectors.words);
  assert.equal(actual.vectors.dim, expected.vectors.dim);
  assert.deepEqual(bits(actual.vectors.vectors), bits(expected.vectors.vectors));
  assert.deepEqual(actual.counts && bits(actual.counts), expected.counts && bits(expected.counts));
  assert.deepEqual(
    actual.outputWeights && bits(actual.outputWeights),
    expected.outputWeights && bits(expected.outputWeights),
  );
  assert.equal(actual.outputKind, expected.outputKind);
  assert.deepEqual(actual.options, expected.options);
}

/** Asserts an InputError whose message names the file and matches `pattern`. */
async function assertInputError(
  promise: Promise<unknown>,
  path: string,
  pattern: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.ok(error.message.includes(path), `the message does not name the file: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  });
}

/** Where crafted files' data starts: a 1,000-byte header after the 24-byte preamble. */
const CRAFTED_DATA = 1024;

/**
 * A file with a valid preamble and header checksum around any header text
 * (padded to 1,000 bytes) and `data`. In an object header, block offsets are
 * taken as relative to the data, and `fileBytes: 'auto'` becomes the true size.
 */
function craft(name: string, header: unknown, data = Buffer.alloc(64), version = 1): string {
  let text: string;
  if (typeof header === 'string') {
    text = header;
  } else {
    const record = { ...(header as Record<string, unknown>) };
    if (record['fileBytes'] === 'auto') record['fileBytes'] = CRAFTED_DATA + data.length;
    const blocks = record['blocks'] as Record<string, { offset: number }> | undefined;
    if (blocks) {
      record['blocks'] = Object.fromEntries(
        Object.entries(blocks).map(([k, v]) => [k, { ...v, offset: v.offset + CRAFTED_DATA }]),
      );
    }
    text = JSON.stringify(record);
  }
  const json = Buffer.from(text);
  assert.ok(json.length <= CRAFTED_DATA - 24);
  const padded = Buffer.concat([json, Buffer.alloc(CRAFTED_DATA - 24 - json.length, 0x20)]);
  const preamble = Buffer.alloc(24);
  preamble.set(NATIVE_MAGIC);
  preamble.writeUInt32LE(version, 8);
  preamble.writeUInt32LE(padded.length, 12);
  preamble.writeUInt32LE(zlib.crc32(padded), 16);
  const path = file(name);
  writeFileSync(path, Buffer.concat([preamble, padded, data]));
  return path;
}

for (const kind of ['ns', 'hs', 'none'] as const) {
  test(`round trip keeps words, counts, vectors, output weights (${kind}) and options exactly`, async () => {
    const model = sampleModel(300, 7, kind.length, kind);
    const path = file(`round-trip-${kind}.w2v`);
    await saveNative(path, model);
    assert.deepEqual(readFileSync(path).subarray(0, 8), Buffer.from(NATIVE_MAGIC));
    assertSameModel(await loadNative(path), model);
    // Vectors alone.
    const bare: NativeModel = { vectors: model.vectors };
    await saveNative(path, bare);
    assertSameModel(await loadNative(path), bare);
  });
}

test('an empty vocabulary round-trips', async () => {
  const model: NativeModel = {
    vectors: new KeyedVectors([], new Float32Array(0), 3),
    counts: new Float64Array(0),
  };
  await saveNative(file('empty.w2v'), model);
  assertSameModel(await loadNative(file('empty.w2v')), model);
});

test('a trained model saved as .w2v keeps what training needs to resume (ns and hs)', async () => {
  const corpus = writePlantedCorpus(file('planted.txt'), { sentences: 600 });
  for (const loss of ['ns', 'hs'] as const) {
    const model = await train({
      input: corpus.path,
      dim: 12,
      minCount: 1,
      epochs: 1,
      threads: 1,
      loss,
      seed: 3,
    });
    const path = file(`trained-${loss}.w2v`);
    await model.save(path);
    const loaded = await loadNative(path);
    assertSameModel(loaded, {
      vectors: model.vectors,
      counts: model.counts,
      outputWeights: model.outputWeights,
      outputKind: loss,
      options: model.options,
    });
    assert.equal(
      loaded.outputWeights!.length / 12,
      loss === 'ns' ? model.vectors.size : model.vectors.size - 1,
    );
    // An explicit format wins over the name.
    await model.save(file(`trained-${loss}.data`), { format: 'native' });
    assert.equal(await detectFormat(file(`trained-${loss}.data`)), 'native');
    await model.save(file(`trained-${loss}.bin`));
    assert.equal((await loadVectors(file(`trained-${loss}.bin`))).size, model.vectors.size);
  }
});

test('limit loads the first words and their counts, without output weights', async () => {
  const model = sampleModel(50, 4, 9);
  const path = file('limit.w2v');
  await saveNative(path, model);
  const loaded = await loadNative(path, { limit: 10 });
  assert.deepEqual(loaded.vectors.words, model.vectors.words.slice(0, 10));
  assert.deepEqual(bits(loaded.vectors.vectors), bits(model.vectors.vectors.slice(0, 40)));
  assert.deepEqual(loaded.counts, model.counts!.slice(0, 10));
  assert.equal(loaded.outputWeights, undefined);
  assert.equal(loaded.outputKind, undefined);
  assert.deepEqual(loaded.options, model.options);
  assert.equal((await loadNative(path, { limit: 500 })).outputKind, 'ns');
  assert.deepEqual((await loadVectors(path, { limit: 3 })).words, model.vectors.words.slice(0, 3));
  await assert.rejects(loadNative(path, { limit: -1 }), UsageError);
});

test('saveNative rejects parts that do not fit together, and leaves no file behind', async () => {
  const model = sampleModel(20, 3, 2);
  const sub = mkdtempSync(join(directory, 'reject-'));
  const path = join(sub, 'bad.w2v');
  await assert.rejects(
    saveNative(path, { ...model, counts: new Float64Array(19) }),
    /counts has 19 values for 20 words/,
  );
  await assert.rejects(
    saveNative(path, { ...model, outputWeights: new Float32Array(57) }),
    /'ns' output weights for 20 words of 3 dimensions are 20 × 3 = 60/,
  );
  await assert.rejects(
    saveNative(path, { ...model, outputKind: 'hs' }),
    /'hs' output weights for 20 words of 3 dimensions are 19 × 3 = 57/,
  );
  await assert.rejects(
    saveNative(path, { vectors: model.vectors, outputWeights: model.outputWeights }),
    UsageError,
  );
  await assert.rejects(saveNative(path, { vectors: model.vectors, outputKind: 'ns' }), UsageError);
  assert.deepEqual(readdirSync(sub), []);
  const nowhere = join(sub, 'missing-dir', 'model.w2v');
  await assert.rejects(
    saveNative(nowhere, model),
    (error: unknown) => error instanceof W2vError && error.message.includes(nowhere),
  );
  assert.deepEqual(readdirSync(sub), []);
});

test('every truncation gives an InputError naming the file and a byte offset', async () => {
  const path = file('whole.w2v');
  await saveNative(path, sampleModel(40, 5, 4));
  const whole = readFileSync(path);
  const cuts = [0, 3, 8, 20, 23, 24, 100, whole.length >> 1, whole.length - 100, whole.length - 1];
  for (const cut of cuts) {
    const truncated = file(`truncated-${cut}.w2v`);
    writeFileSync(truncated, whole.subarray(0, cut));
    await assertInputError(
      loadNative(truncated),
      truncated,
      cut < 8 ? /not a word2vec-ts native model file/ : /byte offset \d+/,
    );
  }
});

test('every flipped bit in the preamble, header or data gives an InputError naming the file and a byte offset', async () => {
  const path = file('intact.w2v');
  await saveNative(path, sampleModel(60, 6, 5, 'hs'));
  const intact = readFileSync(path);
  const headerEnd = 24 + intact.readUInt32LE(12);
  const header = JSON.parse(intact.toString('utf8', 24, headerEnd)) as {
    blocks: Record<string, { offset: number; bytes: number }>;
  };
  const positions = new Set<number>([0, 1, 7, 8, 9, 12, 13, 14, 16, 19]);
  const random = seededRandom(11);
  for (let i = 0; i < 40; i++) positions.add(24 + Math.floor(random() * (headerEnd - 24)));
  for (const { offset, bytes } of Object.values(header.blocks)) {
    for (let i = 0; i < 4; i++) positions.add(offset + Math.floor(random() * bytes));
  }
  for (const position of positions) {
    const damaged = Buffer.from(intact);
    damaged[position]! ^= 1 << Math.floor(random() * 8);
    const target = file('damaged.w2v');
    writeFileSync(target, damaged);
    await assertInputError(
      loadNative(target),
      target,
      position < 8 ? /not a word2vec-ts native model file/ : /byte offset \d+/,
    );
  }
});

test('headers that lie give InputErrors before anything is allocated', async () => {
  const ok = { format: 'word2vec-ts native', size: 2, dim: 1, outputKind: null, options: null };
  const blocks = (extra: Record<string, unknown> = {}) => ({
    wordLengths: { offset: 0, bytes: 8, crc32: 0 },
    words: { offset: 8, bytes: 2, crc32: 0 },
    vectors: { offset: 16, bytes: 8, crc32: 0 },
    ...extra,
  });
  const cases: Array<[string, unknown, RegExp, number?]> = [
    [
      'not-json.w2v',
      '{"format": "word2vec-ts native", size: 2',
      /byte offset 24: the header is not valid JSON/,
    ],
    ['array.w2v', '[1, 2]', /header: expected a JSON object/],
    [
      'newer.w2v',
      ok,
      /byte offset 8: format version 2 is newer than this version of word2vec-ts reads \(1\)/,
      2,
    ],
    [
      'huge-size.w2v',
      { ...ok, size: 2 ** 40, fileBytes: 'auto', blocks: blocks() },
      /block "wordLengths" has 8 bytes; 1099511627776 words of 1 dimensions need 4398046511104/,
    ],
    [
      'negative-dim.w2v',
      { ...ok, dim: -3, fileBytes: 'auto', blocks: blocks() },
      /"dim" must be a positive integer, found -3/,
    ],
    [
      'wrong-length.w2v',
      { ...ok, fileBytes: 999, blocks: blocks() },
      /should be 999 bytes long but is/,
    ],
    [
      'outside.w2v',
      {
        ...ok,
        fileBytes: 'auto',
        blocks: blocks({ vectors: { offset: 4096, bytes: 8, crc32: 0 } }),
      },
      /block "vectors" \(8 bytes at byte offset 5120\) lies outside the data \(bytes 1024 to 1088\)/,
    ],
    [
      'overlap.w2v',
      { ...ok, fileBytes: 'auto', blocks: blocks({ vectors: { offset: 8, bytes: 8, crc32: 0 } }) },
      /blocks "words" and "vectors" overlap/,
    ],
    [
      'bad-crc.w2v',
      { ...ok, fileBytes: 'auto', blocks: blocks() },
      /byte offset 1024: the block "wordLengths" \(8 bytes\) is damaged: its checksum does not match/,
    ],
    [
      'unknown-block.w2v',
      { ...ok, fileBytes: 'auto', blocks: blocks({ extra: { offset: 0, bytes: 0, crc32: 0 } }) },
      /unknown block "extra"/,
    ],
    [
      'missing-output.w2v',
      { ...ok, outputKind: 'hs', fileBytes: 'auto', blocks: blocks() },
      /"outputKind" is "hs" but the block "outputWeights" is missing/,
    ],
    [
      'bad-options.w2v',
      { ...ok, options: { input: [''], dim: 1 }, fileBytes: 'auto', blocks: blocks() },
      /"options": input must name corpus files/,
    ],
  ];
  for (const [name, header, pattern, version] of cases) {
    const path = craft(name, header, Buffer.alloc(64), version);
    await assertInputError(loadNative(path), path, pattern);
  }
  // A word2vec file is not a native one.
  const kv = new KeyedVectors(['a'], new Float32Array([1]), 1);
  await saveWord2Vec(kv, file('vectors.bin'));
  await assertInputError(
    loadNative(file('vectors.bin')),
    file('vectors.bin'),
    /not a word2vec-ts native model file: expected the bytes 89 57 32 56 0d 0a 1a 0a at byte offset 0, found 31 20 31 0a 61 20 00 00/,
  );
  await assertInputError(loadNative(file('no-such.w2v')), file('no-such.w2v'), /cannot read/);
});

test('formats are chosen by extension, by content when the name does not say, or as asked', async () => {
  assert.equal(formatFromPath('m.w2v', undefined, undefined), 'native');
  assert.equal(formatFromPath('m.BIN', undefined, undefined), 'bin');
  assert.equal(formatFromPath('m.vec', undefined, undefined), 'txt');
  assert.equal(formatFromPath('m.txt', undefined, undefined), 'txt');
  assert.equal(formatFromPath('m', undefined, undefined), undefined);
  assert.equal(formatFromPath('m'), 'bin');
  assert.equal(formatFromPath('m.w2v', 'txt'), 'txt');
  const { vectors: kv } = sampleModel(30, 4, 6);
  const plain = new KeyedVectors(
    kv.words.map((_, i) => `w${i}`),
    kv.vectors,
    kv.dim,
  );
  for (const format of ['bin', 'txt', 'native'] as const) {
    const unnamed = file(`sniffed-${format}`);
    await saveVectors(plain, unnamed, { format });
    assert.equal(await detectFormat(unnamed), format);
    const loaded = await loadVectors(unnamed);
    assert.deepEqual(loaded.words, plain.words);
    assert.deepEqual(bits(loaded.vectors), bits(plain.vectors));
  }
  // A native file is recognised whatever its name.
  await saveVectors(plain, file('misnamed.bin'), { format: 'native' });
  assert.equal(await detectFormat(file('misnamed.bin')), 'native');
  // The extension decides the default save format.
  await saveVectors(plain, file('chosen.w2v'));
  assert.equal((await loadNative(file('chosen.w2v'))).vectors.size, 30);
  await assert.rejects(loadVectors(file('chosen.w2v'), { format: 'csv' as 'bin' }), UsageError);
});

test('fastText .vec files (a trailing space after the last value) load', async () => {
  const path = file('hand.vec');
  writeFileSync(path, '3 4\n</s> 0.1 -0.2 0.3 0.4 \nthe 1 2 3 4 \nof -1.5e-3 2 3 4 \n');
  const kv = await loadVectors(path);
  assert.deepEqual(kv.words, ['</s>', 'the', 'of']);
  assert.deepEqual(
    [...kv.vectors],
    [0.1, -0.2, 0.3, 0.4, 1, 2, 3, 4, -1.5e-3, 2, 3, 4].map(Math.fround),
  );
});

const fastTextMissing = fastTextSkip();

test(
  'a .vec file written by fastText loads with every word and value',
  { skip: fastTextMissing },
  async () => {
    const corpus = writePlantedCorpus(file('ft-corpus.txt'), { sentences: 400 });
    const output = file('ft');
    const run = spawnSync(
      FASTTEXT,
      [
        'skipgram',
        '-input',
        corpus.path,
        '-output',
        output,
        '-minn',
        '0',
        '-maxn',
        '0',
        '-dim',
        '10',
        '-epoch',
        '1',
        '-minCount',
        '1',
        '-thread',
        '1',
        '-verbose',
        '0',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const text = readFileSync(`${output}.vec`, 'utf8');
    const lines = text.split('\n').filter((line) => line.length > 0);
    const [count, dim] = lines[0]!.trim().split(' ').map(Number);
    assert.ok(lines[1]!.endsWith(' '), 'fastText ends each vector line with a space');
    const kv = await loadVectors(`${output}.vec`);
    assert.equal(kv.size, count);
    assert.equal(kv.dim, dim);
    lines.slice(1).forEach((line, row) => {
      const [word, ...values] = line.trim().split(' ');
      assert.equal(kv.words[row], word);
      assert.deepEqual(
        [...kv.vectors.subarray(row * dim!, (row + 1) * dim!)],
        values.map((v) => Math.fround(Number(v))),
      );
    });
  },
);

const gensimMissing = gensimSkip();

test(
  'vectors converted through the native format are what gensim reads from the original',
  { skip: gensimMissing },
  async () => {
    const model = sampleModel(200, 8, 13);
    const plain = new KeyedVectors(
      model.vectors.words.map((_, i) => `w${i}`),
      model.vectors.vectors,
      8,
    );
    await saveVectors(plain, file('via.w2v'));
    await saveVectors(await loadVectors(file('via.w2v')), file('via.bin'));
    const script = `
import sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=True)
kv.vectors.astype('<f4').tofile(sys.argv[2])
print(' '.join(kv.index_to_key))
`;
    const run = spawnSync(PYTHON, ['-c', script, file('via.bin'), file('via.f32')], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split(' '), plain.words);
    assert.deepEqual(new Uint8Array(readFileSync(file('via.f32'))), bits(plain.vectors));
  },
);
