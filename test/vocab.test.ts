import { test } from 'node:test';
import { tempDir } from './temp-dir.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countInvalidTokens, effectiveMinCount, Vocabulary } from '../src/vocab/vocabulary.js';
import { train } from '../src/index.js';
import { seededRandom } from '../src/sampling/random.js';
import { gensimSkip, PYTHON } from './peers.js';
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

test('max-final-vocab raises min-count to keep at most n words, keeping or dropping equal counts together', () => {
  // Counts sorted: 5 (a), 3 (b), 3 (d), 2 (e), 1 (c).
  const words = (limits: { minCount: number; maxFinalVocab: number }): string[] =>
    Vocabulary.fromCounts(raw, { ...limits, maxVocab: 0 }).vocab.words;
  assert.deepEqual(words({ minCount: 1, maxFinalVocab: 3 }), ['a', 'b', 'd']);
  assert.deepEqual(words({ minCount: 1, maxFinalVocab: 2 }), ['a'], 'b and d tie at the limit');
  assert.deepEqual(words({ minCount: 1, maxFinalVocab: 5 }), ['a', 'b', 'd', 'e', 'c']);
  assert.deepEqual(words({ minCount: 4, maxFinalVocab: 4 }), ['a'], 'a higher min-count wins');
  assert.equal(effectiveMinCount(raw.counts, { minCount: 1, maxVocab: 0, maxFinalVocab: 0 }), 1);
  assert.equal(effectiveMinCount(raw.counts, { minCount: 1, maxVocab: 0, maxFinalVocab: 4 }), 2);
});

test('max-final-vocab that would keep no word says why', () => {
  const even = { words: ['x', 'y', 'z'], counts: [4, 4, 4] };
  assert.throws(
    () =>
      Vocabulary.fromCounts(even, { minCount: 1, maxVocab: 0, maxFinalVocab: 2 }, "corpus 'e.txt'"),
    /max-final-vocab = 2 keeps no word of corpus 'e\.txt': its 3 most frequent words all occur 4 times/,
  );
});

test(
  "max-final-vocab keeps the same words as gensim's max_final_vocab",
  { skip: gensimSkip() },
  async () => {
    const dir = tempDir('w2v-final-vocab-');
    const corpus = join(dir, 'zipf.txt');
    // Word i occurs about 600 / (i + 1) times, so many rare words share a count.
    const tokens: string[] = [];
    for (let i = 0; i < 300; i++) {
      for (let k = 0; k < Math.floor(600 / (i + 1)); k++) tokens.push(`w${i}`);
    }
    const random = seededRandom(3);
    for (let i = tokens.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
    }
    const lines: string[] = [];
    for (let i = 0; i < tokens.length; i += 20) lines.push(tokens.slice(i, i + 20).join(' '));
    writeFileSync(corpus, lines.join('\n') + '\n');
    for (const maxFinalVocab of [40, 100, 250]) {
      const model = await train({
        input: corpus,
        minCount: 2,
        maxFinalVocab,
        epochs: 1,
        dim: 8,
        threads: 1,
      });
      const script = `
import json, sys
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence
m = Word2Vec(vector_size=8, min_count=2, max_final_vocab=int(sys.argv[2]))
m.build_vocab(LineSentence(sys.argv[1]))
print(json.dumps(m.wv.index_to_key))`;
      const run = spawnSync(PYTHON, ['-c', script, corpus, String(maxFinalVocab)], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const gensimWords = JSON.parse(run.stdout) as string[];
      assert.ok(gensimWords.length <= maxFinalVocab && gensimWords.length > maxFinalVocab / 2);
      assert.deepEqual([...model.vectors.words].sort(), [...gensimWords].sort());
    }
  },
);
