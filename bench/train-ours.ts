// Trains word2vec-ts in its own process for the comparison, so its time and
// peak memory are measured like a peer's; prints one JSON line.
import { parseArgs } from 'node:util';
import { train } from '../src/train/trainer.js';
import type { Architecture, Loss } from '../src/options.js';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    output: { type: 'string' },
    arch: { type: 'string', default: 'sg' },
    loss: { type: 'string', default: 'ns' },
    dim: { type: 'string', default: '100' },
    window: { type: 'string', default: '5' },
    negative: { type: 'string', default: '5' },
    sample: { type: 'string', default: '1e-3' },
    'min-count': { type: 'string', default: '5' },
    epochs: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    'shared-negatives': { type: 'boolean', default: false },
    subwords: { type: 'boolean', default: false },
    'ns-exponent': { type: 'string' },
    seed: { type: 'string' },
  },
});
if (!values.corpus || !values.output)
  throw new Error('usage: train-ours --corpus FILE --output FILE [options]');

const started = performance.now();
const model = await train({
  input: values.corpus,
  arch: values.arch as Architecture,
  loss: values.loss as Loss,
  dim: Number(values.dim),
  window: Number(values.window),
  negative: Number(values.negative),
  sample: Number(values.sample),
  minCount: Number(values['min-count']),
  epochs: Number(values.epochs),
  threads: Number(values.threads),
  sharedNegatives: values['shared-negatives'],
  subwords: values.subwords,
  ...(values['ns-exponent'] === undefined ? {} : { nsExponent: Number(values['ns-exponent']) }),
  ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
});
const seconds = (performance.now() - started) / 1000;
// The word vectors in word2vec's format, which the evaluator reads (for a subword model too).
await model.save(values.output, { format: 'bin' });
console.log(
  JSON.stringify({
    seconds,
    corpus_words: model.summary.trainedWords,
    vocab: model.summary.vocabSize,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    train_seconds: model.summary.trainSeconds,
    vocab_seconds: model.summary.vocabSeconds,
    thread_busy: model.summary.threadBusy,
  }),
);
