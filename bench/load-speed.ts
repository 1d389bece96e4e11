// Load benchmark: word2vec-ts against gensim on the same synthetic model, in
// one run. Writes a model of random vectors in word2vec binary, word2vec text
// and GloVe text (no header) to the temporary directory, then loads each in a
// fresh process with both tools, and prints the load times, peak resident
// memory and the ratios.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { saveWord2Vec } from '../src/io/word2vec-format.js';
import { seededRandom } from '../src/sampling/random.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { median } from './median.js';
import { lastJsonLine } from './time-command.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const repo = resolve(here, '../..');
const PYTHON = '/usr/bin/python3';

const { values } = parseArgs({
  options: {
    words: { type: 'string', default: '300000' },
    dim: { type: 'string', default: '300' },
    formats: { type: 'string', default: 'bin,txt,glove' },
    repeats: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench:load -- [--words 300000] [--dim 300] [--formats bin,txt,glove] [--repeats 1]
Each load runs in a fresh process; times are medians over the repeats, memory
is the peak resident set of the loading process. Ratios compare tools
measured in this run.`);
  process.exit(0);
}

const words = Number(values.words);
const dim = Number(values.dim);
const repeats = Number(values.repeats);
const formats = values.formats.split(',') as ('bin' | 'txt' | 'glove')[];
const work = mkdtempSync(join(tmpdir(), 'w2v-bench-load-'));

interface LoadRun {
  seconds: number;
  peakBytes: number;
  size: number;
}

/** A model of `words` random vectors, values of the magnitudes trained vectors have. */
function syntheticModel(): KeyedVectors {
  const random = seededRandom(1);
  const vectors = new Float32Array(words * dim);
  for (let i = 0; i < vectors.length; i++) vectors[i] = (random() - 0.5) * 0.5;
  return new KeyedVectors(
    Array.from({ length: words }, (_, i) => `w${i}_x`),
    vectors,
    dim,
  );
}

/** The text file without its header line: what GloVe writes. */
async function writeGlove(text: string, glove: string): Promise<void> {
  const start = (await headerBytes(text)) ?? 0;
  await pipeline(createReadStream(text, { start }), createWriteStream(glove));
}

async function headerBytes(path: string): Promise<number | undefined> {
  for await (const chunk of createReadStream(path, { end: 4095 })) {
    const newline = (chunk as Buffer).indexOf(0x0a);
    return newline < 0 ? undefined : newline + 1;
  }
  return undefined;
}

const OURS = `
import { loadVectors } from ${JSON.stringify(join(repo, 'dist/src/io/load.js'))};
const [path, format] = process.argv.slice(1);
const started = performance.now();
const kv = await loadVectors(path, { format });
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, peakBytes: process.resourceUsage().maxRSS * 1024, size: kv.size }));
`;

const GENSIM = `
import json, resource, sys, time
from gensim.models import KeyedVectors
path, fmt = sys.argv[1], sys.argv[2]
started = time.perf_counter()
kv = KeyedVectors.load_word2vec_format(path, binary=fmt == 'bin', no_header=fmt == 'glove')
seconds = time.perf_counter() - started
print(json.dumps({'seconds': seconds, 'peakBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 'size': len(kv)}))
`;

function run(command: string, args: string[]): LoadRun {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0) throw new Error(`${command} failed with status ${result.status}`);
  return lastJsonLine<LoadRun>(result.stdout);
}

function medianRun(measure: () => LoadRun): LoadRun {
  const runs = Array.from({ length: repeats }, measure);
  return {
    seconds: median(runs.map((r) => r.seconds)),
    peakBytes: median(runs.map((r) => r.peakBytes)),
    size: runs[0]!.size,
  };
}

/** Seconds to read the file once (after the loads, so it is in the page cache as theirs was). */
function readSeconds(path: string): number {
  const started = performance.now();
  const result = spawnSync('cat', [path], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`cat ${path} failed`);
  return (performance.now() - started) / 1000;
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

try {
  console.error(`writing a synthetic model of ${words} × ${dim} to ${work} ...`);
  const model = syntheticModel();
  const paths = {
    bin: join(work, 'model.bin'),
    txt: join(work, 'model.txt'),
    glove: join(work, 'glove.txt'),
  };
  if (formats.includes('bin')) await saveWord2Vec(model, paths.bin, { format: 'bin' });
  if (formats.includes('txt') || formats.includes('glove'))
    await saveWord2Vec(model, paths.txt, { format: 'txt' });
  if (formats.includes('glove')) await writeGlove(paths.txt, paths.glove);
  const rows: string[] = [];
  for (const format of formats) {
    const path = paths[format];
    const bytes = statSync(path).size;
    const ours = medianRun(() =>
      run(process.execPath, ['--input-type=module', '-e', OURS, path, format]),
    );
    const theirs = medianRun(() => run(PYTHON, ['-c', GENSIM, path, format]));
    if (ours.size !== words || theirs.size !== words)
      throw new Error(`${format}: loaded ${ours.size} and ${theirs.size} words, expected ${words}`);
    const cat = readSeconds(path);
    rows.push(
      `| ${format} (${gib(bytes)}) | ${ours.seconds.toFixed(2)} s | ${theirs.seconds.toFixed(2)} s | ` +
        `${(theirs.seconds / ours.seconds).toFixed(2)}× | ${cat.toFixed(2)} s | ` +
        `${gib(ours.peakBytes)} | ${gib(theirs.peakBytes)} | ${(ours.peakBytes / theirs.peakBytes).toFixed(2)} |`,
    );
  }
  console.log(
    `Loading ${words.toLocaleString('en-US')} × ${dim} (one fresh process per load, median of ${repeats})\n`,
  );
  console.log(
    '| file | word2vec-ts | gensim | speed-up | cat | peak RSS ours | peak RSS gensim | RSS ratio |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
} finally {
  rmSync(work, { recursive: true, force: true });
}
