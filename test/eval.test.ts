import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../src/errors.js';
import { evaluateAnalogies, type AnalogySectionResult } from '../src/eval/analogies.js';
import { datapath } from '../src/eval/standard-sets.js';
import {
  averageRanks,
  evaluateWordPairs,
  pearsonCorrelation,
  spearmanCorrelation,
} from '../src/eval/word-pairs.js';
import { saveWord2Vec } from '../src/io/word2vec-format.js';
import { KeyedVectors, type Neighbour } from '../src/vectors/keyed-vectors.js';
import { seededRandom } from '../src/sampling/random.js';
import { royalModel } from './fixtures.js';
import { gensimSkip, PYTHON } from './peers.js';

// The standard sets shipped with the package.
const questionsPath = datapath('questions-words');
const wordsimPath = datapath('wordsim353');

const directory = mkdtempSync(join(tmpdir(), 'w2v-eval-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

test('evaluateAnalogies counts correct, incorrect, skipped and invalid lines per section', async () => {
  const path = write(
    'royal-questions.txt',
    [
      ': royal',
      'man woman king queen', // woman - man + king = queen: correct
      'woman man queen king', // correct
      'king queen man apple', // the answer is woman: incorrect
      'man woman king prince', // prince unknown: skipped
      'five words on this line', // invalid, ignored
      '',
      ': nothing known',
      'foo bar baz qux',
      ': shouted',
      'MAN WOMAN KING QUEEN', // case-insensitive by default
    ].join('\n') + '\n',
  );
  const counts = (s: AnalogySectionResult) => ({
    section: s.section,
    correct: s.correct,
    incorrect: s.incorrect,
  });
  const result = await evaluateAnalogies(royalModel(), path);
  assert.deepEqual(result.sections.map(counts), [
    { section: 'royal', correct: 2, incorrect: 1 },
    { section: 'nothing known', correct: 0, incorrect: 0 },
    { section: 'shouted', correct: 1, incorrect: 0 },
  ]);
  assert.deepEqual(result.total, { correct: 3, incorrect: 1 });
  assert.equal(result.accuracy, 0.75);
  assert.equal(result.skipped, 2);
  assert.equal(result.questions, 6);
  assert.deepEqual(result.invalidLines, [6, 7]);
  // Which questions: right, wrong (with the model's answer) and skipped, by line.
  const royal = result.sections[0]!;
  assert.deepEqual(
    royal.right.map((q) => [q.line, q.predicted]),
    [
      [2, 'QUEEN'],
      [3, 'KING'],
    ],
  );
  assert.deepEqual(royal.wrong, [
    { line: 4, words: ['king', 'queen', 'man', 'apple'], predicted: 'WOMAN' },
  ]);
  assert.deepEqual(royal.skipped, [{ line: 5, words: ['man', 'woman', 'king', 'prince'] }]);

  const caseSensitive = await evaluateAnalogies(royalModel(), path, { caseInsensitive: false });
  assert.deepEqual(counts(caseSensitive.sections[2]!), {
    section: 'shouted',
    correct: 0,
    incorrect: 0,
  });
  assert.equal(caseSensitive.skipped, 3);

  // Only king, queen, man, woman are known: the apple question is skipped.
  const restricted = await evaluateAnalogies(royalModel(), path, { restrictVocab: 4 });
  assert.deepEqual(counts(restricted.sections[0]!), { section: 'royal', correct: 2, incorrect: 0 });

  // dummy4unknown: a question with an unknown word is wrong, not skipped (gensim's).
  const dummy = await evaluateAnalogies(royalModel(), path, { dummy4unknown: true });
  assert.deepEqual(dummy.sections.map(counts), [
    { section: 'royal', correct: 2, incorrect: 2 },
    { section: 'nothing known', correct: 0, incorrect: 1 },
    { section: 'shouted', correct: 1, incorrect: 0 },
  ]);
  assert.deepEqual(
    dummy.sections[0]!.wrong.map((q) => q.line),
    [4, 5],
  );
  assert.equal(dummy.accuracy, 3 / 6);
});

test('evaluateAnalogies uses the first (most frequent) case variant of a word', async () => {
  const path = write('variant-questions.txt', ': royal\nman woman king queen\n');
  // 'King' after 'king' is ignored: correct.
  const later = await evaluateAnalogies(royalModel([['King', [0, 0, 0, 1]]]), path);
  assert.deepEqual(later.total, { correct: 1, incorrect: 0 });
  // 'King' (a fruit here) before 'king' stands for KING: the analogy fails.
  const earlier = await evaluateAnalogies(royalModel([], [['King', [0, 0, 0, 1]]]), path);
  assert.deepEqual(earlier.total, { correct: 0, incorrect: 1 });
});

test('evaluateAnalogies: a question before any section header names the file and line', async () => {
  const path = write('headless.txt', '\nman woman king queen\n');
  await assert.rejects(
    evaluateAnalogies(royalModel(), path),
    (error: unknown) =>
      error instanceof InputError &&
      error.message.includes(path) &&
      /line 1: expected a section header/.test(error.message),
  );
  await assert.rejects(evaluateAnalogies(royalModel(), join(directory, 'missing.txt')), InputError);
});

test('ranks and correlations follow scipy (average ranks for ties)', () => {
  assert.deepEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.deepEqual(averageRanks([3, 3, 3]), [2, 2, 2]);
  assert.ok(
    Math.abs(spearmanCorrelation([1, 2, 2, 3], [1, 3, 2, 4]) - 4.5 / Math.sqrt(22.5)) < 1e-12,
  );
  assert.ok(Math.abs(pearsonCorrelation([1, 2, 3], [2, 4, 7]) - 0.9933992677987828) < 1e-12);
  assert.equal(pearsonCorrelation([1, 2, 3], [-1, -2, -3]), -1);
  assert.ok(Number.isNaN(pearsonCorrelation([1, 1, 1], [1, 2, 3])));
});

test('evaluateWordPairs skips comments, invalid lines and unknown words', async () => {
  const path = write(
    'pairs.tsv',
    [
      '# word1\tword2\tscore',
      'king\tqueen\t8.5',
      'KING\tMAN\t6', // case-insensitive
      'man\twoman\t 7.0 ', // Python's float() allows the spaces
      'apple\torange\t9',
      'king\tprince\t9', // unknown word
      'king queen 3', // wrong delimiter: invalid
      'apple\tking\tnot-a-number', // invalid
      'queen\tapple\t1_0', // Python's float() reads 1_0 as 10
    ].join('\r\n') + '\r\n',
  );
  const kv = royalModel();
  const result = await evaluateWordPairs(kv, path);
  const human = [8.5, 6, 7, 9, 10];
  const model = [
    kv.similarity('king', 'queen'),
    kv.similarity('king', 'man'),
    kv.similarity('man', 'woman'),
    kv.similarity('apple', 'orange'),
    kv.similarity('queen', 'apple'),
  ];
  assert.equal(result.pairs, 5);
  assert.equal(result.skipped, 1);
  assert.equal(result.oovRatio, 1 / 6);
  assert.deepEqual(result.invalidLines, [7, 8]);
  assert.equal(result.pearson, pearsonCorrelation(human, model));
  assert.equal(result.spearman, spearmanCorrelation(human, model));

  const allUnknown = write('unknown-pairs.tsv', 'foo\tbar\t1\n');
  await assert.rejects(
    evaluateWordPairs(kv, allUnknown),
    (error: unknown) =>
      error instanceof InputError &&
      error.message.includes(allUnknown) &&
      /1 pairs with unknown words/.test(error.message),
  );
});

// ---- against gensim ----

/**
 * 3,000 words: every word of the analogy and word-pair sets (lower-cased,
 * plus some original-case variants before or after them), then fillers, in
 * random order. Random vectors, except that for each analogy pair (x, y)
 * the vector of y is x's plus a per-section offset plus noise, so that
 * some analogies are solved and some are not, and that case variants are
 * close to each other.
 */
function plantedModel(questions: string, pairs: string): KeyedVectors {
  const random = seededRandom(2024);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const sections: string[][][] = [];
  const vocabulary = new Set<string>();
  const variants = new Set<string>();
  for (const line of questions.split('\n')) {
    if (line.startsWith(': ')) sections.push([]);
    const words = line.trim().split(/\s+/);
    if (words.length !== 4 || sections.length === 0) continue;
    sections[sections.length - 1]!.push(words);
    for (const word of words) {
      vocabulary.add(word.toLowerCase());
      if (word !== word.toLowerCase() && random() < 0.3) variants.add(word);
    }
  }
  for (const line of pairs.split('\n')) {
    if (line.startsWith('#')) continue;
    for (const word of line.split('\t').slice(0, 2)) if (word) vocabulary.add(word.toLowerCase());
  }
  const words = [...vocabulary, ...variants];
  for (let i = 0; words.length < 3000; i++) words.push(`filler${i}`);
  for (let i = words.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [words[i], words[j]] = [words[j]!, words[i]!];
  }
  const dim = 40;
  const vectors = Float32Array.from({ length: words.length * dim }, gaussian);
  const firstRow = new Map<string, number>();
  words.forEach((word, row) => {
    if (!firstRow.has(word.toUpperCase())) firstRow.set(word.toUpperCase(), row);
  });
  const planted = new Set<number>();
  for (const lines of sections) {
    const offset = Array.from({ length: dim }, gaussian);
    for (const [a, b, c, d] of lines) {
      for (const [x, y] of [
        [a!, b!],
        [c!, d!],
      ]) {
        const from = firstRow.get(x.toUpperCase())!;
        const to = firstRow.get(y.toUpperCase())!;
        if (planted.has(to) || from === to) continue;
        planted.add(to);
        for (let k = 0; k < dim; k++)
          vectors[to * dim + k] = vectors[from * dim + k]! + offset[k]! + 0.6 * gaussian();
      }
    }
  }
  // A later case variant lies near the first one, as 'Paris' does near 'paris' in
  // real models, so that answers are often variants of the question's words.
  words.forEach((word, row) => {
    const first = firstRow.get(word.toUpperCase())!;
    if (first === row) return;
    for (let k = 0; k < dim; k++)
      vectors[row * dim + k] = vectors[first * dim + k]! + 0.3 * gaussian();
  });
  return new KeyedVectors(words, vectors, dim);
}

const gensimMissing = gensimSkip();

interface GensimQuery {
  positive: string[];
  negative: string[];
  topn: number;
  restrictVocab: number | null;
}

/** A section as gensim gives it: the questions (upper-cased) answered right and wrong. */
interface GensimSection {
  section: string;
  correct: string[][];
  incorrect: string[][];
}

interface GensimResults {
  sections: GensimSection[];
  /** With dummy4unknown=True. */
  dummySections: GensimSection[];
  dummyPairs: [number, number, number];
  score: number;
  oovPercent: number;
  pearson: number;
  spearman: number;
  pairsOovPercent: number;
  mostSimilar: Array<Array<[string, number]>>;
  mostSimilarCosmul: Array<Array<[string, number]>>;
}

const GENSIM_SCRIPT = `
import json, logging, re, sys, io
from gensim.models import KeyedVectors
log = io.StringIO()
handler = logging.StreamHandler(log)
logging.getLogger('gensim').addHandler(handler)
logging.getLogger('gensim').setLevel(logging.INFO)
model_path, questions, pairs, restrict, queries = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5])
kv = KeyedVectors.load_word2vec_format(model_path, binary=True)
score, sections = kv.evaluate_word_analogies(questions, restrict_vocab=restrict)
oov = float(re.search(r'Quadruplets with out-of-vocabulary words: ([0-9.]+)%', log.getvalue()).group(1))
pearson, spearman, pairs_oov = kv.evaluate_word_pairs(pairs, restrict_vocab=restrict)
_, dummy_sections = kv.evaluate_word_analogies(questions, restrict_vocab=restrict, dummy4unknown=True)
dummy_pearson, dummy_spearman, dummy_oov = kv.evaluate_word_pairs(pairs, restrict_vocab=restrict, dummy4unknown=True)
def similar(method, q):
    kwargs = {'positive': q['positive'], 'negative': q['negative'], 'topn': q['topn']}
    if q['restrictVocab'] is not None:
        kwargs['restrict_vocab'] = q['restrictVocab']
    return [(w, float(s)) for w, s in method(**kwargs)]
print(json.dumps({
    'sections': sections,
    'dummySections': dummy_sections,
    'dummyPairs': [float(dummy_pearson[0]), float(dummy_spearman[0]), dummy_oov],
    'score': score,
    'oovPercent': oov,
    'pearson': float(pearson[0]),
    'spearman': float(spearman[0]),
    'pairsOovPercent': pairs_oov,
    'mostSimilar': [similar(kv.most_similar, q) for q in queries],
    'mostSimilarCosmul': [similar(kv.most_similar_cosmul, q) for q in queries if q['restrictVocab'] is None],
}))
`;

/** Our per-question lists against gensim's: the same questions, right and wrong, in file order. */
function assertSameSections(ours: AnalogySectionResult[], theirs: GensimSection[]): void {
  const upper = (list: { words: string[] }[]): string[][] =>
    list.map((q) => q.words.map((w) => w.toUpperCase()));
  assert.deepEqual(
    ours.map((s) => ({ section: s.section, correct: upper(s.right), incorrect: upper(s.wrong) })),
    theirs,
  );
  for (const s of ours) {
    assert.equal(s.right.length, s.correct);
    assert.equal(s.wrong.length, s.incorrect);
    assert.ok(s.right.every((q) => q.predicted === q.words[3].toUpperCase()));
  }
}

function assertSameNeighbours(
  ours: Neighbour[],
  theirs: Array<[string, number]>,
  label: string,
): void {
  assert.deepEqual(
    ours.map((n) => n.word),
    theirs.map(([word]) => word),
    label,
  );
  ours.forEach((n, i) =>
    assert.ok(
      Math.abs(n.similarity - theirs[i]![1]) < 1e-6,
      `${label}: ${n.word} ${n.similarity} vs ${theirs[i]![1]}`,
    ),
  );
}

test("analogies, word pairs and most_similar equal gensim's", { skip: gensimMissing }, async () => {
  const kv = plantedModel(readFileSync(questionsPath, 'utf8'), readFileSync(wordsimPath, 'utf8'));
  const modelPath = join(directory, 'planted.bin');
  await saveWord2Vec(kv, modelPath);
  const restrictVocab = 2700;
  const w = kv.words;
  const queries: GensimQuery[] = [
    { positive: [w[5]!], negative: [], topn: 10, restrictVocab: null },
    { positive: [w[10]!, w[20]!], negative: [w[30]!], topn: 10, restrictVocab: null },
    { positive: [w[2999]!], negative: [w[0]!, w[1]!], topn: 10, restrictVocab: 1000 },
    {
      positive: ['athens', 'greece'],
      negative: ['baghdad'].filter((x) => kv.has(x)),
      topn: 10,
      restrictVocab: null,
    },
  ];
  const run = spawnSync(
    PYTHON,
    [
      '-c',
      GENSIM_SCRIPT,
      modelPath,
      questionsPath,
      wordsimPath,
      String(restrictVocab),
      JSON.stringify(queries),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  assert.equal(run.status, 0, run.stderr);
  const gensim = JSON.parse(run.stdout) as GensimResults;

  const analogies = await evaluateAnalogies(kv, 'questions-words', { restrictVocab });
  const total = gensim.sections.pop()!;
  assert.equal(total.section, 'Total accuracy');
  assertSameSections(analogies.sections, gensim.sections);
  assert.deepEqual(analogies.total, {
    correct: total.correct.length,
    incorrect: total.incorrect.length,
  });
  assert.equal(analogies.accuracy, gensim.score);
  assert.ok(
    analogies.total.correct > 100 && analogies.total.incorrect > 100,
    'the model should get some right and some wrong',
  );
  assert.ok(analogies.skipped > 0, 'some questions should be outside the restricted vocabulary');
  assert.ok(Math.abs((100 * analogies.skipped) / analogies.questions - gensim.oovPercent) < 0.051);

  const dummy = await evaluateAnalogies(kv, questionsPath, { restrictVocab, dummy4unknown: true });
  gensim.dummySections.pop();
  assertSameSections(dummy.sections, gensim.dummySections);
  assert.ok(dummy.total.incorrect === analogies.total.incorrect + analogies.skipped);
  const dummyPairs = await evaluateWordPairs(kv, 'wordsim353', {
    restrictVocab,
    dummy4unknown: true,
  });
  assert.ok(Math.abs(dummyPairs.pearson - gensim.dummyPairs[0]) < 1e-6);
  assert.ok(Math.abs(dummyPairs.spearman - gensim.dummyPairs[1]) < 1e-6);
  assert.ok(Math.abs(dummyPairs.oovRatio * 100 - gensim.dummyPairs[2]) < 1e-9);
  assert.equal(dummyPairs.scored.length, dummyPairs.pairs);
  assert.ok(dummyPairs.unknown.every((p) => p.similarity === 0));

  const pairs = await evaluateWordPairs(kv, wordsimPath, { restrictVocab });
  assert.ok(
    Math.abs(pairs.pearson - gensim.pearson) < 1e-6,
    `pearson ${pairs.pearson} vs ${gensim.pearson}`,
  );
  assert.ok(
    Math.abs(pairs.spearman - gensim.spearman) < 1e-6,
    `spearman ${pairs.spearman} vs ${gensim.spearman}`,
  );
  assert.ok(Math.abs(pairs.oovRatio * 100 - gensim.pairsOovPercent) < 1e-9);
  assert.ok(pairs.skipped > 0 && pairs.pairs > 100);

  queries.forEach((query, i) => {
    const ours = kv.mostSimilar({ ...query, restrictVocab: query.restrictVocab ?? undefined });
    assertSameNeighbours(ours, gensim.mostSimilar[i]!, `most_similar ${JSON.stringify(query)}`);
  });
  queries
    .filter((q) => q.restrictVocab === null)
    .forEach((query, i) => {
      assertSameNeighbours(
        kv.mostSimilarCosmul({ ...query, restrictVocab: undefined }),
        gensim.mostSimilarCosmul[i]!,
        `most_similar_cosmul ${JSON.stringify(query)}`,
      );
    });
});
