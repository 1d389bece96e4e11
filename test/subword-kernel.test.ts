import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelModule, seededRandomState, startKernel } from '../src/train/kernel.js';
import { ModelMemory } from '../src/train/model-memory.js';
import { buildNgramTable } from '../src/subwords/ngram-table.js';
import { buildHuffman } from '../src/vocab/huffman.js';
import { Random } from '../src/sampling/random.js';
import {
  subwordCbowSentence,
  subwordSkipGramSentence,
  type LogisticTarget,
} from './reference-kernel.js';

// Words of letters apart: no two share an n-gram row (checked below).
const words = ['abc', 'defg', 'hij', 'klmn', 'opq', 'rstu', 'vwx', 'yzab'];
const counts = Float64Array.from([900, 700, 500, 300, 200, 120, 60, 20]);
const params = { minn: 3, maxn: 4, bucket: 20_000 };

/**
 * Trains one sentence with the kernel and with `reference` (fastText's steps
 * in plain TypeScript) from the same random rows, and compares every row.
 */
function kernelMatchesReference(
  arch: 'sg' | 'cbow',
  reference: typeof subwordCbowSentence,
  examples: number,
): void {
  const dim = 8;
  const memory = new ModelMemory({
    counts,
    dim,
    arch,
    loss: 'hs',
    window: 1,
    negative: 0,
    nsExponent: 0.75,
    sample: 0,
    threads: 1,
    maxSentenceLength: 100,
    chunkCapacity: 1 << 10,
    seed: 3,
    sharedOutputs: false,
    subwords: { words, params },
  });
  const { stride } = memory;
  const ngrams = buildNgramTable(words, params);
  const rowIndices = (w: number): number[] => [
    w,
    ...ngrams.rows.slice(ngrams.offsets[w], ngrams.offsets[w + 1]),
  ];
  const all = words.flatMap((_, w) => rowIndices(w));
  assert.equal(new Set(all).size, all.length, 'the words share no row');

  const syn0 = new Float32Array(
    memory.memory.buffer,
    memory.syn0,
    (words.length + params.bucket) * stride,
  );
  const syn1 = memory.matrix('syn1');
  const random = new Random(11);
  for (const r of all) for (let d = 0; d < dim; d++) syn0[r * stride + d] = random.next() - 0.5;
  for (let r = 0; r < words.length - 1; r++)
    for (let d = 0; d < dim; d++) syn1[r * stride + d] = random.next() - 0.5;

  // The reference on copies of the rows.
  const input = new Map(all.map((r) => [r, syn0.slice(r * stride, r * stride + dim)]));
  const output = Array.from({ length: words.length - 1 }, (_, r) =>
    syn1.slice(r * stride, r * stride + dim),
  );
  const tree = buildHuffman(counts);
  const targetsOf = (w: number): LogisticTarget[] => {
    const targets: LogisticTarget[] = [];
    for (let j = tree.offsets[w]; j < tree.offsets[w + 1]; j++)
      targets.push({ output: output[tree.points[j]], label: tree.codes[j] === 0 ? 1 : 0 });
    return targets;
  };
  const sentence = [3, 0, 5, 1, 7, 2, 6, 4];
  const alpha = 0.5;
  reference(sentence, (w) => rowIndices(w).map((r) => input.get(r)!), targetsOf, dim, alpha);

  const scratch = memory.threads[0];
  const kernel = startKernel(
    kernelModule(),
    memory.memory,
    memory.config,
    scratch,
    seededRandomState(scratch.seed),
  );
  new Int32Array(memory.memory.buffer, scratch.chunk, sentence.length).set(sentence);
  kernel.trainChunk(scratch.chunk, sentence.length, alpha, alpha);
  assert.equal(kernel.lastExamples(), examples);

  const close = (actual: Float32Array, expected: Float32Array, what: string): void => {
    for (let d = 0; d < dim; d++)
      assert.ok(
        Math.abs(actual[d] - expected[d]) <= 2e-3,
        `${what}[${d}]: ${actual[d]} vs ${expected[d]}`,
      );
  };
  for (const r of all)
    close(syn0.subarray(r * stride, r * stride + dim), input.get(r)!, `input row ${r}`);
  output.forEach((row, r) =>
    close(syn1.subarray(r * stride, r * stride + dim), row, `inner node ${r}`),
  );
}

test('subword CBOW over its sliding window equals fastText CBOW step by step when positions share no row', () => {
  kernelMatchesReference('cbow', subwordCbowSentence, 8);
});

test('subword skip-gram equals fastText skip-gram step by step, the centre moving after each context word', () => {
  // 8 centre words, 2 context words each but at the ends.
  kernelMatchesReference('sg', subwordSkipGramSentence, 14);
});
