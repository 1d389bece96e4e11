import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  instantiateKernel,
  kernelModule,
  seededRandomState,
  startKernel,
  type KernelExports,
} from '../src/train/kernel.js';
import { ModelMemory, type ModelMemorySpec } from '../src/train/model-memory.js';
import {
  logisticGradients,
  logisticLoss,
  logisticStep,
  softmaxStep,
  type LogisticTarget,
} from './reference-kernel.js';
import { noiseProbabilities } from '../src/sampling/noise.js';
import { keepProbability } from '../src/sampling/subsample.js';
import { buildHuffman } from '../src/vocab/huffman.js';
import { Random } from '../src/sampling/random.js';

const counts = Float64Array.from([5000, 2500, 1200, 800, 400, 200, 90, 40, 10, 3]);

/** A kernel instance on `memory` with the scratch and seed of thread 0, as a worker would start it. */
function kernelOn(memory: ModelMemory): KernelExports {
  const scratch = memory.threads[0];
  return startKernel(
    kernelModule(),
    memory.memory,
    memory.config,
    scratch,
    seededRandomState(scratch.seed),
  );
}

function memoryFor(overrides: Partial<ModelMemorySpec> = {}): ModelMemory {
  return new ModelMemory({
    counts,
    dim: 6,
    arch: 'sg',
    loss: 'ns',
    window: 2,
    negative: 4,
    nsExponent: 0.75,
    sample: 0,
    threads: 1,
    maxSentenceLength: 100,
    chunkCapacity: 1 << 16,
    seed: 3,
    sharedOutputs: false,
    ...overrides,
  });
}

function randomise(m: Float32Array, dim: number, stride: number, seed: number): void {
  const random = new Random(seed);
  for (let r = 0; r < m.length / stride; r++)
    for (let d = 0; d < dim; d++) m[r * stride + d] = random.next() * 2 - 1;
}

test('instantiating the kernels writes nothing into the shared memory (no static data)', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const bytes = new Uint8Array(memory.buffer);
  bytes.fill(0xa5);
  instantiateKernel(kernelModule(), memory);
  assert.ok(bytes.every((b) => b === 0xa5));
});

test('the gradient of the negative-sampling loss matches finite differences', () => {
  const random = new Random(11);
  const vec = () => Float32Array.from({ length: 7 }, () => random.next() * 2 - 1);
  const v = vec();
  const targets: LogisticTarget[] = [
    { output: vec(), label: 1 },
    { output: vec(), label: 0 },
    { output: vec(), label: 0 },
  ];
  const { input, outputs } = logisticGradients(v, targets);
  const h = 1e-3;
  const numeric = (x: Float32Array, i: number): number => {
    const keep = x[i];
    x[i] = keep + h;
    const up = logisticLoss(v, targets);
    x[i] = keep - h;
    const down = logisticLoss(v, targets);
    x[i] = keep;
    return (up - down) / (2 * h);
  };
  for (let i = 0; i < v.length; i++) {
    assert.ok(Math.abs(numeric(v, i) - input[i]) < 1e-3, `dJ/dv[${i}]`);
    targets.forEach((t, k) =>
      assert.ok(Math.abs(numeric(t.output, i) - outputs[k][i]) < 1e-3, `dJ/du${k}[${i}]`),
    );
  }
});

function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  tolerance: number,
  what: string,
): void {
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

// With several threads the hottest output rows are trained in a private replica and merged back: same result.
for (const threads of [1, 2]) {
  test(`the WebAssembly skip-gram/negative-sampling step equals the reference gradient step (${threads} thread${threads > 1 ? 's, hot rows replicated' : ''})`, () => {
    const memory = memoryFor({ threads });
    const { dim, stride } = memory;
    const syn0 = memory.matrix('syn0');
    const syn1neg = memory.matrix('syn1neg');
    randomise(syn0, dim, stride, 1);
    randomise(syn1neg, dim, stride, 2);
    const kernel = kernelOn(memory);
    const state = kernel.rngState();
    const out = memory.threads[0].chunk;
    kernel.drawNoise(out, 4);
    const noise = [...new Int32Array(memory.memory.buffer, out, 4)];
    kernel.setRngState(state);

    const [input, word, alpha] = [3, 1, 0.5];
    const before1 = syn1neg.slice();
    const row = (m: Float32Array, w: number) => m.slice(w * stride, w * stride + dim);
    const v = row(syn0, input);
    const rows = new Map<number, Float32Array>();
    const out1 = (w: number) => rows.get(w) ?? rows.set(w, row(before1, w)).get(w)!;
    const targets: LogisticTarget[] = [{ output: out1(word), label: 1 }];
    for (const w of noise) if (w !== word) targets.push({ output: out1(w), label: 0 });
    logisticStep(v, targets, alpha);

    kernel.trainPair(input, word, alpha);
    assertClose(row(syn0, input), v, 2e-3, 'input vector');
    for (const [w, expected] of rows)
      assertClose(row(syn1neg, w), expected, 2e-3, `output vector ${w}`);
    assert.equal(syn0[input * stride + dim], 0, 'row padding stays zero');
  });

  test(`the WebAssembly hierarchical-softmax step equals the reference step along the Huffman path (${threads} thread${threads > 1 ? 's' : ''})`, () => {
    const memory = memoryFor({ loss: 'hs', threads });
    const { dim, stride } = memory;
    const syn0 = memory.matrix('syn0');
    const syn1 = memory.matrix('syn1');
    randomise(syn0, dim, stride, 5);
    randomise(syn1, dim, stride, 6);
    const tree = buildHuffman(counts);
    const [input, word, alpha] = [2, 7, 0.5];
    const row = (m: Float32Array, w: number) => m.slice(w * stride, w * stride + dim);
    const v = row(syn0, input);
    const targets: LogisticTarget[] = [];
    const nodes: number[] = [];
    for (let j = tree.offsets[word]; j < tree.offsets[word + 1]; j++) {
      nodes.push(tree.points[j]);
      targets.push({ output: row(syn1, tree.points[j]), label: tree.codes[j] === 0 ? 1 : 0 });
    }
    logisticStep(v, targets, alpha);
    const loss = kernelOn(memory).trainPair(input, word, alpha);
    assertClose(row(syn0, input), v, 2e-3, 'input vector');
    nodes.forEach((node, k) =>
      assertClose(row(syn1, node), targets[k].output, 2e-3, `inner node ${node}`),
    );
    assert.ok(loss > 0);
  });
}

test('the WebAssembly full-softmax step equals the reference step', () => {
  const memory = memoryFor({ loss: 'softmax' });
  const { dim, stride } = memory;
  const syn0 = memory.matrix('syn0');
  const syn1neg = memory.matrix('syn1neg');
  randomise(syn0, dim, stride, 8);
  randomise(syn1neg, dim, stride, 9);
  const row = (m: Float32Array, w: number) => m.slice(w * stride, w * stride + dim);
  const [input, word, alpha] = [4, 6, 0.5];
  const v = row(syn0, input);
  const outputs = Array.from({ length: counts.length }, (_, w) => row(syn1neg, w));
  const expectedLoss = softmaxStep(v, outputs, word, alpha);
  const loss = kernelOn(memory).trainPair(input, word, alpha);
  assert.ok(Math.abs(loss - expectedLoss) < 1e-4, `loss ${loss} vs ${expectedLoss}`);
  assertClose(row(syn0, input), v, 1e-4, 'input vector');
  outputs.forEach((u, w) => assertClose(row(syn1neg, w), u, 1e-4, `output vector ${w}`));
});

test('noise words are drawn with probability proportional to count^0.75', () => {
  for (const exponent of [0.75, 0.5]) {
    const memory = memoryFor({ nsExponent: exponent });
    const kernel = kernelOn(memory);
    const draws = 1 << 16;
    const rounds = 16;
    const seen = new Float64Array(counts.length);
    const out = memory.threads[0].chunk;
    for (let r = 0; r < rounds; r++) {
      kernel.drawNoise(out, draws);
      for (const w of new Int32Array(memory.memory.buffer, out, draws)) seen[w]++;
    }
    const n = draws * rounds;
    noiseProbabilities(counts, exponent).forEach((p, w) => {
      const sd = Math.sqrt((p * (1 - p)) / n);
      assert.ok(
        Math.abs(seen[w] / n - p) < 5 * sd + 1e-6,
        `word ${w}: ${seen[w] / n} vs ${p} (exponent ${exponent})`,
      );
    });
  }
});

test('subsampling keeps each word with the word2vec probability', () => {
  const sample = 1e-2;
  const memory = memoryFor({ sample });
  const kernel = kernelOn(memory);
  const total = counts.reduce((a, b) => a + b, 0);
  const n = 200000;
  counts.forEach((count, w) => {
    const p = keepProbability(count, sample, total);
    const kept = kernel.countKept(w, n) / n;
    const sd = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(kept - p) < 5 * sd + 1e-6, `word ${w}: kept ${kept}, formula ${p}`);
  });
  // The formula itself: (sqrt(c/t) + 1) t/c with t = sample * total, capped at 1.
  const t = sample * total;
  assert.equal(keepProbability(5000, sample, total), (Math.sqrt(5000 / t) + 1) * (t / 5000));
  assert.equal(keepProbability(3, sample, total), 1);
});
