/**
 * Regression tests for what the loader fuzzer (test/fuzz-loaders.test.ts)
 * found, and the hostile headers the loaders must refuse before allocating.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { InputError } from '../src/errors.js';
import { detectFormat, loadVectors } from '../src/io/load.js';
import { loadNative } from '../src/io/native-format.js';
import { NATIVE_MAGIC } from '../src/io/native-header.js';
import { loadWord2Vec, saveWord2Vec } from '../src/io/word2vec-format.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';

const directory = mkdtempSync(join(tmpdir(), 'w2v-fuzz-regressions-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string): string {
  return join(directory, name);
}

test('a text file whose first record is longer than the format sniff is recognised as text', async () => {
  // 20,000 values of ~5 characters: the first line ends after the 64 KiB detectFormat reads.
  const dim = 20_000;
  const vectors = Float32Array.from({ length: 2 * dim }, (_, i) => ((i % 64) - 32) / 8);
  const kv = new KeyedVectors(['first', 'second'], vectors, dim);
  const path = file('wide-text-without-extension');
  await saveWord2Vec(kv, path, { format: 'txt' });
  assert.equal(await detectFormat(path), 'txt');
  const loaded = await loadVectors(path);
  assert.deepEqual(loaded.words, kv.words);
  assert.deepEqual(loaded.vectors, kv.vectors);
  // The binary form of the same model is still binary.
  const binary = file('wide-binary-without-extension');
  await saveWord2Vec(kv, binary, { format: 'bin' });
  assert.equal(await detectFormat(binary), 'bin');
});

test('a one-record text file without a final newline is recognised as text', async () => {
  const path = file('one-record-no-newline');
  writeFileSync(path, '1 2\nword 0.5 -0.25');
  assert.equal(await detectFormat(path), 'txt');
  const loaded = await loadVectors(path);
  assert.deepEqual(Array.from(loaded.vectors), [0.5, -0.25]);
});

/** Asserts loading fails fast with an InputError naming the file and where. */
async function assertFailsFast(
  promise: Promise<unknown>,
  path: string,
  where: RegExp,
): Promise<void> {
  const started = performance.now();
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, where);
    return true;
  });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
}

test('word2vec headers declaring 10^12 words in a 100-byte file fail fast, in every route', async () => {
  for (const [name, header] of [
    ['huge.bin', '1000000000000 300'],
    ['huge.txt', '1000000000000 300'],
    ['huge-dim.bin', '2 9007199254740991'],
    ['huge', '1000000000000 1'],
  ]) {
    const path = file(name!);
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(`${header}\n`), Buffer.alloc(100 - header!.length - 1, 0x41)]),
    );
    await assertFailsFast(loadVectors(path), path, /line 1: the header declares \d+ vectors/);
    await assertFailsFast(
      loadWord2Vec(path, { limit: 1_000_000 }),
      path,
      /line 1: the header declares \d+ vectors/,
    );
  }
});

test('a native header declaring 10^12 words in a small file fails fast', async () => {
  const header = Buffer.from(
    JSON.stringify({
      format: 'word2vec-ts native',
      size: 1e12,
      dim: 300,
      outputKind: null,
      options: null,
      fileBytes: 1104,
      blocks: {
        wordLengths: { offset: 1024, bytes: 4e12, crc32: 0 },
        words: { offset: 1064, bytes: 0, crc32: 0 },
        vectors: { offset: 1072, bytes: 1.2e15, crc32: 0 },
      },
    }).padEnd(1000),
  );
  const preamble = Buffer.alloc(24);
  preamble.set(NATIVE_MAGIC, 0);
  preamble.writeUInt32LE(1, 8);
  preamble.writeUInt32LE(header.length, 12);
  preamble.writeUInt32LE(zlib.crc32(header), 16);
  const path = file('huge.w2v');
  writeFileSync(path, Buffer.concat([preamble, header, Buffer.alloc(1104 - 24 - header.length)]));
  await assertFailsFast(
    loadNative(path),
    path,
    /byte offset 24: header: block "wordLengths" (\(|lies|has)/,
  );
  await assertFailsFast(loadVectors(path, { limit: 5 }), path, /byte offset 24/);
});

test('a word2vec header line is read whole: text after 200 characters of padding is not ignored', async () => {
  const junk = file('padded-header-junk.txt');
  writeFileSync(junk, `1 2${' '.repeat(300)}7\nword 0.5 0.25\n`);
  await assert.rejects(
    loadWord2Vec(junk),
    (error: unknown) =>
      error instanceof InputError && error.message.startsWith(`${junk} line 1: expected a header`),
  );
  const zeros = file('zero-padded-header.bin');
  writeFileSync(
    zeros,
    Buffer.concat([
      Buffer.from(`${'0'.repeat(250)}1 2\nword `),
      Buffer.from(new Float32Array([0.5, 0.25]).buffer),
      Buffer.from('\n'),
    ]),
  );
  const loaded = await loadWord2Vec(zeros);
  assert.deepEqual(loaded.words, ['word']);
  assert.deepEqual(Array.from(loaded.vectors), [0.5, 0.25]);
});
