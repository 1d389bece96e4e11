import { test } from 'node:test';
import { tempDir } from './temp-dir.js';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '../src/corpus/tokenizer.js';
import {
  encodeCached,
  decodeVarints,
  PRUNED_WORD,
  scanCorpus,
  SENTENCE_END,
} from '../src/corpus/encoded.js';
import { Vocabulary } from '../src/vocab/vocabulary.js';
import { train } from '../src/train/trainer.js';
import { formatTrainSummary } from '../src/cli/train.js';
import { w2v } from './cli-runner.js';

const dir = tempDir('w2v-vocab-memory-');
const MiB = 2 ** 20;
const BUDGET = 32; // MiB: the smallest budget allowed

/**
 * 500,000 distinct words seen once each, and 20 frequent words f0..f19, one
 * after every fourth rare word (6,250 times each), 16 rare words a line:
 * about 40 MiB of table and bytes without pruning.
 */
const RARE = 500_000;
const FREQUENT = 20;
const lines: string[][] = [];
for (let i = 0, line: string[] = []; i < RARE; i++) {
  line.push(`rare${i}`);
  if (i % 4 === 0) line.push(`f${(i / 4) % FREQUENT}`);
  if (i % 16 === 15 || i === RARE - 1) {
    lines.push(line);
    line = [];
  }
}
const corpus = join(dir, 'rare.txt');
writeFileSync(corpus, lines.map((line) => line.join(' ')).join('\n') + '\n');
const tokens = lines.flat();
const frequentCount = RARE / 4 / FREQUENT;

test('counting in a small memory budget prunes rare words, keeps the frequent ones exact and the cache aligned', async () => {
  const scan = await scanCorpus([corpus], 10000, 1 << 24, { maxVocabBytes: BUDGET * MiB });
  assert.ok(scan.pruning.prunes > 0, 'the budget should have forced pruning');
  assert.ok(scan.pruning.threshold >= 1);
  assert.ok(scan.pruning.wordsDropped > RARE / 2, `dropped ${scan.pruning.wordsDropped}`);
  // Every dropped word was seen once, so its lost occurrences equal the words dropped.
  assert.equal(scan.pruning.occurrencesDropped, scan.pruning.wordsDropped);
  assert.equal(scan.words.length, RARE + FREQUENT - scan.pruning.wordsDropped);
  assert.equal(scan.tokens, tokens.length);
  for (let f = 0; f < FREQUENT; f++)
    assert.equal(scan.counts[scan.words.indexOf(`f${f}`)], frequentCount, `f${f}`);

  // The first pass's cache, renumbered at each prune, still spells the corpus: each entry is its token or a pruned rare word.
  let at = 0;
  let pruned = 0;
  for (const block of scan.cached!) {
    for (const id of block) {
      if (id === SENTENCE_END) continue;
      const token = tokens[at++];
      if (id === PRUNED_WORD) {
        assert.ok(token.startsWith('rare'), `${token} should not have been pruned`);
        pruned++;
      } else {
        assert.equal(scan.words[id], token);
      }
    }
  }
  assert.equal(at, tokens.length);
  assert.equal(pruned, scan.pruning.wordsDropped);

  // And it encodes to the frequent words' sentences, as training sees them.
  const { vocab, remap } = Vocabulary.fromCounts(scan, { minCount: 2, maxVocab: 0 });
  assert.equal(vocab.size, FREQUENT);
  const encoded = encodeCached(scan.cached!, remap).flatMap((bytes) => {
    const out = new Int32Array(bytes.length);
    return [...out.subarray(0, decodeVarints(bytes, out))];
  });
  const expected = lines.flatMap((line) => {
    const kept = line.filter((word) => word.startsWith('f')).map((word) => vocab.indexOf(word));
    return kept.length > 0 ? [...kept, SENTENCE_END] : [];
  });
  assert.deepEqual(encoded, expected);
});

test("the tokenizer's memory stays within the budget, and without one it would not", () => {
  const text = readFileSync(corpus);
  const count = (tokenizer: Tokenizer): void => {
    for (let i = 0; i < text.length; i += MiB)
      tokenizer.push(text.subarray(i, i + MiB), false, true, () => undefined);
    tokenizer.push(new Uint8Array(0), true, true, () => undefined);
  };
  const bounded = new Tokenizer(10000, { maxBytes: BUDGET * MiB });
  count(bounded);
  const words = bounded.words();
  const decoded = words.reduce((bytes, word) => bytes + 24 + word.length, 0);
  assert.ok(bounded.pruning.prunes > 0);
  assert.ok(
    bounded.memoryBytes + decoded <= BUDGET * MiB,
    `${bounded.memoryBytes} + ${decoded} bytes`,
  );

  const unbounded = new Tokenizer(10000);
  count(unbounded);
  assert.equal(unbounded.size, RARE + FREQUENT);
  assert.equal(unbounded.pruning.prunes, 0);
  assert.ok(
    unbounded.memoryBytes > BUDGET * MiB,
    `without a budget: ${unbounded.memoryBytes} bytes`,
  );
});

test('without pruning nothing changes: the same vocabulary, counts and encoded corpus as counting every word', async () => {
  // The budget is large enough: only min-count filters, before decoding instead of after.
  const filtered = await scanCorpus([corpus], 10000, 1 << 24, {
    maxVocabBytes: 2048 * MiB,
    minCount: 5,
  });
  const all = await scanCorpus([corpus], 10000, 1 << 24);
  assert.equal(filtered.pruning.prunes, 0);
  assert.equal(all.words.length, RARE + FREQUENT);
  assert.equal(filtered.words.length, FREQUENT, 'words below min-count are not returned');
  const limits = { minCount: 5, maxVocab: 0 };
  const a = Vocabulary.fromCounts(filtered, limits);
  const b = Vocabulary.fromCounts(all, limits);
  assert.deepEqual(a.vocab.words, b.vocab.words);
  assert.deepEqual(a.vocab.counts, b.vocab.counts);
  assert.deepEqual(encodeCached(filtered.cached!, a.remap), encodeCached(all.cached!, b.remap));
});

test('when no word reaches min-count, the scan still says how frequent the most frequent word is', async () => {
  const path = join(dir, 'sparse.txt');
  writeFileSync(path, 'a b a c\n');
  const scan = await scanCorpus([path], 10000, 0, { minCount: 5 });
  assert.deepEqual(scan.words, ['a']);
  assert.throws(
    () => Vocabulary.fromCounts(scan, { minCount: 5, maxVocab: 0 }),
    /the most frequent, 'a', occurs twice/,
  );
});

test('training reports the pruning in its summary and warns once', async () => {
  const warnings: string[] = [];
  const model = await train({
    input: corpus,
    dim: 8,
    epochs: 1,
    threads: 1,
    minCount: 2,
    maxVocabMemoryMiB: BUDGET,
    onWarning: (message) => warnings.push(message),
  });
  const { vocabPruning } = model.summary;
  assert.ok(vocabPruning.prunes > 0);
  assert.equal(model.summary.vocabSize, FREQUENT);
  assert.deepEqual([...model.counts], Array<number>(FREQUENT).fill(frequentCount));
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    new RegExp(
      `pruned ${vocabPruning.prunes} times?: ${vocabPruning.wordsDropped.toLocaleString('en-US')} distinct words`,
    ),
  );

  const context = { epochs: 1, output: 'v.bin', format: 'bin' as const };
  assert.match(
    formatTrainSummary(model.summary, context),
    /^pruned +[\d,]+ rare words .* up to count \d+; raise --max-vocab-memory/m,
  );
  const unpruned = {
    ...model.summary,
    vocabPruning: { prunes: 0, threshold: 0, wordsDropped: 0, occurrencesDropped: 0 },
  };
  assert.doesNotMatch(formatTrainSummary(unpruned, context), /pruned/);
});

test('w2v train --max-vocab-memory warns on stderr and shows the pruning in its summary', async () => {
  const output = join(dir, 'pruned.txt');
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
    '--threads',
    '1',
    '--max-vocab-memory',
    String(BUDGET),
  ]);
  assert.equal(status, 0, stderr);
  assert.match(
    stderr,
    /^w2v: warning: the vocabulary outgrew its memory budget \(32 MiB\).*raise --max-vocab-memory for exact counts$/m,
  );
  assert.match(stdout, /^pruned +[\d,]+ rare words/m);
  assert.match(stdout, /^vocabulary +20 words/m);
});
