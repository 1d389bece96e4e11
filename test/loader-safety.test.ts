// What the model loaders accept, refuse and warn about: binary records that do not
// fit the header's dimension, words that change on loading, and non-finite values.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../src/errors.js';
import { loadVectors } from '../src/io/load.js';
import { loadNative, saveNative } from '../src/io/native-format.js';
import { loadWord2Vec, saveWord2Vec } from '../src/io/word2vec-format.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-loader-safety-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string): string {
  return join(directory, name);
}

function header(count: number, dim: number): Buffer {
  return Buffer.from(`${count} ${dim}\n`);
}

/** `word ' ' float32 LE...` and, if given, what follows the vector. */
function binaryRecord(word: string | Buffer, values: readonly number[], after = '\n'): Buffer {
  const floats = Buffer.alloc(values.length * 4);
  values.forEach((v, k) => floats.writeFloatLE(v, k * 4));
  return Buffer.concat([
    typeof word === 'string' ? Buffer.from(word) : word,
    Buffer.from(' '),
    floats,
    Buffer.from(after),
  ]);
}

/** Ten words of 4 values each, as word2vec.c (a line break after each vector) or gensim (none) writes them. */
function fourDimensionalRecords(separator: string): Buffer {
  return Buffer.concat(
    Array.from({ length: 10 }, (_, i) =>
      binaryRecord(`w${i}`, [i + 1, i + 2, i + 3, i + 4], separator),
    ),
  );
}

async function assertInputError(
  promise: Promise<unknown>,
  path: string,
  where: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.ok(error.message.includes(path), `the message does not name the file: ${error.message}`);
    assert.match(error.message, /byte offset \d+/);
    assert.match(error.message, where);
    return true;
  });
}

/** Loads with a listener that collects the warnings. */
async function loadWarned(
  path: string,
  format?: 'bin' | 'txt',
): Promise<{ kv: KeyedVectors; warnings: string[] }> {
  const warnings: string[] = [];
  const kv = await loadWord2Vec(path, { format, onWarning: (message) => warnings.push(message) });
  return { kv, warnings };
}

function assertOneLine(warnings: readonly string[], path: string): void {
  for (const warning of warnings) {
    assert.ok(warning.includes(path), `the warning does not name the file: ${warning}`);
    assert.doesNotMatch(warning, /\n/, 'a warning is one line');
  }
}

// ---- binary records and the header's dimension ----

test('a binary file whose header declares fewer dimensions than its rows hold is refused at the byte after the first row', async () => {
  for (const [name, separator] of [
    ['word2vec-c-style.bin', '\n'],
    ['gensim-style.bin', ''],
  ] as const) {
    const path = file(`3-of-4-${name}`);
    writeFileSync(path, Buffer.concat([header(10, 3), fourDimensionalRecords(separator)]));
    await assertInputError(
      loadWord2Vec(path),
      path,
      /is the dimension in the header \(3\) right\?/,
    );
    await assertInputError(loadVectors(path), path, /is the dimension in the header \(3\) right\?/);
  }
});

test('a binary file whose header declares more dimensions than its rows hold is refused', async () => {
  const path = file('4-of-3.bin');
  // Words long enough that the file is as large as 10 rows of 4 values need, so the records themselves are read.
  const rows = Buffer.concat(
    Array.from({ length: 10 }, (_, i) => binaryRecord(`word-number-${i}`, [i + 1, i + 2, i + 3])),
  );
  writeFileSync(path, Buffer.concat([header(10, 4), rows]));
  await assertInputError(loadWord2Vec(path), path, /is the dimension in the header \(4\) right\?/);
});

test('a binary vector followed by neither a line break nor the next word is refused, naming the offset', async () => {
  // The first vector sets the layout: a line break after each one; the second lacks it.
  const first = binaryRecord('alpha', [1, 2]);
  const path = file('missing-separator.bin');
  writeFileSync(
    path,
    Buffer.concat([
      header(3, 2),
      first,
      binaryRecord('beta', [3, 4], ''),
      binaryRecord('gamma', [5, 6]),
    ]),
  );
  const offset = header(3, 2).length + first.length + 'beta '.length + 8;
  await assertInputError(
    loadWord2Vec(path),
    path,
    new RegExp(`expected a line break at byte offset ${offset} after vector 2 of 3 \\('beta'\\)`),
  );
});

test('a binary word holding a line break is refused, naming its offset', async () => {
  const path = file('line-break-in-word.bin');
  const first = binaryRecord('alpha', [1, 2], '');
  writeFileSync(path, Buffer.concat([header(2, 2), first, binaryRecord('be\nta', [3, 4], '')]));
  await assertInputError(
    loadWord2Vec(path),
    path,
    new RegExp(
      `expected a word and a space at byte offset ${header(2, 2).length + first.length} .*found a line break`,
    ),
  );
});

test('bytes after the last declared binary vector, other than white space, are refused', async () => {
  const path = file('trailing.bin');
  const records = Buffer.concat([binaryRecord('a', [1, 2]), binaryRecord('b', [3, 4])]);
  writeFileSync(path, Buffer.concat([header(2, 2), records, Buffer.from('c')]));
  await assertInputError(
    loadWord2Vec(path),
    path,
    new RegExp(
      `byte offset ${header(2, 2).length + records.length}: .*after the 2 vectors the header declares`,
    ),
  );
  // --limit reads only the first vectors and does not look further.
  assert.deepEqual((await loadWord2Vec(path, { limit: 1 })).words, ['a']);
});

test('binary files as word2vec.c and gensim write them still load: a line break after each vector or none, the last one optional', async () => {
  const cases: Array<[string, Buffer]> = [
    [
      'word2vec.c',
      Buffer.concat([
        binaryRecord('x', [1, 2]),
        binaryRecord('y', [3, 4]),
        binaryRecord('z', [5, 6]),
      ]),
    ],
    [
      'no final line break',
      Buffer.concat([
        binaryRecord('x', [1, 2]),
        binaryRecord('y', [3, 4]),
        binaryRecord('z', [5, 6], ''),
      ]),
    ],
    [
      'gensim',
      Buffer.concat([
        binaryRecord('x', [1, 2], ''),
        binaryRecord('y', [3, 4], ''),
        binaryRecord('z', [5, 6], ''),
      ]),
    ],
    [
      'blank lines between and after',
      Buffer.concat([
        binaryRecord('x', [1, 2], '\n\n'),
        binaryRecord('y', [3, 4]),
        binaryRecord('z', [5, 6], '\n\n \n'),
      ]),
    ],
  ];
  for (const [name, records] of cases) {
    const path = file(`${name}.bin`);
    writeFileSync(path, Buffer.concat([header(3, 2), records]));
    const kv = await loadWord2Vec(path);
    assert.deepEqual(kv.words, ['x', 'y', 'z'], name);
    assert.deepEqual([...kv.vectors], [1, 2, 3, 4, 5, 6], name);
  }
  // Bytes of a vector may be anything, line breaks and spaces included.
  const awkward = file('awkward-values.bin');
  const values = [new Float32Array(new Uint8Array([0x0a, 0x20, 0x0a, 0x20]).buffer)[0]!, 1];
  writeFileSync(
    awkward,
    Buffer.concat([header(2, 2), binaryRecord('p', values), binaryRecord('q', values, '')]),
  );
  assert.deepEqual([...(await loadWord2Vec(awkward)).vectors], [...values, ...values]);
});

// ---- warnings about words that change on loading ----

test('a duplicated word in a word2vec file is reported in one warning naming the file, the count and the first few', async () => {
  const binary = file('duplicates.bin');
  writeFileSync(
    binary,
    Buffer.concat([header(5, 1), ...['a', 'b', 'a', 'c', 'b'].map((w, i) => binaryRecord(w, [i]))]),
  );
  const fromBinary = await loadWarned(binary);
  assert.deepEqual(fromBinary.kv.words, ['a', 'b', 'c']);
  assert.deepEqual([...fromBinary.kv.vectors], [0, 1, 3]);
  assert.equal(fromBinary.warnings.length, 1, fromBinary.warnings.join('\n'));
  assertOneLine(fromBinary.warnings, binary);
  assert.match(
    fromBinary.warnings[0]!,
    /2 words appear more than once; the first of each is kept: 'a' \(byte offset \d+\), 'b' \(byte offset \d+\)/,
  );

  const text = file('duplicates.txt');
  writeFileSync(text, '3 1\na 1\na 2\nb 3\n');
  const fromText = await loadWarned(text);
  assert.deepEqual([...fromText.kv.vectors], [1, 3]);
  assert.deepEqual(
    fromText.warnings.map((w) => w.replace(text, '<file>')),
    ["<file>: 1 word appears more than once; the first of each is kept: 'a' (line 3)"],
  );
});

test('a word that is not UTF-8 is reported in one warning, and a real U+FFFD is not', async () => {
  const binary = file('latin1.bin');
  const latin1 = Buffer.from('caf\xe9', 'latin1');
  const first = binaryRecord('ok\uFFFD', [1]);
  writeFileSync(binary, Buffer.concat([header(2, 1), first, binaryRecord(latin1, [2])]));
  const fromBinary = await loadWarned(binary);
  assert.deepEqual(fromBinary.kv.words, ['ok\uFFFD', 'caf\uFFFD']);
  assertOneLine(fromBinary.warnings, binary);
  assert.deepEqual(
    fromBinary.warnings.map((w) => w.replace(binary, '<file>')),
    [
      `<file>: 1 word is not valid UTF-8; its invalid bytes are read as U+FFFD: 'caf\uFFFD' (byte offset ${header(2, 1).length + first.length})`,
    ],
  );

  const text = file('latin1.txt');
  writeFileSync(
    text,
    Buffer.concat([
      Buffer.from('3 1\nok\uFFFD 1\n'),
      latin1,
      Buffer.from(' 2\n'),
      Buffer.from('na\xefve 3\n', 'latin1'),
    ]),
  );
  const fromText = await loadWarned(text);
  assert.equal(fromText.warnings.length, 1);
  assert.match(
    fromText.warnings[0]!,
    /2 words are not valid UTF-8; .*'caf\uFFFD' \(line 3\), 'na\uFFFDve' \(line 4\)$/,
  );
});

test('warnings quote words with their control characters escaped and list at most three', async () => {
  const path = file('many-duplicates.txt');
  const words = ['\x1b[31mred', 'b', 'c', 'd', 'e'];
  writeFileSync(path, `10 1\n${[...words, ...words].map((w, i) => `${w} ${i}\n`).join('')}`);
  const { warnings } = await loadWarned(path);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /5 words appear more than once; .*: '\\x1b\[31mred' \(line 7\), 'b' \(line 8\), 'c' \(line 9\), …$/,
  );
});

test('loaders warn through process.emitWarning when no listener is given', async () => {
  const path = file('default-warning.txt');
  writeFileSync(path, '2 1\na 1\na 2\n');
  const seen: string[] = [];
  const listener = (warning: Error): void => {
    seen.push(warning.message);
  };
  process.on('warning', listener);
  try {
    await loadWord2Vec(path);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.removeListener('warning', listener);
  }
  assert.equal(seen.length, 1);
  assert.match(seen[0]!, /1 word appears more than once/);
});

// ---- non-finite values ----

const NON_FINITE_WORDS = ['nan', 'inf', 'both'];

/** A model whose rows 1, 3 and 4 hold NaN or infinite values. */
function nonFiniteModel(): KeyedVectors {
  const rows: Array<[string, number[]]> = [
    ['king', [1, 1, 0, 0]],
    ['nan', [NaN, 1, 0, 0]],
    ['queen', [1, 0, 1, 0]],
    ['inf', [0, 0, 0, Infinity]],
    ['both', [-Infinity, NaN, 0, 0]],
    ['man', [0, 1, 0, 0]],
    ['woman', [0, 0, 1, 0]],
  ];
  return new KeyedVectors(
    rows.map(([w]) => w),
    Float32Array.from(rows.flatMap(([, v]) => v)),
    4,
  );
}

test('loading a model with NaN or infinite values warns once with the count and the first words, in every format', async () => {
  const model = nonFiniteModel();
  const paths = {
    bin: file('non-finite.bin'),
    txt: file('non-finite.txt'),
    native: file('non-finite.w2v'),
  };
  await saveWord2Vec(model, paths.bin);
  await saveWord2Vec(model, paths.txt);
  await saveNative(paths.native, { vectors: model });
  for (const path of Object.values(paths)) {
    const warnings: string[] = [];
    const onWarning = (message: string): number => warnings.push(message);
    const kv = path.endsWith('.w2v')
      ? (await loadNative(path, { onWarning })).vectors
      : await loadWord2Vec(path, { onWarning });
    assert.deepEqual(kv.words, model.words);
    assert.deepEqual(
      warnings.map((w) => w.replace(path, '<file>')),
      [
        "<file>: 3 words have NaN or infinite values; they are never similarity candidates and cannot be queried: 'nan', 'inf', 'both'",
      ],
    );
    const viaLoadVectors: string[] = [];
    await loadVectors(path, { onWarning: (message) => viaLoadVectors.push(message) });
    assert.deepEqual(viaLoadVectors, warnings);
  }
});

test('rows with NaN or infinite values are never similarity candidates', () => {
  const kv = nonFiniteModel();
  for (const found of [
    kv.mostSimilar({ positive: ['king'], topn: 10 }),
    kv.mostSimilarCosmul({ positive: ['king'], topn: 10 }),
    kv.nearestToVector([0.5, 0.5, 0.5, 0.5], 10),
    kv
      .mostSimilarBatch([{ positive: ['queen'] }, { positive: ['man'], negative: ['woman'] }])
      .flat(),
  ]) {
    assert.ok(found.length > 0);
    for (const { word, similarity } of found) {
      assert.ok(!NON_FINITE_WORDS.includes(word), `'${word}' is a candidate`);
      assert.ok(Number.isFinite(similarity));
    }
  }
  assert.deepEqual(kv.nonFiniteRows(), [1, 3, 4]);
  assert.equal(kv.isFiniteRow(0), true);
  assert.equal(kv.isFiniteRow(3), false);
});

test('a query whose own word has NaN or infinite values is an error naming the word', () => {
  const kv = nonFiniteModel();
  const names = (word: string) => (error: unknown) =>
    error instanceof UsageError &&
    error.message.includes(`'${word}'`) &&
    /NaN or infinite values/.test(error.message);
  assert.throws(() => kv.mostSimilar({ positive: ['nan'] }), names('nan'));
  assert.throws(() => kv.mostSimilar({ positive: ['king'], negative: ['inf'] }), names('inf'));
  assert.throws(
    () => kv.mostSimilarBatch([{ positive: ['king'] }, { positive: ['both'] }]),
    names('both'),
  );
  assert.throws(() => kv.mostSimilarCosmul({ positive: ['king', 'both'] }), names('both'));
  assert.throws(() => kv.rankByCentrality(['king', 'nan']), names('nan'));
});
