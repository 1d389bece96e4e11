/**
 * The main job: train skip-gram with negative sampling on a real corpus with
 * all cores, save the vectors and show what they learned.
 *
 *   npm run demo                               # ../shared/data/wiki17m.txt.gz
 *   W2V_CORPUS=text8 npm run demo              # any corpus
 *   W2V_OUTPUT=/tmp/vectors.bin npm run demo   # where to save (default ./demo-vectors.bin)
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgressReporter } from '../src/cli/progress.js';
import { formatTrainSummary } from '../src/cli/train.js';
import { W2vError } from '../src/errors.js';
import { formatFromPath } from '../src/io/file-format.js';
import { train } from '../src/train/trainer.js';

const QUERY_WORDS = ['king', 'france', 'computer', 'two', 'music'];
const NEIGHBOURS = 8;
const EPOCHS = 3;

// Compiled to dist/scripts/demo.js: the repository root is two levels up.
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_CORPUS = resolve(REPO_ROOT, '../shared/data/wiki17m.txt.gz');

function findCorpus(): string | undefined {
  const fromEnv = process.env.W2V_CORPUS;
  if (fromEnv) return fromEnv; // an explicit choice: let a wrong path fail loudly
  return existsSync(DEFAULT_CORPUS) ? DEFAULT_CORPUS : undefined;
}

async function main(): Promise<number> {
  const corpus = findCorpus();
  if (corpus === undefined) {
    process.stderr.write(
      [
        'No corpus found.',
        `The demo looks for $W2V_CORPUS, then ${DEFAULT_CORPUS}.`,
        'To use text8 (100 MB of Wikipedia text):',
        '  curl -O http://mattmahoney.net/dc/text8.zip && unzip text8.zip',
        '  W2V_CORPUS=$PWD/text8 npm run demo',
        '',
      ].join('\n'),
    );
    return 1;
  }
  const output = process.env.W2V_OUTPUT || 'demo-vectors.bin';

  process.stderr.write(
    `Training skip-gram / negative sampling on ${corpus} (${EPOCHS} epochs, all cores)\n`,
  );
  const reporter = new ProgressReporter();
  const model = await train({
    input: corpus,
    arch: 'sg',
    loss: 'ns',
    epochs: EPOCHS,
    onProgress: reporter.update,
  }).finally(() => reporter.stop());
  await model.save(output);

  process.stdout.write(
    formatTrainSummary(model.summary, {
      epochs: model.options.epochs,
      output: resolve(output),
      format: formatFromPath(output),
    }),
  );

  const kv = model.vectors;
  for (const word of QUERY_WORDS) {
    if (!kv.has(word)) {
      process.stdout.write(`\n${word}: not in the vocabulary\n`);
      continue;
    }
    const neighbours = kv.mostSimilar({ positive: [word], topn: NEIGHBOURS });
    const list = neighbours.map((n) => `${n.word} ${n.similarity.toFixed(3)}`).join(', ');
    process.stdout.write(`\n${word}: ${list}\n`);
  }
  if (['king', 'man', 'woman'].every((w) => kv.has(w))) {
    const [best] = kv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 1 });
    if (best)
      process.stdout.write(`\nking - man + woman ≈ ${best.word} (${best.similarity.toFixed(3)})\n`);
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  if (!(err instanceof W2vError)) throw err;
  process.stderr.write(`demo: ${err.message}\n`);
  process.exitCode = err.exitCode;
}
