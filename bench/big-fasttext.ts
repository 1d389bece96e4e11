// Big-fastText benchmark: a fastText model of Facebook's crawl size
// (2,000,000 words and 2,000,000 n-gram buckets × 300 by default: an input
// matrix of 4.8 GB), loaded and queried by word2vec-ts and by gensim 4's
// load_facebook_vectors. Writes a synthetic model with word2vec-ts's saver
// to the temporary directory, then runs each tool in its own process, so
// that peak memory is per tool: the load, the first query after it, single
// mostSimilar queries for words outside the vocabulary. Checks a few words'
// vectors against the real `fasttext print-word-vectors` and the top words
// against gensim's, and prints the table with the ratios beside the targets.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, freemem, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FastTextOursResult } from './big-fasttext-ours.js';
import { compareAnswers, type PeerAnswer } from './same-answers.js';
import { sampleRows } from './sample-rows.js';
import { syntheticWord } from './synthetic-model.js';
import {
  unseenWord,
  writeSyntheticFastText,
  type SyntheticFastTextSpec,
} from './synthetic-fasttext.js';
import { lastJsonLine, timeCommand } from './time-command.js';
import { positiveInteger as checkedPositive } from './option-values.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const repo = resolve(here, '../..');
const PYTHON = '/usr/bin/python3';
const FASTTEXT = process.env['FASTTEXT'] ?? 'fasttext';

const { values } = parseArgs({
  options: {
    words: { type: 'string', default: '2000000' },
    buckets: { type: 'string', default: '2000000' },
    dim: { type: 'string', default: '300' },
    minn: { type: 'string', default: '3' },
    maxn: { type: 'string', default: '6' },
    queries: { type: 'string', default: '100' },
    topn: { type: 'string', default: '10' },
    rank: { type: 'string', default: '50' },
    noise: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench:big-fasttext -- [--words 2000000] [--buckets 2000000] [--dim 300] [--minn 3] [--maxn 6]
                                   [--queries 100] [--topn 10] [--rank 50] [--noise 0.1] [--seed 1] [--keep]
Writes a synthetic fastText .bin model (words w0_x … w{N-1}_x and --buckets n-gram rows; each row a random
combination of --rank factors plus Gaussian noise of standard deviation --noise) to ${tmpdir()} with
word2vec-ts's saver, checks 3 words and 2 words outside the vocabulary against fasttext print-word-vectors,
then loads and queries it with word2vec-ts and gensim, each in its own process: --queries single queries
for words outside the vocabulary (w{i}_z), top --topn.
--keep keeps the model file (a later run with the same sizes and seed reuses it); otherwise it is deleted.`);
  process.exit(0);
}

const positiveInteger = (name: keyof typeof values): number => checkedPositive(values, name);

const spec: SyntheticFastTextSpec = {
  words: positiveInteger('words'),
  buckets: positiveInteger('buckets'),
  dim: positiveInteger('dim'),
  minn: positiveInteger('minn'),
  maxn: positiveInteger('maxn'),
  rank: positiveInteger('rank'),
  noise: Number(values.noise),
  seed: positiveInteger('seed'),
};
if (!(spec.noise >= 0)) {
  console.error(`--noise must be a number at least 0, got '${values.noise}'`);
  process.exit(2);
}
if (spec.minn > spec.maxn) {
  console.error(`--minn (${spec.minn}) must not exceed --maxn (${spec.maxn})`);
  process.exit(2);
}
const singleCount = Math.min(positiveInteger('queries'), spec.words);
const topn = positiveInteger('topn');

/** Where the dictionary, the words' own rows and the n-gram rows end in the saver's file. */
function sectionEnds(): number[] {
  // Magic, version and args; the dictionary's sizes; per word its bytes, a NUL, a count and a type.
  let dictionary = 8 + 56 + 12 + 8 + 8;
  for (let i = 0; i < spec.words; i++) dictionary += syntheticWord(i).length + 10;
  const own = dictionary + 17 + spec.words * spec.dim * 4;
  return [dictionary, own, own + spec.buckets * spec.dim * 4];
}

/** The model file, written unless a kept run of the same spec left it complete. */
async function modelFile(): Promise<{ directory: string; model: string }> {
  const { words, buckets, dim, minn, maxn, rank, noise, seed } = spec;
  const directory = join(
    tmpdir(),
    `w2v-big-fasttext-${words}w-${buckets}b-${dim}d-n${minn}-${maxn}-rank${rank}-noise${noise}-seed${seed}`,
  );
  const model = join(directory, 'model.bin');
  const complete = join(directory, 'complete.json');
  if (existsSync(complete)) {
    console.error(`reusing the model in ${directory}`);
    return { directory, model };
  }
  mkdirSync(directory, { recursive: true });
  console.error(
    `writing a fastText model of ${words.toLocaleString('en-US')} words and ${buckets.toLocaleString('en-US')} buckets × ${dim} to ${directory} ...`,
  );
  const started = performance.now();
  await writeSyntheticFastText(spec, model);
  console.error(`  written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  writeFileSync(complete, JSON.stringify(spec));
  return { directory, model };
}

interface Measured<T> {
  result: T;
  maxRssMb: number;
}

interface GensimResult {
  version: string;
  load_seconds: number;
  first_query_seconds: number;
  single_seconds: number;
  top: PeerAnswer[];
  vectors: Record<string, number[]>;
}

/** `fasttext print-word-vectors`: each word's vector. */
function fastTextVectors(model: string, words: readonly string[]): Record<string, number[]> {
  const run = spawnSync(FASTTEXT, ['print-word-vectors', model], {
    input: words.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (run.error || run.status !== 0)
    throw new Error(`${FASTTEXT} print-word-vectors failed: ${run.error?.message ?? run.stderr}`);
  const vectors: Record<string, number[]> = {};
  run.stdout
    .trim()
    .split('\n')
    .forEach((line, i) => (vectors[words[i]!] = line.trim().split(' ').slice(1).map(Number)));
  return vectors;
}

/** The largest difference between two tools' vectors of the same words, past fastText's printed precision (5 significant digits) or 1e-5. */
function largestExcess(
  ours: Record<string, number[]>,
  printed: Record<string, number[]>,
): { difference: number; within: boolean } {
  let difference = 0;
  let within = true;
  for (const [word, values] of Object.entries(printed)) {
    const mine = ours[word]!;
    if (mine.length !== values.length) return { difference: Infinity, within: false };
    values.forEach((value, k) => {
      const off = Math.abs(mine[k]! - value);
      difference = Math.max(difference, off);
      if (off > Math.max(1e-5, 1e-4 * Math.abs(value))) within = false;
    });
  }
  return { difference, within };
}

const seconds = (x: number | undefined): string =>
  x === undefined ? '-' : `${x.toFixed(x < 10 ? 2 : 1)} s`;
const ms = (x: number | undefined): string =>
  x === undefined ? '-' : `${(x * 1000).toFixed(x < 0.01 ? 2 : 1)} ms`;
const gb = (mib: number): string => `${((mib * 1048576) / 1e9).toFixed(2)} GB`;
const verdict = (met: boolean | undefined): string =>
  met === undefined ? '-' : met ? 'yes' : 'NO';

async function main(): Promise<void> {
  const { directory, model } = await modelFile();
  try {
    const queryWords = sampleRows(spec.words, singleCount, spec.seed).map(unseenWord);
    const inVocabulary = sampleRows(spec.words, 3, spec.seed + 1).map(syntheticWord);
    const checked = [...inVocabulary, ...queryWords.slice(0, 2)];
    const wordsFile = join(directory, 'query-words.txt');
    const checkFile = join(directory, 'check-words.txt');
    writeFileSync(wordsFile, queryWords.join('\n'));
    writeFileSync(checkFile, checked.join('\n'));

    console.error('word2vec-ts: load and queries ...');
    const oursRun = timeCommand(
      process.execPath,
      [
        join(here, 'big-fasttext-ours.js'),
        '--model',
        model,
        '--words',
        wordsFile,
        '--check',
        checkFile,
        '--topn',
        String(topn),
        '--single',
        String(singleCount),
        '--sections',
        sectionEnds().join(','),
      ],
      { showStderr: true },
    );
    const ours: Measured<FastTextOursResult> = {
      result: lastJsonLine<FastTextOursResult>(oursRun.stdout),
      maxRssMb: oursRun.maxRssMb,
    };
    console.error('gensim: the same ...');
    const gensimRun = timeCommand(PYTHON, [
      join(repo, 'bench/peers/gensim_big_fasttext.py'),
      model,
      wordsFile,
      String(topn),
      String(singleCount),
      checkFile,
    ]);
    const gensim: Measured<GensimResult> = {
      result: lastJsonLine<GensimResult>(gensimRun.stdout),
      maxRssMb: gensimRun.maxRssMb,
    };
    console.error('fastText: print-word-vectors ...');
    const printed = fastTextVectors(model, checked);

    const o = ours.result;
    const g = gensim.result;
    const oursVsFastText = largestExcess(o.vectors, printed);
    const gensimVsFastText = largestExcess(g.vectors, printed);
    const agreement = compareAnswers(o.top, g.top);
    const loadRatio = o.load_seconds / g.load_seconds;
    const memoryRatio = ours.maxRssMb / gensim.maxRssMb;

    console.log(
      `\nmodel: ${spec.words.toLocaleString('en-US')} words + ${spec.buckets.toLocaleString('en-US')} buckets × ${spec.dim} ` +
        `(input matrix ${((4 * (spec.words + spec.buckets) * spec.dim) / 1e9).toFixed(2)} GB; minn ${spec.minn}, maxn ${spec.maxn}; ` +
        `rank ${spec.rank} plus noise ${spec.noise}, seed ${spec.seed}); file ${(statSync(model).size / 1e9).toFixed(2)} GB, written by word2vec-ts`,
    );
    console.log(
      `node ${process.version}; gensim ${g.version}; ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB ` +
        `(${(freemem() / 2 ** 30).toFixed(0)} GiB free at the end); one run each, every tool in its own process; ` +
        "peak resident memory from GNU time (the process's ru_maxrss)",
    );
    const rows: Array<[string, string, string, string, string, boolean | undefined]> = [
      [
        'load (loadVectors; load_facebook_vectors)',
        seconds(o.load_seconds),
        seconds(g.load_seconds),
        `${loadRatio.toFixed(2)}× gensim's time`,
        "≤ 0.5× gensim's time",
        loadRatio <= 0.5,
      ],
      [
        'first query, after the load',
        seconds(o.first_query_seconds),
        seconds(g.first_query_seconds),
        `${(o.first_query_seconds / g.first_query_seconds).toFixed(2)}× gensim's time`,
        '-',
        undefined,
      ],
      [
        'queries use the int16 filter, after the load',
        seconds(o.filter_ready_seconds),
        '-',
        '-',
        '-',
        undefined,
      ],
      [
        `single query, unseen word (top ${topn}, mean of ${singleCount})`,
        ms(o.single_seconds),
        ms(g.single_seconds),
        `${(g.single_seconds / o.single_seconds).toFixed(2)}× gensim's speed`,
        '-',
        undefined,
      ],
      [
        'peak resident memory (load and queries)',
        gb(ours.maxRssMb),
        gb(gensim.maxRssMb),
        `${memoryRatio.toFixed(2)}× gensim's`,
        "≤ gensim's",
        memoryRatio <= 1,
      ],
      [
        `top ${topn} equal to gensim's, up to the order of similarities within 1e-6`,
        `${agreement.sameUpToTies} of ${o.top.length}`,
        '-',
        '-',
        `${o.top.length} of ${o.top.length}`,
        agreement.sameUpToTies === o.top.length,
      ],
      [
        `vectors of ${inVocabulary.length} words and ${checked.length - inVocabulary.length} unseen ones vs fasttext print-word-vectors (largest difference)`,
        oursVsFastText.difference.toExponential(1),
        gensimVsFastText.difference.toExponential(1),
        '-',
        '≤ 1e-5 (or its 5 printed digits)',
        oursVsFastText.within,
      ],
    ];
    console.log('\n| step | word2vec-ts | gensim | ratio | target | met |');
    console.log('|---|---|---|---|---|---|');
    for (const [step, a, b, ratio, target, met] of rows)
      console.log(`| ${step} | ${a} | ${b} | ${ratio} | ${target} | ${verdict(met)} |`);
    console.log('');
    if (o.phases)
      console.log(
        `word2vec-ts's load: dictionary ${seconds(o.phases.dictionary)}, own rows ${seconds(o.phases.own_rows)}, ` +
          `n-gram rows ${seconds(o.phases.ngram_rows)}, words' vectors, norms and index ${seconds(o.phases.word_vectors)}`,
      );
    console.log(
      `top words in the same order as gensim's: ${agreement.sameWords} of ${o.top.length}; largest similarity difference ${agreement.maxDifference.toExponential(1)}`,
    );
  } finally {
    if (values.keep) console.error(`model kept in ${directory}`);
    else rmSync(directory, { recursive: true, force: true });
  }
}

await main();
