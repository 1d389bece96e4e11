import { test } from 'node:test';
import { tempDir } from './temp-dir.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { train } from '../src/train/trainer.js';
import { loadNative } from '../src/io/native-format.js';
import { SubwordKeyedVectors } from '../src/subwords/subword-keyed-vectors.js';
import { startW2v, w2v, type CliResult } from './cli-runner.js';
import { writePlantedCorpus } from './planted-corpus.js';

const dir = tempDir('w2v-checkpoint-cli-');
const corpus = writePlantedCorpus(join(dir, 'planted.txt'));
// About 1.5 seconds of training on one thread: long enough to stop it after its first progress record.
const EPOCHS = 150;
const MODEL_FLAGS = [
  '--dim',
  '24',
  '--window',
  '3',
  '--min-count',
  '1',
  '--sample',
  '0',
  '--epochs',
  String(EPOCHS),
  '--seed',
  '5',
];

/**
 * Starts `w2v train ... --log`, waits for the first training record in the
 * log, then sends `signal`; resolves with how the process ended.
 */
async function trainAndSignal(
  args: string[],
  log: string,
  signal: NodeJS.Signals,
): Promise<CliResult & { trainedWhenSignalled: number }> {
  const { child, output, closed } = startW2v(['train', ...args, '--log', log]);
  let trainedWhenSignalled = -1;
  for (let waited = 0; waited < 30_000 && trainedWhenSignalled < 0; waited += 20) {
    await sleep(20);
    const records = existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { phase: string; words: number })
      : [];
    const first = records.find((r) => r.phase === 'train');
    if (first) trainedWhenSignalled = first.words;
  }
  assert.ok(trainedWhenSignalled >= 0, `no training record in the log; stderr: ${output().stderr}`);
  child.kill(signal);
  return { status: await closed, ...output(), trainedWhenSignalled };
}

test(
  'Ctrl-C saves a checkpoint and exits 130; --resume finishes with the bytes of an uninterrupted run',
  { timeout: 60_000 },
  async () => {
    const output = join(dir, 'vectors.bin');
    const checkpoint = `${output}.checkpoint`;
    const stopped = await trainAndSignal(
      ['--input', corpus.path, '--output', output, '--threads', '1', ...MODEL_FLAGS],
      join(dir, 'run.jsonl'),
      'SIGINT',
    );
    assert.equal(stopped.status, 130, stopped.stderr);
    assert.match(stopped.stderr, /training was stopped at \d+\.\d%/);
    assert.ok(
      stopped.stderr.includes(
        `to resume: w2v train --resume ${checkpoint} --input ${corpus.path} --output ${output} --threads 1`,
      ),
      stopped.stderr,
    );
    assert.ok(!existsSync(output), 'no output before the run is finished');
    const saved = await loadNative(checkpoint);
    assert.ok(
      saved.training &&
        saved.training.wordsDone > 0 &&
        saved.training.wordsDone < saved.training.totalWords,
    );

    // The model flags may be repeated as long as they agree with the checkpoint.
    const resumed = await w2v([
      'train',
      '--resume',
      checkpoint,
      '--output',
      output,
      '--dim',
      '24',
      '-q',
    ]);
    assert.equal(resumed.status, 0, resumed.stderr);

    const whole = await train({
      input: corpus.path,
      dim: 24,
      window: 3,
      minCount: 1,
      sample: 0,
      epochs: EPOCHS,
      seed: 5,
      threads: 1,
    });
    const reference = join(dir, 'whole.bin');
    await whole.save(reference);
    assert.ok(
      readFileSync(output).equals(readFileSync(reference)),
      'resumed output has the bytes of an uninterrupted run',
    );
  },
);

test(
  'SIGTERM saves the checkpoint given by --checkpoint and exits 143; a conflicting option is refused naming its flag',
  { timeout: 60_000 },
  async () => {
    const output = join(dir, 'term.bin');
    const checkpoint = join(dir, 'term.ckpt');
    const stopped = await trainAndSignal(
      [
        '--input',
        corpus.path,
        '--output',
        output,
        '--checkpoint',
        checkpoint,
        '--threads',
        '2',
        ...MODEL_FLAGS,
      ],
      join(dir, 'term.jsonl'),
      'SIGTERM',
    );
    assert.equal(stopped.status, 143, stopped.stderr);
    assert.ok((await loadNative(checkpoint)).training);
    assert.ok(!existsSync(`${output}.checkpoint`));

    const conflict = await w2v([
      'train',
      '--resume',
      checkpoint,
      '--output',
      output,
      '--window',
      '8',
    ]);
    assert.equal(conflict.status, 2);
    assert.match(conflict.stderr, /^w2v: --window 8 differs from the checkpoint's 3/);
    const other = writePlantedCorpus(join(dir, 'other.txt'), { sentences: 100 });
    const wrongCorpus = await w2v([
      'train',
      '--resume',
      checkpoint,
      '--input',
      other.path,
      '--output',
      output,
    ]);
    assert.equal(wrongCorpus.status, 2);
    assert.match(wrongCorpus.stderr, /^w2v: --input: .* is the checkpoint of an interrupted run/);
  },
);

/** `w2v train --resume model` on new planted text (16 words the model lacks), which must succeed and say so. */
async function trainFurther(
  model: string,
  name: string,
  output: string,
): Promise<{ news: { path: string }; more: Awaited<ReturnType<typeof w2v>> }> {
  const news = writePlantedCorpus(join(dir, name), { topics: 12, sentences: 600 });
  const more = await w2v([
    'train',
    '--resume',
    model,
    '--input',
    news.path,
    '--output',
    output,
    '--epochs',
    '1',
  ]);
  assert.equal(more.status, 0, more.stderr);
  assert.match(more.stdout, /\(16 new words, fresh learning rate\)/);
  return { news, more };
}

test(
  '--resume with a .w2v model and new text trains it further and reports the new words',
  { timeout: 30_000 },
  async () => {
    const model = join(dir, 'model.w2v');
    const first = await w2v([
      'train',
      '--input',
      corpus.path,
      '--output',
      model,
      '--dim',
      '24',
      '--min-count',
      '1',
      '--epochs',
      '2',
      '--threads',
      '1',
      '-q',
    ]);
    assert.equal(first.status, 0, first.stderr);
    const output = join(dir, 'model2.w2v');
    const { news, more } = await trainFurther(model, 'news.txt', output);
    assert.match(more.stdout, /trained on\s+.*model\.w2v \(16 new words, fresh learning rate\)/);
    assert.equal((await loadNative(output)).vectors.size, 84 + 16);
    const refused = await w2v([
      'train',
      '--resume',
      model,
      '--input',
      news.path,
      '--output',
      output,
      '--arch',
      'cbow',
    ]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^w2v: --arch cbow differs from the model's sg/);
  },
);

test(
  '--resume trains a subword .w2v model further, and refuses other n-gram options naming the flag',
  { timeout: 30_000 },
  async () => {
    const model = join(dir, 'subword.w2v');
    const flags = ['--dim', '16', '--min-count', '1', '--threads', '1', '-q'];
    const first = await w2v([
      'train',
      '--input',
      corpus.path,
      '--output',
      model,
      '--minn',
      '3',
      '--maxn',
      '5',
      '--bucket',
      '10000',
      '--epochs',
      '1',
      ...flags,
    ]);
    assert.equal(first.status, 0, first.stderr);
    const output = join(dir, 'subword2.w2v');
    const { news } = await trainFurther(model, 'subword-news.txt', output);
    const loaded = (await loadNative(output)).vectors;
    assert.ok(loaded instanceof SubwordKeyedVectors);
    assert.equal(loaded.size, 84 + 16);
    assert.ok(loaded.hasVectorFor('topic11wrod7'));
    const refused = await w2v([
      'train',
      '--resume',
      model,
      '--input',
      news.path,
      '--output',
      output,
      '--maxn',
      '6',
    ]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^w2v: --maxn 6 differs from the model's 5/);
  },
);
