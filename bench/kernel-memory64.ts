// What the 64-bit build of the training kernels (models past 4 GiB) costs
// against the 32-bit one: the same skip-gram/negative-sampling chunks, one
// thread, on the same model laid out in a 32-bit and in a 64-bit memory,
// the two interleaved round by round. Speed is words per CPU-second of the
// process, which other load on the machine changes less than wall time.
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { hasMemory64 } from '../src/train/memory64.js';
import { ModelMemory } from '../src/train/model-memory.js';
import { kernelModule, seededRandomState, startKernel } from '../src/train/kernel.js';
import { Random } from '../src/sampling/random.js';

const { values } = parseArgs({
  options: {
    vocab: { type: 'string', default: '70000,1000000' },
    dim: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '4' },
    words: { type: 'string', default: '500000' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run bench:memory64 -- [--vocab 70000,1000000] [--dim 300] [--rounds 4] [--words 500000]',
  );
  process.exit(0);
}
// Node.js 20 has 64-bit memories behind a V8 flag; set before any 64-bit module is compiled.
if (!hasMemory64()) setFlagsFromString('--experimental-wasm-memory64');
if (!hasMemory64()) throw new Error('this Node.js has no 64-bit WebAssembly memories');

const CHUNK_WORDS = 8192;

/** Chunks of 20-word sentences with Zipf-distributed word ids. */
function corpusChunks(vocab: number, count: number): Int32Array[] {
  const random = new Random(7);
  return Array.from({ length: count }, () => {
    const ids: number[] = [];
    while (ids.length < CHUNK_WORDS) {
      for (let i = 0; i < 20; i++)
        ids.push(Math.min(vocab - 1, Math.floor(vocab ** random.next())));
      ids.push(-1);
    }
    return Int32Array.from(ids);
  });
}

function measure(vocab: number, dim: number, rounds: number, wordsPerRound: number): number[] {
  const counts = Float64Array.from({ length: vocab }, (_, w) => Math.floor(1e8 / (w + 1)) + 5);
  const chunks = corpusChunks(vocab, 64);
  const runs = [false, true].map((memory64) => {
    const memory = new ModelMemory({
      counts,
      dim,
      arch: 'sg',
      loss: 'ns',
      window: 5,
      negative: 5,
      nsExponent: 0.75,
      sample: 1e-3,
      threads: 1,
      maxSentenceLength: 10000,
      chunkCapacity: CHUNK_WORDS + 32,
      seed: 1,
      sharedOutputs: false,
      memory64,
    });
    const scratch = memory.threads[0];
    const kernel = startKernel(
      kernelModule(memory64),
      memory.memory,
      memory.config,
      scratch,
      seededRandomState(scratch.seed),
    );
    return { memory, kernel, words: 0, cpuSeconds: 0 };
  });
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) {
      const at = run.memory.threads[0].chunk;
      const start = process.cpuUsage();
      let words = 0;
      for (let k = round * 7; words < wordsPerRound; k++) {
        const chunk = chunks[k % chunks.length];
        new Int32Array(run.memory.memory.buffer, at, chunk.length).set(chunk);
        run.kernel.trainChunk(at, chunk.length, 0.025, 0.025);
        words += chunk.length;
      }
      const used = process.cpuUsage(start);
      run.words += words;
      run.cpuSeconds += (used.user + used.system) / 1e6;
    }
  }
  return runs.map((run) => run.words / run.cpuSeconds);
}

console.log(`Node.js ${process.version}, dim ${values.dim}, one thread\n`);
console.log('| vocabulary | weights | 32-bit memory | 64-bit memory | 64-bit / 32-bit |');
console.log('|---|---|---|---|---|');
for (const vocab of values.vocab.split(',').map(Number)) {
  const dim = Number(values.dim);
  const [narrow, wide] = measure(vocab, dim, Number(values.rounds), Number(values.words));
  const gb = ((2 * vocab * Math.ceil(dim / 4) * 4 * 4) / 1e9).toFixed(2);
  const speed = (w: number) => `${(w / 1000).toFixed(0)}k words/CPU-s`;
  console.log(
    `| ${vocab.toLocaleString('en')} | ${gb} GB | ${speed(narrow)} | ${speed(wide)} | ${(wide / narrow).toFixed(2)} |`,
  );
}
