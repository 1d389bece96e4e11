// The phrase pipeline of the word2vec paper (section 4) on wiki17m, built
// with word2vec-ts and with gensim in the same run, with the same settings:
// phrases learned in two passes (default scoring, min count 5, threshold 10,
// so phrases of up to four words), then skip-gram with negative sampling on
// the joined text. word2vec-ts joins the phrases while it trains
// (`w2v train --phrases`); gensim's Phrases and FrozenPhrases write the
// joined corpus, which its Word2Vec then trains on. Both models are scored
// by gensim's evaluator on word2vec.c's phrase analogies.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PYTHON } from '../test/peers.js';
import { positiveInteger } from './option-values.js';
import { lastJsonLine, timeCommand } from './time-command.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const data = resolve(repoRoot, '../shared/data');
const MAIN = join(repoRoot, 'dist/src/cli/main.js');

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: join(data, 'wiki17m.txt.gz') },
    questions: { type: 'string', default: join(data, 'questions-phrases.txt') },
    pairs: { type: 'string', default: join(data, 'wordsim353.tsv') },
    passes: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    seeds: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run bench:phrase-pipeline -- [--corpus FILE] [--questions FILE] [--pairs FILE]
                                       [--passes 2] [--epochs 3] [--threads 2] [--seeds 3]
Phrases (default scoring, min count 5, threshold 10) for --passes passes, then skip-gram
(negative sampling, dim 100, window 5, negative 5, sample 1e-3) with word2vec-ts and with
gensim's Phrases + Word2Vec, once per seed (1 to --seeds: the phrase analogies a corpus of this size
answers are few, so one training decides little); every model scored by gensim's evaluator.`);
  process.exit(0);
}
const passes = positiveInteger(values, 'passes');
const epochs = positiveInteger(values, 'epochs');
const threads = positiveInteger(values, 'threads');
const seeds = positiveInteger(values, 'seeds');
const training = {
  dim: '100',
  window: '5',
  negative: '5',
  sample: '1e-3',
  'min-count': '5',
  epochs: String(epochs),
  threads: String(threads),
};

const trainingFlags = Object.entries(training).flatMap(([name, value]) => [`--${name}`, value]);

interface Score {
  analogy: number;
  answered: number;
  spearman: number;
}

interface Trained {
  seconds: number;
  maxRssMb: number;
  score: Score;
}

/** gensim's scores of a word2vec binary file: the phrase analogies over the top 300,000 words, as gensim's default. */
function evaluate(path: string): Score {
  const run = timeCommand(PYTHON, [
    join(repoRoot, 'bench/peers/evaluate.py'),
    path,
    values.questions!,
    values.pairs!,
    'bin',
    '--restrict-vocab',
    '300000',
  ]);
  return lastJsonLine<Score>(run.stdout);
}

/** The phrases new in each pass of a phrase file (its `# pass N` sections), counted as for gensim. */
function phrasesPerPass(path: string): number[] {
  const counts: number[] = [];
  const seen = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (/^# pass \d+$/.test(line)) counts.push(0);
    else if (line !== '' && !line.startsWith('#')) {
      const phrase = line.split('\t')[0];
      if (!seen.has(phrase)) counts[counts.length - 1]++;
      seen.add(phrase);
    }
  }
  return counts;
}

const questionCount = readFileSync(values.questions!, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith(':')).length;
const scratch = join(tmpdir(), `w2v-bench-phrase-pipeline-${process.pid}`);
mkdirSync(scratch, { recursive: true });
const fmt = (n: number, digits = 1): string => n.toFixed(digits);
try {
  console.log(
    `corpus: ${values.corpus}; ${passes} passes of phrases, skip-gram ${epochs} epochs, ${threads} threads, seeds 1 to ${seeds}`,
  );
  const phraseFile = join(scratch, 'phrases.tsv');
  const learned = timeCommand(process.execPath, [
    MAIN,
    'phrases',
    '-i',
    values.corpus!,
    '--passes',
    String(passes),
    '--save',
    phraseFile,
    '-q',
  ]);
  const ours: Trained[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const vectors = join(scratch, `ours.${seed}.bin`);
    const run = timeCommand(process.execPath, [
      MAIN,
      'train',
      '-i',
      values.corpus!,
      '--phrases',
      phraseFile,
      '-o',
      vectors,
      '--arch',
      'sg',
      '--loss',
      'ns',
      '--seed',
      String(seed),
      ...trainingFlags,
    ]);
    ours.push({
      seconds: run.seconds,
      maxRssMb: Math.max(run.maxRssMb, learned.maxRssMb),
      score: evaluate(vectors),
    });
  }

  const gensimPrefix = join(scratch, 'gensim');
  const gensimRun = timeCommand(PYTHON, [
    join(repoRoot, 'bench/peers/gensim_phrase_pipeline.py'),
    '--input',
    values.corpus!,
    '--phrased',
    join(scratch, 'gensim-phrased.txt'),
    '--output',
    gensimPrefix,
    '--seeds',
    String(seeds),
    '--passes',
    String(passes),
    ...trainingFlags,
  ]);
  const gensim = lastJsonLine<{
    phrases_seconds: number;
    write_seconds: number;
    train_seconds: number[];
    phrases: number[];
  }>(gensimRun.stdout);
  const theirs: Trained[] = gensim.train_seconds.map((seconds, i) => ({
    seconds,
    maxRssMb: gensimRun.maxRssMb,
    score: evaluate(`${gensimPrefix}.${i + 1}.bin`),
  }));

  const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const row = (
    tool: string,
    phrases: number[],
    phraseSeconds: number,
    joinSeconds: string,
    runs: Trained[],
  ): string => {
    const correct = runs.map((r) => Math.round(r.score.analogy * r.score.answered));
    return (
      `| ${tool} | ${phrases.join(' + ')} | ${fmt(phraseSeconds)} | ${joinSeconds} | ` +
      `${fmt(mean(runs.map((r) => r.seconds)))} | ${fmt(Math.max(...runs.map((r) => r.maxRssMb)), 0)} | ` +
      `${correct.join(', ')} | ${percent(mean(runs.map((r) => r.score.analogy)))} | ` +
      `${runs[0].score.answered} of ${questionCount} | ${mean(runs.map((r) => r.score.spearman)).toFixed(4)} |`
    );
  };
  console.log(
    '\n| pipeline | new phrases per pass | phrases s | joined corpus s | training s (mean) | peak MiB | ' +
      'phrase analogies right, per seed | accuracy (mean) | answerable | WS-353 Spearman (mean) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  console.log(
    row('word2vec-ts', phrasesPerPass(phraseFile), learned.seconds, '(on the fly)', ours),
  );
  console.log(
    row('gensim', gensim.phrases, gensim.phrases_seconds, fmt(gensim.write_seconds), theirs),
  );
  const oursTotal = learned.seconds + mean(ours.map((r) => r.seconds));
  const theirsTotal = gensim.phrases_seconds + gensim.write_seconds + mean(gensim.train_seconds);
  console.log(
    `\none pipeline (phrases and one training): word2vec-ts ${fmt(oursTotal)} s, gensim ${fmt(theirsTotal)} s ` +
      `(${fmt(theirsTotal / oursTotal)}× faster); phrase analogies (mean of ${seeds}): ` +
      `${percent(mean(ours.map((r) => r.score.analogy)))} against ${percent(mean(theirs.map((r) => r.score.analogy)))}`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
