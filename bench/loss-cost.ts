// What each output layer costs as the vocabulary grows: trains one epoch on
// synthetic corpora with vocabularies from 1,000 to 1,000,000 words and
// prints the time per training example for negative sampling (flat in V),
// hierarchical softmax (growing like log V) and the full softmax (growing
// like V, run on the smaller vocabularies only), then plots the three curves.
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { train } from '../src/train/trainer.js';
import type { Loss } from '../src/options.js';
import { Random } from '../src/sampling/random.js';
import { buildHuffman } from '../src/vocab/huffman.js';

const { values } = parseArgs({
  options: {
    vocab: { type: 'string', default: '1000,3000,10000,30000,100000,300000,1000000' },
    tokens: { type: 'string', default: '4000000' },
    'softmax-max': { type: 'string', default: '10000' },
    'softmax-tokens': { type: 'string', default: '5000' },
    threads: { type: 'string', default: '1' },
    out: { type: 'string', default: 'loss-cost.svg' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run bench:loss-cost -- [--vocab 1000,...,1000000] [--tokens 4000000]
       [--softmax-max 10000] [--softmax-tokens 5000] [--threads 1] [--out loss-cost.svg]`);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'w2v-loss-cost-'));

/** Hierarchical softmax's output rows per example: the Huffman code length, weighted by how often each word is predicted. */
function meanCodeLength(counts: Float64Array): number {
  const { offsets } = buildHuffman(counts);
  let rows = 0;
  let total = 0;
  counts.forEach((count, w) => {
    rows += count * (offsets[w + 1] - offsets[w]);
    total += count;
  });
  return rows / total;
}

/**
 * A corpus in which every one of `vocab` words occurs (so the vocabulary and
 * the Huffman tree have that size), the rest drawn from a Zipf law as words
 * are in text, in sentences of 20 words.
 */
async function syntheticCorpus(vocab: number, tokens: number): Promise<string> {
  const path = join(work, `zipf-${vocab}-${tokens}.txt`);
  const out = createWriteStream(path);
  const random = new Random(vocab);
  // Inverse CDF of a Zipf law with exponent 1 over ranks 1..vocab, approximated continuously.
  const logV = Math.log(vocab + 1);
  const zipf = (): number => Math.min(vocab - 1, Math.floor(Math.exp(random.next() * logV)) - 1);
  let line: string[] = [];
  for (let t = 0; t < Math.max(tokens, vocab); t++) {
    line.push(`w${t < vocab ? t : zipf()}`);
    if (line.length === 20) {
      if (!out.write(line.join(' ') + '\n')) await once(out, 'drain');
      line = [];
    }
  }
  out.end(line.join(' ') + '\n');
  await once(out, 'finish');
  return path;
}

interface Row {
  vocab: number;
  loss: Loss;
  /** Output rows (dot products and updates) per example: what the reference documents count. */
  rowsPerExample: number;
  examples: number;
  seconds: number;
  microsPerExample: number;
}

const rows: Row[] = [];
const threads = Number(values.threads);
for (const vocab of values.vocab.split(',').map(Number)) {
  for (const loss of ['ns', 'hs', 'softmax'] as Loss[]) {
    if (loss === 'softmax' && vocab > Number(values['softmax-max'])) continue;
    const tokens = loss === 'softmax' ? Number(values['softmax-tokens']) : Number(values.tokens);
    const corpus = await syntheticCorpus(vocab, tokens);
    const model = await train({
      input: corpus,
      loss,
      epochs: 1,
      minCount: 1,
      sample: 0,
      threads,
      dim: 100,
      window: 5,
      negative: 5,
    });
    const { examples, trainSeconds } = model.summary;
    const rowsPerExample =
      loss === 'ns'
        ? 1 + 5
        : loss === 'hs'
          ? meanCodeLength(model.counts)
          : model.summary.vocabSize;
    const row = {
      vocab: model.summary.vocabSize,
      loss,
      rowsPerExample,
      examples,
      seconds: trainSeconds,
      microsPerExample: (trainSeconds / examples) * 1e6,
    };
    rows.push(row);
    console.error(
      `V=${row.vocab} ${loss}: ${row.microsPerExample.toFixed(2)} µs and ${row.rowsPerExample.toFixed(1)} output rows per example`,
    );
    rmSync(corpus);
  }
}

console.log(
  `\nskip-gram, dim 100, window 5, negative 5, one epoch, ${threads} thread(s); time per (context, word) example\n`,
);
console.log('time per example (output rows per example)\n');
console.log('| vocabulary | negative sampling | hierarchical softmax | full softmax |');
console.log('|---:|---:|---:|---:|');
for (const vocab of [...new Set(rows.map((r) => r.vocab))]) {
  const cell = (loss: Loss): string => {
    const r = rows.find((x) => x.vocab === vocab && x.loss === loss);
    return r
      ? `${r.microsPerExample.toFixed(2)} µs (${Math.round(r.rowsPerExample).toLocaleString('en')})`
      : '—';
  };
  console.log(
    `| ${vocab.toLocaleString('en')} | ${cell('ns')} | ${cell('hs')} | ${cell('softmax')} |`,
  );
}

const names: Record<Loss, string> = {
  ns: 'negative sampling',
  hs: 'hierarchical softmax',
  softmax: 'full softmax',
};
const spec = vegaLite.compile({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: 'Time per training example as the vocabulary grows',
  width: 560,
  height: 320,
  data: { values: rows.map((r) => ({ ...r, loss: names[r.loss] })) },
  mark: { type: 'line', point: true },
  encoding: {
    x: {
      field: 'vocab',
      type: 'quantitative',
      scale: { type: 'log' },
      title: 'vocabulary size (words)',
    },
    y: {
      field: 'microsPerExample',
      type: 'quantitative',
      scale: { type: 'log' },
      title: 'µs per example',
    },
    color: { field: 'loss', type: 'nominal', title: 'output layer', legend: { labelLimit: 400 } },
  },
}).spec;
const svg = await new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG();
writeFileSync(values.out, svg);
console.log(`\nplot: ${values.out}`);
rmSync(work, { recursive: true, force: true });
