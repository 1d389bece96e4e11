import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError, W2vError } from '../src/errors.js';
import { formatFromPath } from '../src/io/file-format.js';
import { formatFloat32 } from '../src/io/float-text.js';
import { loadWord2Vec, saveWord2Vec } from '../src/io/word2vec-format.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { seededRandom } from '../src/sampling/random.js';
import { gensimSkip, PYTHON } from './peers.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-format-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string): string {
  return join(directory, name);
}

const UNICODE_WORDS = [
  'the',
  'naïve',
  'Ελληνικά',
  '日本語',
  '😀',
  'straße',
  'Zürich',
  'a-b_c.d',
  '</s>',
];

/** Words including multi-byte UTF-8 and values of many magnitudes, including awkward float32s. */
function sampleModel(size: number, dim: number, seed: number): KeyedVectors {
  const random = seededRandom(seed);
  const words = Array.from({ length: size }, (_, i) =>
    i < UNICODE_WORDS.length ? UNICODE_WORDS[i]! : `word${i}`,
  );
  const vectors = new Float32Array(size * dim);
  for (let i = 0; i < vectors.length; i++) {
    vectors[i] = (random() - 0.5) * 10 ** Math.floor(random() * 12 - 8);
  }
  const awkward = [
    0, -0, 1, -1, 0.1, 1e-45, -1e-45, 1.1754943508222875e-38, 3.4028234663852886e38,
    -3.4028234663852886e38, 16777216, 123456789, 1e-7, 5e-5, -1.2345679e20, -9.876543e20, 1e21,
    -1.2345678e-6, 9.999999, 1e-4, -0.00012345678,
  ];
  awkward.forEach((v, i) => (vectors[i] = v));
  return new KeyedVectors(words, vectors, dim);
}

function assertSameModel(actual: KeyedVectors, expected: KeyedVectors): void {
  assert.equal(actual.dim, expected.dim);
  assert.deepEqual(actual.words, expected.words);
  assert.equal(actual.vectors.length, expected.vectors.length);
  // Bit patterns, so that -0 and 0 differ.
  const a = new Uint32Array(
    actual.vectors.buffer,
    actual.vectors.byteOffset,
    actual.vectors.length,
  );
  const b = new Uint32Array(
    expected.vectors.buffer,
    expected.vectors.byteOffset,
    expected.vectors.length,
  );
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i])
      assert.fail(
        `value ${i} (word '${expected.words[Math.floor(i / expected.dim)]}') is ${actual.vectors[i]}, expected ${expected.vectors[i]}`,
      );
  }
}

/** Asserts an InputError whose message names the file and contains `where`. */
async function assertInputError(
  promise: Promise<unknown>,
  path: string,
  where: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.ok(error.message.includes(path), `message does not name the file: ${error.message}`);
    assert.match(error.message, where);
    return true;
  });
}

function header(count: number, dim: number): Buffer {
  return Buffer.from(`${count} ${dim}\n`);
}

function binaryRecord(word: string, values: number[], newline: boolean): Buffer {
  const floats = Buffer.alloc(values.length * 4);
  values.forEach((v, k) => floats.writeFloatLE(v, k * 4));
  return Buffer.concat([Buffer.from(`${word} `), floats, Buffer.from(newline ? '\n' : '')]);
}

test('formatFromPath: .txt .vec .text are text, .w2v native, anything else binary', () => {
  assert.equal(formatFromPath('a/vectors.txt'), 'txt');
  assert.equal(formatFromPath('model.w2v'), 'native');
  assert.equal(formatFromPath('vectors.VEC'), 'txt');
  assert.equal(formatFromPath('vectors.text'), 'txt');
  assert.equal(formatFromPath('vectors.bin'), 'bin');
  assert.equal(formatFromPath('vectors'), 'bin');
  assert.equal(formatFromPath('vectors.txt.gz'), 'bin');
});

test('formatFloat32 writes the shortest decimal that round-trips', () => {
  // The definition: fewest significant digits p such that toPrecision(p) parses back to the float.
  const reference = (v: number): string => {
    for (let p = 1; p <= 9; p++) {
      const s = v.toPrecision(p);
      if (Math.fround(parseFloat(s)) === v) return String(Number(s));
    }
    throw new Error(`no round trip for ${v}`);
  };
  const random = seededRandom(5);
  const bits = new Uint32Array(1);
  const float = new Float32Array(bits.buffer);
  for (let i = 0; i < 200_000; i++) {
    let v: number;
    if (i % 2 === 0) {
      bits[0] = Math.floor(random() * 2 ** 32);
      v = float[0]!;
      if (!Number.isFinite(v) || v === 0) continue;
    } else {
      v = Math.fround((random() - 0.5) * 10 ** Math.floor(random() * 10 - 6));
    }
    const written = formatFloat32(v);
    if (written !== reference(v)) assert.fail(`${v}: wrote ${written}, expected ${reference(v)}`);
  }
  assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
  assert.equal(formatFloat32(-0), '-0');
  assert.equal(formatFloat32(NaN), 'nan');
  assert.equal(formatFloat32(-Infinity), '-inf');
  assert.equal(formatFloat32(Math.fround(3.4028234663852886e38)), '3.4028235e+38');
});

for (const format of ['bin', 'txt'] as const) {
  test(`${format} round trip keeps words (UTF-8) and exact float32 values`, async () => {
    const model = sampleModel(500, 7, 1);
    const path = file(`round-trip.${format}`);
    await saveWord2Vec(model, path);
    const loaded = await loadWord2Vec(path);
    assertSameModel(loaded, model);
    if (format === 'txt') {
      // Every value is written as formatFloat32 writes it.
      const lines = readFileSync(path, 'utf8').split('\n');
      for (let row = 0; row < model.size; row++) {
        const word = model.words[row]!;
        const values = Array.from(model.vector(word), (v) => formatFloat32(v));
        assert.equal(lines[row + 1], [word, ...values].join(' '));
      }
    }
    // Explicit format wins over the extension.
    const other = file(`round-trip-${format}.data`);
    await saveWord2Vec(model, other, { format });
    assertSameModel(await loadWord2Vec(other, { format }), model);
  });
}

test("binary layout is word2vec.c's: header, word, space, float32 LE, newline", async () => {
  const kv = new KeyedVectors(['ab', 'é'], Float32Array.from([1, -2, 0.5, 3]), 2);
  const path = file('layout.bin');
  await saveWord2Vec(kv, path);
  const expected = Buffer.concat([
    header(2, 2),
    binaryRecord('ab', [1, -2], true),
    binaryRecord('é', [0.5, 3], true),
  ]);
  assert.deepEqual(readFileSync(path), expected);
  await saveWord2Vec(kv, file('layout.txt'));
  assert.equal(readFileSync(file('layout.txt'), 'utf8'), '2 2\nab 1 -2\né 0.5 3\n');
});

test('saveWord2Vec and loadWord2Vec write and read binary unless the name says text, .w2v included', async () => {
  const kv = new KeyedVectors(['ab', 'é'], Float32Array.from([1, -2, 0.5, 3]), 2);
  const expected = Buffer.concat([
    header(2, 2),
    binaryRecord('ab', [1, -2], true),
    binaryRecord('é', [0.5, 3], true),
  ]);
  for (const name of ['named.w2v', 'unnamed']) {
    await saveWord2Vec(kv, file(name));
    assert.deepEqual(readFileSync(file(name)), expected);
    assertSameModel(await loadWord2Vec(file(name)), kv);
  }
});

test('loads binary files without a newline after each vector (as gensim writes)', async () => {
  const path = file('no-newlines.bin');
  writeFileSync(
    path,
    Buffer.concat([
      header(3, 2),
      binaryRecord('x', [1, 2], false),
      binaryRecord('y', [3, 4], false),
      binaryRecord('z', [5, 6], false),
    ]),
  );
  const kv = await loadWord2Vec(path);
  assert.deepEqual(kv.words, ['x', 'y', 'z']);
  assert.deepEqual([...kv.vectors], [1, 2, 3, 4, 5, 6]);
});

test('loads word2vec.c text ("%lf " trailing spaces) and CRLF line ends', async () => {
  const path = file('c-style.txt');
  writeFileSync(
    path,
    '2 3\r\nthe 0.100000 -0.200000 1e-05 \r\nof 1.000000 2.000000 -3.500000 \r\n',
  );
  const kv = await loadWord2Vec(path);
  assert.deepEqual(kv.words, ['the', 'of']);
  assert.deepEqual([...kv.vectors], [0.1, -0.2, 1e-5, 1, 2, -3.5].map(Math.fround));
  const special = file('special.txt');
  writeFileSync(special, '1 5\nw nan -inf inf +1.5 0x10\n');
  const values = [...(await loadWord2Vec(special)).vectors];
  assert.ok(Number.isNaN(values[0]));
  assert.deepEqual(values.slice(1), [-Infinity, Infinity, 1.5, 16]);
});

test('limit loads only the first vectors; duplicate words keep the first', async () => {
  const model = sampleModel(50, 4, 2);
  for (const format of ['bin', 'txt'] as const) {
    const path = file(`limit.${format}`);
    await saveWord2Vec(model, path);
    const kv = await loadWord2Vec(path, { limit: 10 });
    assert.deepEqual(kv.words, model.words.slice(0, 10));
    assert.deepEqual(kv.vectors, model.vectors.slice(0, 40));
    assert.equal((await loadWord2Vec(path, { limit: 1000 })).size, 50);
  }
  const duplicates = file('duplicates.bin');
  writeFileSync(
    duplicates,
    Buffer.concat([
      header(3, 1),
      binaryRecord('a', [1], true),
      binaryRecord('b', [2], true),
      binaryRecord('a', [3], true),
    ]),
  );
  const kv = await loadWord2Vec(duplicates);
  assert.deepEqual(kv.words, ['a', 'b']);
  assert.deepEqual([...kv.vectors], [1, 2]);
  const textDuplicates = file('duplicates.txt');
  writeFileSync(textDuplicates, '3 1\na 1\na 2\nb 3\n');
  assert.deepEqual([...(await loadWord2Vec(textDuplicates)).vectors], [1, 3]);
  await assert.rejects(loadWord2Vec(duplicates, { limit: -1 }), UsageError);
});

test('malformed headers give InputError naming the file and line 1', async () => {
  for (const [name, content] of [
    ['bad-header.bin', 'vectors follow\nabc'],
    ['bad-header.txt', '10\nthe 1 2 3\n'],
    ['zero-dim.txt', '1 0\nthe\n'],
    ['empty.bin', ''],
  ] as const) {
    const path = file(name);
    writeFileSync(path, content);
    await assertInputError(
      loadWord2Vec(path),
      path,
      /line 1: expected a header "<vector count> <dimensions>"/,
    );
  }
  // A header declaring more than the file can hold fails before allocating.
  const huge = file('huge.bin');
  writeFileSync(
    huge,
    Buffer.concat([header(2_000_000_000, 300), binaryRecord('a', new Array(300).fill(0), true)]),
  );
  await assertInputError(
    loadWord2Vec(huge),
    huge,
    /line 1: the header declares 2000000000 vectors of 300 dimensions/,
  );
  await assertInputError(loadWord2Vec(file('missing.bin')), file('missing.bin'), /cannot read/);
});

test('truncated binary files give InputError naming the byte offset', async () => {
  const first = binaryRecord('alpha', [1, 2, 3], true);
  const second = binaryRecord('beta', [4, 5, 6], true);
  const short = file('short-last.bin');
  // The last vector lacks its final 5 bytes; the header claims 2 records of 3 floats (min 14 bytes each).
  writeFileSync(short, Buffer.concat([header(2, 3), first, second.subarray(0, second.length - 6)]));
  const valuesOffset = header(2, 3).length + first.length + 'beta '.length;
  await assertInputError(
    loadWord2Vec(short),
    short,
    new RegExp(
      `'beta'\\) at byte offset ${valuesOffset} is truncated: expected 12 bytes of float32 values, found 7`,
    ),
  );

  const fewer = file('fewer.bin');
  // Header says 3 vectors, but the file ends after 2 (padding keeps the size check from firing first).
  writeFileSync(fewer, Buffer.concat([header(3, 3), first, second, Buffer.from('\n'.repeat(20))]));
  const end = header(3, 3).length + first.length + second.length + 20;
  await assertInputError(
    loadWord2Vec(fewer),
    fewer,
    new RegExp(`ends at byte offset ${end} after 2 vectors, but the header declares 3`),
  );
});

test('malformed text lines give InputError naming the file and line', async () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'non-numeric.txt',
      '2 3\nthe 1 2 3\nof 1 two 3\n',
      /line 3: value 2 of the word 'of' is not a number: "two"/,
    ],
    [
      'too-few-values.txt',
      '2 3\nthe 1 2 3\nof 1 2\n',
      /line 3: expected 3 values after the word 'of', found 2/,
    ],
    [
      'too-many-values.txt',
      '2 3\nthe 1 2 3 4\nof 1 2 3\n',
      /line 2: expected 3 values after the word 'the', found 4/,
    ],
    [
      'too-few-lines.txt',
      '5 3\nthe 1.0 2.0 3.0\nof 1.0 2.0 3.0\nand 1.0 2.0 3.0\n',
      /line 5: expected vector 4 of the 5 the header declares, found the end of the file/,
    ],
    [
      'empty-line.txt',
      '3 2\nthe 1 2\n\nof 3 4\n',
      /line 3: expected a word followed by 2 values, found an empty line/,
    ],
  ];
  for (const [name, content, where] of cases) {
    const path = file(name);
    writeFileSync(path, content);
    await assertInputError(loadWord2Vec(path), path, where);
  }
});

test('a failed save leaves an existing file untouched and no temporary file behind', async () => {
  const sub = mkdtempSync(join(directory, 'atomic-'));
  const target = join(sub, 'vectors.bin');
  writeFileSync(target, 'previous content');
  // A word with a space cannot be written; it comes after more than a megabyte
  // of records, so the failure happens mid-stream, after chunks were written.
  const size = 6000;
  const words = Array.from({ length: size }, (_, i) => (i === size - 1 ? 'two words' : `w${i}`));
  const kv = new KeyedVectors(words, new Float32Array(size * 50).fill(0.25), 50);
  for (const format of ['bin', 'txt'] as const) {
    await assert.rejects(
      saveWord2Vec(kv, target, { format }),
      (error: unknown) =>
        error instanceof UsageError && /word 5999 \("two words"\)/.test(error.message),
    );
    assert.equal(readFileSync(target, 'utf8'), 'previous content');
    assert.deepEqual(readdirSync(sub), ['vectors.bin']);
  }
  // A directory that does not exist: nothing is created, the error names the path.
  const nowhere = join(sub, 'no-such-dir', 'v.bin');
  await assert.rejects(
    saveWord2Vec(new KeyedVectors(['a'], new Float32Array(1), 1), nowhere),
    (error: unknown) => error instanceof W2vError && error.message.includes(nowhere),
  );
  // A successful save replaces the file.
  await saveWord2Vec(new KeyedVectors(['a'], new Float32Array([1]), 1), target);
  assert.deepEqual((await loadWord2Vec(target)).words, ['a']);
  assert.deepEqual(readdirSync(sub), ['vectors.bin']);
});

test('a 70,000 × 100 binary file round-trips exactly', async () => {
  const size = 70_000;
  const dim = 100;
  const random = seededRandom(9);
  const vectors = Float32Array.from({ length: size * dim }, () => random() - 0.5);
  const kv = new KeyedVectors(
    Array.from({ length: size }, (_, i) => `word${i}`),
    vectors,
    dim,
  );
  const path = file('big.bin');
  await saveWord2Vec(kv, path);
  const loaded = await loadWord2Vec(path);
  assert.equal(loaded.size, size);
  assert.deepEqual(loaded.vectors, vectors);
});

const gensimMissing = gensimSkip();

test(
  "gensim reads our files and we read gensim's, identically",
  { skip: gensimMissing },
  async () => {
    const model = sampleModel(300, 9, 3);
    await saveWord2Vec(model, file('ours.bin'));
    await saveWord2Vec(model, file('ours.txt'));
    const script = `
import json, sys
import numpy as np
from gensim.models import KeyedVectors
d = sys.argv[1]
out = {}
for name, binary in (('ours.bin', True), ('ours.txt', False)):
    kv = KeyedVectors.load_word2vec_format(f'{d}/{name}', binary=binary)
    kv.vectors.astype('<f4').tofile(f'{d}/{name}.f32')
    out[name] = kv.index_to_key
rng = np.random.default_rng(7)
words = ['gensim', 'naïve', '日本語', '😀'] + [f'g{i}' for i in range(196)]
kv = KeyedVectors(6)
kv.add_vectors(words, (rng.standard_normal((200, 6)) * 10.0 ** rng.integers(-6, 3, (200, 6))).astype(np.float32))
kv.save_word2vec_format(f'{d}/gensim.bin', binary=True)
kv.save_word2vec_format(f'{d}/gensim.txt', binary=False)
kv.vectors.astype('<f4').tofile(f'{d}/gensim.f32')
out['gensim'] = kv.index_to_key
print(json.dumps(out))
`;
    const run = spawnSync(PYTHON, ['-c', script, directory], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Record<string, string[]>;
    const rawVectors = (name: string): Float32Array => {
      const bytes = readFileSync(file(name));
      return new Float32Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      );
    };

    // gensim loading ours.
    for (const name of ['ours.bin', 'ours.txt']) {
      assert.deepEqual(result[name], model.words, `${name}: words`);
      assertSameModel(new KeyedVectors(result[name]!, rawVectors(`${name}.f32`), model.dim), model);
    }

    // Us loading gensim's: binary exactly, text to 1e-6 relative (gensim writes repr(), shortest too).
    const gensimModel = new KeyedVectors(result['gensim']!, rawVectors('gensim.f32'), 6);
    assertSameModel(await loadWord2Vec(file('gensim.bin')), gensimModel);
    const fromText = await loadWord2Vec(file('gensim.txt'));
    assert.deepEqual(fromText.words, gensimModel.words);
    for (let i = 0; i < fromText.vectors.length; i++) {
      const expected = gensimModel.vectors[i]!;
      assert.ok(
        Math.abs(fromText.vectors[i]! - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
        `value ${i}`,
      );
    }
  },
);
