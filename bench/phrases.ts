// Phrases on wiki17m: learning them with word2vec-ts (`w2v phrases`) and
// with gensim's Phrases (same settings, same run: one pass, default scoring,
// min count 5, threshold 10, no connector words), each in its own process:
// wall time, peak memory, the phrases each found and how many they share
// (with scores equal to 1e-6 relative). Then what joining them on the fly
// costs training: `w2v train` on the corpus, on the corpus joined before
// (a file `w2v phrases` wrote) and with `--phrases` joining on the fly
// (skip-gram, negative sampling, dim 100, 1 epoch), words per second of each,
// the three in turn for a number of rounds (the medians are compared: the
// machine's speed drifts more between runs than joining costs).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PYTHON } from '../test/peers.js';
import { median } from './median.js';
import { timeCommand } from './time-command.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(repoRoot, 'dist/src/cli/main.js');
const PEER = join(repoRoot, 'bench/peers/gensim_phrases.py');

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: resolve(repoRoot, '../shared/data/wiki17m.txt.gz') },
    'skip-gensim': { type: 'boolean', default: false },
    'skip-training': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
  },
});
const corpus = values.corpus!;
const scratch = join(tmpdir(), `w2v-bench-phrases-${process.pid}`);
mkdirSync(scratch, { recursive: true });

function phraseScores(path: string): Map<string, number> {
  const scores = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [phrase, score] = line.split('\t');
    scores.set(phrase, Number(score));
  }
  return scores;
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);
try {
  console.log(`corpus: ${corpus}`);
  const oursTsv = join(scratch, 'ours.tsv');
  const ours = timeCommand(process.execPath, [
    MAIN,
    'phrases',
    '-i',
    corpus,
    '--save',
    oursTsv,
    '-q',
  ]);
  const oursPhrases = phraseScores(oursTsv);
  const rows: string[][] = [
    ['word2vec-ts', fmt(ours.seconds), fmt(ours.maxRssMb, 0), String(oursPhrases.size), '', ''],
  ];
  if (!values['skip-gensim']) {
    const prefix = join(scratch, 'gensim');
    const gensim = timeCommand(PYTHON, [PEER, '--input', corpus, '--phrases-out', prefix]);
    const theirs = phraseScores(`${prefix}.default.tsv`);
    let shared = 0;
    let sameScore = 0;
    for (const [phrase, score] of theirs) {
      const mine = oursPhrases.get(phrase);
      if (mine === undefined) continue;
      shared++;
      if (Math.abs(mine - score) <= 1e-6 * Math.abs(score)) sameScore++;
    }
    rows.push([
      'gensim Phrases',
      fmt(gensim.seconds),
      fmt(gensim.maxRssMb, 0),
      String(theirs.size),
      `${shared} (${sameScore} same score)`,
      `${fmt(gensim.seconds / ours.seconds)}×`,
    ]);
  }
  console.log(
    '\n| learner | seconds | peak MiB | phrases | shared with word2vec-ts | word2vec-ts faster |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);

  if (!values['skip-training']) {
    const run = (extra: string[]): { seconds: number; wordsPerSecond: number } => {
      const out = join(scratch, 'vectors.bin');
      const timed = timeCommand(process.execPath, [
        MAIN,
        'train',
        '-o',
        out,
        '--arch',
        'sg',
        '--loss',
        'ns',
        '--dim',
        '100',
        '--epochs',
        '1',
        '--seed',
        '1',
        ...extra,
      ]);
      // The summary's words trained over its training time, unrounded.
      const trained = /words trained\s+([\d,]+)/.exec(timed.stdout);
      const time = /training ((?:\d+m)?[\d.]+s)\)/.exec(timed.stdout);
      if (!trained || !time) throw new Error(`no training summary in:\n${timed.stdout}`);
      const [, minutes = '0', secs] = /^(?:(\d+)m)?([\d.]+)s$/.exec(time[1])!;
      const trainingSeconds = Number(minutes) * 60 + Number(secs);
      return {
        seconds: timed.seconds,
        wordsPerSecond: Number(trained[1].replaceAll(',', '')) / trainingSeconds,
      };
    };
    // The same phrased text from a file written before (not timed), so that
    // what joining on the fly costs is told from what the larger vocabulary costs.
    const phrasedFile = join(scratch, 'phrased.txt');
    timeCommand(process.execPath, [
      MAIN,
      'phrases',
      '--load',
      oursTsv,
      '-i',
      corpus,
      '-o',
      phrasedFile,
      '-q',
    ]);
    const kinds = {
      plain: ['-i', corpus],
      fromFile: ['-i', phrasedFile],
      onTheFly: ['-i', corpus, '--phrases', oursTsv],
    };
    const timings = { plain: [], fromFile: [], onTheFly: [] } as Record<
      keyof typeof kinds,
      { seconds: number; wordsPerSecond: number }[]
    >;
    const rounds = Number(values.rounds);
    for (let round = 0; round < rounds; round++)
      for (const kind of Object.keys(kinds) as (keyof typeof kinds)[])
        timings[kind].push(run(kinds[kind]));
    const wall = (kind: keyof typeof kinds): number => median(timings[kind].map((t) => t.seconds));
    const speed = (kind: keyof typeof kinds): number =>
      median(timings[kind].map((t) => t.wordsPerSecond));
    const each = (kind: keyof typeof kinds): string =>
      timings[kind].map((t) => `${Math.round(t.wordsPerSecond / 1000)}k`).join(', ');
    console.log(
      `\n| training (sg, ns, dim 100, 1 epoch; median of ${rounds}) | wall seconds | training words/s | each round |`,
    );
    console.log('|---|---|---|---|');
    const row = (label: string, kind: keyof typeof kinds): void =>
      console.log(
        `| ${label} | ${fmt(wall(kind))} | ${Math.round(speed(kind)).toLocaleString('en-US')} | ${each(kind)} |`,
      );
    row('the corpus', 'plain');
    row(`the corpus joined before, from a file (${oursPhrases.size} phrases)`, 'fromFile');
    row('the corpus with --phrases, joined on the fly', 'onTheFly');
    const cost = (a: number, b: number): string => `${fmt((a / b - 1) * 100)}%`;
    console.log(
      `--phrases against the corpus itself: words/s ${cost(speed('onTheFly'), speed('plain'))}, ` +
        `wall time ${cost(wall('onTheFly'), wall('plain'))}; ` +
        `against the joined file: words/s ${cost(speed('onTheFly'), speed('fromFile'))}, ` +
        `wall time ${cost(wall('onTheFly'), wall('fromFile'))}`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
