// The corpus as the user has it: long tokens count the same however the
// bytes arrive, a file that changes under a run is caught, and files given
// twice or truncated while counted are warned about.
import { loadNative } from '../src/io/native-format.js';
import { test } from 'node:test';
import { tempDir } from './temp-dir.js';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  linkSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { Tokenizer } from '../src/corpus/tokenizer.js';
import {
  chunksOf,
  decodeVarints,
  encodeCached,
  scanCorpus,
  SENTENCE_END,
  streamChunks,
  type Chunk,
} from '../src/corpus/encoded.js';
import { Vocabulary } from '../src/vocab/vocabulary.js';
import { CorpusChangedError } from '../src/corpus/reader.js';
import { train } from '../src/train/trainer.js';
import { startW2v, w2v, type CliResult } from './cli-runner.js';
import { writePlantedCorpus } from './planted-corpus.js';

const dir = tempDir('w2v-corpus-safety-');
const E = SENTENCE_END;

/** 200,000 bytes without white space whose every 1,000-byte piece differs, so a token counted twice shows as two words. */
const LONG_ASCII = Array.from({ length: 20_000 }, (_, i) =>
  String(i % 100_000).padStart(10, 'x'),
).join('');
/** 150,000 bytes of 3-byte characters: 1,000 bytes fall inside the 334th, so the token is cut to 333 (999 bytes). */
const LONG_CJK = '東'.repeat(50_000);
const LONG_TEXT = `a ${LONG_ASCII} b\n${LONG_CJK}`;

/** Tokenizes `text` pushed in pieces of `piece` bytes: the ids and the token count. */
function tokenize(text: Buffer, piece: number): { ids: number[]; tokens: number; words: string[] } {
  const tokenizer = new Tokenizer(10000);
  const ids: number[] = [];
  let tokens = 0;
  const take = (run: Int32Array, read: number): void => {
    ids.push(...run);
    tokens += read;
  };
  for (let at = 0; at < text.length; at += piece)
    tokenizer.push(text.subarray(at, at + piece), false, true, take);
  tokenizer.push(new Uint8Array(0), true, true, take);
  return { ids, tokens, words: tokenizer.words() };
}

test('a token longer than a read buffer is one token, its first 1,000 bytes at a character boundary, however its bytes are split', () => {
  const text = Buffer.from(LONG_TEXT);
  for (const piece of [text.length, 1 << 16, 1 << 18, 4096, 1001, 1000, 999, 7]) {
    const { ids, tokens, words } = tokenize(text, piece);
    assert.equal(tokens, 4, `pieces of ${piece} bytes`);
    assert.deepEqual(
      words,
      ['a', LONG_ASCII.slice(0, 1000), 'b', '東'.repeat(333)],
      `pieces of ${piece} bytes`,
    );
    assert.deepEqual(ids, [0, 1, 2, E, 3, E], `pieces of ${piece} bytes`);
  }
});

/** The sentences of a pass's chunks (int32, or varint-coded from the cache), as words. */
async function sentencesOf(
  chunks: Iterable<Chunk> | AsyncIterable<Chunk>,
  vocab: Vocabulary,
): Promise<string[][]> {
  const sentences: string[][] = [];
  let current: string[] = [];
  for await (const chunk of chunks) {
    let ids = chunk.ids;
    if (ids instanceof Uint8Array) {
      const out = new Int32Array(ids.length);
      ids = out.subarray(0, decodeVarints(ids, out));
    }
    for (const id of ids) {
      if (id !== E) {
        current.push(vocab.words[id]);
      } else {
        sentences.push(current);
        current = [];
      }
    }
  }
  return sentences;
}

test('the counting pass, its cache and the re-reading pass agree on tokens longer than a read buffer, in plain and gzip files', async () => {
  const plain = join(dir, 'long-tokens.txt');
  writeFileSync(plain, `${LONG_TEXT}\nc ${'z'.repeat(3 << 20)} d\n`);
  const gzip = join(dir, 'long-tokens.txt.gz');
  writeFileSync(gzip, gzipSync(readFileSync(plain)));
  const expected = [
    ['a', LONG_ASCII.slice(0, 1000), 'b'],
    ['東'.repeat(333)],
    ['c', 'z'.repeat(1000), 'd'],
  ];
  for (const path of [plain, gzip]) {
    const scan = await scanCorpus([path], 10000, 1 << 20);
    assert.equal(scan.tokens, 7, path);
    assert.deepEqual(
      scan.words,
      ['a', LONG_ASCII.slice(0, 1000), 'b', '東'.repeat(333), 'c', 'z'.repeat(1000), 'd'],
      path,
    );
    const { vocab, remap } = Vocabulary.fromCounts(scan, { minCount: 1, maxVocab: 0 });
    assert.deepEqual(
      await sentencesOf(chunksOf(encodeCached(scan.cached!, remap), 8192), vocab),
      expected,
      `${path}, from the cache`,
    );
    assert.deepEqual(
      await sentencesOf(streamChunks(scan.files, vocab, 10000, 8192), vocab),
      expected,
      `${path}, read again`,
    );
  }
});

/** About 250 KB of short lines: several read buffers, a few hundred distinct words. */
const LINES =
  Array.from({ length: 20_000 }, (_, i) => `w${i % 500} w${i % 7} w${i % 13}`).join('\n') + '\n';
const LINES_TOKENS = 60_000;

/** Counts a corpus without a cache, as a run with --cache-mib 0 does: the scan and its vocabulary. */
async function counted(
  paths: string[],
): Promise<{ scan: Awaited<ReturnType<typeof scanCorpus>>; vocab: Vocabulary }> {
  const scan = await scanCorpus(paths, 10000, 0);
  return { scan, vocab: Vocabulary.fromCounts(scan, { minCount: 1, maxVocab: 0 }).vocab };
}

/** Reads a pass to its end or its error: the words it yielded and how it ended. */
async function readPass(
  chunks: AsyncIterable<Chunk>,
  afterFirstChunk: () => void = () => {},
): Promise<{ words: number; chunks: number; error: unknown }> {
  let words = 0;
  let count = 0;
  try {
    for await (const chunk of chunks) {
      if (count++ === 0) afterFirstChunk();
      words += chunk.words;
    }
  } catch (error) {
    return { words, chunks: count, error };
  }
  return { words, chunks: count, error: undefined };
}

function assertChanged(error: unknown, path: string, what: RegExp): void {
  assert.ok(
    error instanceof CorpusChangedError,
    `a CorpusChangedError (an InputError), not ${String(error)}`,
  );
  assert.equal(error.path, path);
  const quoted = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(
    error.message,
    new RegExp(`^corpus file '${quoted}' changed while training \\(${what.source}\\)`),
  );
}

test('a corpus file truncated between passes stops the next pass before its first chunk, naming the file (plain and gzip)', async () => {
  for (const gzip of [false, true]) {
    const path = join(dir, gzip ? 'shrinks.txt.gz' : 'shrinks.txt');
    writeFileSync(path, gzip ? gzipSync(LINES) : LINES);
    const bytes = statSync(path).size;
    const { scan, vocab } = await counted([path]);
    truncateSync(path, Math.floor(bytes / 2));
    const pass = await readPass(streamChunks(scan.files, vocab, 10000, 8192));
    assertChanged(
      pass.error,
      path,
      new RegExp(
        `size ${bytes.toLocaleString('en-US')} → ${Math.floor(bytes / 2).toLocaleString('en-US')} bytes`,
      ),
    );
    assert.equal(pass.chunks, 0, 'no chunk of the changed file is yielded');
  }
});

test('a corpus file appended to during a pass stops that pass at the end of the file, having read nothing past the counted size', async () => {
  const path = join(dir, 'grows.txt');
  writeFileSync(path, LINES);
  const { scan, vocab } = await counted([path]);
  const pass = await readPass(streamChunks(scan.files, vocab, 10000, 8192), () =>
    appendFileSync(path, LINES),
  );
  const bytes = Buffer.byteLength(LINES);
  assertChanged(
    pass.error,
    path,
    new RegExp(
      `size ${bytes.toLocaleString('en-US')} → ${(2 * bytes).toLocaleString('en-US')} bytes`,
    ),
  );
  assert.ok(
    pass.words <= LINES_TOKENS,
    `${pass.words} words read from a file counted with ${LINES_TOKENS}`,
  );
});

test('a corpus file rewritten in place with its size stops the next pass: by its modification time, or by its token count', async () => {
  const path = join(dir, 'rewritten.txt');
  const counting = new Date('2020-01-01T00:00:00Z');
  writeFileSync(path, LINES);
  utimesSync(path, counting, counting);
  const { scan, vocab } = await counted([path]);
  utimesSync(path, counting, new Date('2021-01-01T00:00:00Z'));
  assertChanged(
    (await readPass(streamChunks(scan.files, vocab, 10000, 8192))).error,
    path,
    /modification time 2020-01-01T00:00:00\.000Z → 2021-01-01T00:00:00\.000Z/,
  );

  // The same size and modification time, another token count: only the count can tell.
  // A token more is caught as soon as the pass has read more than were counted; one fewer at the end of the file.
  writeFileSync(path, LINES.replace('w499', 'w 99'));
  utimesSync(path, counting, counting);
  assertChanged(
    (await readPass(streamChunks(scan.files, vocab, 10000, 8192))).error,
    path,
    /60,000 tokens when counted, over 60,000 now/,
  );
  writeFileSync(path, LINES.replace('w499 ', 'w499x'));
  utimesSync(path, counting, counting);
  assertChanged(
    (await readPass(streamChunks(scan.files, vocab, 10000, 8192))).error,
    path,
    /60,000 tokens when counted, 59,999 now/,
  );
});

test('a corpus file deleted or replaced by another file between passes stops the next pass, naming the file', async () => {
  const path = join(dir, 'replaced.txt');
  writeFileSync(path, LINES);
  const { scan, vocab } = await counted([path]);
  // An editor's save: a new file, same text, renamed over the old one.
  writeFileSync(`${path}.new`, LINES);
  renameSync(`${path}.new`, path);
  assertChanged(
    (await readPass(streamChunks(scan.files, vocab, 10000, 8192))).error,
    path,
    /replaced by another file/,
  );
  rmSync(path);
  assertChanged(
    (await readPass(streamChunks(scan.files, vocab, 10000, 8192))).error,
    path,
    /cannot open it: no such file \(ENOENT\)/,
  );
});

test('a pass that reads the corpus again counts the tokens of words left out of the vocabulary, also in reads that hold no other word', async () => {
  const path = join(dir, 'rare-line.txt');
  // One line of 400 KB of words seen once, which min-count 2 leaves out: several reads yield no word at all.
  const rare = Array.from({ length: 50_000 }, (_, i) => `rare${i}`).join(' ');
  writeFileSync(
    path,
    `${rare}
${LINES}`,
  );
  const scan = await scanCorpus([path], 1 << 20, 0);
  const { vocab } = Vocabulary.fromCounts(scan, { minCount: 2, maxVocab: 0 });
  const pass = await readPass(streamChunks(scan.files, vocab, 1 << 20, 8192));
  assert.equal(pass.error, undefined);
  assert.equal(pass.words, LINES_TOKENS);
});

test('train() with a corpus read again each epoch fails with an InputError naming the file when it is truncated during training', async () => {
  const corpus = writePlantedCorpus(join(dir, 'train-shrinks.txt'));
  let truncated = false;
  const run = train({
    input: corpus.path,
    dim: 8,
    minCount: 1,
    epochs: 150,
    threads: 1,
    cacheMiB: 0,
    progressIntervalMs: 1,
    onProgress: (p) => {
      if (p.phase !== 'train' || truncated) return;
      truncateSync(corpus.path, 1000);
      truncated = true;
    },
  });
  await assert.rejects(run, (error: unknown) => {
    assertChanged(error, corpus.path, /size [\d,]+ → 1,000 bytes/);
    return true;
  });
  assert.ok(truncated);
});

/**
 * Starts `w2v train ... --log`, waits for the first training record in the
 * log, then runs `change`; resolves with how the process ended.
 */
async function trainAndChange(args: string[], log: string, change: () => void): Promise<CliResult> {
  const { output, closed } = startW2v(['train', ...args, '--log', log]);
  let training = false;
  for (let waited = 0; waited < 30_000 && !training; waited += 20) {
    await sleep(20);
    training = existsSync(log) && readFileSync(log, 'utf8').includes('"phase":"train"');
  }
  assert.ok(training, `no training record in the log; stderr: ${output().stderr}`);
  change();
  return { status: await closed, ...output() };
}

test(
  'w2v train --cache-mib 0 exits 1 naming the file when its corpus is truncated or appended to while it trains',
  { timeout: 120_000 },
  async () => {
    const changes: Array<[string, (path: string) => void, RegExp]> = [
      ['truncated', (path) => truncateSync(path, 1000), /size [\d,]+ → 1,000 bytes/],
      [
        'appended',
        (path) => appendFileSync(path, readFileSync(path)),
        /size ([\d,]+) → [\d,]+ bytes/,
      ],
    ];
    for (const [name, change, what] of changes) {
      const corpus = writePlantedCorpus(join(dir, `cli-${name}.txt`));
      const output = join(dir, `cli-${name}.bin`);
      const flags = [
        '--input',
        corpus.path,
        '--output',
        output,
        '--cache-mib',
        '0',
        '--epochs',
        '150',
        '--threads',
        '1',
        '--dim',
        '8',
        '--min-count',
        '1',
      ];
      const run = await trainAndChange(flags, join(dir, `cli-${name}.jsonl`), () =>
        change(corpus.path),
      );
      assert.equal(run.status, 1, `${name}: ${run.stderr}`);
      const line = run.stderr.split('\n').find((l) => l.startsWith('w2v: corpus file')) ?? '';
      assert.ok(
        line.includes(`corpus file '${corpus.path}' changed while training`),
        `${name}: ${run.stderr}`,
      );
      assert.match(line, what);
      assert.ok(!existsSync(output), `${name}: no output from a run that failed`);
      assert.ok(
        line.includes(`the checkpoint ${output}.checkpoint holds the training done before that`),
        `${name}: ${line}`,
      );
      const checkpoint = await loadNative(`${output}.checkpoint`);
      assert.ok(
        checkpoint.training && checkpoint.training.wordsDone > 0,
        `${name}: the checkpoint holds the run's progress`,
      );
    }
  },
);

test('a corpus file given twice, by its name, a hard link or a symlink, is counted and trained twice, with a warning naming both', async () => {
  const path = join(dir, 'twice.txt');
  writeFileSync(path, LINES);
  const hard = join(dir, 'twice-hard.txt');
  linkSync(path, hard);
  const soft = join(dir, 'twice-soft.txt');
  symlinkSync(path, soft);
  for (const again of [path, hard, soft]) {
    const warnings: string[] = [];
    const model = await train({
      input: [path, again],
      dim: 8,
      minCount: 1,
      epochs: 1,
      threads: 1,
      onWarning: (w) => warnings.push(w),
    });
    assert.equal(model.summary.corpusTokens, 2 * LINES_TOKENS);
    assert.deepEqual(warnings, [
      `corpus file '${again}' is the same file as '${path}', given before it: its words are counted and trained twice, as if the two were one text`,
    ]);
  }
  const cli = await w2v([
    'train',
    '-i',
    path,
    hard,
    '-o',
    join(dir, 'twice.bin'),
    '--dim',
    '8',
    '--min-count',
    '1',
    '--epochs',
    '1',
  ]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(
    cli.stderr
      .split('\n')
      .filter((l) =>
        l.startsWith(`w2v: warning: corpus file '${hard}' is the same file as '${path}'`),
      ).length,
    1,
    cli.stderr,
  );
});

test('a corpus file truncated while its words are counted is warned about, naming the file', async () => {
  const corpus = writePlantedCorpus(join(dir, 'counting-shrinks.txt'));
  const bytes = statSync(corpus.path).size;
  const warnings: string[] = [];
  let truncated = false;
  const model = await train({
    input: corpus.path,
    dim: 8,
    minCount: 1,
    epochs: 1,
    threads: 1,
    progressIntervalMs: 0,
    onWarning: (w) => warnings.push(w),
    onProgress: (p) => {
      if (p.phase !== 'vocab' || truncated) return;
      truncateSync(corpus.path, 1000);
      truncated = true;
    },
  });
  assert.ok(truncated);
  assert.ok(model.summary.corpusTokens < 30_000);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  const quoted = corpus.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(
    warnings[0],
    new RegExp(
      `^corpus file '${quoted}' changed while its words were counted \\(size ${bytes.toLocaleString('en-US')} → 1,000 bytes\\)`,
    ),
  );
});
