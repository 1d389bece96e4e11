// `w2v phrases`: learns phrases (or loads them) and writes the phrased corpus.
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { checkCorpusFiles } from '../corpus/reader.js';
import { learnPhrases } from '../phrases/learn.js';
import { PHRASE_DEFAULTS, type PhraseProgress } from '../phrases/options.js';
import { loadPhrases } from '../phrases/phrase-file.js';
import type { PhraseModel } from '../phrases/phrase-model.js';
import { SCORINGS, type PhraseScoring } from '../phrases/scoring.js';
import { writePhrasedCorpus } from '../phrases/write-phrased.js';
import { parseInteger, parseNumber } from './arguments.js';
import { checkOutput } from './output-path.js';
import { formatCount, formatDuration } from './progress.js';

const USAGE_NOTES = `
Phrases are frequent pairs of words ("new york"), joined into one token
("new_york") when their score exceeds the threshold; each further pass joins
on the previous one's output, so 2 passes give phrases of up to 4 words.
Scorings: default (gensim's original_scorer), npmi (gensim's, threshold in
-1..1), word2phrase (word2vec.c's word2phrase, which it reproduces byte for
byte; threshold 100 by default). The phrase file (--save, --load) holds one
phrase a line: the phrase, its score and its count, separated by tabs.

Examples:
  $ w2v phrases -i corpus.txt.gz -o phrased.txt.gz --save phrases.tsv
  $ w2v phrases -i corpus.txt.gz -o phrased.txt --scoring npmi --threshold 0.5 --connector-words english
  $ w2v phrases -i corpus.txt -o phrased.txt --scoring word2phrase --passes 2 --threshold 200,100
  $ w2v phrases --load phrases.tsv -i more.txt.gz -o more-phrased.txt.gz
  $ w2v train -i corpus.txt.gz -o vectors.bin --phrases phrases.tsv
`;

interface PhrasesCommandOptions {
  input: string[];
  output?: string;
  save?: string;
  load?: string;
  scoring: string;
  minCount: number;
  threshold?: string;
  delimiter: string;
  connectorWords: string;
  passes: number;
  maxMemory: number;
  quiet?: boolean;
}

export function registerPhrases(program: Command): void {
  program
    .command('phrases')
    .summary('learn phrases ("new_york") and write the phrased corpus')
    .description(
      'Learn phrases from a corpus (or load them) and write the corpus with them joined.',
    )
    .usage('-i <file...> [-o <file>] [--save phrases.tsv | --load phrases.tsv] [options]')
    .addOption(
      new Option('-i, --input <file...>', 'corpus files (plain text or .gz)').makeOptionMandatory(),
    )
    .addOption(new Option('-o, --output <file>', 'the phrased corpus (.gz: gzip)'))
    .addOption(new Option('--save <file>', 'write the learned phrases (tab-separated)'))
    .addOption(
      new Option('--load <file>', 'apply phrases saved by --save instead of learning them'),
    )
    .addOption(
      new Option('--scoring <name>', 'default | npmi | word2phrase').default(
        PHRASE_DEFAULTS.scoring,
      ),
    )
    .addOption(
      new Option('--min-count <n>', 'ignore words and pairs seen fewer times')
        .argParser(parseInteger)
        .default(PHRASE_DEFAULTS.minCount),
    )
    .addOption(
      new Option(
        '--threshold <x[,y...]>',
        'score a phrase must exceed, or one a pass (default 10; word2phrase 100; npmi needs -1..1)',
      ),
    )
    .addOption(
      new Option('--delimiter <s>', "joins a phrase's words").default(PHRASE_DEFAULTS.delimiter),
    )
    .addOption(
      new Option(
        '--connector-words <set>',
        "english (gensim's: of, the, and, ...), none, or a file of words; inside phrases only",
      ).default(PHRASE_DEFAULTS.connectorWords),
    )
    .addOption(
      new Option('--passes <n>', "passes, each on the previous one's output")
        .argParser(parseInteger)
        .default(PHRASE_DEFAULTS.passes),
    )
    .addOption(
      new Option('--max-memory <MiB>', 'memory for counting; rarer pairs are pruned past it')
        .argParser(parseNumber)
        .default(PHRASE_DEFAULTS.maxMemoryMiB),
    )
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addHelpText('after', USAGE_NOTES)
    .action(async (opts: PhrasesCommandOptions) => runPhrases(opts));
}

async function runPhrases(opts: PhrasesCommandOptions): Promise<void> {
  if (!opts.output && !opts.save)
    throw new UsageError('give --output for the phrased corpus, --save for the phrases, or both');
  if (opts.load && opts.save)
    throw new UsageError('--load and --save: a loaded model is saved already');
  if (!SCORINGS.includes(opts.scoring as PhraseScoring))
    throw new UsageError(`--scoring must be one of ${SCORINGS.join(', ')}, got '${opts.scoring}'`);
  const thresholds = opts.threshold?.split(',').map((t) => {
    const value = Number(t);
    if (t.trim() === '' || Number.isNaN(value))
      throw new UsageError(
        `--threshold must be a number or a comma-separated list of them, got '${opts.threshold}'`,
      );
    return value;
  });
  await checkCorpusFiles(opts.input);
  if (opts.output) await checkOutput(opts.output, '--output');
  if (opts.save) await checkOutput(opts.save, '--save');
  const quiet = opts.quiet === true;
  const say = (line: string): void => {
    if (!quiet) process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}w2v: ${line}\n`);
  };
  const onWarning = (message: string): void => say(`warning: ${message}`);
  const started = performance.now();
  let model: PhraseModel;
  if (opts.load) {
    model = await loadPhrases(opts.load);
    say(
      `loaded ${formatCount(model.phrases().length)} phrases (${model.passes} pass${model.passes === 1 ? '' : 'es'}) from ${opts.load}`,
    );
  } else {
    const progress = quiet ? undefined : progressPrinter();
    try {
      model = await learnPhrases({
        input: opts.input,
        scoring: opts.scoring as PhraseScoring,
        minCount: opts.minCount,
        threshold: thresholds,
        delimiter: opts.delimiter,
        connectorWords: opts.connectorWords,
        passes: opts.passes,
        maxMemoryMiB: opts.maxMemory,
        onProgress: progress?.update,
        onWarning,
      });
    } finally {
      progress?.stop();
    }
    if (opts.save) await model.save(opts.save);
  }
  const learnedSeconds = (performance.now() - started) / 1000;
  let written: Awaited<ReturnType<typeof writePhrasedCorpus>> | undefined;
  if (opts.output)
    written = await writePhrasedCorpus(model, opts.input, opts.output, { onWarning });
  if (quiet) return;
  const rows: [string, string][] = [];
  for (let pass = 1; pass <= model.passes; pass++)
    rows.push([`pass ${pass}`, `${formatCount(model.phrasesOfPass(pass).length)} phrases`]);
  rows.push([opts.load ? 'loading' : 'learning', formatDuration(learnedSeconds)]);
  if (opts.save) rows.push(['phrases saved', opts.save]);
  if (written && opts.output) {
    rows.push([
      'corpus written',
      `${opts.output}: ${formatCount(written.tokensRead)} tokens → ${formatCount(written.tokensWritten)} ` +
        `(${formatCount(written.phrasesJoined)} phrases joined), ${formatDuration((performance.now() - started) / 1000)} in all`,
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stderr.write(rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n') + '\n');
}

/** Progress as `w2v train` shows it: a redrawn line on a terminal, a line every 5 s otherwise. */
function progressPrinter(): { update: (p: PhraseProgress) => void; stop: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastLog = -Infinity;
  let drawn = false;
  const line = (p: PhraseProgress): string =>
    `phrases pass ${p.pass}/${p.passes}  ${formatCount(p.words)} tokens | ${formatCount(p.wordsPerSecond)} tokens/s | ` +
    `${formatCount(p.candidates)} candidates | ${formatDuration(p.elapsedSeconds)}` +
    (p.phrasesFound !== undefined ? ` | ${formatCount(p.phrasesFound)} phrases` : '');
  return {
    update: (p) => {
      if (tty) {
        process.stderr.write(`\r\x1b[K${line(p)}`);
        drawn = true;
      } else if (performance.now() - lastLog >= 5000 || p.phrasesFound !== undefined) {
        lastLog = performance.now();
        process.stderr.write(`w2v: ${line(p)}\n`);
      }
    },
    stop: () => {
      if (drawn) process.stderr.write('\n');
    },
  };
}
