// Big-model benchmark: a pretrained model of GoogleNews's size (3,000,000
// words × 300 by default), loaded and queried by word2vec-ts and by gensim
// in the same run. Writes a synthetic word2vec binary model (and the same
// rows as word2vec text) to the temporary directory, then runs each tool in
// its own process, so that peak memory is per tool: load time, the first
// query after the load, single mostSimilar queries, one batch, and the text
// load. Prints the table with the ratios beside the targets, and whether
// both tools give the same top words.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, freemem, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { OursResult } from './big-model-ours.js';
import { prepareLoad } from './fair-start.js';
import { compareAnswers, type PeerAnswer } from './same-answers.js';
import { sampleRows } from './sample-rows.js';
import { syntheticWord, writeSyntheticModel, type SyntheticModelSpec } from './synthetic-model.js';
import { lastJsonLine, timeCommand } from './time-command.js';
import { positiveInteger as checkedPositive } from './option-values.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const repo = resolve(here, '../..');
const PYTHON = '/usr/bin/python3';

const { values } = parseArgs({
  options: {
    words: { type: 'string', default: '3000000' },
    dim: { type: 'string', default: '300' },
    queries: { type: 'string', default: '100' },
    batch: { type: 'string', default: '1000' },
    topn: { type: 'string', default: '10' },
    rank: { type: 'string', default: '50' },
    noise: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    'no-text': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench:big-model -- [--words 3000000] [--dim 300] [--queries 100] [--batch 1000] [--topn 10]
                                [--rank 50] [--noise 0.1] [--seed 1] [--no-text] [--keep]
Writes a synthetic word2vec model (words w0_x … w{N-1}_x; each vector a random combination of --rank factors
plus Gaussian noise of standard deviation --noise) to ${tmpdir()}, in binary and (unless --no-text) text format,
then loads and queries it with word2vec-ts and gensim, each in its own process: --queries single queries
and one batch of --batch queries (random words, the singles among them), top --topn.
--keep keeps the model files (a later run with the same sizes and seed reuses them); otherwise they are deleted.`);
  process.exit(0);
}

const positiveInteger = (name: keyof typeof values): number => checkedPositive(values, name);

const spec: SyntheticModelSpec = {
  words: positiveInteger('words'),
  dim: positiveInteger('dim'),
  rank: positiveInteger('rank'),
  noise: Number(values.noise),
  seed: positiveInteger('seed'),
};
if (!(spec.noise >= 0)) {
  console.error(`--noise must be a number at least 0, got '${values.noise}'`);
  process.exit(2);
}
const singleCount = Math.min(positiveInteger('queries'), spec.words);
const batchCount = Math.min(Math.max(positiveInteger('batch'), singleCount), spec.words);
const topn = positiveInteger('topn');
const withText = !values['no-text'];

interface ModelFiles {
  directory: string;
  binary: string;
  text?: string;
}

/** The model's files, written unless a kept run of the same spec left them complete. */
async function modelFiles(): Promise<ModelFiles> {
  const { words, dim, rank, noise, seed } = spec;
  const directory = join(
    tmpdir(),
    `w2v-big-model-${words}x${dim}-rank${rank}-noise${noise}-seed${seed}`,
  );
  const files = {
    directory,
    binary: join(directory, 'model.bin'),
    text: withText ? join(directory, 'model.txt') : undefined,
  };
  const complete = join(directory, 'complete.json');
  const written = existsSync(complete)
    ? (JSON.parse(readFileSync(complete, 'utf8')) as { text: boolean })
    : undefined;
  if (written && (written.text || !withText)) {
    console.error(`reusing the model in ${directory}`);
    return files;
  }
  mkdirSync(directory, { recursive: true });
  console.error(
    `writing a ${words.toLocaleString('en-US')} × ${dim} model to ${directory} (binary${withText ? ' and text' : ''}) ...`,
  );
  const started = performance.now();
  let reported = 0;
  await writeSyntheticModel(spec, files, (rows) => {
    const tenths = Math.floor((10 * rows) / words);
    if (tenths > reported) console.error(`  ${10 * (reported = tenths)}%`);
  });
  console.error(`  written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  writeFileSync(complete, JSON.stringify({ ...spec, text: withText }));
  return files;
}

interface Measured<T> {
  result: T;
  maxRssMb: number;
}

/** What a tool's load may take: the float32 matrix 2.5 times over (gensim's peak is about 2.2×). */
const loadMemory = (): number => spec.words * spec.dim * 4 * 2.5;

function runOurs(model: string, wordsFile?: string): Measured<OursResult> {
  prepareLoad(model, loadMemory());
  const queries = wordsFile
    ? ['--words', wordsFile, '--topn', String(topn), '--single', String(singleCount)]
    : [];
  const run = timeCommand(
    process.execPath,
    [join(here, 'big-model-ours.js'), '--model', model, ...queries],
    { showStderr: true },
  );
  return { result: lastJsonLine<OursResult>(run.stdout), maxRssMb: run.maxRssMb };
}

interface GensimResult {
  version: string;
  load_seconds: number;
  first_query_seconds?: number;
  single_seconds?: number;
  top?: PeerAnswer[];
}

function runGensim(model: string, kind: 'bin' | 'txt', wordsFile?: string): Measured<GensimResult> {
  const queries = wordsFile ? [wordsFile, String(topn), String(singleCount)] : [];
  prepareLoad(model, loadMemory());
  const run = timeCommand(PYTHON, [
    join(repo, 'bench/peers/gensim_big_model.py'),
    model,
    kind,
    ...queries,
  ]);
  return { result: lastJsonLine<GensimResult>(run.stdout), maxRssMb: run.maxRssMb };
}

const gensimInstalled = (): boolean =>
  spawnSync(PYTHON, ['-c', 'import gensim'], { stdio: 'ignore' }).status === 0;

const seconds = (x: number | undefined): string =>
  x === undefined ? '-' : `${x.toFixed(x < 10 ? 2 : 1)} s`;
const ms = (x: number | undefined): string =>
  x === undefined ? '-' : `${(x * 1000).toFixed(x < 0.01 ? 2 : 1)} ms`;
const gb = (mib: number | undefined): string =>
  mib === undefined ? '-' : `${((mib * 1048576) / 1e9).toFixed(2)} GB`;
const times = (x: number): string => `${x.toFixed(2)}×`;
const verdict = (met: boolean | undefined): string =>
  met === undefined ? '-' : met ? 'yes' : 'NO';

interface Row {
  step: string;
  ours: string;
  gensim: string;
  ratio: string;
  target: string;
  met?: boolean;
}

/** How a row's ratio is taken and read, and the target it must meet. */
interface RatioRule {
  of: (ours: number, gensim: number) => number;
  says: string;
  target: string;
  meets?: (ratio: number) => boolean;
}

const TIME: Omit<RatioRule, 'target'> = {
  of: (ours, gensim) => ours / gensim,
  says: "gensim's time",
};
const SPEED: Omit<RatioRule, 'target'> = {
  of: (ours, gensim) => gensim / ours,
  says: "gensim's speed",
};
const MEMORY: Omit<RatioRule, 'target'> = { of: (ours, gensim) => ours / gensim, says: "gensim's" };

/** A row comparing the tools; the ratio (and whether it meets the target) only when both were measured. */
function compared(
  step: string,
  ours: number | undefined,
  gensim: number | undefined,
  show: (x: number | undefined) => string,
  rule: RatioRule,
): Row {
  const ratio = ours === undefined || gensim === undefined ? undefined : rule.of(ours, gensim);
  return {
    step,
    ours: show(ours),
    gensim: show(gensim),
    ratio: ratio === undefined ? '-' : `${times(ratio)} ${rule.says}`,
    target: rule.target,
    met: ratio === undefined ? undefined : rule.meets?.(ratio),
  };
}

interface ToolRuns {
  ours: Measured<OursResult>;
  gensim?: Measured<GensimResult>;
}

function printTable(binary: ToolRuns, text?: ToolRuns): void {
  const o = binary.ours.result;
  const g = binary.gensim?.result;
  const rows: Row[] = [
    compared('load, binary', o.load_seconds, g?.load_seconds, seconds, {
      ...TIME,
      target: "≤ 0.5× gensim's time",
      meets: (r) => r <= 0.5,
    }),
    {
      ...compared(
        'first query, after the load',
        o.first_query_seconds,
        g?.first_query_seconds,
        seconds,
        {
          ...TIME,
          target: '≤ 3 s',
        },
      ),
      met: o.first_query_seconds! <= 3,
    },
    {
      step: 'queries use the int16 filter, after the load',
      ours: seconds(o.filter_ready_seconds),
      gensim: '-',
      ratio: '-',
      target: '-',
      met: undefined,
    },
    compared(
      `single query (top ${topn}, mean of ${singleCount})`,
      o.single_seconds,
      g?.single_seconds,
      ms,
      {
        ...SPEED,
        target: "≥ 5× gensim's speed",
        meets: (r) => r >= 5,
      },
    ),
    {
      step: `batch of ${batchCount.toLocaleString('en-US')} queries (per query)`,
      ours: ms(o.batch_seconds),
      gensim: '-',
      ratio: `${times(o.single_seconds! / o.batch_seconds!)} single queries' speed`,
      target: "≥ 5× single queries' speed",
      met: o.single_seconds! >= 5 * o.batch_seconds!,
    },
    compared(
      'peak resident memory (binary load and queries)',
      binary.ours.maxRssMb,
      binary.gensim?.maxRssMb,
      gb,
      {
        ...MEMORY,
        target: "≤ 0.85× gensim's",
        meets: (r) => r <= 0.85,
      },
    ),
  ];
  if (text)
    rows.push(
      compared(
        'load, text',
        text.ours.result.load_seconds,
        text.gensim?.result.load_seconds,
        seconds,
        {
          ...SPEED,
          target: "≥ 3× gensim's speed",
          meets: (r) => r >= 3,
        },
      ),
      compared('peak resident memory (text load)', text.ours.maxRssMb, text.gensim?.maxRssMb, gb, {
        ...MEMORY,
        target: '-',
      }),
    );
  const notes = [
    `batch answers identical to the single ones (words and similarities): ${o.batch_identical} of ${o.top?.length}`,
  ];
  if (g?.top && o.top) {
    const agreement = compareAnswers(o.top, g.top);
    const all = o.top.length;
    rows.push({
      step: `top ${topn} equal to gensim's, up to the order of similarities within 1e-6`,
      ours: `${agreement.sameUpToTies} of ${all}`,
      gensim: '-',
      ratio: '-',
      target: `${all} of ${all}`,
      met: agreement.sameUpToTies === all,
    });
    notes.push(
      `top words in the same order as gensim's: ${agreement.sameWords} of ${all}; largest similarity difference ${agreement.maxDifference.toExponential(1)}`,
    );
  }

  console.log('\n| step | word2vec-ts | gensim | ratio | target | met |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows)
    console.log(
      `| ${row.step} | ${row.ours} | ${row.gensim} | ${row.ratio} | ${row.target} | ${verdict(row.met)} |`,
    );
  console.log('');
  for (const note of notes) console.log(note);
}

async function main(): Promise<void> {
  const files = await modelFiles();
  try {
    const wordsFile = join(files.directory, 'query-words.txt');
    writeFileSync(
      wordsFile,
      sampleRows(spec.words, batchCount, spec.seed).map(syntheticWord).join('\n'),
    );
    const gensim = gensimInstalled();
    if (!gensim)
      console.error(
        'gensim is not installed (apt-get install -y python3-gensim); reporting word2vec-ts alone',
      );

    console.error('word2vec-ts: binary model, load and queries ...');
    const ours = runOurs(files.binary, wordsFile);
    if (gensim) console.error('gensim: the same ...');
    const binary = { ours, gensim: gensim ? runGensim(files.binary, 'bin', wordsFile) : undefined };
    let text;
    if (files.text) {
      console.error('word2vec-ts: text model, load ...');
      const ours = runOurs(files.text);
      if (gensim) console.error('gensim: the same ...');
      text = { ours, gensim: gensim ? runGensim(files.text, 'txt') : undefined };
    }

    const size = (path: string): string => `${(statSync(path).size / 1e9).toFixed(2)} GB`;
    console.log(
      `\nmodel: ${spec.words.toLocaleString('en-US')} words × ${spec.dim} (rank ${spec.rank} plus noise ${spec.noise}, seed ${spec.seed}); ` +
        `binary ${size(files.binary)}${files.text ? `, text ${size(files.text)}` : ''}`,
    );
    console.log(
      `node ${process.version}; gensim ${binary.gensim?.result.version ?? 'not run'}; ${availableParallelism()} cores, ` +
        `${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free at the end); one run each, every tool in its own process, before each load the file read through once and free memory touched in a separate process (so each starts with the file in the page cache and with pages the machine has used before); ` +
        "peak resident memory from GNU time (the process's ru_maxrss)",
    );
    printTable(binary, text);
  } finally {
    if (values.keep) console.error(`model kept in ${files.directory}`);
    else rmSync(files.directory, { recursive: true, force: true });
  }
}

await main();
