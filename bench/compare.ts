// Side-by-side training benchmark: word2vec-ts, gensim and fastText with the
// same settings on the same corpus, one after another in one run. Prints
// words/s, wall time, peak memory and the quality of each result (scored by
// the same evaluator for every tool), then the ratios word2vec-ts / peer.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { median } from './median.js';
import { lastJsonLine, timeCommand } from './time-command.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const repo = resolve(here, '../..');
const data = resolve(repo, '../shared/data');
const PYTHON = '/usr/bin/python3';
const execFileAsync = promisify(execFile);

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: process.env.W2V_CORPUS ?? join(data, 'wiki17m.txt.gz') },
    modes: { type: 'string', default: 'sg-ns' },
    arch: { type: 'string' },
    loss: { type: 'string' },
    epochs: { type: 'string', default: '1' },
    sample: { type: 'string', default: '1e-3' },
    threads: { type: 'string', default: '2' },
    peers: { type: 'string', default: 'gensim,fasttext' },
    questions: { type: 'string', default: join(data, 'questions-words.txt') },
    pairs: { type: 'string', default: join(data, 'wordsim353.tsv') },
    calibrate: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench -- [--corpus FILE] [--modes sg-ns,sg-ns-shared,cbow-ns,sg-hs,cbow-hs,sg-ns-subwords | --arch sg|cbow --loss ns|hs]
                       [--epochs 1] [--sample 1e-3] [--threads 2 | --threads 1,2] [--repeat 1] [--peers gensim,fasttext] [--calibrate]
Trains every tool with: dim 100, window 5, negative 5, min-count 5 (and the sample given, default 1e-3).
A mode ending in -shared is word2vec-ts with --shared-negatives, compared with the peers' plain mode.
A mode ending in -subwords trains subword models: word2vec-ts --subwords against fastText -minn 3 -maxn 6
(both with 2,000,000 buckets; gensim does not run). word2vec-ts's subword skip-gram draws noise words from
counts^0.5, as fastText does (--ns-exponent 0.5); its subword CBOW keeps 0.75.
Quality is that of the vocabulary words' vectors; analogies are scored over the corpus's 30,000 most frequent
words (ties in code-point order), the same questions for every tool.
--repeat N trains word2vec-ts N times per mode, every thread count back to back in each round (peers once),
and compares medians: timings on a shared machine vary from run to run.
--calibrate also measures what two independent one-thread processes get from the machine.`);
  process.exit(0);
}
if (!existsSync(values.corpus)) {
  console.error(
    `corpus not found: ${values.corpus}\nset W2V_CORPUS or pass --corpus (text8 works: http://mattmahoney.net/dc/text8.zip)`,
  );
  process.exit(1);
}

const modes =
  values.arch || values.loss
    ? [`${values.arch ?? 'sg'}-${values.loss ?? 'ns'}`]
    : values.modes.split(',');
const threadCounts = values.threads.split(',').map(Number);
const rounds = Number(values.repeat);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--repeat must be a positive integer, got '${values.repeat}'`);
  process.exit(2);
}
const peers = values.peers.split(',').filter(Boolean);
const work = mkdtempSync(join(tmpdir(), 'w2v-bench-'));

const runs: Run[] = [];

interface Run {
  tool: string;
  /** word2vec-ts's round (1..--repeat); peers run in round 1 only. */
  round: number;
  mode: string;
  threads: number;
  seconds: number;
  words: number;
  maxRssMb: number;
  analogy: number;
  /** Accuracy on the syntactic sections (gram*) of the analogies. */
  syntactic: number;
  spearman: number;
  /** word2vec-ts only: see profileOf. */
  profile?: string;
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** Where word2vec-ts's time went: the counting pass, training, and how busy each thread was. */
function profileOf(result: Record<string, unknown>): string {
  const busy = Array.isArray(result.thread_busy)
    ? result.thread_busy.map((b) => `${(100 * Number(b)).toFixed(0)}%`).join(', ')
    : '?';
  return `counting ${Number(result.vocab_seconds).toFixed(1)} s, training ${Number(result.train_seconds).toFixed(1)} s, threads busy ${busy}`;
}

function available(peer: string): boolean {
  if (peer === 'gensim')
    return spawnSync(PYTHON, ['-c', 'import gensim'], { stdio: 'ignore' }).status === 0;
  if (peer === 'fasttext')
    return spawnSync('fasttext', [], { stdio: 'ignore' }).error === undefined;
  return false;
}
const INSTALL: Record<string, string> = {
  gensim: 'apt-get install -y python3-gensim',
  fasttext: 'apt-get install -y fasttext',
};

/** Peers read plain text: the corpus is decompressed once, outside the timings. */
async function plainCorpus(): Promise<string> {
  if (!values.corpus.endsWith('.gz')) return values.corpus;
  const out = join(work, 'corpus.txt');
  await pipeline(createReadStream(values.corpus), createGunzip(), createWriteStream(out));
  return out;
}

/** Scores a model; its analogies over the words listed in `analogyWords` (see topWords). */
function evaluate(
  path: string,
  binary: boolean,
  analogyWords: string,
): { analogy: number; syntactic: number; spearman: number } {
  const result = lastJsonLine<Record<string, number>>(
    run(PYTHON, [
      join(repo, 'bench/peers/evaluate.py'),
      path,
      values.questions,
      values.pairs,
      binary ? 'bin' : 'txt',
      '--words',
      analogyWords,
    ]),
  );
  return { analogy: result.analogy, syntactic: result.syntactic, spearman: result.spearman };
}

/** The corpus's 30,000 most frequent words at min-count 5, ties in code-point order. */
function topWords(plain: string): string {
  const out = join(work, 'top-words.txt');
  run(PYTHON, [join(repo, 'bench/peers/top_words.py'), plain, '30000', out]);
  return out;
}

const common = {
  dim: '100',
  window: '5',
  negative: '5',
  sample: values.sample,
  'min-count': '5',
  epochs: values.epochs,
};
const flags = (o: Record<string, string>): string[] =>
  Object.entries(o).flatMap(([k, v]) => [`--${k}`, v]);

async function main(): Promise<void> {
  const usable = peers.filter((peer) => {
    if (available(peer)) return true;
    console.log(`skipping ${peer}: not installed (${INSTALL[peer] ?? 'unknown peer'})`);
    return false;
  });
  // The plain text serves the peers and the word counts for every tool's analogies.
  const plain = await plainCorpus();
  const analogyWords = topWords(plain);
  for (const mode of modes) {
    // "sg-ns-shared" is word2vec-ts with --shared-negatives; peers have no such mode and run as "sg-ns".
    const [arch, loss, variant] = mode.split('-');
    const subwords = variant === 'subwords';
    const peerMode = subwords ? mode : `${arch}-${loss}`;
    for (let round = 1; round <= rounds; round++)
      for (const threads of threadCounts) {
        const settings = { ...common, arch, loss, threads: String(threads) };
        const ours = join(work, `ours-${mode}-${threads}.bin`);
        // Subword skip-gram draws noise words from counts^0.5, as fastText does (it trains better so; CBOW with 0.75).
        const extra =
          variant === 'shared'
            ? ['--shared-negatives']
            : subwords
              ? ['--subwords', ...(arch === 'sg' ? ['--ns-exponent', '0.5'] : [])]
              : [];
        const o = lastJsonLine<Record<string, number>>(
          run(process.execPath, [
            join(here, 'train-ours.js'),
            '--corpus',
            values.corpus,
            '--output',
            ours,
            ...flags(settings),
            ...extra,
          ]),
        );
        const words = o.corpus_words;
        // Quality does not depend on the round: later rounds are timed only.
        const quality =
          round === 1
            ? evaluate(ours, true, analogyWords)
            : { analogy: NaN, syntactic: NaN, spearman: NaN };
        record({
          tool: 'word2vec-ts',
          round,
          mode,
          threads,
          seconds: o.seconds,
          words,
          maxRssMb: o.max_rss_mb,
          ...quality,
          profile: profileOf(o),
        });
        if (round > 1) continue;
        const peerRan = (tool: string): boolean =>
          runs.some((r) => r.tool === tool && r.mode === peerMode && r.threads === threads);
        if (usable.includes('gensim') && !subwords && !peerRan('gensim')) {
          const out = join(work, `gensim-${peerMode}-${threads}.bin`);
          const g = lastJsonLine<Record<string, number>>(
            run(PYTHON, [
              join(repo, 'bench/peers/gensim_train.py'),
              '--corpus-file',
              plain,
              '--output',
              out,
              ...flags(settings),
            ]),
          );
          record({
            tool: 'gensim',
            round,
            mode: peerMode,
            threads,
            seconds: g.seconds,
            words,
            maxRssMb: g.max_rss_mb,
            ...evaluate(out, true, analogyWords),
          });
        }
        if (usable.includes('fasttext') && !peerRan('fasttext')) {
          const prefix = join(work, `fasttext-${peerMode}-${threads}`);
          const t = timeCommand('fasttext', [
            arch === 'sg' ? 'skipgram' : 'cbow',
            '-input',
            plain,
            '-output',
            prefix,
            '-dim',
            '100',
            '-ws',
            '5',
            '-neg',
            '5',
            '-loss',
            loss,
            '-t',
            values.sample,
            '-minCount',
            '5',
            '-epoch',
            values.epochs,
            '-thread',
            String(threads),
            ...(subwords
              ? ['-minn', '3', '-maxn', '6', '-bucket', '2000000']
              : ['-minn', '0', '-maxn', '0']),
            '-lr',
            arch === 'sg' ? '0.025' : '0.05',
            '-verbose',
            '0',
          ]);
          record({
            tool: 'fasttext',
            round,
            mode: peerMode,
            threads,
            seconds: t.seconds,
            words,
            maxRssMb: t.maxRssMb,
            ...evaluate(`${prefix}.vec`, false, analogyWords),
          });
        }
      }
  }
  const capacity = values.calibrate ? await calibrate() : NaN;
  printTable(capacity);
  rmSync(work, { recursive: true, force: true });
}

function record(r: Run): void {
  runs.push(r);
  console.error(
    `done: ${r.tool} ${r.mode} threads=${r.threads}${rounds > 1 ? ` round ${r.round}` : ''} in ${r.seconds.toFixed(1)} s${r.profile ? ` (${r.profile})` : ''}`,
  );
}

/**
 * What the machine gives two independent processes right now: two one-thread
 * trainings at once, against one alone. On shared machines two virtual cores
 * are sometimes one physical core; this is the ceiling for thread scaling.
 */
async function calibrate(): Promise<number> {
  const args = (out: string): string[] => [
    join(here, 'train-ours.js'),
    '--corpus',
    values.corpus,
    '--output',
    join(work, out),
    '--threads',
    '1',
  ];
  const alone = lastJsonLine<Record<string, number>>(
    run(process.execPath, args('calibrate-alone.bin')),
  ).seconds;
  const started = performance.now();
  await Promise.all(
    ['a', 'b'].map((name) =>
      execFileAsync(process.execPath, args(`calibrate-${name}.bin`), { maxBuffer: 1 << 26 }),
    ),
  );
  return (2 * alone) / ((performance.now() - started) / 1000);
}

/** word2vec-ts's median wall time over the rounds of one mode and thread count. */
function oursSeconds(mode: string, threads: number): number {
  return median(
    runs
      .filter((x) => x.tool === 'word2vec-ts' && x.mode === mode && x.threads === threads)
      .map((x) => x.seconds),
  );
}

function printTable(capacity: number): void {
  const percent = (x: number): string => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);
  const fixed = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(4));
  console.log(
    `\ncorpus: ${values.corpus}; epochs ${values.epochs}; dim 100, window 5, negative 5, sample ${values.sample}, min-count 5`,
  );
  console.log(
    'words/s = corpus words (in vocabulary, before subsampling) x epochs / wall time of the training call\n',
  );
  const roundColumn = rounds > 1;
  console.log(
    `| mode | threads |${roundColumn ? ' round |' : ''} tool | words/s | wall s | peak MB | analogy (30k) | syntactic | WS-353 Spearman |`,
  );
  console.log(`|---|---|${roundColumn ? '---|' : ''}---|---|---|---|---|---|---|`);
  for (const r of runs) {
    console.log(
      `| ${r.mode} | ${r.threads} |${roundColumn ? ` ${r.round} |` : ''} ${r.tool} | ${Math.round(r.words / r.seconds).toLocaleString('en')} | ` +
        `${r.seconds.toFixed(1)} | ${r.maxRssMb.toFixed(0)} | ${percent(r.analogy)} | ${percent(r.syntactic)} | ${fixed(r.spearman)} |`,
    );
  }
  console.log('\nword2vec-ts time:');
  for (const r of runs.filter((x) => x.profile))
    console.log(
      `  ${r.mode} threads=${r.threads}${roundColumn ? ` round ${r.round}` : ''}: ${r.profile}`,
    );
  console.log(
    `\nword2vec-ts / peer${roundColumn ? ` (word2vec-ts: median wall time of ${rounds} rounds)` : ''}:`,
  );
  for (const r of runs.filter((x) => x.tool !== 'word2vec-ts')) {
    for (const ours of runs.filter(
      (x) =>
        x.tool === 'word2vec-ts' &&
        x.round === 1 &&
        (x.mode === r.mode || x.mode === `${r.mode}-shared`) &&
        x.threads === r.threads,
    )) {
      console.log(
        `  ${ours.mode} threads=${r.threads} vs ${r.tool}: speed ${(r.seconds / oursSeconds(ours.mode, r.threads)).toFixed(2)}x, ` +
          `analogy ${(100 * (ours.analogy - r.analogy)).toFixed(2)} points (syntactic ${(100 * (ours.syntactic - r.syntactic)).toFixed(2)}), Spearman ${(ours.spearman - r.spearman).toFixed(4)}`,
      );
    }
  }
  for (const mode of modes) {
    const one = runs.filter((x) => x.tool === 'word2vec-ts' && x.mode === mode && x.threads === 1);
    if (one.length === 0) continue;
    for (const threads of threadCounts.filter((t) => t > 1)) {
      // Each round's ratio compares runs made back to back.
      const perRound = one.flatMap((a) =>
        runs
          .filter(
            (x) =>
              x.tool === 'word2vec-ts' &&
              x.mode === mode &&
              x.threads === threads &&
              x.round === a.round,
          )
          .map((b) => a.seconds / b.seconds),
      );
      const rest = roundColumn
        ? ` (median; rounds: ${perRound.map((x) => `${x.toFixed(2)}x`).join(', ')})`
        : '';
      console.log(
        `  ${mode}: ${threads} threads = ${median(perRound).toFixed(2)}x 1 thread${rest}`,
      );
    }
  }
  if (Number.isFinite(capacity)) {
    console.log(
      `  machine: two independent one-thread trainings ran at ${capacity.toFixed(2)}x the throughput of one (the ceiling for 2 threads)`,
    );
  }
}

await main();
