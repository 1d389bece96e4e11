// Query benchmark: word2vec-ts against gensim on the same model, in one run.
// Times loading a word2vec binary model, 1,000 single mostSimilar queries
// (gensim: most_similar, same words) and the same 1,000 as one batched call,
// checks that both tools return the same top words, and prints per-query
// times with the ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadWord2Vec } from '../src/io/word2vec-format.js';
import type { KeyedVectors, Neighbour, SimilarityQuery } from '../src/vectors/keyed-vectors.js';
import { median } from './median.js';
import { compareAnswers, type PeerAnswer } from './same-answers.js';
import { sampleRows } from './sample-rows.js';
import { lastJsonLine } from './time-command.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const repo = resolve(here, '../..');
const data = resolve(repo, '../shared/data');
const PYTHON = '/usr/bin/python3';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    corpus: { type: 'string', default: process.env.W2V_CORPUS ?? join(data, 'wiki17m.txt.gz') },
    queries: { type: 'string', default: '1000' },
    topn: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench:queries -- [--model vectors.bin | --corpus corpus.txt.gz] [--queries 1000] [--topn 10] [--repeats 5]
Without --model, trains a model (1 epoch, default settings) on the corpus first.
Times are medians over the repeats; ratios compare tools measured in this run.`);
  process.exit(0);
}

const queryCount = Number(values.queries);
const topn = Number(values.topn);
const repeats = Number(values.repeats);
const work = mkdtempSync(join(tmpdir(), 'w2v-bench-queries-'));

function time<T>(run: () => T): { seconds: number; result: T } {
  const started = performance.now();
  const result = run();
  return { seconds: (performance.now() - started) / 1000, result };
}

async function timeAsync<T>(run: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const started = performance.now();
  const result = await run();
  return { seconds: (performance.now() - started) / 1000, result };
}

function trainModel(): string {
  if (!existsSync(values.corpus)) {
    console.error(
      `corpus not found: ${values.corpus}\npass --model vectors.bin, or --corpus / W2V_CORPUS`,
    );
    process.exit(1);
  }
  const output = join(work, 'model.bin');
  console.error(`training a model on ${values.corpus} (1 epoch) ...`);
  const result = spawnSync(
    process.execPath,
    [
      join(repo, 'dist/src/cli/main.js'),
      'train',
      '-i',
      values.corpus,
      '-o',
      output,
      '--epochs',
      '1',
      '-q',
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (result.status !== 0) process.exit(1);
  return output;
}

/** `count` distinct words drawn at random (seeded) from the whole vocabulary. */
function sampleWords(kv: KeyedVectors, count: number, seed: number): string[] {
  return sampleRows(kv.size, count, seed).map((row) => kv.words[row]!);
}

interface GensimTimes {
  version: string;
  load_seconds: number[];
  query_seconds: number[];
  top: PeerAnswer[];
}

function runGensim(model: string, wordsFile: string): GensimTimes | undefined {
  if (spawnSync(PYTHON, ['-c', 'import gensim'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      'gensim is not installed (apt-get install -y python3-gensim); reporting word2vec-ts alone',
    );
    return undefined;
  }
  const result = spawnSync(
    PYTHON,
    [join(repo, 'bench/peers/gensim_queries.py'), model, wordsFile, String(topn), String(repeats)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  if (result.status !== 0) throw new Error(`gensim failed:\n${result.stderr}`);
  return lastJsonLine<GensimTimes>(result.stdout);
}

async function main(): Promise<void> {
  const model = values.model ?? trainModel();
  const probe = await loadWord2Vec(model);
  const words = sampleWords(probe, queryCount, Number(values.seed));
  const wordsFile = join(work, 'words.txt');
  writeFileSync(wordsFile, words.join('\n'));
  const queries: SimilarityQuery[] = words.map((word) => ({ positive: [word], topn }));

  // gensim first, in its own process, so the two never compete for the CPU.
  console.error(
    `gensim: loading ${model} and answering ${words.length} queries, ${repeats} times ...`,
  );
  const gensim = runGensim(model, wordsFile);

  console.error(`word2vec-ts: the same ...`);
  const loadSeconds: number[] = [];
  let kv = probe;
  for (let i = 0; i < repeats; i++) {
    const { seconds, result } = await timeAsync(() => loadWord2Vec(model));
    loadSeconds.push(seconds);
    kv = result;
  }
  // Set-up, timed apart (as gensim's warm-up): the first query normalises the
  // vectors and copies them into the kernel; the first few dozen build the
  // kernel's int16 filter; the first large batch starts the worker threads.
  const setup = time(() => kv.mostSimilar(queries[0]!));
  const filter = time(() => kv.mostSimilarBatch(queries.slice(0, 32)));
  const threads = time(() => kv.mostSimilarBatch(queries.slice(0, 128)));
  const singleSeconds: number[] = [];
  const batchSeconds: number[] = [];
  let single: Neighbour[][] = [];
  let batched: Neighbour[][] = [];
  for (let i = 0; i < repeats; i++) {
    const one = time(() => queries.map((query) => kv.mostSimilar(query)));
    singleSeconds.push(one.seconds);
    single = one.result;
    const all = time(() => kv.mostSimilarBatch(queries));
    batchSeconds.push(all.seconds);
    batched = all.result;
  }

  const n = queries.length;
  const ours = {
    load: median(loadSeconds),
    single: median(singleSeconds) / n,
    batch: median(batchSeconds) / n,
  };
  const peer = gensim && {
    load: median(gensim.load_seconds),
    single: median(gensim.query_seconds) / n,
  };
  const ms = (seconds: number): string => `${(seconds * 1000).toFixed(3)} ms`;
  const s = (seconds: number): string => `${seconds.toFixed(3)} s`;
  const ratio = (x: number): string => `${x.toFixed(1)}×`;

  console.log(
    `\nmodel: ${model} (${kv.size.toLocaleString('en-US')} words × ${kv.dim} dimensions)`,
  );
  console.log(
    `${n.toLocaleString('en-US')} queries (random words), top ${topn}; medians of ${repeats} runs; ` +
      `gensim ${gensim?.version ?? 'not run'}; node ${process.version}; ${availableParallelism()} cores (batches use up to ` +
      `${Math.min(availableParallelism(), 8)} threads, single queries one)\n`,
  );
  console.log('| task | word2vec-ts | gensim | gensim / word2vec-ts |');
  console.log('|---|---|---|---|');
  console.log(
    `| load binary model | ${s(ours.load)} | ${peer ? s(peer.load) : '-'} | ${peer ? ratio(peer.load / ours.load) : '-'} |`,
  );
  console.log(
    `| mostSimilar, single queries (per query) | ${ms(ours.single)} | ${peer ? ms(peer.single) : '-'} | ${peer ? ratio(peer.single / ours.single) : '-'} |`,
  );
  console.log(
    `| mostSimilarBatch, ${n.toLocaleString('en-US')} at once (per query) | ${ms(ours.batch)} | - | ${peer ? ratio(peer.single / ours.batch) : '-'} |`,
  );
  console.log(
    `\nbatched vs single (word2vec-ts): ${ratio(ours.single / ours.batch)} faster per query`,
  );
  console.log(
    `set-up, not in the times above: first query ${ms(setup.seconds)} (normalising, copying into the kernel), ` +
      `int16 filter ${ms(filter.seconds)} (with 32 queries), first batch of 128 ${ms(threads.seconds)} (starting the worker threads)`,
  );

  const identical = batched.filter(
    (top, i) => JSON.stringify(top) === JSON.stringify(single[i]),
  ).length;
  console.log(
    `batched results identical to single ones (words and similarities): ${identical} of ${n} queries`,
  );
  if (gensim) {
    const { sameWords, sameUpToTies, maxDifference } = compareAnswers(single, gensim.top);
    console.log(
      `top ${topn} words equal to gensim's most_similar: ${sameWords} of ${n} queries; ` +
        `${sameUpToTies} of ${n} up to the order of similarities within 1e-6; largest similarity difference ${maxDifference.toExponential(1)}`,
    );
  }

  console.log('\nacceptance:');
  console.log(`  load under 1 s: ${ours.load < 1 ? 'yes' : 'NO'} (${s(ours.load)})`);
  if (peer)
    console.log(
      `  single queries at least as fast as gensim: ${ours.single <= peer.single ? 'yes' : 'NO'} (${ratio(peer.single / ours.single)})`,
    );
  console.log(
    `  batched at least 5× faster per query than single: ${ours.single >= 5 * ours.batch ? 'yes' : 'NO'} (${ratio(ours.single / ours.batch)})`,
  );
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
