import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { InputError, UsageError } from '../src/errors.js';
import { learnPhrases } from '../src/phrases/learn.js';
import type { LearnPhrasesOptions } from '../src/phrases/options.js';
import { loadPhrases } from '../src/phrases/phrase-file.js';
import type { PhraseModel } from '../src/phrases/phrase-model.js';
import { writePhrasedCorpus } from '../src/phrases/write-phrased.js';
import { seededRandom } from '../src/sampling/random.js';
import { w2v } from './cli-runner.js';
import type { Word2Vec } from '../src/train/model.js';
import { train } from '../src/train/trainer.js';
import { gensimSkip, PYTHON } from './peers.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const phraseData = resolve(repoRoot, '../shared/data/phrases');
const slice = join(phraseData, 'slice.txt.gz');
const peer = join(repoRoot, 'bench/peers/gensim_phrases.py');

const directory = mkdtempSync(join(tmpdir(), 'w2v-phrases-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

const quietly: Partial<LearnPhrasesOptions> = { onWarning: () => {} };

/** Sentences of random filler words with planted collocations, some with connector words inside. */
function plantedCorpus(lines: number, seed: number): string {
  const random = seededRandom(seed);
  const filler = Array.from({ length: 300 }, (_, i) => `w${i}`);
  const planted = [
    ['new', 'york'],
    ['bank', 'of', 'america'],
    ['united', 'states'],
    ['new', 'york', 'times'],
    ['the', 'united', 'states', 'of', 'america'],
    ['los', 'angeles', 'lakers', 'arena'],
    ['city', 'of', 'the', 'dead'],
  ];
  const connectors = ['of', 'the', 'a', 'in', 'and'];
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const words: string[] = [];
    const n = 5 + Math.floor(random() * 25);
    while (words.length < n) {
      const r = random();
      if (r < 0.12) words.push(...planted[Math.floor(random() * planted.length)]);
      else if (r < 0.3) words.push(connectors[Math.floor(random() * connectors.length)]);
      else words.push(filler[Math.floor(Math.pow(random(), 2) * filler.length)]);
    }
    out.push(words.join(random() < 0.1 ? '  ' : ' '));
  }
  return `${out.join('\n')}\n`;
}

interface GensimResult {
  phrases: Record<string, Record<string, number>>;
  applied: string[][];
}

function gensim(
  input: string,
  connectors: string,
  minCount: number,
  scores: string[],
  applyLines: number,
): GensimResult {
  const args = [
    peer,
    '--input',
    input,
    '--min-count',
    String(minCount),
    '--connector-words',
    connectors,
  ];
  for (const s of scores) args.push('--score', s);
  args.push('--apply-lines', String(applyLines));
  return JSON.parse(
    execFileSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 28 }),
  ) as GensimResult;
}

function sentences(path: string, lines: number): string[][] {
  const bytes = readFileSync(path);
  const text = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8');
  return text
    .split('\n')
    .map((l) => l.split(/[\t\v\f\r ]+/).filter((w) => w !== ''))
    .filter((w) => w.length > 0)
    .slice(0, lines);
}

function assertSamePhrases(
  model: PhraseModel,
  expected: Record<string, number>,
  what: string,
): void {
  const ours = new Map(model.phrases().map((p) => [p.phrase, p.score]));
  const missing = Object.keys(expected).filter((p) => !ours.has(p));
  const extra = [...ours.keys()].filter((p) => !(p in expected));
  assert.deepEqual(
    { missing: missing.slice(0, 5), extra: extra.slice(0, 5) },
    { missing: [], extra: [] },
    what,
  );
  for (const [phrase, score] of Object.entries(expected)) {
    const relative = Math.abs(ours.get(phrase)! - score) / Math.max(Math.abs(score), 1e-300);
    assert.ok(relative <= 1e-6, `${what}: ${phrase} scores ${ours.get(phrase)}, gensim ${score}`);
  }
  assert.ok(ours.size > 0, `${what}: some phrases`);
}

// The first 150 lines of the shared slice (about 370,000 words), and a planted corpus with connector words.
const sliceHead = write(
  'slice-head.txt',
  `${sentences(slice, 150)
    .map((s) => s.join(' '))
    .join('\n')}\n`,
);
const planted = write('planted.txt', plantedCorpus(3000, 7));

for (const [name, corpus, minCount, npmiThreshold] of [
  ['the slice', sliceHead, 5, 0.5],
  ['a planted corpus', planted, 3, 0.3],
] as const) {
  for (const connectors of ['none', 'english'] as const) {
    test(
      `default and npmi phrases are gensim 4's on ${name}, connector words ${connectors}, and join as gensim's`,
      { skip: gensimSkip() },
      async () => {
        const theirs = gensim(
          corpus,
          connectors,
          minCount,
          ['default:10', `npmi:${npmiThreshold}`],
          40,
        );
        const common = { ...quietly, input: corpus, minCount, connectorWords: connectors };
        const byDefault = await learnPhrases({ ...common, scoring: 'default', threshold: 10 });
        assertSamePhrases(byDefault, theirs.phrases['default'], `default, ${connectors}`);
        const byNpmi = await learnPhrases({ ...common, scoring: 'npmi', threshold: npmiThreshold });
        assertSamePhrases(byNpmi, theirs.phrases['npmi'], `npmi, ${connectors}`);
        const applied = sentences(corpus, 40).map((s) => byDefault.apply(s));
        assert.deepEqual(applied, theirs.applied);
        if (connectors === 'english' && corpus === planted)
          assert.ok(byDefault.phrases().some((p) => p.phrase === 'bank_of_america'));
      },
    );
  }
}

test('word2phrase scoring writes the slice byte for byte as word2phrase.c did, in one pass and in two', async () => {
  const one = await learnPhrases({
    ...quietly,
    input: slice,
    scoring: 'word2phrase',
    threshold: 100,
  });
  const out1 = join(directory, 'slice-t100.txt');
  await writePhrasedCorpus(one, [slice], out1);
  assert.ok(
    readFileSync(out1).equals(gunzipSync(readFileSync(join(phraseData, 'slice-t100.txt.gz')))),
  );
  const two = await learnPhrases({
    ...quietly,
    input: slice,
    scoring: 'word2phrase',
    threshold: [200, 100],
    passes: 2,
  });
  const out2 = join(directory, 'slice-pass2.txt.gz');
  await writePhrasedCorpus(two, [slice], out2);
  assert.ok(
    gunzipSync(readFileSync(out2)).equals(
      gunzipSync(readFileSync(join(phraseData, 'slice-pass2.txt.gz'))),
    ),
  );
  // A saved model loads and writes the same corpus.
  const saved = join(directory, 'two.tsv');
  await two.save(saved);
  const loaded = await loadPhrases(saved);
  const out3 = join(directory, 'slice-pass2-loaded.txt.gz');
  await writePhrasedCorpus(loaded, [slice], out3);
  assert.ok(readFileSync(out3).equals(readFileSync(out2)));
});

test('two passes give four-word phrases, and a saved model applies as the learned one', async () => {
  const model = await learnPhrases({
    ...quietly,
    input: planted,
    minCount: 3,
    threshold: 5,
    passes: 2,
  });
  const second = model.phrasesOfPass(2).map((p) => p.phrase);
  assert.ok(second.includes('los_angeles_lakers_arena'), second.join(' '));
  assert.deepEqual(model.apply(['x', 'los', 'angeles', 'lakers', 'arena', 'y']), [
    'x',
    'los_angeles_lakers_arena',
    'y',
  ]);
  const path = join(directory, 'planted.tsv');
  await model.save(path);
  const loaded = await loadPhrases(path);
  assert.deepEqual(loaded.phrases(), model.phrases());
  for (const s of sentences(planted, 200)) assert.deepEqual(loaded.apply(s), model.apply(s));
  // Joined on the fly while training, both passes give the counts of the phrased corpus.
  const phrased = join(directory, 'planted-two-passes.txt');
  await writePhrasedCorpus(model, [planted], phrased);
  const settings = { dim: 8, epochs: 1, threads: 1, seed: 3, minCount: 2, onWarning: () => {} };
  const countsOf = (m: Word2Vec): Map<string, number> =>
    new Map(m.vectors.words.map((w, i) => [w, m.counts[i]]));
  const fromFile = countsOf(await train({ ...settings, input: phrased }));
  assert.ok(fromFile.has('los_angeles_lakers_arena'));
  assert.deepEqual(
    countsOf(await train({ ...settings, input: planted, phrases: model })),
    fromFile,
  );
});

test('the memory budget prunes rare pairs and says so', async () => {
  const warnings: string[] = [];
  const exact = await learnPhrases({ ...quietly, input: sliceHead });
  const pruned = await learnPhrases({
    input: sliceHead,
    maxMemoryMiB: 8,
    onWarning: (m) => warnings.push(m),
  });
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /outgrew their memory budget \(8 MiB\) in pass 1, so rare ones were pruned \d+ times?/,
  );
  const exactPhrases = new Set(exact.phrases().map((p) => p.phrase));
  assert.ok(pruned.phrases().length > 0);
  const counts = new Map(exact.phrases().map((p) => [p.phrase, p.count]));
  for (const p of pruned.phrases())
    if (exactPhrases.has(p.phrase)) assert.ok(p.count <= counts.get(p.phrase)!);
});

test('bad input: an unreadable corpus, a threshold out of range, a malformed phrase file', async () => {
  await assert.rejects(
    learnPhrases({ input: join(directory, 'missing.txt') }),
    (e: unknown) =>
      e instanceof InputError &&
      /cannot read corpus file .*missing\.txt.*no such file/.test(e.message),
  );
  await assert.rejects(
    learnPhrases({ input: planted, scoring: 'npmi', threshold: 2 }),
    (e: unknown) => e instanceof UsageError && /between -1 and 1 with npmi/.test(e.message),
  );
  await assert.rejects(
    learnPhrases({ input: planted, threshold: 0 }),
    (e: unknown) => e instanceof UsageError && /positive with default scoring/.test(e.message),
  );
  const model = await learnPhrases({ ...quietly, input: planted, minCount: 3 });
  const path = join(directory, 'good.tsv');
  await model.save(path);
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[8] = 'new_york\tmany\t12';
  const bad = write('bad.tsv', lines.join('\n'));
  await assert.rejects(
    loadPhrases(bad),
    (e: unknown) =>
      e instanceof InputError &&
      /phrase file '.*bad\.tsv' line 9: the score 'many' is not a number/.test(e.message),
  );
  const noHeader = write('no-header.tsv', 'new_york\t1\t2\n');
  await assert.rejects(loadPhrases(noHeader), /line 1: expected '# w2v phrases 1'/);
  await assert.rejects(
    loadPhrases(join(directory, 'none.tsv')),
    /cannot read phrase file .*no such file/,
  );
  const cli = await w2v([
    'phrases',
    '-i',
    planted,
    '-o',
    join(directory, 'x.txt'),
    '--scoring',
    'npmi',
    '--threshold',
    '3',
  ]);
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /^w2v: threshold must be between -1 and 1 with npmi scoring, got 3\n$/);
  const cliLoad = await w2v([
    'phrases',
    '--load',
    bad,
    '-i',
    planted,
    '-o',
    join(directory, 'y.txt'),
  ]);
  assert.equal(cliLoad.status, 1);
  assert.match(cliLoad.stderr, /line 9: the score 'many' is not a number/);
});

test('w2v phrases writes the phrased corpus and the phrase file, with a summary', async () => {
  const out = join(directory, 'cli-out.txt.gz');
  const saved = join(directory, 'cli.tsv');
  const run = await w2v([
    'phrases',
    '-i',
    planted,
    '-o',
    out,
    '--save',
    saved,
    '--min-count',
    '3',
    '--connector-words',
    'english',
  ]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /pass 1 +\d+ phrases/);
  assert.match(run.stderr, /corpus written/);
  const text = gunzipSync(readFileSync(out)).toString('utf8');
  assert.match(text, /bank_of_america/);
  assert.match(readFileSync(saved, 'utf8'), /^bank_of_america\t[\d.e+]+\t\d+$/m);
  const quiet = await w2v([
    'phrases',
    '--load',
    saved,
    '-i',
    planted,
    '-o',
    join(directory, 'q.txt'),
    '-q',
  ]);
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
});

test('training with phrases joins them on the fly: the vocabulary of the phrased corpus, cached or read again', async () => {
  const model = await learnPhrases({
    ...quietly,
    input: planted,
    minCount: 3,
    connectorWords: 'english',
  });
  const phrased = join(directory, 'planted-phrased.txt');
  await writePhrasedCorpus(model, [planted], phrased);
  const settings = {
    dim: 8,
    epochs: 1,
    threads: 1,
    seed: 3,
    minCount: 2,
    sample: 0,
    onWarning: () => {},
  };
  const vocabOf = (m: {
    vectors: { words: readonly string[] };
    counts: Float64Array;
  }): Map<string, number> => new Map(m.vectors.words.map((w, i) => [w, m.counts[i]]));
  const trainedFromFile = await train({ ...settings, input: phrased });
  const fromFile = vocabOf(trainedFromFile);
  assert.ok(fromFile.has('bank_of_america'));
  const onTheFly = await train({ ...settings, input: planted, phrases: model });
  assert.deepEqual(vocabOf(onTheFly), fromFile);
  assert.equal(onTheFly.summary.trainedWords, trainedFromFile.summary.trainedWords);
  const streamed = await train({ ...settings, input: planted, phrases: model, cacheMiB: 0 });
  assert.equal(streamed.summary.cachedCorpus, false);
  assert.equal(streamed.summary.trainedWords, onTheFly.summary.trainedWords);
  const saved = join(directory, 'planted-phrases.tsv');
  await model.save(saved);
  const cli = await w2v([
    'train',
    '-i',
    planted,
    '-o',
    join(directory, 'v.txt'),
    '--phrases',
    saved,
    '--dim',
    '8',
    '--epochs',
    '1',
    '--min-count',
    '2',
    '-q',
  ]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(readFileSync(join(directory, 'v.txt'), 'utf8'), /^bank_of_america /m);
});
