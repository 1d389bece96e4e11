import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../src/errors.js';
import type { FileFormat } from '../src/io/file-format.js';
import { loadGlove } from '../src/io/glove-format.js';
import { detectFormat, loadVectors } from '../src/io/load.js';
import { saveVectors } from '../src/io/save.js';
import { saveWord2Vec } from '../src/io/word2vec-format.js';
import { seededRandom } from '../src/sampling/random.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { w2v } from './cli-runner.js';
import { gensimSkip, PYTHON } from './peers.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-glove-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string): string {
  return join(directory, name);
}

const NON_ASCII = ['naïve', 'Ελληνικά', '日本語', '😀', 'straße', 'Zürich', 'à'];
const SIZE = 300;
const DIM = 50;

/** Values as GloVe and others write them: fixed decimals, exponents, signed zeros, integers. */
function valueText(random: () => number, k: number): string {
  const value = (random() - 0.5) * 2;
  switch (k % 7) {
    case 0:
      return value.toExponential(4);
    case 1:
      return k === 1 ? '-0' : String(Math.round(value * 3));
    case 2:
      return value.toPrecision(9);
    default:
      return value.toFixed(5);
  }
}

/** A GloVe file: `SIZE` lines of a word and `DIM` values, the first words non-ASCII. */
function writeGloveFile(path: string, lineEnd = '\n'): string[] {
  const random = seededRandom(7);
  const words = Array.from({ length: SIZE }, (_, i) => NON_ASCII[i] ?? `w${i}`);
  const lines = words.map(
    (word) => `${word} ${Array.from({ length: DIM }, (_, k) => valueText(random, k)).join(' ')}`,
  );
  writeFileSync(path, lines.join(lineEnd) + lineEnd);
  return words;
}

const glove = file('glove.6B.50d.txt');
const words = writeGloveFile(glove);

/** gensim's words and float32 vectors for a file, loaded with `loadCall` (Python, reading `path`). */
function gensimLoad(path: string, loadCall: string): KeyedVectors {
  const out = file('gensim.f32');
  const script = `
import json, sys
from gensim.models import KeyedVectors
path, out = sys.argv[1], sys.argv[2]
kv = ${loadCall}
kv.vectors.astype('<f4').tofile(out)
print(json.dumps(kv.index_to_key))
`;
  const result = spawnSync(PYTHON, ['-c', script, path, out], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const gensimWords = JSON.parse(result.stdout) as string[];
  const bytes = readFileSync(out);
  const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice();
  return new KeyedVectors(gensimWords, vectors, vectors.length / gensimWords.length);
}

/** Same words, and float32 values equal bit for bit (so -0 and 0 differ). */
function assertSameModel(actual: KeyedVectors, expected: KeyedVectors): void {
  assert.equal(actual.dim, expected.dim);
  assert.deepEqual(actual.words, expected.words);
  assert.deepEqual(
    new Uint32Array(actual.vectors.buffer, actual.vectors.byteOffset, actual.vectors.length),
    new Uint32Array(expected.vectors.buffer, expected.vectors.byteOffset, expected.vectors.length),
  );
}

const NO_HEADER = 'KeyedVectors.load_word2vec_format(path, binary=False, no_header=True)';

test(
  "a GloVe file loads with gensim's no_header=True words and vectors",
  { skip: gensimSkip() },
  async () => {
    const expected = gensimLoad(glove, NO_HEADER);
    assert.equal(expected.size, SIZE);
    assertSameModel(await loadVectors(glove), expected);
    assertSameModel(await loadVectors(glove, { format: 'glove' }), expected);
    const crlf = file('crlf.txt');
    writeGloveFile(crlf, '\r\n');
    assertSameModel(await loadVectors(crlf), expected);
  },
);

test('--limit loads the first lines, as gensim does', { skip: gensimSkip() }, async () => {
  const expected = gensimLoad(
    glove,
    'KeyedVectors.load_word2vec_format(path, binary=False, no_header=True, limit=10)',
  );
  const kv = await loadVectors(glove, { limit: 10 });
  assertSameModel(kv, expected);
  assert.deepEqual(kv.words, words.slice(0, 10));
  const none = await loadGlove(glove, { limit: 0 });
  assert.equal(none.size, 0);
  assert.equal(none.dim, DIM);
});

test(
  'w2v convert writes word2vec files that gensim reads with the same words and vectors',
  { skip: gensimSkip() },
  async () => {
    const expected = gensimLoad(glove, NO_HEADER);
    for (const [name, binary] of [
      ['converted.bin', 'True'],
      ['converted.txt', 'False'],
    ] as const) {
      const result = await w2v(['convert', glove, file(name)]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /300 words × 50 dimensions: .*\(glove\) → .*\((bin|txt)\)/);
      assertSameModel(
        gensimLoad(file(name), `KeyedVectors.load_word2vec_format(path, binary=${binary})`),
        expected,
      );
    }
  },
);

test('GloVe files are told by their content, whatever their name', async () => {
  const noExtension = file('vectors');
  writeFileSync(noExtension, readFileSync(glove));
  assert.equal(await detectFormat(glove), 'glove');
  assert.equal(await detectFormat(noExtension), 'glove');
  const kv = await loadVectors(glove);
  const word2vecText = file('word2vec.txt');
  await saveWord2Vec(kv, word2vecText);
  assert.equal(await detectFormat(word2vecText), 'txt');
  const word2vecBinary = file('vectors-bin');
  await saveWord2Vec(kv, word2vecBinary, { format: 'bin' });
  assert.equal(await detectFormat(word2vecBinary), 'bin');
  // A line longer than the bytes detection reads.
  const wide = file('wide.txt');
  writeFileSync(wide, `wide ${Array.from({ length: 20000 }, () => '-0.123456').join(' ')}\n`);
  assert.equal(await detectFormat(wide), 'glove');
  assert.equal((await loadVectors(wide)).dim, 20000);
  // Text that is not vectors stays a word2vec text file, whose loader says what is wrong.
  const corpus = file('corpus.txt');
  writeFileSync(corpus, 'the cat sat on the mat\n');
  assert.equal(await detectFormat(corpus), 'txt');
});

test('a line whose values disagree in number with line 1 is an error naming the line', async () => {
  const lines = readFileSync(glove, 'utf8').split('\n');
  lines[41] = lines[41]!.replace(/ \S+$/, '');
  const ragged = file('ragged.txt');
  writeFileSync(ragged, lines.join('\n'));
  await assert.rejects(
    loadVectors(ragged),
    (error: unknown) =>
      error instanceof InputError &&
      error.message ===
        `${ragged} line 42: expected 50 values after the word 'w41', found 49; ` +
          'every line must have as many values as line 1 (50)',
  );
  lines[41] += ' 1 2';
  writeFileSync(ragged, lines.join('\n'));
  await assert.rejects(
    loadVectors(ragged),
    /line 42: expected 50 values after the word 'w41', found 51/,
  );
  const blank = file('blank-line.txt');
  writeFileSync(blank, 'a 1 2\n\nb 3 4\n');
  await assert.rejects(
    loadVectors(blank, { format: 'glove' }),
    /blank-line\.txt line 2: expected a word followed by 2 values, found an empty line/,
  );
  const empty = file('empty.txt');
  writeFileSync(empty, '');
  await assert.rejects(
    loadGlove(empty),
    /empty\.txt: expected GloVe lines \(a word and its values\), found an empty file/,
  );
  const lonely = file('lonely.txt');
  writeFileSync(lonely, 'alone\nb 1\n');
  await assert.rejects(
    loadGlove(lonely),
    /lonely\.txt line 1: expected a word followed by its values, found a word alone/,
  );
  const notNumber = file('not-number.txt');
  writeFileSync(notNumber, 'a 1 2\nb 3 x4\n');
  await assert.rejects(
    loadGlove(notNumber),
    /line 2: value 2 of the word 'b' is not a number: "x4"/,
  );
});

test('blank lines at the end of a GloVe file are not records', async () => {
  const trailing = file('trailing.txt');
  writeFileSync(trailing, 'a 1 2\nb 3 4\n\n  \n\n');
  const kv = await loadGlove(trailing);
  assert.deepEqual(kv.words, ['a', 'b']);
  assert.deepEqual([...kv.vectors], [1, 2, 3, 4]);
});

test('GloVe is read only: saving in it is a usage error', async () => {
  const kv = await loadVectors(glove, { limit: 3 });
  await assert.rejects(
    saveVectors(kv, file('out.txt'), { format: 'glove' as FileFormat }),
    (error: unknown) =>
      error instanceof UsageError && /format 'glove' is read only/.test(error.message),
  );
});

test(
  'w2v similar reads a GloVe file, and names the line of a ragged one',
  { skip: gensimSkip() },
  async () => {
    const expected = spawnSync(
      PYTHON,
      [
        '-c',
        `import sys\nfrom gensim.models import KeyedVectors\npath = sys.argv[1]\nkv = ${NO_HEADER}\nprint(kv.most_similar('naïve', topn=1)[0][0])`,
        glove,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(expected.status, 0, expected.stderr);
    const result = await w2v(['similar', glove, 'naïve', '--topn', '3']);
    assert.equal(result.status, 0, result.stderr);
    const first = result.stdout.split('\n')[0]!.trim().split(/\s+/);
    assert.equal(first[1], expected.stdout.trim());
    const ragged = file('ragged-cli.txt');
    writeFileSync(ragged, 'a 1 2\nb 3 4 5\n');
    const failed = await w2v(['similar', ragged, 'a', '--format', 'glove']);
    assert.equal(failed.status, 1);
    assert.match(
      failed.stderr,
      /ragged-cli\.txt line 2: expected 2 values after the word 'b', found 3/,
    );
  },
);

test('onProgress is told increasing byte counts up to the bytes the load reads', async () => {
  const kv = await loadVectors(glove);
  const big = new KeyedVectors(
    Array.from({ length: 3000 }, (_, i) => `word${i}`),
    new Float32Array(3000 * 100).map((_, i) => Math.sin(i)),
    100,
  );
  for (const [path, format] of [
    [file('progress.bin'), 'bin'],
    [file('progress.txt'), 'txt'],
  ] as const) {
    await saveWord2Vec(big, path, { format });
    const calls: [number, number][] = [];
    await loadVectors(path, {
      onProgress: (bytesRead, totalBytes) => calls.push([bytesRead, totalBytes]),
    });
    const size = statSync(path).size;
    assert.ok(calls.length > 1, `${format}: several reads of a ${size}-byte file`);
    assert.deepEqual(calls.at(-1), [size, size]);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i]![0] > calls[i - 1]![0]);
    assert.ok(calls.every(([, total]) => total === size));
  }
  // A native file: the bytes of the blocks read.
  const native = file('progress.w2v');
  await saveVectors(big, native);
  const nativeCalls: [number, number][] = [];
  await loadVectors(native, {
    onProgress: (bytesRead, totalBytes) => nativeCalls.push([bytesRead, totalBytes]),
  });
  const [lastRead, nativeTotal] = nativeCalls.at(-1)!;
  assert.equal(lastRead, nativeTotal);
  assert.ok(nativeTotal >= 3000 * 100 * 4 && nativeTotal < statSync(native).size);
  // A GloVe file is read twice: once to count its lines.
  const calls: number[] = [];
  await loadVectors(glove, {
    onProgress: (bytesRead, totalBytes) => {
      assert.equal(totalBytes, 2 * statSync(glove).size);
      calls.push(bytesRead);
    },
  });
  assert.equal(calls.at(-1), 2 * statSync(glove).size);
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i]! > calls[i - 1]!);
  assert.equal(kv.size, SIZE);
});
