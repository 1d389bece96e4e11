import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateAnalogies } from '../src/eval/analogies.js';
import { evaluateWordPairs } from '../src/eval/word-pairs.js';
import { loadVectors } from '../src/io/load.js';
import { saveVectors } from '../src/io/save.js';
import { loadNative } from '../src/io/native-format.js';
import { KeyedVectors } from '../src/vectors/keyed-vectors.js';
import { seededRandom } from '../src/sampling/random.js';
import { w2v } from './cli-runner.js';

// dist/test/cli-queries.test.js → dist/src/cli/main.js
const directory = mkdtempSync(join(tmpdir(), 'w2v-cli-queries-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const STACK_LINE = /^\s+at /m;

function file(name: string): string {
  return join(directory, name);
}

const COUNTRIES = [
  'france',
  'italy',
  'spain',
  'germany',
  'japan',
  'china',
  'egypt',
  'peru',
  'chile',
  'kenya',
  'nepal',
  'cuba',
];
const CAPITALS = [
  'paris',
  'rome',
  'madrid',
  'berlin',
  'tokyo',
  'beijing',
  'cairo',
  'lima',
  'santiago',
  'nairobi',
  'kathmandu',
  'havana',
];

/**
 * A hand-made model: capital = country + a common offset + noise (so some
 * analogies are solved and some not), a royal family, and filler words.
 */
function handModel(): KeyedVectors {
  const random = seededRandom(3);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const dim = 16;
  const rows = new Map<string, number[]>();
  const offset = Array.from({ length: dim }, gaussian);
  COUNTRIES.forEach((country, i) => {
    const vector = Array.from({ length: dim }, gaussian);
    rows.set(country, vector);
    rows.set(
      CAPITALS[i]!,
      vector.map((x, k) => x + offset[k]! + 0.5 * gaussian()),
    );
  });
  const royal = Array.from({ length: dim }, gaussian);
  const male = Array.from({ length: dim }, gaussian);
  const female = Array.from({ length: dim }, gaussian);
  rows.set(
    'man',
    male.map((x) => x + 0.1 * gaussian()),
  );
  rows.set(
    'woman',
    female.map((x) => x + 0.1 * gaussian()),
  );
  rows.set(
    'king',
    royal.map((x, k) => x + male[k]!),
  );
  rows.set(
    'queen',
    royal.map((x, k) => x + female[k]!),
  );
  for (let i = 0; rows.size < 300; i++)
    rows.set(`filler${i}`, Array.from({ length: dim }, gaussian));
  const words = [...rows.keys()];
  return new KeyedVectors(words, Float32Array.from(words.flatMap((w) => rows.get(w)!)), dim);
}

let kv: KeyedVectors;
let model: string;
let questions: string;
let pairs: string;

before(async () => {
  kv = handModel();
  model = file('hand.bin');
  await saveVectors(kv, model);
  const capitalLines: string[] = [];
  for (let i = 0; i < COUNTRIES.length; i++) {
    for (let j = 0; j < COUNTRIES.length; j++) {
      if (i !== j)
        capitalLines.push(`${COUNTRIES[i]} ${CAPITALS[i]} ${COUNTRIES[j]} ${CAPITALS[j]}`);
    }
  }
  questions = file('questions.txt');
  writeFileSync(
    questions,
    [
      ': capital-world',
      ...capitalLines.map((line) => line.replace(/\b\w/g, (c) => c.toUpperCase())),
      ': family',
      'man woman king queen',
      'woman man queen king',
      'man woman boy girl',
    ].join('\n') + '\n',
  );
  const random = seededRandom(8);
  const pairLines = ['# word1\tword2\tscore'];
  for (let i = 0; i < 40; i++) {
    const a = kv.words[Math.floor(random() * 40)]!;
    const b = kv.words[Math.floor(random() * 40)]!;
    pairLines.push(`${a}\t${b}\t${(random() * 10).toFixed(2)}`);
  }
  pairLines.push('king\tprince\t8.5', 'tiger\tcat\t7.35');
  pairs = file('pairs.tsv');
  writeFileSync(pairs, pairLines.join('\n') + '\n');
});

test("similar prints the library's neighbours as a table and as JSON", async () => {
  const text = await w2v(['similar', model, 'france', '--topn', '3']);
  assert.equal(text.status, 0, text.stderr);
  const expected = kv.mostSimilar({ positive: ['france'], topn: 3 });
  const lines = text.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  lines.forEach((line, i) =>
    assert.match(
      line,
      new RegExp(`^\\s+${i + 1}\\s+${expected[i]!.word}\\s+${expected[i]!.similarity.toFixed(4)}$`),
    ),
  );

  const json = await w2v([
    'similar',
    model,
    'king',
    'woman',
    '--negative',
    'man',
    '--topn',
    '5',
    '--json',
  ]);
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), {
    query: { positive: ['king', 'woman'], negative: ['man'] },
    neighbours: kv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 5 }),
  });

  const restricted = await w2v(['similar', model, 'paris', '--restrict', '20', '--json']);
  assert.deepEqual(
    JSON.parse(restricted.stdout).neighbours,
    kv.mostSimilar({ positive: ['paris'], restrictVocab: 20 }),
  );
  // --limit loads only the first words.
  const limited = await w2v([
    'similar',
    model,
    'france',
    '--limit',
    '10',
    '--json',
    '--topn',
    '100',
  ]);
  assert.equal(JSON.parse(limited.stdout).neighbours.length, 9);
});

test('similar reads text, .vec and native models alike', async () => {
  const expected = await w2v(['similar', model, 'rome', '--json']);
  for (const name of ['hand.txt', 'hand.vec', 'hand.w2v', 'hand-no-extension']) {
    await saveVectors(kv, file(name), { format: name === 'hand-no-extension' ? 'txt' : undefined });
    const result = await w2v(['similar', file(name), 'rome', '--json']);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), JSON.parse(expected.stdout), name);
  }
});

test('an unknown word is an error (exit 1) naming the word, without a stack trace', async () => {
  for (const args of [
    ['similar', model, 'france', 'atlantis'],
    ['analogy', model, 'man', 'king', 'Atlantis'],
    ['similar', model, 'King'],
  ]) {
    const result = await w2v(args);
    assert.equal(result.status, 1, args.join(' '));
    assert.equal(result.stdout, '');
    const word = args[args.length - 1]!;
    assert.match(
      result.stderr,
      new RegExp(
        `^w2v: '${word}' is not in the vocabulary of ${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(300 words\\)`,
      ),
    );
    assert.doesNotMatch(result.stderr, STACK_LINE);
  }
  assert.match((await w2v(['similar', model, 'King'])).stderr, /did you mean 'king'\?/);
  const missing = await w2v(['similar', file('missing.bin'), 'king']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*missing\.bin/);
});

test('analogy answers a : b :: c : ? with 3CosAdd or 3CosMul', async () => {
  const text = await w2v(['analogy', model, 'man', 'king', 'woman', '--topn', '2']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(
    text.stdout,
    /^man : king :: woman : \?\n\s+1\s+queen\s+\d\.\d{4}\n\s+2\s+\S+\s+-?\d\.\d{4}\n$/,
  );
  for (const cosmul of [false, true]) {
    const args = [
      'analogy',
      model,
      'france',
      'paris',
      'italy',
      '--json',
      ...(cosmul ? ['--cosmul'] : []),
    ];
    const result = await w2v(args);
    assert.equal(result.status, 0, result.stderr);
    const query = { positive: ['paris', 'italy'], negative: ['france'], topn: 10 };
    assert.deepEqual(JSON.parse(result.stdout), {
      a: 'france',
      b: 'paris',
      c: 'italy',
      method: cosmul ? '3CosMul' : '3CosAdd',
      answers: cosmul ? kv.mostSimilarCosmul(query) : kv.mostSimilar(query),
    });
  }
  const usage = await w2v(['analogy', model, 'man', 'king']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /missing required argument 'c'/);
});

test("eval --json reports exactly the library's results; the text report has sections, totals and correlations", async () => {
  const json = await w2v([
    'eval',
    model,
    '--analogies',
    questions,
    '--pairs',
    pairs,
    '--restrict',
    '250',
    '--json',
  ]);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  const analogies = await evaluateAnalogies(kv, questions, { restrictVocab: 250 });
  const wordPairs = await evaluateWordPairs(kv, pairs, { restrictVocab: 250 });
  assert.deepEqual(report, {
    model,
    words: 300,
    dim: 16,
    restrictVocab: 250,
    caseInsensitive: true,
    dummy4unknown: false,
    analogies: { file: questions, ...analogies },
    pairs: { file: pairs, ...wordPairs },
  });
  assert.ok(
    analogies.total.correct > 0 && analogies.total.incorrect > 0,
    'some analogies right, some wrong',
  );
  assert.equal(analogies.skipped, 1);

  const text = await w2v([
    'eval',
    model,
    '--analogies',
    questions,
    '--pairs',
    pairs,
    '--restrict',
    '250',
  ]);
  assert.equal(text.status, 0, text.stderr);
  const [capitals, family] = analogies.sections;
  const row = (name: string, correct: number, total: number): RegExp =>
    new RegExp(
      `^${name}\\s+${correct}\\s+${total}\\s+${((100 * correct) / total).toFixed(1)}%$`,
      'm',
    );
  assert.match(
    text.stdout,
    row('capital-world', capitals!.correct, capitals!.correct + capitals!.incorrect),
  );
  assert.match(text.stdout, row('family', family!.correct, family!.correct + family!.incorrect));
  assert.match(
    text.stdout,
    row('total', analogies.total.correct, analogies.total.correct + analogies.total.incorrect),
  );
  assert.match(text.stdout, /^out of vocabulary: 1 of 135 questions \(0\.7%\)$/m);
  assert.match(text.stdout, new RegExp(`^pearson\\s+${wordPairs.pearson.toFixed(4)}$`, 'm'));
  assert.match(text.stdout, new RegExp(`^spearman\\s+${wordPairs.spearman.toFixed(4)}$`, 'm'));
  assert.match(text.stdout, /^out of vocabulary\s+4\.8% \(2 of 42 pairs\)$/m);

  const caseSensitive = JSON.parse(
    (await w2v(['eval', model, '--analogies', questions, '--case-sensitive', '--json'])).stdout,
  );
  const { section, correct, incorrect, right, wrong } = caseSensitive.analogies.sections[0];
  assert.deepEqual(
    { section, correct, incorrect, right, wrong },
    { section: 'capital-world', correct: 0, incorrect: 0, right: [], wrong: [] },
  );
  const nothing = await w2v(['eval', model]);
  assert.equal(nothing.status, 2);
  assert.match(
    nothing.stderr,
    /nothing to evaluate: give --analogies <file>, --pairs <file> or both/,
  );
});

test('convert bin → txt → native → bin round-trips exactly, and keeps a native model whole', async () => {
  const steps: Array<[string, string, string]> = [
    [model, file('step.txt'), 'bin'],
    [file('step.txt'), file('step.w2v'), 'txt'],
    [file('step.w2v'), file('step.bin'), 'native'],
  ];
  for (const [input, output, from] of steps) {
    const result = await w2v(['convert', input, output]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^300 words × 16 dimensions: .* \\(${from}\\) → .*`));
  }
  assert.deepEqual(readFileSync(file('step.bin')), readFileSync(model));

  // Explicit formats, and a limit.
  const limited = await w2v([
    'convert',
    file('step.w2v'),
    file('limited.out'),
    '--to',
    'txt',
    '--limit',
    '5',
    '-q',
  ]);
  assert.equal(limited.status, 0, limited.stderr);
  assert.equal(limited.stdout, '');
  assert.deepEqual(
    (await loadVectors(file('limited.out'), { format: 'txt' })).words,
    kv.words.slice(0, 5),
  );

  // A native model with counts and output weights stays whole.
  const { saveNative } = await import('../src/io/native-format.js');
  const whole = {
    vectors: kv,
    counts: Float64Array.from(kv.words, (_, i) => 1000 - i),
    outputWeights: new Float32Array(kv.size * kv.dim).fill(0.5),
    outputKind: 'ns' as const,
  };
  await saveNative(file('whole.w2v'), whole);
  assert.equal((await w2v(['convert', file('whole.w2v'), file('copy.w2v')])).status, 0);
  const copy = await loadNative(file('copy.w2v'));
  assert.deepEqual(copy.counts, whole.counts);
  assert.deepEqual(copy.outputWeights, whole.outputWeights);

  const bad = await w2v(['convert', model, file('x.bin'), '--to', 'csv']);
  assert.equal(bad.status, 2);
  const missing = await w2v(['convert', file('missing.bin'), file('x.bin')]);
  assert.equal(missing.status, 1);
  assert.doesNotMatch(missing.stderr, STACK_LINE);
});

test('interactive similar answers each line from piped standard input to its end, past blank lines', async () => {
  const session = await w2v(['similar', model, '--topn', '2'], {
    input: 'france\nparis -france italy\natlantis\nking\n\nqueen\n',
  });
  assert.equal(session.status, 0, session.stderr);
  const fmt = (words: string, positive: string[], negative: string[] = []): string =>
    `${words}\n${kv
      .mostSimilar({ positive, negative, topn: 2 })
      .map((n, i) => `  ${i + 1}  ${n.word}  ${n.similarity.toFixed(4)}`)
      .join('\n')}\n\n`;
  const pad = (block: string): string => {
    // The table pads words to the longest one; compare word by word instead.
    return block.replace(/ +/g, ' ');
  };
  assert.equal(
    pad(session.stdout),
    pad(
      fmt('france', ['france']) +
        fmt('paris italy -france', ['paris', 'italy'], ['france']) +
        fmt('king', ['king']) +
        fmt('queen', ['queen']),
    ),
  );
  assert.match(session.stderr, /^w2v: 'atlantis' is not in the vocabulary/m);

  // End of input ends the session too; --json gives one line per query.
  const json = await w2v(['similar', model, '--json', '--topn', '3'], { input: 'rome\nnowhere' });
  assert.equal(json.status, 0, json.stderr);
  const lines = json.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.deepEqual(lines[0], {
    query: { positive: ['rome'], negative: [] },
    neighbours: kv.mostSimilar({ positive: ['rome'], topn: 3 }),
  });
  assert.deepEqual(lines[1], {
    query: { positive: ['nowhere'], negative: [] },
    error: `'nowhere' is not in the vocabulary of ${model} (300 words)`,
  });
});

test('every query command has --help', async () => {
  for (const [command, usage] of [
    ['similar', 'w2v similar [options] <model> [words...]'],
    ['analogy', 'w2v analogy [options] <model> <a> <b> <c>'],
    ['eval', 'w2v eval [options] <model>'],
    ['convert', 'w2v convert [options] <in> <out>'],
  ] as const) {
    const result = await w2v([command, '--help']);
    assert.equal(result.status, 0);
    assert.ok(result.stdout.startsWith(`Usage: ${usage}\n`), result.stdout);
    assert.match(result.stdout, /Examples:/);
  }
  const top = await w2v(['--help']);
  for (const command of ['similar', 'analogy', 'eval', 'convert'])
    assert.match(top.stdout, new RegExp(`^\\s+${command} `, 'm'));
});
