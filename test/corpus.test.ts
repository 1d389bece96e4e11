import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readSentences, SentenceSplitter } from '../src/corpus/reader.js';
import { chunksOf, encodeCached, scanCorpus, SENTENCE_END } from '../src/corpus/encoded.js';
import { Vocabulary } from '../src/vocab/vocabulary.js';
import { InputError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'w2v-corpus-'));

async function collect(paths: string[], max = 10000): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of readSentences(paths, max)) out.push(...batch);
  return out;
}

test('lines are sentences, tokens split on any white space, CRLF and blank lines handled', async () => {
  const path = join(dir, 'plain.txt');
  writeFileSync(path, 'the cat  sat\r\n\n\ton the\tmat \r\nend');
  assert.deepEqual(await collect([path]), [['the', 'cat', 'sat'], ['on', 'the', 'mat'], ['end']]);
});

test('gzip is detected by content and several files are read in order', async () => {
  const gz = join(dir, 'a.data');
  writeFileSync(gz, gzipSync('alpha beta\ngamma\n'));
  const plain = join(dir, 'b.txt');
  writeFileSync(plain, 'delta\n');
  assert.deepEqual(await collect([gz, plain]), [['alpha', 'beta'], ['gamma'], ['delta']]);
});

test('a line longer than the sentence limit is cut into sentences of that many tokens', async () => {
  const path = join(dir, 'long.txt');
  writeFileSync(path, Array.from({ length: 25 }, (_, i) => `w${i}`).join(' '));
  const sentences = await collect([path], 10);
  assert.deepEqual(sentences.map((s) => s.length), [10, 10, 5]);
  assert.equal(sentences[2][0], 'w20');
});

test('tokens cut by chunk boundaries are joined again', () => {
  const splitter = new SentenceSplitter(100);
  const text = 'one two three\nfour five';
  const out: string[][] = [];
  let carry = '';
  for (let i = 0; i < text.length; i += 3) {
    out.push(...splitter.push(carry + text.slice(i, i + 3), false));
    carry = splitter.partial;
  }
  out.push(...splitter.push(carry, true));
  assert.deepEqual(out, [['one', 'two', 'three'], ['four', 'five']]);
});

test('a missing file or a directory is a clear error naming it', async () => {
  await assert.rejects(collect([join(dir, 'nope.txt')]), (e: unknown) => e instanceof InputError && /nope\.txt/.test(e.message));
  await assert.rejects(collect([dir]), (e: unknown) => e instanceof InputError && /is a directory/.test(e.message));
});

test('scan counts words, caches the corpus, and encoding drops rare words and empty sentences', async () => {
  const path = join(dir, 'scan.txt');
  writeFileSync(path, 'a b a\nrare\nb a c c\n');
  const scan = await scanCorpus([path], 10000, 1000);
  assert.deepEqual(scan.words, ['a', 'b', 'rare', 'c']);
  assert.deepEqual(scan.counts, [3, 2, 1, 2]);
  assert.equal(scan.tokens, 8);
  const { vocab, remap } = Vocabulary.fromCounts(scan, { minCount: 2, maxVocab: 0 });
  const encoded = encodeCached(scan.cached!, remap);
  const E = SENTENCE_END;
  assert.deepEqual([...encoded], [0, 1, 0, E, 1, 0, 2, 2, E]);
  assert.deepEqual(vocab.words, ['a', 'b', 'c']);
  const chunks = [...chunksOf(encoded, 2)];
  assert.deepEqual(chunks.map((c) => c.words), [3, 4]);
  assert.ok(encoded.buffer instanceof SharedArrayBuffer);
});

test('a corpus larger than the cache budget is not cached', async () => {
  const path = join(dir, 'big.txt');
  writeFileSync(path, 'x y z\n'.repeat(1000));
  const scan = await scanCorpus([path], 10000, 100);
  assert.equal(scan.cached, undefined);
  assert.equal(scan.tokens, 3000);
});
