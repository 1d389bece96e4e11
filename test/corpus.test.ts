import { test } from 'node:test';
import { tempDir } from './temp-dir.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Tokenizer } from '../src/corpus/tokenizer.js';
import {
  chunksOf,
  decodeVarints,
  encodeCached,
  scanCorpus,
  SENTENCE_END,
} from '../src/corpus/encoded.js';
import { Vocabulary } from '../src/vocab/vocabulary.js';
import { InputError } from '../src/errors.js';

const dir = tempDir('w2v-corpus-');

/** The corpus as the scan sees it: sentences of words, decoded back from the cached ids. */
async function collect(paths: string[], max = 10000): Promise<string[][]> {
  const scan = await scanCorpus(paths, max, 1 << 20);
  const sentences: string[][] = [];
  let current: string[] = [];
  for (const block of scan.cached!) {
    for (const id of block) {
      if (id === SENTENCE_END) {
        sentences.push(current);
        current = [];
      } else {
        current.push(scan.words[id]);
      }
    }
  }
  assert.deepEqual(current, []);
  return sentences;
}

test('lines are sentences, tokens split on white space, CRLF and blank lines handled', async () => {
  const path = join(dir, 'plain.txt');
  writeFileSync(path, 'the cat  sat\r\n\n\ton the\tmat \r\nend');
  assert.deepEqual(await collect([path]), [['the', 'cat', 'sat'], ['on', 'the', 'mat'], ['end']]);
});

test('UTF-8 words are kept whole; a word that is not UTF-8 is spelled as lone surrogates, one per byte, so two stay distinct', async () => {
  const path = join(dir, 'utf8.txt');
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.from('café naïve 東京\nbad '),
      Buffer.from([0xff, 0x41, 0x20, 0xfe, 0x41]),
      Buffer.from('\n'),
    ]),
  );
  assert.deepEqual(await collect([path]), [
    ['café', 'naïve', '東京'],
    ['bad', '\udcff\udc41', '\udcfe\udc41'],
  ]);
});

test('a token cut at the length limit ends on a character boundary', async () => {
  const path = join(dir, 'long-token.txt');
  // 999 ASCII bytes and then 'é' (2 bytes): the limit of 1,000 bytes falls inside the 'é'.
  writeFileSync(path, `${'a'.repeat(999)}é\n`);
  assert.deepEqual(await collect([path]), [['a'.repeat(999)]]);
});

test('gzip is detected by content and several files are read in order', async () => {
  const gz = join(dir, 'a.data');
  writeFileSync(gz, gzipSync('alpha beta\ngamma\n'));
  const plain = join(dir, 'b.txt');
  writeFileSync(plain, 'delta');
  assert.deepEqual(await collect([gz, plain]), [['alpha', 'beta'], ['gamma'], ['delta']]);
});

test('a line longer than the sentence limit is cut into sentences of that many tokens', async () => {
  const path = join(dir, 'long.txt');
  writeFileSync(path, Array.from({ length: 25 }, (_, i) => `w${i}`).join(' '));
  const sentences = await collect([path], 10);
  assert.deepEqual(
    sentences.map((s) => s.length),
    [10, 10, 5],
  );
  assert.equal(sentences[2][0], 'w20');
});

test('tokens cut by buffer boundaries are joined again, and the table grows past its first size', () => {
  const words = Array.from({ length: 50000 }, (_, i) => `word${i}`);
  const text = Buffer.from(words.join(' ') + '\n' + words.slice(0, 10).join(' '));
  const tokenizer = new Tokenizer(1 << 20);
  const ids: number[] = [];
  let tokens = 0;
  for (let i = 0; i < text.length; i += 7) {
    tokenizer.push(text.subarray(i, i + 7), false, true, (run, read) => {
      ids.push(...run);
      tokens += read;
    });
  }
  tokenizer.push(new Uint8Array(0), true, true, (run, read) => {
    ids.push(...run);
    tokens += read;
  });
  assert.equal(tokens, 50010);
  assert.equal(tokenizer.size, 50000);
  assert.deepEqual(tokenizer.words(), words);
  assert.deepEqual(ids.slice(-11), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, SENTENCE_END]);
  const counts = tokenizer.counts();
  assert.equal(counts[0], 2);
  assert.equal(counts[49999], 1);
});

test('a run of non-space longer than the longest token is cut, not held in memory', async () => {
  const path = join(dir, 'run.txt');
  writeFileSync(path, 'a'.repeat(3 << 20) + ' b\n');
  const scan = await scanCorpus([path], 10000, 1 << 20);
  assert.ok(scan.words.every((w) => w.length <= 1000));
  assert.ok(scan.words.includes('b'));
});

test('a missing file or a directory is a clear error naming it', async () => {
  await assert.rejects(
    collect([join(dir, 'nope.txt')]),
    (e: unknown) => e instanceof InputError && /nope\.txt/.test(e.message),
  );
  await assert.rejects(
    collect([dir]),
    (e: unknown) => e instanceof InputError && /is a directory/.test(e.message),
  );
});

test('scan counts words, caches the corpus, and encoding drops rare words and empty sentences', async () => {
  const path = join(dir, 'scan.txt');
  writeFileSync(path, 'a b a\nrare\nb a c c\n');
  const scan = await scanCorpus([path], 10000, 1000);
  assert.deepEqual(scan.words, ['a', 'b', 'rare', 'c']);
  assert.deepEqual(Array.from(scan.counts), [3, 2, 1, 2]);
  assert.equal(scan.tokens, 8);
  const { vocab, remap } = Vocabulary.fromCounts(scan, { minCount: 2, maxVocab: 0 });
  const encoded = encodeCached(scan.cached!, remap);
  const E = SENTENCE_END;
  assert.deepEqual(encoded.flatMap(decoded), [0, 1, 0, E, 1, 0, 2, 2, E]);
  assert.deepEqual(vocab.words, ['a', 'b', 'c']);
  const chunks = [...chunksOf(encoded, 2)];
  assert.deepEqual(
    chunks.map((c) => c.words),
    [3, 4],
  );
  assert.ok(encoded.every((block) => block.buffer instanceof SharedArrayBuffer));
});

/** Entries of a chunk or block, int32 or varint-coded. */
function decoded(ids: Int32Array | Uint8Array): number[] {
  if (ids instanceof Int32Array) return [...ids];
  const out = new Int32Array(ids.length);
  return [...out.subarray(0, decodeVarints(ids, out))];
}

test('the cache codes ids as varints: 0 only for sentence ends, large ids round-trip', () => {
  const E = SENTENCE_END;
  const ids = [0, 126, 127, 128, 16382, 16383, 2_000_000, 268_435_455, E, 5, E];
  // Provisional id i becomes final id ids[i].
  const provisional = Int32Array.from(ids.map((id, i) => (id === E ? E : i)));
  const remap = Int32Array.from(ids.map((id) => (id === E ? -1 : id)));
  const [bytes] = encodeCached([provisional], remap);
  assert.deepEqual(decoded(bytes), ids);
  assert.equal(
    bytes.filter((b) => b === 0).length,
    2,
    'a 0 byte is a sentence end and nothing else',
  );
  assert.equal(bytes.length, 1 + 1 + 2 + 2 + 2 + 3 + 4 + 4 + 1 + 1 + 1);
});

test('chunks are whole sentences, also where a sentence spans two blocks', () => {
  const E = SENTENCE_END;
  const remap = Int32Array.from({ length: 300 }, (_, i) => i);
  const blocks = encodeCached(
    [Int32Array.from([1, 200, E, 3]), Int32Array.from([4, E, 5, E]), Int32Array.from([6, 7, E])],
    remap,
  );
  const chunks = [...chunksOf(blocks, 3)];
  assert.deepEqual(
    chunks.map((c) => decoded(c.ids)),
    [
      [1, 200, E],
      [3, 4, E],
      [5, E, 6, 7, E],
    ],
  );
  assert.deepEqual(
    chunks.map((c) => c.words),
    [2, 2, 3],
  );
  assert.equal(
    chunks[0].ids.buffer,
    blocks[0].buffer,
    'a chunk inside one block is a view, not a copy',
  );
});

test('a corpus larger than the cache budget is not cached', async () => {
  const path = join(dir, 'big.txt');
  writeFileSync(path, 'x y z\n'.repeat(1000));
  const scan = await scanCorpus([path], 10000, 100);
  assert.equal(scan.cached, undefined);
  assert.equal(scan.tokens, 3000);
});
