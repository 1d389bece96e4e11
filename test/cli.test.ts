import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { w2v } from './cli-runner.js';

/** A stack trace line, which users should never see unless they ask for it. */
const STACK_LINE = /^\s+at /m;

/** Splits commander help into one whitespace-normalised entry per long flag (descriptions wrap). */
function optionEntries(help: string): Map<string, string> {
  const entries = new Map<string, string>();
  let flag: string | undefined;
  for (const line of help.split('\n')) {
    const start = /^\s{2}(?:-\w, )?(--[\w-]+)/.exec(line);
    if (start) {
      flag = start[1]!;
      entries.set(flag, line.trim());
    } else if (flag !== undefined && /^\s{4,}\S/.test(line)) {
      entries.set(flag, `${entries.get(flag)} ${line.trim()}`);
    } else {
      flag = undefined;
    }
  }
  for (const [key, text] of entries) entries.set(key, text.replace(/\s+/g, ' '));
  return entries;
}

let dir: string;
let corpus: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'w2v-cli-test-'));
  corpus = join(dir, 'corpus.txt');
  await writeFile(corpus, tinyCorpus(3000));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Sentences from two topics with a deterministic generator, so the corpus is
 * the same on every run and every word passes the default min-count.
 */
function tinyCorpus(sentences: number): string {
  const topics = [
    ['king', 'queen', 'prince', 'castle', 'crown', 'throne', 'royal', 'palace'],
    ['cat', 'dog', 'mouse', 'pet', 'fur', 'tail', 'paw', 'bark'],
  ];
  const common = ['the', 'a', 'of', 'and', 'in'];
  let state = 12345;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n); // high bits: an LCG's low bits cycle
  };
  const lines: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const topic = topics[next(topics.length)]!;
    const words: string[] = [];
    for (let w = 0; w < 8; w++) {
      words.push(next(3) === 0 ? common[next(common.length)]! : topic[next(topic.length)]!);
    }
    lines.push(words.join(' '));
  }
  return lines.join('\n') + '\n';
}

describe('w2v --help', () => {
  test('lists the commands and global options', async () => {
    const { status, stdout } = await w2v(['--help']);
    assert.equal(status, 0);
    assert.match(stdout, /Usage: w2v/);
    assert.match(stdout, /\btrain\b/);
    assert.match(stdout, /--debug/);
  });

  test('no command prints usage and exits 2', async () => {
    const { status, stderr } = await w2v([]);
    assert.equal(status, 2);
    assert.match(stderr, /Usage: w2v/);
  });

  test('train --help lists every option with its default', async () => {
    const { status, stdout } = await w2v(['train', '--help']);
    assert.equal(status, 0);
    const entries = optionEntries(stdout);
    const expected: Record<string, string> = {
      '--arch': 'default: "sg"',
      '--loss': 'default: "ns"',
      '--dim': 'default: 100',
      '--window': 'default: 5',
      '--negative': 'default: 5',
      '--ns-exponent': 'default: 0.75',
      '--sample': 'default: 0.001',
      '--min-count': 'default: 5',
      '--max-vocab': 'default: 0',
      '--alpha': 'default: 0.025 for sg, 0.05 for cbow',
      '--min-alpha': 'default: 0.0001',
      '--epochs': 'default: 5',
      '--threads': `default: all cores (${availableParallelism()})`,
      '--seed': 'default: 1',
      '--max-sentence-length': 'default: 10000',
      '--cache-mib': 'default: 512',
      '--max-vocab-memory': 'default: 2048',
      '--format': 'default: from the --output extension',
    };
    for (const [flag, text] of Object.entries(expected)) {
      const entry = entries.get(flag);
      assert.ok(entry, `${flag} missing from train --help:\n${stdout}`);
      assert.ok(entry.includes(text), `${flag} should show "${text}", got: ${entry}`);
    }
    for (const flag of ['--input', '--output', '--quiet']) {
      assert.ok(entries.has(flag), `${flag} missing from train --help`);
    }
  });
});

describe('w2v train argument errors', () => {
  const cases: Array<{ args: string[]; flag: string }> = [
    { args: ['--dim', '0'], flag: '--dim' },
    { args: ['--dim', 'abc'], flag: '--dim' },
    { args: ['--epochs', '1.5'], flag: '--epochs' },
    { args: ['--arch', 'foo'], flag: '--arch' },
    { args: ['--window', '-1'], flag: '--window' },
    { args: ['--min-alpha', '1'], flag: '--min-alpha' },
    { args: ['--sample', '0x10'], flag: '--sample' },
    { args: ['--max-vocab-memory', '16'], flag: '--max-vocab-memory' },
  ];
  for (const { args, flag } of cases) {
    test(`${args.join(' ')} exits 2 naming ${flag}`, async () => {
      const { status, stderr } = await w2v([
        'train',
        '--input',
        corpus,
        '--output',
        join(dir, 'bad.bin'),
        ...args,
      ]);
      assert.equal(status, 2, stderr);
      assert.ok(stderr.includes(flag), `stderr should name ${flag}: ${stderr}`);
      assert.match(stderr, /^w2v: /);
      assert.doesNotMatch(stderr, STACK_LINE);
    });
  }

  test('unknown option exits 2', async () => {
    const { status, stderr } = await w2v([
      'train',
      '--input',
      corpus,
      '--output',
      join(dir, 'x.bin'),
      '--dims',
      '3',
    ]);
    assert.equal(status, 2);
    assert.match(stderr, /--dims/);
  });

  test('missing --output exits 2', async () => {
    const { status, stderr } = await w2v(['train', '--input', corpus]);
    assert.equal(status, 2);
    assert.match(stderr, /--output/);
  });

  test('missing input file exits 1 naming the file', async () => {
    const missing = join(dir, 'no-such-corpus.txt');
    const { status, stderr } = await w2v([
      'train',
      '--input',
      missing,
      '--output',
      join(dir, 'out.bin'),
    ]);
    assert.equal(status, 1, stderr);
    assert.ok(stderr.includes(missing), stderr);
    assert.doesNotMatch(stderr, STACK_LINE);
  });

  test('W2V_DEBUG=1 adds the stack trace', async () => {
    const missing = join(dir, 'no-such-corpus.txt');
    const { status, stderr } = await w2v(
      ['train', '--input', missing, '--output', join(dir, 'out.bin')],
      {
        env: { W2V_DEBUG: '1' },
      },
    );
    assert.equal(status, 1);
    assert.match(stderr, STACK_LINE);
  });

  test('output into a missing directory exits 2 before training', async () => {
    const missingDir = join(dir, 'no-such-dir');
    const { status, stderr, stdout } = await w2v([
      'train',
      '--input',
      corpus,
      '--output',
      join(missingDir, 'v.bin'),
    ]);
    assert.equal(status, 2, stderr);
    assert.ok(stderr.includes(missingDir), stderr);
    assert.doesNotMatch(stderr, /vocabulary|epoch/);
    assert.equal(stdout, '');
  });
});

describe('w2v train end to end', () => {
  test('trains a tiny corpus and writes text vectors that load', { timeout: 20_000 }, async () => {
    const output = join(dir, 'vectors.txt');
    const { status, stdout, stderr } = await w2v([
      'train',
      '--input',
      corpus,
      '--output',
      output,
      '--dim',
      '16',
      '--epochs',
      '2',
      '--threads',
      '2',
    ]);
    assert.equal(status, 0, stderr);
    for (const label of [
      'vocabulary',
      'corpus',
      'words trained',
      'time',
      'speed',
      'final loss',
      'saved',
    ]) {
      assert.match(
        stdout,
        new RegExp(`^${label}\\s`, 'm'),
        `summary should show ${label}:\n${stdout}`,
      );
    }
    assert.ok(stdout.includes(output));

    // .txt output means the text format: "<words> <dim>" header, then one word per line.
    const text = await readFile(output, 'utf8');
    const [header] = text.split('\n', 1);
    assert.match(header!, /^\d+ 16$/);

    const { loadWord2Vec } = await import('../src/io/word2vec-format.js');
    const kv = await loadWord2Vec(output);
    assert.equal(kv.dim, 16);
    assert.equal(kv.size, 21); // 2 topics × 8 words + 5 common words
    assert.ok(kv.has('king') && kv.has('dog'));
  });

  test(
    '--format bin --quiet writes binary vectors and prints nothing',
    { timeout: 20_000 },
    async () => {
      const output = join(dir, 'vectors.vec');
      const { status, stdout, stderr } = await w2v([
        'train',
        '--input',
        corpus,
        '--output',
        output,
        '--format',
        'bin',
        '--dim',
        '8',
        '--epochs',
        '1',
        '--quiet',
      ]);
      assert.equal(status, 0, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr, '');

      const { loadWord2Vec } = await import('../src/io/word2vec-format.js');
      const kv = await loadWord2Vec(output, { format: 'bin' });
      assert.equal(kv.dim, 8);
      assert.equal(kv.size, 21);
    },
  );
  test(
    '--threads 1 --seed 7 writes identical bytes on every run',
    { timeout: 30_000 },
    async () => {
      const run = async (name: string, seed: string): Promise<Buffer> => {
        const output = join(dir, name);
        const args = [
          'train',
          '-i',
          corpus,
          '-o',
          output,
          '--dim',
          '12',
          '--epochs',
          '2',
          '--threads',
          '1',
          '--seed',
          seed,
          '-q',
        ];
        const { status, stderr } = await w2v(args);
        assert.equal(status, 0, stderr);
        return readFile(output);
      };
      const first = await run('seeded-a.bin', '7');
      const second = await run('seeded-b.bin', '7');
      const other = await run('seeded-c.bin', '8');
      assert.ok(first.equals(second), 'same seed, same bytes');
      assert.ok(!first.equals(other), 'another seed, other bytes');
    },
  );
  test(
    'an output ending in .w2v is written in the native format, with output weights and options',
    { timeout: 30_000 },
    async () => {
      const output = join(dir, 'model.w2v');
      const { status, stdout, stderr } = await w2v([
        'train',
        '-i',
        corpus,
        '-o',
        output,
        '--dim',
        '8',
        '--epochs',
        '1',
        '--loss',
        'hs',
      ]);
      assert.equal(status, 0, stderr);
      assert.match(stdout, /model\.w2v \(native\)/);
      const { loadNative } = await import('../src/io/native-format.js');
      const model = await loadNative(output);
      assert.equal(model.vectors.dim, 8);
      assert.equal(model.outputKind, 'hs');
      assert.equal(model.outputWeights!.length, (model.vectors.size - 1) * 8);
    },
  );
});
