// Memory of counting a corpus with tens of millions of distinct tokens: writes
// a synthetic corpus (streamed to a temporary file: 50M distinct tokens, each
// seen once, and one of 1,000 frequent words after every tenth), then counts
// it in a child process per --max-vocab-memory budget, as training's first
// pass does (min-count 5, no corpus cache), and prints the child's peak
// resident memory, time, prunes, final threshold and vocabulary size.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scanCorpus } from '../src/corpus/encoded.js';
import { Vocabulary } from '../src/vocab/vocabulary.js';

const FREQUENT_WORDS = 1000;
const FREQUENT_EVERY = 10;
const LINE_TOKENS = 20;
const MIN_COUNT = 5;

/** What a child reports on its stdout, as one line of JSON. */
interface CountResult {
  budgetMiB: number;
  seconds: number;
  /** Peak resident memory of the child before counting (Node itself and the loaded modules) and in all. */
  startRssMiB: number;
  maxRssMiB: number;
  tokenizerMiB: number;
  tokens: number;
  prunes: number;
  threshold: number;
  wordsDropped: number;
  occurrencesDropped: number;
  vocabSize: number;
  /** Sum of the vocabulary's counts: the frequent words' occurrences when their counts are exact. */
  vocabTokens: number;
}

/** Counts the corpus within the budget, in this (child) process. */
async function countChild(corpus: string, budgetMiB: number): Promise<void> {
  const startRssMiB = process.resourceUsage().maxRSS / 1024;
  const started = performance.now();
  const scan = await scanCorpus([corpus], 10000, 0, {
    maxVocabBytes: budgetMiB * 2 ** 20,
    minCount: MIN_COUNT,
  });
  const { vocab } = Vocabulary.fromCounts(scan, { minCount: MIN_COUNT, maxVocab: 0 });
  const result: CountResult = {
    budgetMiB,
    seconds: (performance.now() - started) / 1000,
    startRssMiB,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    tokenizerMiB: scan.tokenizerBytes / 2 ** 20,
    tokens: scan.tokens,
    ...scan.pruning,
    vocabSize: vocab.size,
    vocabTokens: vocab.totalWords,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** Writes the corpus a megabyte at a time: token i is `r` and i in base 36, so every one is new. */
function writeCorpus(path: string, distinct: number): void {
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  let text = '';
  for (let i = 0, inLine = 0; i < distinct; i++) {
    text += `r${i.toString(36)}`;
    if (i % FREQUENT_EVERY === 0) {
      text += ` the${(i / FREQUENT_EVERY) % FREQUENT_WORDS}`;
      inLine++;
    }
    text += ++inLine >= LINE_TOKENS ? '\n' : ' ';
    if (inLine >= LINE_TOKENS) inLine = 0;
    if (text.length >= 1 << 20) {
      writeSync(fd, text);
      text = '';
    }
  }
  writeSync(fd, text + '\n');
  closeSync(fd);
  renameSync(partial, path);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      distinct: { type: 'string', default: '50000000' },
      budgets: { type: 'string', default: '1024,8192' },
      corpus: { type: 'string' },
      child: { type: 'boolean', default: false },
      budget: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench:vocab-memory -- [--distinct 50000000] [--budgets 1024,8192] [--corpus /tmp/file.txt]
The corpus is written once to the temporary directory (or --corpus) and reused by later runs.`);
    return;
  }
  const distinct = Number(values.distinct);
  const corpus = values.corpus ?? join(tmpdir(), `w2v-vocab-memory-${distinct}.txt`);
  if (values.child) return countChild(corpus, Number(values.budget));

  if (!existsSync(corpus)) {
    const started = performance.now();
    process.stderr.write(`writing ${corpus} ...\n`);
    writeCorpus(corpus, distinct);
    process.stderr.write(
      `  ${(statSync(corpus).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
    );
  }
  const self = fileURLToPath(import.meta.url);
  const rows: CountResult[] = [];
  for (const budget of values.budgets!.split(',').map(Number)) {
    process.stderr.write(`counting with --max-vocab-memory ${budget} ...\n`);
    const child = spawnSync(
      process.execPath,
      [self, '--child', '--corpus', corpus, '--budget', String(budget)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      },
    );
    if (child.status !== 0)
      throw new Error(`counting with a ${budget} MiB budget failed (exit ${child.status})`);
    rows.push(JSON.parse(child.stdout) as CountResult);
  }
  const frequentTokens = Math.ceil(distinct / FREQUENT_EVERY);
  const count = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(
    `corpus: ${corpus}, ${(statSync(corpus).size / 2 ** 20).toFixed(0)} MiB, ${count(rows[0].tokens)} tokens, ` +
      `${count(distinct)} distinct once-seen words + ${FREQUENT_WORDS} frequent; min-count ${MIN_COUNT}`,
  );
  console.log(
    '| budget (MiB) | peak RSS (MiB) | RSS before counting (MiB) | tokenizer memory (MiB) | time (s) | prunes | final threshold | words dropped | vocabulary | its counts exact |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${count(r.budgetMiB)} | ${count(r.maxRssMiB)} | ${count(r.startRssMiB)} | ${count(r.tokenizerMiB)} | ${r.seconds.toFixed(1)} | ${r.prunes} | ` +
        `${r.threshold} | ${count(r.wordsDropped)} | ${count(r.vocabSize)} | ${r.vocabTokens === frequentTokens ? 'yes' : `no (${count(r.vocabTokens)})`} |`,
    );
  }
}

await main();
