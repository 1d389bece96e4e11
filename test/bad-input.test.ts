// Every input a user can get wrong, run through the real CLI: each must give
// a message that names the file or option and what was expected, the right
// exit code (2 for usage, 1 for input), no stack trace, no output file, and
// must leave an existing output file as it was. Training faults must be
// caught before training starts.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { w2v, type CliOptions, type CliResult } from './cli-runner.js';
import { royalModel } from './fixtures.js';
import { writePlantedCorpus } from './planted-corpus.js';
import { loadWord2Vec, saveWord2Vec } from '../src/io/word2vec-format.js';

/** A stack trace line, which users should never see unless they ask for it. */
const STACK_LINE = /^\s+at /m;
/** A progress line of the training phase: its presence means training started. */
const TRAINING_STARTED = /epoch \d+\/\d+/;

const dir = await mkdtemp(join(tmpdir(), 'w2v-bad-input-'));
after(() => rm(dir, { recursive: true, force: true }));

/**
 * How to run the CLI so that file permissions apply. Root reads and writes
 * whatever the mode bits say, so as root the CLI runs as user nobody; if
 * that is not possible here, the permission tests are skipped with a reason.
 */
async function permissionRunner(): Promise<{ options: CliOptions; skip: string | false }> {
  if (process.getuid?.() !== 0) return { options: {}, skip: false };
  const nobody: CliOptions = { uid: 65534, gid: 65534 };
  const probe = await w2v(['--version'], nobody).catch(() => undefined);
  if (probe?.status === 0) return { options: nobody, skip: false };
  return {
    options: {},
    skip: 'running as root, where chmod does not stop reading or writing, and user nobody cannot run the CLI here',
  };
}
const permissions = await permissionRunner();
/** A directory that user nobody may use (mkdtemp makes its directory private). */
const shared = join(dir, 'shared');

const corpus = join(dir, 'corpus.txt');
const model = join(dir, 'model.bin');
const pairs = join(dir, 'pairs.tsv');

before(async () => {
  writePlantedCorpus(corpus, { topics: 3, wordsPerTopic: 4, sentences: 300, length: 8 });
  await saveWord2Vec(royalModel(), model, { format: 'bin' });
  await writeFile(pairs, 'king\tqueen\t8\nman\twoman\t7\napple\torange\t6\n');
  await chmod(dir, 0o755);
  await mkdir(shared, { mode: 0o777 });
  await chmod(shared, 0o777); // the umask may have taken bits away
});

/** Options that keep a training run short: it is only run to see that it does not start. */
const QUICK = ['--dim', '8', '--epochs', '1', '--threads', '1'];

/** Deterministic bytes drawn from `alphabet`. */
function bytesFrom(alphabet: readonly number[], length: number, seed = 1): Buffer {
  let state = seed;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = alphabet[Math.floor((state / 2147483648) * alphabet.length)]!;
  }
  return out;
}

/** Each file's bytes, or undefined where there is none. */
async function snapshot(paths: readonly string[]): Promise<Array<Buffer | undefined>> {
  return Promise.all(paths.map((path) => readFile(path).catch(() => undefined)));
}

interface Failure {
  status: 1 | 2;
  /** Texts the message must hold: the file or option, and what was expected. */
  says: ReadonlyArray<string | RegExp>;
  /** Output files: each must be, after the run, exactly what it was before (absent stays absent). */
  outputs?: readonly string[];
  options?: CliOptions;
}

/** Runs `w2v args`, which must fail as `failure` says, and returns what it printed. */
async function expectFailure(args: readonly string[], failure: Failure): Promise<CliResult> {
  const outputs = failure.outputs ?? [];
  const before = await snapshot(outputs);
  const result = await w2v(args, failure.options);
  const { status, stdout, stderr } = result;
  assert.equal(status, failure.status, `exit code of w2v ${args.join(' ')}\n${stderr}`);
  assert.match(stderr, /^w2v: \S/m);
  for (const text of failure.says) {
    if (typeof text === 'string')
      assert.ok(stderr.includes(text), `stderr should hold ${JSON.stringify(text)}:\n${stderr}`);
    else assert.match(stderr, text);
  }
  assert.doesNotMatch(stderr, STACK_LINE);
  assert.doesNotMatch(stderr, /internal error/);
  assert.doesNotMatch(stderr, TRAINING_STARTED);
  assert.doesNotMatch(stdout, /^saved/m);
  const afterRun = await snapshot(outputs);
  outputs.forEach((path, i) => {
    if (before[i] === undefined)
      assert.equal(afterRun[i], undefined, `${path} should not have been created`);
    else assert.ok(afterRun[i]?.equals(before[i]!), `${path} should be left as it was`);
  });
  // An interrupted atomic write would leave its temporary file behind.
  for (const folder of [dir, shared]) {
    const names = await readdir(folder);
    assert.deepEqual(
      names.filter((name) => name.endsWith('.tmp')),
      [],
      `temporary files left in ${folder}`,
    );
  }
  return result;
}

/** `w2v train` of `input` into a fresh output, which must not appear. */
function expectTrainFailure(
  input: string | string[],
  extra: readonly string[],
  failure: Failure,
): Promise<CliResult> {
  const output = join(shared, 'never.bin');
  const inputs = Array.isArray(input) ? input : [input];
  return expectFailure(['train', '-i', ...inputs, '-o', output, ...QUICK, ...extra], {
    ...failure,
    outputs: [output, ...(failure.outputs ?? [])],
  });
}

describe('train: corpus files that cannot be read', () => {
  test('a file that does not exist', async () => {
    const missing = join(dir, 'no-such-corpus.txt');
    await expectTrainFailure(missing, [], {
      status: 1,
      says: [`cannot read corpus file '${missing}': no such file`],
    });
  });

  test('the second of two files does not exist: that one is named', async () => {
    const missing = join(dir, 'no-such-part2.txt');
    await expectTrainFailure([corpus, missing], [], {
      status: 1,
      says: [`'${missing}'`, 'no such file'],
    });
  });

  test('a directory', async () => {
    await expectTrainFailure(shared, [], {
      status: 1,
      says: [`corpus file '${shared}' is a directory`],
    });
  });

  test('a file without read permission (chmod 000)', { skip: permissions.skip }, async () => {
    const locked = join(shared, 'locked.txt');
    await writeFile(locked, await readFile(corpus));
    await chmod(locked, 0o000);
    await expectTrainFailure(locked, [], {
      status: 1,
      says: [`cannot read corpus file '${locked}': permission denied`],
      options: permissions.options,
    });
  });

  test('corrupt gzip data', async () => {
    const gz = join(dir, 'corrupt.txt.gz');
    await writeFile(
      gz,
      Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), bytesFrom([0, 7, 200, 255], 500)]),
    );
    await expectTrainFailure(gz, [], {
      status: 1,
      says: [`cannot read corpus file '${gz}': corrupt or truncated gzip data`],
    });
  });
});

describe('train: corpora without words to train', () => {
  test('an empty file', async () => {
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '');
    await expectTrainFailure(empty, [], {
      status: 1,
      says: [`corpus '${empty}' holds no words: it is empty or only white space`],
    });
  });

  test('a file of white space and line breaks only', async () => {
    const blank = join(dir, 'blank.txt');
    await writeFile(blank, '  \n\n\t \r\n \v\f\n');
    await expectTrainFailure(blank, [], {
      status: 1,
      says: [`corpus '${blank}' holds no words: it is empty or only white space`],
    });
  });

  test('no word reaches min-count: the message gives min-count and the most frequent word with its count', async () => {
    const rare = join(dir, 'rare.txt');
    await writeFile(rare, 'a b c a\nb a d\n');
    await expectTrainFailure(rare, [], {
      status: 1,
      says: [
        `no word in corpus '${rare}' occurs at least min-count = 5 times (the most frequent, 'a', occurs 3 times); lower --min-count`,
      ],
    });
    await expectTrainFailure(rare, ['--min-count', '4'], {
      status: 1,
      says: ['min-count = 4', "'a', occurs 3 times"],
    });
  });

  test('binary data: every token is invalid UTF-8 or holds control characters', async () => {
    const binary = join(dir, 'binary.dat');
    // NUL, SOH, bytes that never start a UTF-8 character, spaces and line breaks: no token can be text.
    await writeFile(binary, bytesFrom([0x00, 0x01, 0x80, 0xfe, 0xff, 0xff, 0x20, 0x0a], 4000));
    await expectTrainFailure(binary, ['--min-count', '1'], {
      status: 1,
      says: [
        `corpus '${binary}' holds no text: all of its`,
        'tokens are invalid UTF-8 or hold control characters; is it a binary file?',
      ],
    });
  });
});

describe('train: tokens that are not UTF-8 text', () => {
  test(
    'are left out of the vocabulary, counted in a warning and in the summary; valid words stay, each once',
    { timeout: 30_000 },
    async () => {
      // Each invalid token occurs 6 times, more than min-count, so only the text check can drop it.
      const invalid = [
        Buffer.from([0xff]),
        Buffer.from([0xfe]), // ff and fe both decode to U+FFFD: they used to become the same word twice
        Buffer.from([0xc3, 0x28]), // a lead byte without its continuation
        Buffer.from([0xc0, 0xaf]), // an overlong '/'
        Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
        Buffer.from('caf\xe9', 'latin1'), // Latin-1, not UTF-8
        Buffer.from('ab\x00cd', 'latin1'), // a NUL byte
        Buffer.from('x\x1by', 'latin1'), // an escape character
      ];
      const valid = ['\uFFFD', 'e\u0301', 'naïve']; // a literal replacement character is text
      const extraLine = Buffer.concat([
        ...invalid.flatMap((token) => [token, Buffer.from(' ')]),
        Buffer.from(`${valid.join(' ')}\n`),
      ]);
      const dirty = join(dir, 'dirty.txt');
      await writeFile(
        dirty,
        Buffer.concat([await readFile(corpus), ...Array.from({ length: 6 }, () => extraLine)]),
      );
      const output = join(dir, 'dirty.txt.vec');
      const { status, stdout, stderr } = await w2v(['train', '-i', dirty, '-o', output, ...QUICK]);
      assert.equal(status, 0, stderr);
      const tokens = invalid.length * 6;
      assert.ok(
        stderr.includes(
          `w2v: warning: skipped ${tokens} tokens (${invalid.length} distinct words) that are not UTF-8 text (invalid UTF-8 or control characters) in corpus '${dirty}'`,
        ),
        stderr,
      );
      assert.match(stdout, new RegExp(`^skipped\\s+${tokens} tokens that are not UTF-8 text`, 'm'));

      const clean = await loadWord2Vec(output);
      const words = new Set(clean.words);
      assert.equal(words.size, clean.size, 'every word once');
      for (const word of valid) assert.ok(words.has(word), `${word} should be kept`);
      for (const word of clean.words) {
        assert.doesNotMatch(word, /\p{Cc}/u, 'no control characters');
        assert.equal(Buffer.from(word, 'utf8').toString('utf8'), word, 'well-formed');
      }
      assert.equal(
        clean.size,
        3 * 4 + 4 + valid.length,
        'the planted words, the common words and the valid extras',
      );
    },
  );
});

describe('train: a corpus of one very long line', () => {
  test(
    'a 48 MiB line without a line break trains in no more memory than the same words on short lines',
    { timeout: 60_000 },
    async () => {
      // Peak resident memory of the CLI process, in KiB, printed as it exits.
      const reportRss =
        'data:text/javascript,process.on("exit",()=>process.stderr.write(`maxRSS=${process.resourceUsage().maxRSS}\\n`))';
      const words = Array.from({ length: 50 }, (_, i) => `word${i}x`);
      const onLines = bytesFrom([...words.keys()], 100_000).reduce(
        (text, w, i) => text + words[w]! + (i % 1000 === 999 ? '\n' : ' '),
        '',
      );
      const block = Buffer.from(onLines);
      const mib = 48;
      const repeats = Math.ceil((mib * 2 ** 20) / block.length);
      const lines = join(dir, 'lines.txt');
      const line = join(dir, 'line.txt');
      await writeFile(lines, Buffer.concat(Array.from({ length: repeats }, () => block)));
      const oneLine = Buffer.from(onLines.replaceAll('\n', ' '));
      await writeFile(line, Buffer.concat(Array.from({ length: repeats }, () => oneLine)));

      const peak = async (input: string): Promise<{ kib: number; stdout: string }> => {
        // The corpus is read once, and trained from its encoded copy (the same size for both files;
        // with --cache-mib 0 the re-reading's garbage makes peaks vary by ±30 MiB). The subsampling
        // threshold makes training cheap: only reading and cutting the line are measured.
        const args = [
          'train',
          '-i',
          input,
          '-o',
          `${input}.bin`,
          '--sample',
          '1e-6',
          '--window',
          '1',
          '--negative',
          '1',
          ...QUICK,
        ];
        const { status, stdout, stderr } = await w2v(args, {
          nodeArgs: ['--import', reportRss],
          timeoutMs: 50_000,
        });
        assert.equal(status, 0, stderr);
        return { kib: Number(/maxRSS=(\d+)/.exec(stderr)?.[1]), stdout };
      };
      const single = await peak(line);
      const split = await peak(lines);
      const tokens = (stdout: string): string | undefined => /^corpus\s+(.*)$/m.exec(stdout)?.[1];
      assert.equal(tokens(single.stdout), tokens(split.stdout), 'the same tokens');
      // Holding the line, or any copy of it, would take at least its 48 MiB more;
      // otherwise the two runs differ by garbage collection timing only (under 10 MiB).
      const bound = split.kib + (mib / 2) * 1024;
      assert.ok(
        single.kib < bound,
        `peak RSS ${single.kib} KiB with one line, ${split.kib} KiB with short lines`,
      );
      await rm(line);
      await rm(lines);
    },
  );
});

describe('train: CRLF line ends', () => {
  test('give the same vocabulary and the same vectors as LF', { timeout: 30_000 }, async () => {
    const lf = await readFile(corpus, 'utf8');
    const crlfCorpus = join(dir, 'crlf.txt');
    await writeFile(crlfCorpus, lf.replaceAll('\n', '\r\n'));
    const run = async (
      input: string,
      output: string,
    ): Promise<{ bytes: Buffer; stdout: string }> => {
      const { status, stdout, stderr } = await w2v([
        'train',
        '-i',
        input,
        '-o',
        output,
        ...QUICK,
        '--seed',
        '3',
      ]);
      assert.equal(status, 0, stderr);
      return { bytes: await readFile(output), stdout };
    };
    const fromLf = await run(corpus, join(dir, 'lf.txt.vec'));
    const fromCrlf = await run(crlfCorpus, join(dir, 'crlf.txt.vec'));
    assert.ok(fromCrlf.bytes.equals(fromLf.bytes), 'same words, same vectors, byte for byte');
    assert.doesNotMatch(
      fromCrlf.stdout,
      /^skipped/m,
      'a carriage return is white space, not a control character in a word',
    );
    assert.equal(
      /^vocabulary.*$/m.exec(fromCrlf.stdout)?.[0],
      /^vocabulary.*$/m.exec(fromLf.stdout)?.[0],
    );
  });
});

// Each case is a short run of its own process: run a few at a time.
describe('train: option values', { concurrency: 4 }, () => {
  const cases: Array<{ args: string[]; says: string[] }> = [
    { args: ['--dim', '0'], says: ['--dim must be an integer in 1..10000, got 0'] },
    {
      args: ['--dim', 'abc'],
      says: ["option '--dim <n>' argument 'abc' is invalid. Expected an integer."],
    },
    {
      args: ['--dim', ''],
      says: ["option '--dim <n>' argument '' is invalid. Expected an integer."],
    },
    { args: ['--window', '-1'], says: ['--window must be an integer in 1..1000, got -1'] },
    { args: ['--window', '0'], says: ['--window must be an integer in 1..1000, got 0'] },
    {
      args: ['--window', '2.5'],
      says: ["option '--window <n>' argument '2.5' is invalid. Expected an integer."],
    },
    { args: ['--alpha', '0'], says: ['--alpha must be a number > 0, got 0'] },
    { args: ['--alpha', '-0.1'], says: ['--alpha must be a number > 0, got -0.1'] },
    {
      args: ['--alpha', 'fast'],
      says: ["option '--alpha <x>' argument 'fast' is invalid. Expected a number."],
    },
    {
      args: ['--min-alpha', '1'],
      says: ['--min-alpha must be a number in 0..alpha (0.025), got 1'],
    },
    {
      args: ['--arch', 'glove'],
      says: ["option '--arch <arch>' argument 'glove' is invalid. Allowed choices are sg, cbow."],
    },
    {
      args: ['--loss', 'nce'],
      says: [
        "option '--loss <loss>' argument 'nce' is invalid. Allowed choices are ns, hs, softmax.",
      ],
    },
    { args: ['--epochs', '0'], says: ['--epochs must be an integer in 1..100000, got 0'] },
    {
      args: ['--epochs', '1.5'],
      says: ["option '--epochs <n>' argument '1.5' is invalid. Expected an integer."],
    },
    { args: ['--negative', '0'], says: ['--negative must be an integer in 1..1000, got 0'] },
    {
      args: ['--negative', 'five'],
      says: ["option '--negative <n>' argument 'five' is invalid. Expected an integer."],
    },
    { args: ['--threads', '0'], says: ['--threads must be an integer in 1..1024, got 0'] },
    { args: ['--sample', '-1'], says: ['--sample must be a number >= 0, got -1'] },
    {
      args: ['--sample', '0x10'],
      says: ["option '--sample <x>' argument '0x10' is invalid. Expected a number."],
    },
    { args: ['--min-count', '0'], says: ['--min-count must be an integer >= 1, got 0'] },
    { args: ['--max-vocab', '-1'], says: ['--max-vocab must be an integer >= 0, got -1'] },
    {
      args: ['--max-sentence-length', '0'],
      says: ['--max-sentence-length must be an integer >= 1, got 0'],
    },
    { args: ['--cache-mib', '-1'], says: ['--cache-mib must be a number >= 0, got -1'] },
    {
      args: ['--ns-exponent', 'Infinity'],
      says: ["option '--ns-exponent <x>' argument 'Infinity' is invalid. Expected a number."],
    },
    { args: ['--seed', '-1'], says: ['--seed must be an integer >= 0, got -1'] },
    {
      args: ['--format', 'doc'],
      says: [
        "option '--format <format>' argument 'doc' is invalid. Allowed choices are bin, txt, native, fasttext.",
      ],
    },
  ];
  for (const { args, says } of cases) {
    test(`${args.join(' ')}`, async () => {
      await expectTrainFailure(corpus, args, { status: 2, says });
    });
  }

  test('--negative larger than the vocabulary fails after counting, before training, giving both numbers', async () => {
    const small = join(dir, 'small.txt');
    await writeFile(small, 'a b c d\n'.repeat(10));
    const log = join(dir, 'negative.jsonl');
    await expectTrainFailure(small, ['--negative', '7', '--log', log], {
      status: 2,
      says: [
        '--negative 7 is larger than the vocabulary (4 words)',
        'lower --negative or --min-count',
      ],
      outputs: [log],
    });
    // hierarchical softmax draws no noise words
    const { status, stderr } = await w2v([
      'train',
      '-i',
      small,
      '-o',
      join(dir, 'hs.bin'),
      ...QUICK,
      '--negative',
      '7',
      '--loss',
      'hs',
      '-q',
    ]);
    assert.equal(status, 0, stderr);
  });
});

describe('train: output paths', () => {
  test('--output in a directory that does not exist', async () => {
    const missing = join(dir, 'no-such-dir');
    await expectFailure(['train', '-i', corpus, '-o', join(missing, 'v.bin')], {
      status: 2,
      says: [`--output: directory '${missing}' does not exist`],
    });
  });

  test('--output is a directory', async () => {
    await expectFailure(['train', '-i', corpus, '-o', shared], {
      status: 2,
      says: [`--output: '${shared}' is a directory`],
    });
  });

  test('--output inside a regular file', async () => {
    await expectFailure(['train', '-i', corpus, '-o', join(corpus, 'v.bin')], {
      status: 2,
      says: [`--output: '${corpus}' is not a directory`],
    });
  });

  test('--output in a directory without write permission', { skip: permissions.skip }, async () => {
    const locked = join(shared, 'read-only-dir');
    await mkdir(locked, { mode: 0o555 });
    await chmod(locked, 0o555);
    const output = join(locked, 'v.bin');
    await expectFailure(['train', '-i', corpus, '-o', output], {
      status: 2,
      says: [`--output: directory '${locked}' is not writable`],
      outputs: [output],
      options: permissions.options,
    });
  });

  test(
    '--output names an existing read-only file, which is left as it was',
    { skip: permissions.skip },
    async () => {
      const output = join(shared, 'read-only.bin');
      await writeFile(output, 'precious\n');
      await chmod(output, 0o444);
      await expectFailure(['train', '-i', corpus, '-o', output], {
        status: 2,
        says: [`--output: '${output}' exists and is not writable`],
        outputs: [output],
        options: permissions.options,
      });
    },
  );

  test('--log in a directory that does not exist, or a directory, or not writable', async () => {
    const missing = join(dir, 'no-such-log-dir');
    await expectTrainFailure(corpus, ['--log', join(missing, 'train.jsonl')], {
      status: 2,
      says: [`--log: directory '${missing}' does not exist`],
    });
    await expectTrainFailure(corpus, ['--log', shared], {
      status: 2,
      says: [`--log: '${shared}' is a directory`],
    });
  });

  test('--log that is not writable', { skip: permissions.skip }, async () => {
    const log = join(shared, 'read-only.jsonl');
    await writeFile(log, '{"old": true}\n');
    await chmod(log, 0o444);
    await expectFailure(['train', '-i', corpus, '-o', join(shared, 'never.bin'), '--log', log], {
      status: 2,
      says: [`--log: '${log}' exists and is not writable`],
      outputs: [log, join(shared, 'never.bin')],
      options: permissions.options,
    });
  });

  test('a run that fails on its corpus leaves the existing output and log byte for byte as they were', async () => {
    const output = join(dir, 'existing.bin');
    const log = join(dir, 'existing.jsonl');
    // The vectors of an earlier run (a model: w2v writes only over models).
    await saveWord2Vec(royalModel(), output, { format: 'bin' });
    await writeFile(log, '{"phase":"train","words":1,"totalWords":1,"alpha":0.01,"loss":1}\n');
    const rare = join(dir, 'rare-words.txt');
    await writeFile(rare, 'one two three\n');
    await expectFailure(['train', '-i', rare, '-o', output, '--log', log], {
      status: 1,
      says: ['min-count = 5'],
      outputs: [output, log],
    });
  });
});

describe('query commands: bad model files and unknown words', { concurrency: 4 }, () => {
  const notAModel = join(dir, 'random.bin');
  const queries = (path: string): Array<{ name: string; args: string[] }> => [
    { name: 'similar', args: ['similar', path, 'king'] },
    { name: 'analogy', args: ['analogy', path, 'man', 'king', 'woman'] },
    { name: 'eval', args: ['eval', path, '--pairs', pairs] },
    { name: 'convert', args: ['convert', path, join(dir, 'converted.txt')] },
  ];
  before(async () => {
    await writeFile(notAModel, bytesFrom([...Array(256).keys()], 3000, 7));
  });
  const converted = [join(dir, 'converted.txt')];

  for (const { name } of queries('')) {
    test(`${name}: a model file that does not exist`, async () => {
      const missing = join(dir, 'no-such-model.bin');
      const { args } = queries(missing).find((q) => q.name === name)!;
      await expectFailure(args, {
        status: 1,
        says: [`cannot read ${missing}: no such file`],
        outputs: converted,
      });
    });

    test(`${name}: a text corpus instead of a model`, async () => {
      const { args } = queries(corpus).find((q) => q.name === name)!;
      await expectFailure(args, {
        status: 1,
        says: [
          `${corpus} line 1: expected a header "<vector count> <dimensions>"`,
          'found "',
          'is it a word2vec (.bin, .txt, .vec) or native (.w2v) model?',
        ],
        outputs: converted,
      });
    });

    test(`${name}: random bytes instead of a model`, async () => {
      const { args } = queries(notAModel).find((q) => q.name === name)!;
      await expectFailure(args, {
        status: 1,
        says: [
          `${notAModel} line 1: expected a header "<vector count> <dimensions>"`,
          'found binary data',
        ],
        outputs: converted,
      });
    });

    test(`${name}: a directory instead of a model`, async () => {
      const { args } = queries(shared).find((q) => q.name === name)!;
      await expectFailure(args, {
        status: 1,
        says: [`cannot read ${shared}: it is a directory`],
        outputs: converted,
      });
    });
  }

  test('random bytes read as a native model', async () => {
    await expectFailure(['similar', notAModel, 'king', '--format', 'native'], {
      status: 1,
      says: [
        `${notAModel}: not a word2vec-ts native model file: expected the bytes 89 57 32 56 0d 0a 1a 0a at byte offset 0`,
      ],
    });
  });

  test('similar: an unknown word, and a word in another case', async () => {
    await expectFailure(['similar', model, 'kingg'], {
      status: 1,
      says: [`'kingg' is not in the vocabulary of ${model} (6 words)`],
    });
    await expectFailure(['similar', model, 'King'], {
      status: 1,
      says: [`'King' is not in the vocabulary of ${model} (6 words); did you mean 'king'?`],
    });
  });

  test('analogy: an unknown word', async () => {
    await expectFailure(['analogy', model, 'man', 'king', 'wman'], {
      status: 1,
      says: [`'wman' is not in the vocabulary of ${model}`],
    });
  });

  test('eval: a word-pair file that does not exist', async () => {
    const missing = join(dir, 'no-such-pairs.tsv');
    await expectFailure(['eval', model, '--pairs', missing], {
      status: 1,
      says: [`cannot read ${missing}: no such file`],
    });
  });

  test('convert: an output in a directory that does not exist is refused before reading', async () => {
    const missing = join(dir, 'no-such-out-dir');
    await expectFailure(['convert', model, join(missing, 'v.txt')], {
      status: 2,
      says: [`output: directory '${missing}' does not exist`],
    });
  });

  test('--debug adds the stack trace', async () => {
    const { status, stderr } = await w2v([
      'similar',
      join(dir, 'no-such-model.bin'),
      'king',
      '--debug',
    ]);
    assert.equal(status, 1);
    assert.match(stderr, STACK_LINE);
  });
});
