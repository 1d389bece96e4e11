import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { kernelModule, seededRandomState, startKernel } from '../src/train/kernel.js';
import { ModelMemory, type ModelMemorySpec } from '../src/train/model-memory.js';
import { hasMemory64 } from '../src/train/memory64.js';
import { UsageError } from '../src/errors.js';
import { Random } from '../src/sampling/random.js';

// Node.js 20 runs 64-bit memories behind a V8 flag; this process sets it
// itself (before any 64-bit module is compiled) so that the comparison runs
// on every Node.js version the package supports.
const unflagged = hasMemory64();
if (!unflagged) setFlagsFromString('--experimental-wasm-memory64');
const skip = hasMemory64() ? false : 'this Node.js has no 64-bit WebAssembly memories';

const VOCAB = 300;
const counts = Float64Array.from({ length: VOCAB }, (_, w) => Math.floor(100000 / (w + 1)) + 5);

function spec(overrides: Partial<ModelMemorySpec>): ModelMemorySpec {
  return {
    counts,
    dim: 10,
    arch: 'sg',
    loss: 'ns',
    window: 3,
    negative: 5,
    nsExponent: 0.75,
    sample: 1e-3,
    threads: 1,
    maxSentenceLength: 100,
    chunkCapacity: 1 << 14,
    seed: 5,
    sharedOutputs: false,
    ...overrides,
  };
}

/** Sentences of Zipf-like word ids, each ended by -1. */
function corpusChunk(words: number, seed: number): Int32Array {
  const random = new Random(seed);
  const ids: number[] = [];
  while (ids.length < words) {
    const length = 3 + Math.floor(random.next() * 20);
    for (let i = 0; i < length; i++) ids.push(Math.floor(VOCAB * random.next() ** 2));
    ids.push(-1);
  }
  return Int32Array.from(ids);
}

/** Trains two chunks on every thread's kernel in turn; returns the losses and the final random states. */
function train(memory: ModelMemory): number[] {
  const results: number[] = [];
  const kernels = memory.threads.map((scratch) =>
    startKernel(
      kernelModule(memory.memory64),
      memory.memory,
      memory.config,
      scratch,
      seededRandomState(scratch.seed),
    ),
  );
  for (let round = 0; round < 2; round++) {
    kernels.forEach((kernel, t) => {
      const chunk = corpusChunk(4000, 10 * round + t);
      const at = memory.threads[t].chunk;
      new Int32Array(memory.memory.buffer, at, chunk.length).set(chunk);
      results.push(kernel.trainChunk(at, chunk.length, 0.05, 0.01), kernel.lastExamples());
    });
  }
  for (const kernel of kernels) results.push(Number(kernel.rngState()));
  return results;
}

const bytesOf = (m: Float32Array) => new Uint8Array(m.buffer, m.byteOffset, m.byteLength);

const cases: Array<[string, Partial<ModelMemorySpec>]> = [
  ['skip-gram, negative sampling', {}],
  ['skip-gram, negative sampling, 2 threads (hot rows replicated)', { threads: 2 }],
  ['skip-gram, shared negatives', { sharedOutputs: true }],
  ['skip-gram, hierarchical softmax', { loss: 'hs' }],
  ['CBOW, hierarchical softmax, 2 threads', { arch: 'cbow', loss: 'hs', threads: 2 }],
  ['CBOW, full softmax', { arch: 'cbow', loss: 'softmax' }],
];
for (const [name, overrides] of cases) {
  test(`the 64-bit kernels train bit for bit as the 32-bit ones: ${name}`, { skip }, () => {
    const narrow = new ModelMemory(spec(overrides));
    const wide = new ModelMemory(spec({ ...overrides, memory64: true }));
    assert.equal(narrow.memory64, false);
    assert.equal(wide.memory64, true);
    assert.deepEqual(bytesOf(wide.inputVectors()), bytesOf(narrow.inputVectors()));
    assert.deepEqual(train(wide), train(narrow));
    assert.ok(
      bytesOf(narrow.outputWeights()).some((b) => b !== 0),
      'training moved the weights',
    );
    assert.deepEqual(bytesOf(wide.inputVectors()), bytesOf(narrow.inputVectors()), 'input vectors');
    assert.deepEqual(bytesOf(wide.outputWeights()), bytesOf(narrow.outputWeights()), 'output');
  });
}

test('a model past what the 64-bit kernels address is refused before anything is allocated', () => {
  // 4,500,000 rows of 1,000 floats: 18 GB a matrix.
  const big = new Float64Array(4_500_000).fill(10);
  assert.throws(
    () => new ModelMemory(spec({ counts: big, dim: 1000, sample: 0 })),
    (error: unknown) =>
      error instanceof UsageError &&
      /needs 33\.6 GiB/.test(error.message) &&
      /lower --dim or --max-vocab/.test(error.message),
  );
});

test('without 64-bit memories, a model past 4 GiB is refused naming the Node.js versions and flag that train it', () => {
  const script = `
    import { ModelMemory } from './dist/src/train/model-memory.js';
    try {
      const m = new ModelMemory({ counts: new Float64Array(300).fill(9), dim: 10, arch: 'sg', loss: 'ns',
        window: 3, negative: 5, nsExponent: 0.75, sample: 0, threads: 1, maxSentenceLength: 100,
        chunkCapacity: 1024, seed: 1, sharedOutputs: false, memory64: true });
      console.log('built', m.memory64);
    } catch (error) { console.log(error.name + ': ' + error.message); }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  if (unflagged) assert.equal(child.stdout.trim(), 'built true');
  else {
    assert.match(child.stdout, /^UsageError: the model needs 0\.0 GiB/);
    assert.match(child.stdout, /Node\.js 22 and later/);
    assert.match(child.stdout, /--experimental-wasm-memory64/);
  }
});
