import { test } from 'node:test';
import { trainAndStop } from './stop-training.js';
import { tempDir } from './temp-dir.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { train } from '../src/train/trainer.js';
import { resume } from '../src/train/resume.js';
import { InputError, UsageError } from '../src/errors.js';
import { loadNative } from '../src/io/native-format.js';
import { SpillFile } from '../src/corpus/spill-file.js';
import type { Word2Vec } from '../src/train/model.js';
import type { Sentences } from '../src/corpus/sentence-source.js';
import { MAIN, w2v } from './cli-runner.js';
import { writePlantedCorpus } from './planted-corpus.js';

const dir = tempDir('w2v-sentences-');
const planted = writePlantedCorpus(join(dir, 'planted-plain.txt'), { sentences: 1500 });
// The same text with the white space files may hold: tabs, runs of spaces, CRLF, blank lines.
const text = readFileSync(planted.path, 'utf8')
  .split('\n')
  .map((line, i) => (i % 7 === 0 ? line.replace(/ /g, ' \t  ') : i % 5 === 0 ? `${line}\r` : line))
  .join('\n')
  .replace(/\n(?=topic)/, '\n\n  \n');
const corpusPath = join(dir, 'planted.txt');
writeFileSync(corpusPath, text);
const lines = text.split('\n');
const tokenLists = lines.map((line) => line.split(/\s+/).filter((token) => token !== ''));

const base = {
  dim: 16,
  window: 3,
  minCount: 1,
  sample: 0,
  epochs: 3,
  threads: 1,
  seed: 11,
  onWarning: () => {},
};

function bytesOf(model: Word2Vec): Buffer {
  const { vectors } = model.vectors;
  return Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
}

function assertSameModel(model: Word2Vec, reference: Word2Vec, what: string): void {
  assert.deepEqual(model.vectors.words, reference.vectors.words, `${what}: the vocabulary`);
  assert.ok(bytesOf(model).equals(bytesOf(reference)), `${what}: the vectors, byte for byte`);
  assert.equal(model.summary.trainedWords, reference.summary.trainedWords, `${what}: every epoch`);
}

async function* generated<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

test('the same text as a file, strings, token arrays, an async generator, a Readable or readline trains the same vectors', async () => {
  const reference = await train({ ...base, input: corpusPath });
  // Made one at a time: readline loses the lines its input gives before it is iterated.
  const sources: Array<[string, () => Sentences]> = [
    ['array of strings', () => lines],
    ['array of token arrays', () => tokenLists],
    ['async generator of strings', () => generated(lines)],
    ['async generator of token arrays', () => generated(tokenLists)],
    [
      'sync generator',
      () =>
        (function* () {
          yield* tokenLists;
        })(),
    ],
    ['Readable of bytes', () => createReadStream(corpusPath, { highWaterMark: 1000 })],
    ['Readable of gzip bytes', () => Readable.from([gzipSync(text)], { objectMode: false })],
    [
      'Readable of strings',
      () => createReadStream(corpusPath, { encoding: 'utf8', highWaterMark: 777 }),
    ],
    ['object-mode Readable of sentences', () => Readable.from(lines)],
    [
      'readline',
      () => createInterface({ input: createReadStream(corpusPath), crlfDelay: Infinity }),
    ],
    ['a function', () => () => generated(tokenLists)],
  ];
  for (const [what, sentences] of sources) {
    assertSameModel(await train({ ...base, sentences: sentences() }), reference, what);
  }
});

test('the same text through standard input, plain or gzip, and a process substitution trains the bytes of the file', async () => {
  const flags = [
    '--dim',
    '16',
    '--window',
    '3',
    '--min-count',
    '1',
    '--sample',
    '0',
    '--epochs',
    '2',
    '--threads',
    '1',
    '--seed',
    '5',
    '-q',
  ];
  const out = (name: string): string => join(dir, name);
  const file = await w2v(['train', '-i', corpusPath, '-o', out('file.bin'), ...flags]);
  assert.equal(file.status, 0, file.stderr);
  const plain = await w2v(['train', '-i', '-', '-o', out('stdin.bin'), ...flags], { input: text });
  assert.equal(plain.status, 0, plain.stderr);
  assert.ok(readFileSync(out('stdin.bin')).equals(readFileSync(out('file.bin'))), 'standard input');
  // gzip on standard input, past the cache budget: kept in a temporary file beside the output, then removed.
  const gzipped = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [MAIN, 'train', '-i', '-', '-o', out('stdin-gz.bin'), ...flags, '--cache-mib', '0.001'],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('close', resolve);
    child.stdin.end(gzipSync(text));
  });
  assert.equal(gzipped, 0);
  assert.ok(
    readFileSync(out('stdin-gz.bin')).equals(readFileSync(out('file.bin'))),
    'gzip, spilled',
  );
  assert.deepEqual(
    readdirSync(dir).filter((name) => name.startsWith('.w2v-corpus')),
    [],
    'no temporary corpus file is left',
  );
  // A process substitution is a pipe: read once, not opened again each epoch.
  const substituted = await new Promise<number | null>((resolve, reject) => {
    const script = `exec "$0" "$1" train -i <(cat "$2") -o "$3" ${flags.join(' ')}`;
    const child = spawn(
      'bash',
      ['-c', script, process.execPath, MAIN, corpusPath, out('pipe.bin')],
      {
        stdio: 'inherit',
      },
    );
    child.on('error', reject);
    child.on('close', resolve);
  });
  assert.equal(substituted, 0);
  assert.ok(readFileSync(out('pipe.bin')).equals(readFileSync(out('file.bin'))), 'a pipe');
});

test('a one-shot source over the cache budget is kept in a temporary file and trains every epoch the same', async () => {
  const reference = await train({ ...base, sentences: generated(tokenLists) });
  assert.equal(reference.summary.cachedCorpus, true);
  const spillDirectory = mkdtempSync(join(dir, 'spill-'));
  let sawSpill = false;
  const spilled = await train({
    ...base,
    sentences: generated(tokenLists),
    cacheMiB: 0.002,
    spillDirectory,
    onProgress: (p) => {
      if (p.phase === 'train') sawSpill ||= readdirSync(spillDirectory).length === 1;
    },
  });
  assert.ok(sawSpill, 'the corpus was kept in a file while training');
  assert.equal(spilled.summary.cachedCorpus, false);
  assertSameModel(spilled, reference, 'spilled');
  assert.equal(spilled.summary.trainedWords, reference.summary.corpusTokens * base.epochs);
  assert.deepEqual(readdirSync(spillDirectory), [], 'the temporary file is removed at the end');
  // An array is read again instead.
  assertSameModel(
    await train({ ...base, sentences: tokenLists, cacheMiB: 0 }),
    reference,
    'array re-read',
  );
});

test('a spill file reads back every entry renumbered as the words were pruned after it was written', async () => {
  const spill = await SpillFile.create(dir);
  await spill.append([Int32Array.from([0, 1, 2, -1, 3])]);
  spill.renumber(Int32Array.from([-1, 0, 1, 2])); // word 0 dropped
  await spill.append([Int32Array.from([2, 0, -1])]);
  spill.renumber(Int32Array.from([0, -1, 1])); // word 1 (once word 2) dropped
  await spill.append([Int32Array.from([1, -1])]);
  const read: number[] = [];
  for await (const block of spill.blocks()) read.push(...block);
  assert.deepEqual(read, [-2, 0, -2, -1, 1, 1, 0, -1, 1, -1]);
  assert.ok(existsSync(spill.path));
  await spill.remove();
  assert.ok(!existsSync(spill.path));
});

test('an in-memory run stopped and resumed with the same sentences gives the bytes of an uninterrupted one, and refuses others', async () => {
  const request = { ...base, epochs: 4 };
  const whole = await train({ ...request, sentences: generated(tokenLists) });
  const checkpoint = join(dir, 'sentences.ckpt');
  await trainAndStop({ ...request, sentences: generated(tokenLists) }, checkpoint, 20000);
  const saved = (await loadNative(checkpoint)).training!;
  assert.equal(saved.corpus.files.length, 0);
  assert.match(saved.corpus.hash ?? '', /^[0-9a-f]{16}$/);
  assert.ok(saved.wordsDone > 0 && saved.wordsDone < saved.totalWords);

  // Other sentences: one token changed, or the same tokens in other sentences.
  const changed = tokenLists.map((tokens, i) =>
    i === 700 ? [...tokens.slice(1), tokens[0]!] : tokens,
  );
  await assert.rejects(
    resume({ from: checkpoint, sentences: changed }),
    (e: unknown) => e instanceof UsageError && /is not the text .* was trained on/.test(e.message),
  );
  await assert.rejects(
    resume({ from: checkpoint, sentences: tokenLists.slice(1) }),
    (e: unknown) => e instanceof UsageError && /is not the text/.test(e.message),
  );
  await assert.rejects(
    resume({ from: checkpoint }),
    (e: unknown) =>
      e instanceof UsageError &&
      /trained on sentences .* give the same sentences again/.test(e.message),
  );
  const resumed = await resume({ from: checkpoint, sentences: generated(lines) });
  assert.equal(resumed.summary.start, 'resume');
  assertSameModel(resumed, whole, 'resumed');
  // The same text in a file is the same corpus.
  assertSameModel(
    await resume({ from: checkpoint, input: corpusPath }),
    whole,
    'resumed from the file',
  );
});

test('a trained model is trained further on sentences', async () => {
  const model = await train({ ...base, epochs: 1, sentences: tokenLists });
  const path = join(dir, 'model.w2v');
  await model.save(path);
  const more = await resume({
    from: path,
    sentences: generated([
      ['brand', 'new', 'words'],
      ['brand', 'new'],
    ]),
  });
  assert.equal(more.summary.start, 'continue');
  assert.ok(more.vectors.words.includes('brand'));
});

test('tokens holding spaces or line breaks stay words; bin and txt refuse them before writing, the native format keeps them', async () => {
  const sessions = Array.from({ length: 200 }, (_, i) => [
    'new york',
    'san\tfrancisco',
    `line\nbreak`,
    `p${i % 9}`,
  ]);
  const model = await train({ ...base, sentences: sessions });
  for (const word of ['new york', 'san\tfrancisco', 'line\nbreak'])
    assert.ok(model.vectors.words.includes(word), word);
  for (const name of ['spaces.bin', 'spaces.txt']) {
    const path = join(dir, name);
    await assert.rejects(
      model.save(path),
      (e: unknown) =>
        e instanceof UsageError &&
        /cannot save word \d+ \("(new york|san\\tfrancisco|line\\nbreak)"\)/.test(e.message) &&
        /native format/.test(e.message),
    );
    assert.ok(!existsSync(path), `${name} is not written`);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes(name) && f.endsWith('.tmp')),
      [],
    );
  }
  const native = join(dir, 'spaces.w2v');
  await model.save(native);
  assert.deepEqual((await loadNative(native)).vectors.words, model.vectors.words);
});

test('bad sentences get errors that say what is wrong and where', async () => {
  const wrongTypes: unknown[] = [42, 'a whole text', { sentences: [] }, null];
  for (const sentences of wrongTypes) {
    await assert.rejects(
      train({ ...base, sentences: sentences as Sentences }),
      (e: unknown) =>
        e instanceof UsageError && /^sentences must be an array or iterable/.test(e.message),
      String(sentences),
    );
  }
  await assert.rejects(
    train({ ...base, input: corpusPath, sentences: lines }),
    (e: unknown) => e instanceof UsageError && /not both/.test(e.message),
  );
  await assert.rejects(
    train({ ...base }),
    (e: unknown) => e instanceof UsageError && /or give sentences/.test(e.message),
  );
  await assert.rejects(
    train({ ...base, sentences: ['a b', 'c d', 7] as unknown as string[] }),
    (e: unknown) =>
      e instanceof InputError &&
      e.message.startsWith(
        'sentences[2] is a number (7); each sentence must be a string or an array of strings',
      ),
  );
  await assert.rejects(
    train({
      ...base,
      sentences: generated([
        ['a', 'b'],
        ['c', { id: 1 }],
      ] as unknown as string[][]),
    }),
    (e: unknown) =>
      e instanceof InputError &&
      e.message.startsWith(
        'sentences[1][1] is an object; the tokens of a sentence must be strings',
      ),
  );
  const once = generated(tokenLists);
  await assert.rejects(
    train({ ...base, sentences: () => once, cacheMiB: 0 }),
    (e: unknown) => e instanceof UsageError && /returned the same iterator/.test(e.message),
  );

  // An async source that throws: its own error, and nothing left behind.
  const failure = new Error('the database went away');
  const spillDirectory = mkdtempSync(join(dir, 'failing-'));
  const checkpoint = join(spillDirectory, 'run.ckpt');
  await assert.rejects(
    train({
      ...base,
      cacheMiB: 0.001,
      spillDirectory,
      checkpoint: { path: checkpoint },
      sentences: (async function* () {
        yield* tokenLists.slice(0, 500);
        throw failure;
      })(),
    }),
    (e: unknown) => e === failure,
  );
  assert.deepEqual(readdirSync(spillDirectory), [], 'no temporary file and no checkpoint');

  // Empty: the message of an empty file.
  const emptyFile = join(dir, 'empty.txt');
  writeFileSync(emptyFile, '\n  \n');
  await assert.rejects(
    train({ ...base, input: emptyFile }),
    /holds no words: it is empty or only white space/,
  );
  for (const sentences of [
    [],
    [''],
    [[]],
    generated<string>([]),
    Readable.from([], { objectMode: false }),
  ] as Sentences[]) {
    await assert.rejects(
      train({ ...base, sentences }),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          'corpus (the sentences given) holds no words: it is empty or only white space',
    );
  }
});

test('Ctrl-C while standard input is read stops at once and leaves no temporary file', async () => {
  const out = mkdtempSync(join(dir, 'sigint-'));
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'train',
      '-i',
      '-',
      '-o',
      join(out, 'v.bin'),
      '--cache-mib',
      '0.001',
      '--min-count',
      '1',
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.write(text); // and standard input stays open
  const deadline = Date.now() + 20_000;
  while (readdirSync(out).length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(readdirSync(out).length, 1, 'the corpus went to a temporary file');
  child.kill('SIGINT');
  assert.equal(await closed, 130, stderr);
  assert.match(stderr, /stopped while the corpus was read/);
  assert.deepEqual(readdirSync(out), []);
  child.stdin.destroy();
});

test('item2vec: sessions of product ids with a whole-session window put each product among its own kind', async () => {
  const kinds = ['tent', 'coffee', 'yoga', 'bike', 'garden', 'baby'];
  let seed = 42;
  const random = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const pick = (n: number): number => Math.floor(random() * n);
  const sessions = function* (): Generator<string[]> {
    for (let s = 0; s < 4000; s++) {
      const kind = kinds[pick(kinds.length)]!;
      yield Array.from({ length: 3 + pick(10) }, () => {
        const of = random() < 0.85 ? kind : kinds[pick(kinds.length)]!;
        return `${of}-${String(pick(12)).padStart(2, '0')}`;
      });
    }
  };
  const model = await train({
    sentences: sessions(),
    window: 12,
    minCount: 1,
    sample: 0,
    dim: 24,
    epochs: 5,
    threads: 1,
    seed: 1,
  });
  let own = 0;
  let all = 0;
  for (const product of model.vectors.words) {
    const kind = product.split('-')[0];
    for (const { word } of model.vectors.mostSimilar({ positive: [product], topn: 5 })) {
      all++;
      if (word.startsWith(`${kind}-`)) own++;
    }
  }
  assert.ok(own / all > 0.9, `${own} of ${all} neighbours of the same kind`);
});

test('a second Ctrl-C, which quits at once, still removes the temporary file', async () => {
  const out = mkdtempSync(join(dir, 'sigint-twice-'));
  const child = spawn(
    process.execPath,
    [MAIN, 'train', '-i', '-', '-o', join(out, 'v.bin'), '--cache-mib', '0.001', '--epochs', '50'],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.end(text);
  const deadline = Date.now() + 20_000;
  while (readdirSync(out).length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(readdirSync(out).length, 1, 'the corpus went to a temporary file');
  child.kill('SIGINT');
  child.kill('SIGINT');
  assert.equal(await closed, 130, stderr);
  assert.deepEqual(
    readdirSync(out).filter((name) => name.startsWith('.w2v-corpus')),
    [],
  );
});
