import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countInvalidTokens, Vocabulary } from '../src/vocab/vocabulary.js';
import { buildHuffman } from '../src/vocab/huffman.js';
import { InputError } from '../src/errors.js';

const raw = { words: ['b', 'a', 'c', 'd', 'e'], counts: [3, 5, 1, 3, 2] };

test('vocabulary keeps words at or above min-count, most frequent first, ties in first-appearance order', () => {
  const { vocab, remap } = Vocabulary.fromCounts(raw, { minCount: 2, maxVocab: 0 });
  assert.deepEqual(vocab.words, ['a', 'b', 'd', 'e']);
  assert.deepEqual([...vocab.counts], [5, 3, 3, 2]);
  assert.deepEqual([...remap], [1, 0, -1, 2, 3]);
  assert.equal(vocab.totalWords, 13);
  assert.equal(vocab.indexOf('d'), 2);
  assert.equal(vocab.indexOf('c'), -1);
});

test('words that are not text are left out whatever their count, and counted', () => {
  const words = ['ok', '\udcff', 'a\u0000b', 'x\u001by', '\ufffd', 'e\u0301'];
  const raw = { words, counts: [1, 9, 8, 7, 2, 3] };
  const { vocab } = Vocabulary.fromCounts(raw, { minCount: 1, maxVocab: 0 });
  assert.deepEqual(vocab.words, ['e\u0301', '\ufffd', 'ok']);
  assert.deepEqual(countInvalidTokens(raw), { words: 3, tokens: 24 });
});

test('a corpus of words that are not text says so; when rarer words were left out, it says min-count too', () => {
  const raw = { words: ['\udcff', '\udcfe'], counts: [3, 2] };
  assert.throws(
    () => Vocabulary.fromCounts(raw, { minCount: 1, maxVocab: 0 }, "corpus 'b.dat'"),
    /corpus 'b\.dat' holds no text: all of its 5 tokens/,
  );
  assert.throws(
    () =>
      Vocabulary.fromCounts({ ...raw, tokens: 9 }, { minCount: 5, maxVocab: 0 }, "corpus 'b.dat'"),
    /no word in corpus 'b\.dat' that is text occurs at least min-count = 5 times, and its most frequent tokens are invalid UTF-8/,
  );
});

test('max-vocab keeps only the most frequent words', () => {
  const { vocab } = Vocabulary.fromCounts(raw, { minCount: 1, maxVocab: 2 });
  assert.deepEqual(vocab.words, ['a', 'b']);
});

test('a corpus where no word reaches min-count says so, with the top count', () => {
  assert.throws(
    () => Vocabulary.fromCounts(raw, { minCount: 10, maxVocab: 0 }, "corpus 'x.txt'"),
    (error: unknown) =>
      error instanceof InputError &&
      /min-count = 10/.test(error.message) &&
      /occurs 5 times/.test(error.message) &&
      /x\.txt/.test(error.message),
  );
});

function huffmanCodes(counts: number[]): string[] {
  const tree = buildHuffman(counts);
  return counts.map((_, w) =>
    Array.from(tree.codes.subarray(tree.offsets[w], tree.offsets[w + 1])).join(''),
  );
}

test('Huffman codes form a prefix code whose lengths follow frequency', () => {
  const counts = [1000, 700, 400, 300, 300, 120, 60, 50, 10, 9, 3, 1, 1];
  const codes = huffmanCodes(counts);
  for (let a = 0; a < codes.length; a++) {
    assert.ok(codes[a].length > 0);
    for (let b = 0; b < codes.length; b++) {
      if (a !== b)
        assert.ok(!codes[b].startsWith(codes[a]), `${codes[a]} is a prefix of ${codes[b]}`);
    }
  }
  for (let w = 1; w < codes.length; w++)
    assert.ok(codes[w].length >= codes[w - 1].length, 'rarer words never get shorter codes');
  // A full binary tree: the Kraft sum is exactly 1.
  assert.equal(
    codes.reduce((s, c) => s + 2 ** -c.length, 0),
    1,
  );
  // Optimal: the expected length equals that of a textbook Huffman code for these counts.
  const expected = textbookHuffmanCost(counts);
  assert.equal(
    codes.reduce((s, c, w) => s + c.length * counts[w], 0),
    expected,
  );
});

test('Huffman paths start at the root and name inner nodes 0..V-2', () => {
  const counts = [50, 20, 20, 5, 5];
  const tree = buildHuffman(counts);
  const v = counts.length;
  for (let w = 0; w < v; w++) {
    assert.equal(tree.points[tree.offsets[w]], v - 2, 'every path starts at the root');
    for (let j = tree.offsets[w]; j < tree.offsets[w + 1]; j++)
      assert.ok(tree.points[j] >= 0 && tree.points[j] <= v - 2);
  }
  // Two words with the same path of inner nodes must differ in their last branch.
  assert.equal(new Set(huffmanCodes(counts)).size, v);
});

function textbookHuffmanCost(counts: number[]): number {
  const heap = [...counts];
  let cost = 0;
  while (heap.length > 1) {
    heap.sort((a, b) => a - b);
    const merged = heap.shift()! + heap.shift()!;
    cost += merged;
    heap.push(merged);
  }
  return cost;
}
